// Issue 21.8, the smaller points, each through the binary: a failing IMS or Zoho accounts server is
// "unavailable, try again", never refused credentials; a grant code on the command line draws a
// warning naming `ps`, shell history and `--grant-token -`; a JSON syntax error in a template names
// its line and column; a folder given as --template says it is a folder.
import { strict as assert } from 'node:assert';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';

const CODE = '1000.0a1b2c3d4e5f60718293a4b5c6d7e8f9.00112233445566778899aabbccddeeff';

describe('messages', () => {
  let emu: Emulator & { env: Record<string, string> };
  let home: string;
  let env: Record<string, string | undefined>;
  before(async () => {
    emu = await emulator();
    home = await tempHome();
    env = cliEnv(emu.env, home);
  });
  after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });

  test('IMS answering 502 (after the retries): unavailable, try again; not refused credentials', async () => {
    emu.faults.clear().add({ path: '/ims/token', fault: { kind: 'status', status: 502 }, times: 50 });
    try {
      const r = await spawnCli(['auth', 'status', '--json'], env);
      assert.equal(r.exitCode, 1, r.stdout + r.stderr);
      const { error } = r.json();
      assert.match(
        error.message,
        /^Adobe IMS at http:\/\/127\.0\.0\.1:\d+ is unavailable \(HTTP 502\).*Try again in a few minutes\.$/,
      );
      assert.doesNotMatch(error.message, /refused/);
      assert.match(error.hint, /credentials were not refused/);
      assert.doesNotMatch(error.hint, /AEP_CLIENT_SECRET/);
    } finally {
      emu.faults.clear();
    }
  });

  test("Zoho's accounts server answering 503 to a grant exchange: unavailable, try again; not refused", async () => {
    emu.faults.clear().add({ method: 'POST', path: '/oauth/v2/token', fault: { kind: 'status', status: 503 } });
    try {
      const r = await spawnCli(['zoho', 'token', '--grant-token', '-', '--json'], env, { stdin: CODE });
      assert.equal(r.exitCode, 1, r.stdout + r.stderr);
      const { error } = r.json();
      assert.match(
        error.message,
        /^Zoho's accounts server at .* is unavailable \(HTTP 503\); try again in a few minutes\.$/,
      );
      assert.match(error.hint, /credentials were not refused/);
      assert.ok(!(r.stdout + r.stderr).includes(CODE), 'the code is not printed');
    } finally {
      emu.faults.clear();
    }
  });

  test('zoho token --grant-token <code> warns about ps and shell history and suggests -; from stdin it does not', async () => {
    const given = await spawnCli(['zoho', 'token', '--grant-token', CODE, '--json'], env);
    assert.equal(given.exitCode, 0, given.stdout + given.stderr);
    assert.match(given.stderr, /warning: .*command line.*'ps'.*shell keeps it in its history.*'--grant-token -'/);
    assert.ok(!given.stderr.includes(CODE), 'the warning does not repeat the code');
    const piped = await spawnCli(['zoho', 'token', '--grant-token', '-', '--json'], env, { stdin: `${CODE}x` });
    assert.equal(piped.exitCode, 0, piped.stdout + piped.stderr);
    assert.doesNotMatch(piped.stderr, /'ps'/);
  });

  test('a JSON syntax error in a template names its line and column', async () => {
    const cases: Array<[string, string, RegExp]> = [
      // V8 gives no position for an unexpected token: the last line was named.
      [
        'token.json',
        '{\n  "name": "accounts",\n  "source": x,\n  "target": {}\n}\n',
        /line 3, column 13: unexpected character/,
      ],
      ['comma.json', '{\n  "name": "accounts"\n  "source": {}\n}\n', /line 3, column 3: ',' expected/],
      ['trailing.json', '{\n  "name": "accounts",\n}\n', /line 3, column 1: a property name in double quotes expected/],
      ['comment.json', '{\n  "name": "accounts", // ours\n  "source": {}\n}\n', /line 2, column 23: a comment/],
    ];
    for (const [name, text, where] of cases) {
      const file = join(home, name);
      await writeFile(file, text);
      const r = await spawnCli(['templates', 'validate', file, '--json'], env);
      assert.equal(r.exitCode, 2, `${name}: ${r.stdout}${r.stderr}`);
      const { message } = r.json().error;
      assert.match(message, /invalid JSON at line \d+, column \d+/, name);
      assert.match(message, where, `${name}: ${message}`);
    }
  });

  test('a folder as --template: said to be a folder, and its template files named', async () => {
    const folder = join(home, 'my-templates');
    await mkdir(folder, { recursive: true });
    const empty = await spawnCli(['dataflow', 'create', '--template', folder, '--json'], env);
    assert.equal(empty.exitCode, 2, empty.stdout + empty.stderr);
    assert.match(empty.json().error.message, /^Template '.*my-templates' is a folder, not a template file\.$/);
    await writeFile(join(folder, 'accounts.json'), '{}');
    const named = await spawnCli(['templates', 'validate', folder, '--json'], env);
    assert.equal(named.exitCode, 2, named.stdout + named.stderr);
    assert.match(named.json().error.message, /is a folder, not a template file/);
    assert.match(named.json().error.hint, /--template .*my-templates\/accounts\.json/);
  });
});
