// Interruption with the real binary: `dataflow create --template accounts` gets SIGINT or SIGTERM
// while one of its creates is in flight (the emulator holds that request and the signal is sent the
// moment it arrives). It must exit 130 promptly, leave a valid state file, and a re-run must finish
// the job with exactly one of each resource. Each distinct create request is interrupted twice:
// SIGINT after the service handled it (created, never answered) and SIGTERM before (never created).
// Needs the build (`npx tsc -p .`; `npm test` builds first).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { convergence, emulator } from '../helpers/emulator.js';
import { BIN, cliEnv, runCli, tempHome } from '../helpers/cli.js';

const CREATES = [
  '/data/foundation/schemaregistry/tenant/fieldgroups',
  '/data/foundation/schemaregistry/tenant/schemas',
  '/data/foundation/catalog/dataSets',
  '/data/foundation/flowservice/sourceConnections',
  '/data/foundation/flowservice/targetConnections',
  '/data/foundation/conversion/mappingSets',
  '/data/foundation/flowservice/flows',
];
/** How long the emulator holds the request: far longer than a prompt exit may take. */
const HOLD_MS = 10_000;
const POOL = 4;

interface Outcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** From the signal to the process's exit. */
  exitMs: number;
}

async function interruptCase(
  path: string,
  signal: NodeJS.Signals,
  handle: 'before' | 'after',
  then: 'rerun' | 'destroy' = 'rerun',
): Promise<number> {
  const emu = await emulator();
  try {
    const home = await tempHome();
    const env = cliEnv(emu.env, home);
    assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);

    const outcome = await interrupted(emu, ['dataflow', 'create', '--template', 'accounts'], env, signal, {
      method: 'POST',
      path: new RegExp(`^${path}$`), // the create itself: a prefix would match POSTs under it too
      handle,
    });

    const where = `${signal} at POST ${path.split('/').pop()} (${handle} handling)`;
    assert.equal(emu.faults.fired.length, 1, `${where}: the request was reached`);
    assert.equal(
      outcome.exitCode,
      130,
      `${where}: exit ${outcome.exitCode} ${outcome.signal ?? ''}\n${outcome.stderr}`,
    );
    assert.ok(outcome.exitMs < 5000, `${where}: exited ${outcome.exitMs} ms after the signal`);
    const text = await readFile(join(home, 'state', 'default.json'), 'utf8');
    assert.doesNotThrow(() => JSON.parse(text), `${where}: the state file is valid JSON`);

    if (then === 'destroy') {
      // What the interrupted create made, even unheard, is ours: destroy leaves nothing behind
      // but what Data Prep cannot delete (mapping sets, reported as kept).
      const gone = await runCli(['destroy', '--yes', '--json'], env);
      assert.equal(gone.exitCode, 0, `${where}: destroy\n${gone.stderr}`);
      const left = Object.entries(emu.state.counts()).filter(
        ([kind, n]) => n > 0 && kind !== 'mappingSets' && kind !== 'runs',
      );
      assert.deepEqual(left, [], `${where}: left after destroy`);
      assert.equal(gone.json().kept.filter((k: { resource: string }) => k.resource !== 'mapping set').length, 0, where);
      return outcome.exitMs;
    }
    const again = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
    assert.equal(again.exitCode, 0, `${where}: the re-run\n${again.stderr}`);
    assert.deepEqual(await convergence(emu, home), [], where);
    return outcome.exitMs;
  } finally {
    await emu.close();
  }
}

/** Spawns the binary and sends `signal` when the emulator receives the request a fault rule matches. */
function interrupted(
  emu: Awaited<ReturnType<typeof emulator>>,
  argv: string[],
  env: Record<string, string | undefined>,
  signal: NodeJS.Signals,
  rule: { method?: string; path: string | RegExp; handle: 'before' | 'after' },
): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let signalledAt = 0;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (exitCode, sig) =>
      resolve({ exitCode, signal: sig, stderr, exitMs: signalledAt ? Date.now() - signalledAt : -1 }),
    );
    emu.faults.add({
      method: rule.method,
      path: rule.path,
      fault: { kind: 'delay', ms: HOLD_MS, handle: rule.handle },
      onFire: () => {
        signalledAt = Date.now();
        child.kill(signal);
      },
    });
  });
}

describe('interrupting connect while IMS holds the token request (real binary)', () => {
  test('SIGINT: exit 130 at once (the IMS library takes no signal), and a re-run converges', async () => {
    const emu = await emulator();
    try {
      const home = await tempHome();
      const env = cliEnv(emu.env, home);
      const outcome = await interrupted(emu, ['connect'], env, 'SIGINT', { path: '/ims/', handle: 'before' });
      assert.equal(outcome.exitCode, 130, outcome.stderr);
      assert.ok(outcome.exitMs < 5000, `exited ${outcome.exitMs} ms after the signal`);
      for (const argv of [['connect'], ['dataflow', 'create', '--template', 'accounts']])
        assert.equal((await runCli(argv, env)).exitCode, 0);
      assert.deepEqual(await convergence(emu, home), []);
    } finally {
      await emu.close();
    }
  });
});

describe('interrupting dataflow create (real binary)', () => {
  const cases = CREATES.flatMap((path) => [
    { path, signal: 'SIGINT' as const, handle: 'after' as const, then: 'rerun' as const },
    { path, signal: 'SIGTERM' as const, handle: 'before' as const, then: 'rerun' as const },
  ]);
  // Created, never answered, then destroyed without a re-run: the intent recorded before the create makes it ours.
  const destroys = CREATES.map((path) => ({
    path,
    signal: 'SIGINT' as const,
    handle: 'after' as const,
    then: 'destroy' as const,
  }));
  for (const [title, list] of [
    [`${cases.length} interruptions: exit 130, valid state, a re-run converges`, cases],
    [`${destroys.length} interruptions, then destroy: nothing is left`, destroys],
  ] as const) {
    test(title, async (t) => {
      const failures: string[] = [];
      const exits: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: POOL }, async () => {
          while (next < list.length) {
            const { path, signal, handle, then } = list[next++];
            await interruptCase(path, signal, handle, then).then(
              (ms) => exits.push(ms),
              (error: Error) => failures.push(error.message),
            );
          }
        }),
      );
      t.diagnostic(`exit after the signal: ${Math.min(...exits)}–${Math.max(...exits)} ms`);
      assert.deepEqual(failures, []);
    });
  }
});
