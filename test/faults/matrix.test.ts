// The fault matrix: `connect` then `dataflow create --template accounts`, with one fault injected
// at each request position k of the clean run's sequence, for every fault kind. A failed command
// is run again (at most twice more), as a user would; whatever happened, the emulator must end with
// exactly one of each resource, all linked, and the state file must name exactly those.
import { strict as assert } from 'node:assert';
import { before, describe, test } from 'node:test';
import { convergence, emulator, faultAt, MATRIX_FAULTS, type MatrixFault } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

const COMMANDS = [
  ['connect', '--json'],
  ['dataflow', 'create', '--template', 'accounts', '--json'],
];
/** The HTTP API path: aep-zoho reads Zoho itself (ZOHO_ENDPOINT is the emulator's Zoho CRM API). */
const HTTP_API_COMMANDS = [
  ['connect', '--via', 'http-api', '--json'],
  ['dataflow', 'create', '--template', 'accounts', '--json'],
];
/** Cases run at once, each with its own emulator and home (most of a case's time is waiting). */
const POOL = 8;

/** Runs both commands, each up to three times: the failures left, and the failed attempts. */
async function runJob(
  env: Record<string, string | undefined>,
  commands = COMMANDS,
): Promise<{ failed: string[]; reruns: string[] }> {
  const reruns: string[] = [];
  for (const argv of commands) {
    let ok = false;
    for (let attempt = 0; attempt < 3 && !ok; attempt++) {
      const r = await runCli(argv, env);
      ok = r.exitCode === 0;
      if (!ok)
        reruns.push(
          `${argv.slice(0, 2).join(' ')} exit ${r.exitCode}: ${r.stderr
            .trim()
            .split('\n')
            .filter((l) => l.startsWith('Error:'))
            .join(' | ')}`,
        );
    }
    if (!ok) return { failed: [reruns.at(-1)!], reruns };
  }
  return { failed: [], reruns };
}

async function runCase(
  k: number,
  kind: MatrixFault,
  httpApi = false,
): Promise<{ problems: string[]; fired: number; reruns: string[] }> {
  const emu = await emulator();
  try {
    faultAt(emu, k, kind);
    const home = await tempHome();
    const env = cliEnv(httpApi ? { ...emu.env, ZOHO_ENDPOINT: emu.url } : emu.env, home, {
      ...(kind === 'timeout' ? { AEP_ZOHO_TIMEOUT_MS: '300' } : {}),
    });
    const { failed, reruns } = await runJob(env, httpApi ? HTTP_API_COMMANDS : COMMANDS);
    const problems = failed.length ? failed : await convergence(emu, home);
    if (emu.unmatched.length) problems.push(`unmatched requests: ${emu.unmatched.join(', ')}`);
    return { problems, fired: emu.faults.fired.length, reruns };
  } finally {
    await emu.close();
  }
}

/** Runs tasks with at most `size` in flight. */
async function pool<T>(size: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

describe('fault matrix: connect + dataflow create --template accounts', () => {
  let n = 0;
  before(async () => {
    // The clean run: its request count is the matrix's width, and it must itself converge.
    const emu = await emulator();
    try {
      const home = await tempHome();
      assert.deepEqual(await runJob(cliEnv(emu.env, home)), { failed: [], reruns: [] });
      assert.deepEqual(await convergence(emu, home), []);
      n = emu.faults.seen;
    } finally {
      await emu.close();
    }
  });

  for (const kind of Object.keys(MATRIX_FAULTS) as MatrixFault[]) {
    test(`${kind} at every request`, async (t) => {
      const started = Date.now();
      const results = await pool(
        POOL,
        Array.from({ length: n }, (_, i) => () => runCase(i + 1, kind)),
      );
      const failures = results
        .map((r, i) => (r.problems.length ? `k=${i + 1}: ${r.problems.join('; ')}` : ''))
        .filter(Boolean);
      const fired = results.filter((r) => r.fired > 0).length;
      const reruns = results
        .map((r, i) => (r.reruns.length ? `k=${i + 1}: ${r.reruns.join('; ')}` : ''))
        .filter(Boolean);
      t.diagnostic(
        `${kind}: ${n} positions, fault fired in ${fired}, ${reruns.length} needed a re-run, ${failures.length} failed, ${Date.now() - started} ms`,
      );
      for (const line of reruns) t.diagnostic(`re-run ${line}`);
      assert.equal(fired, n, 'the fault fired at every position');
      assert.deepEqual(failures, []);
    });
  }
});

// Issue 20: the HTTP API path's creates are adopted after a lost answer too (its connection spec,
// its flow spec): the faults that lose an answer after the service acted, at every request.
describe('fault matrix on the http-api path: connect --via http-api + dataflow create --template accounts', () => {
  let n = 0;
  before(async () => {
    const emu = await emulator();
    try {
      const home = await tempHome();
      const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home);
      assert.deepEqual(await runJob(env, HTTP_API_COMMANDS), { failed: [], reruns: [] });
      assert.deepEqual(await convergence(emu, home), []);
      n = emu.faults.seen;
    } finally {
      await emu.close();
    }
  });

  for (const kind of ['drop', 'timeout'] as MatrixFault[]) {
    test(`${kind} at every request`, async (t) => {
      const results = await pool(
        POOL,
        Array.from({ length: n }, (_, i) => () => runCase(i + 1, kind, true)),
      );
      const failures = results
        .map((r, i) => (r.problems.length ? `k=${i + 1}: ${r.problems.join('; ')}` : ''))
        .filter(Boolean);
      t.diagnostic(`${kind}: ${n} positions, ${failures.length} failed`);
      assert.equal(results.filter((r) => r.fired > 0).length, n, 'the fault fired at every position');
      assert.deepEqual(failures, []);
    });
  }
});
