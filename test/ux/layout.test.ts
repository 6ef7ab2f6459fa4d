// Day-two layout (issue 24.12): an option's typo is named (not "missing required option"), and at
// 60-100 columns summaries, `status` and `doctor` wrap at word boundaries, never mid-word: no line
// reaches past the terminal's width (the terminal would cut it), and continuations line up under
// the value. In a pseudo-terminal, through the real binary.
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { plain, ptyRun } from '../helpers/pty.js';

test('a typo of a required option is named, with the option meant', async () => {
  const env = cliEnv({}, await tempHome());
  for (const [args, typo, meant] of [
    [['dataflow', 'create', '--tempalte', 'accounts'], '--tempalte', '--template'],
    [['dataflow', 'create', '--template', 'accounts', '--dry-rn'], '--dry-rn', '--dry-run'],
    [['templates', 'init', '--tabel', 'Contacts'], '--tabel', '--table'],
  ] as const) {
    const r = await spawnCli([...args], env);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`Error: Unknown option ${typo} for 'aep-zoho`));
    assert.match(r.stderr, new RegExp(`Did you mean ${meant}\\?`));
    assert.doesNotMatch(r.stderr, /Missing required|takes no argument/);
  }
  await rm(env.AEP_ZOHO_HOME!, { recursive: true, force: true });
});

describe('wrapping at 60, 80 and 100 columns', () => {
  let emu: Emulator & { env: Record<string, string> };
  let env: Record<string, string | undefined>;
  before(async () => {
    emu = await emulator();
    env = cliEnv(emu.env, await tempHome());
    for (const args of [['connect'], ['dataflow', 'create', '--template', 'accounts']])
      assert.equal((await spawnCli(args, env)).exitCode, 0, args.join(' '));
  });
  after(async () => {
    await emu.close();
    await rm(env.AEP_ZOHO_HOME!, { recursive: true, force: true });
  });

  const width = (line: string) => [...line].length;
  for (const cols of [60, 80, 100]) {
    test(`doctor, dataflow status and the create summary fit ${cols} columns, cut only between words`, async () => {
      const outputs: Record<string, string[]> = {};
      for (const args of [
        ['doctor'],
        ['dataflow', 'status', 'accounts'],
        ['dataflow', 'create', '--template', 'accounts'],
      ]) {
        const r = await ptyRun(args, env, { cols });
        assert.equal(r.exitCode, 0, plain(r.output));
        // The progress renderer redraws in place: the result lines are what stays after it.
        const lines = plain(r.output).split('\n');
        // Only a single word longer than the terminal (a URL or id, kept whole to copy) may be wider.
        const long = lines.filter((line) => width(line) > cols && /\s/.test(line.trim()));
        assert.deepEqual(long, [], `${args.join(' ')} at ${cols}: a line the terminal would cut`);
        outputs[args.join(' ')] = lines;
      }
      // The scope list breaks after a comma, never inside a scope.
      const doctor = outputs.doctor.join('\n');
      for (const scope of ['read_organizations', 'additional_info.projectedProductContext'])
        assert.ok(doctor.includes(scope), `${scope} whole at ${cols}:\n${doctor}`);
      // status: a wrapped value continues under the value column, not under the label; a URL stays whole.
      const status = outputs['dataflow status accounts'].join('\n');
      assert.match(status, /^ {2}source {7}\S+ \(base(\n {15}| )connection/m, status);
      assert.match(status, /https:\/\/ns\.adobe\.com\/\w+\/schemas\/[0-9a-f]{32}/, status);
    });
  }
});
