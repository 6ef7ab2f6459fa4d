// The lock of issue 11 ("Ownership and state"), with the real binary: a writing command holds a
// lock per home, profile and sandbox; a second run waits for it, then either goes on after the
// first or fails naming the first's pid and command; a lock whose process is gone is taken over at
// once; concurrent inits of different profiles both survive in credentials.json.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, cliEnv, spawnCli, tempHome, type CliResult } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';

type Emu = Emulator & { env: Record<string, string> };

/** Starts the binary and resolves with its pid at once, and its result when it ends. */
function start(argv: string[], env: Record<string, string | undefined>): { pid: number; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...argv], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr, json: () => JSON.parse(stdout) })),
  );
  return { pid: child.pid!, done };
}

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${path} never appeared`);
}

describe('the lock of writing commands', () => {
  let emu: Emu;
  before(async () => {
    emu = await emulator();
  });
  after(() => emu.close());

  test('two concurrent connects: the second waits for the first, then reuses what it made', async () => {
    emu.options.latencyMs = 150; // the first holds the lock for a second or two
    try {
      const env = cliEnv(emu.env, await tempHome(), { AEP_ZOHO_PROFILE: 'pair' });
      const before = emu.state.connections.size;
      const first = start(['connect', '--json'], env);
      await waitFor(join(env.AEP_ZOHO_HOME!, 'locks', 'pair.prod.lock'));
      const second = start(['connect', '--json'], env);
      const [a, b] = await Promise.all([first.done, second.done]);
      assert.equal(a.exitCode, 0, a.stderr);
      assert.equal(b.exitCode, 0, b.stderr);
      assert.equal(a.json().created, true);
      assert.equal(b.json().created, false);
      assert.equal(b.json().connectionId, a.json().connectionId);
      assert.equal(emu.state.connections.size, before + 1);
      assert.match(
        b.stderr,
        new RegExp(
          `Waiting for another aep-zoho \\(pid ${first.pid}, aep-zoho connect\\) to finish with profile 'pair' in sandbox 'prod'`,
        ),
      );
      assert.deepEqual(await readdir(join(env.AEP_ZOHO_HOME!, 'locks')), []); // both released
    } finally {
      emu.options.latencyMs = 0;
    }
  });

  test('a second run that waits longer than AEP_ZOHO_LOCK_WAIT_MS fails naming the first (pid and command), and sends nothing', async () => {
    const env = cliEnv(emu.env, await tempHome(), { AEP_ZOHO_PROFILE: 'busy' });
    assert.equal((await spawnCli(['connect', '--json'], env)).exitCode, 0);
    emu.options.latencyMs = 200;
    try {
      const first = start(['dataflow', 'create', '--template', 'accounts', '--json'], env);
      await waitFor(join(env.AEP_ZOHO_HOME!, 'locks', 'busy.prod.lock'));
      const second = await spawnCli(['connect', '--json'], {
        ...env,
        AEP_ZOHO_LOCK_WAIT_MS: '300',
        AEP_CLIENT_ID: 'second-client',
      });
      assert.equal(second.exitCode, 1, second.stderr);
      const { error } = second.json();
      assert.match(
        error.message,
        new RegExp(
          `^Another aep-zoho is working on profile 'busy' in sandbox 'prod': pid ${first.pid} \\('aep-zoho dataflow create', running since \\S+\\); waited 0\\.3 s for it to finish\\.$`,
        ),
      );
      assert.match(error.hint, /Let it finish, then run the command again.*delete .*busy\.prod\.lock/);
      assert.doesNotMatch(second.stderr, /\n\s+at /);
      // The refused run (its own client id) sent nothing at all, not even a token request.
      const sent = emu.exchanges.filter(
        (e) =>
          e.headers['x-api-key'] === 'second-client' ||
          (e.body as Record<string, unknown> | undefined)?.client_id === 'second-client',
      );
      assert.deepEqual(sent, []);
      assert.equal((await first.done).exitCode, 0);
    } finally {
      emu.options.latencyMs = 0;
    }
  });

  test('another profile is another lock: no waiting', async () => {
    const home = await tempHome();
    await mkdir(join(home, 'locks'), { recursive: true });
    await writeFile(
      join(home, 'locks', 'default.prod.lock'),
      JSON.stringify({
        pid: process.pid,
        command: 'aep-zoho connect',
        host: hostname(),
        startedAt: new Date().toISOString(),
      }),
    );
    const r = await spawnCli(['connect', '--json', '--profile', 'other'], {
      ...cliEnv(emu.env, home),
      AEP_ZOHO_LOCK_WAIT_MS: '100',
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const held = await spawnCli(['connect', '--json'], { ...cliEnv(emu.env, home), AEP_ZOHO_LOCK_WAIT_MS: '100' });
    assert.equal(held.exitCode, 1);
    assert.match(held.json().error.message, new RegExp(`pid ${process.pid} \\('aep-zoho connect'`));
  });

  test('a lock left by a process that is gone is taken over at once', async () => {
    const home = await tempHome();
    const dead = start(['--version'], {});
    await dead.done;
    await mkdir(join(home, 'locks'), { recursive: true });
    const lock = join(home, 'locks', 'default.prod.lock');
    await writeFile(
      lock,
      JSON.stringify({
        pid: dead.pid,
        command: 'aep-zoho dataflow create',
        host: hostname(),
        startedAt: '2025-01-01T00:00:00.000Z',
      }),
    );
    const r = await spawnCli(['connect', '--json', '--debug'], {
      ...cliEnv(emu.env, home),
      AEP_ZOHO_LOCK_WAIT_MS: '60000',
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`pid ${dead.pid} \\(aep-zoho dataflow create\\) is no longer running; taking its lock over`),
    );
    assert.doesNotMatch(r.stderr, /Waiting for another aep-zoho/);
    assert.equal(
      await stat(lock).then(
        () => 'left',
        () => 'released',
      ),
      'released',
    );
  });

  test('concurrent inits of different profiles: every profile survives in credentials.json, with its secret', async () => {
    const home = await tempHome();
    const profiles = ['a', 'b', 'c', 'd'];
    for (let round = 0; round < 3; round++) {
      const runs = profiles.map((name) => {
        const env = {
          PATH: process.env.PATH,
          AEP_ZOHO_HOME: home,
          AEP_CLIENT_ID: `client-${name}`,
          AEP_CLIENT_SECRET: `secret-${name}-${round}-0000`,
          AEP_ORG_ID: `${name.toUpperCase()}000@AdobeOrg`,
        };
        return spawnCli(['init', '--profile', `${name}${round}`, '--json'], env);
      });
      for (const r of await Promise.all(runs)) assert.equal(r.exitCode, 0, r.stderr);
    }
    const store = JSON.parse(await readFile(join(home, 'credentials.json'), 'utf8'));
    const expected = [0, 1, 2].flatMap((round) => profiles.map((name) => `${name}${round}`)).sort();
    assert.deepEqual(Object.keys(store.profiles).sort(), expected);
    for (const key of expected) assert.equal(store.profiles[key].aep.clientSecret, `secret-${key[0]}-${key[1]}-0000`);
    assert.equal((await stat(join(home, 'credentials.json'))).mode & 0o777, 0o600);
  });
});
