// `dataflow run <flow> [--from] [--to] [--watch]` (issue 22, points 6 and 9): an on-demand run of a
// Zoho-source dataflow scheduled once, POST /flowservice/runs as on-demand-ingestion.md gives it;
// refused with exit 2 where Adobe does not allow it (a recurring schedule, a streaming flow). And the
// emulator's POST /runs, as strict as Adobe's docs and spec.
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import { call, emulator, type Emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { validateExchanges } from '../helpers/openapi.js';

type Emu = Emulator & { env: Record<string, string> };
type Env = Record<string, string | undefined>;
const RUNS = '/data/foundation/flowservice/runs';

/** Accounts rows whose Modified_Time falls in [from, to) (seconds): what a run over that window reads. */
function accountsIn(from: number, to: number): number {
  const accounts = crmTables().find((table) => table.name === 'Accounts')!;
  return accounts.rows.filter((row) => {
    const at = Date.parse(String(row.Modified_Time));
    return at >= from * 1000 && at < to * 1000;
  }).length;
}

describe('dataflow run', () => {
  let emu: Emu;
  const homes: string[] = [];
  const home = async (extra: Env = {}): Promise<Env> => {
    const dir = await tempHome();
    homes.push(dir);
    return cliEnv(emu.env, dir, extra);
  };
  let once: Env;
  let flowId: string;

  before(async () => {
    emu = await emulator({ runDurationMs: 100 });
    once = await home();
    assert.equal((await runCli(['connect', '--json'], once)).exitCode, 0);
    const created = await runCli(
      ['dataflow', 'create', '--template', 'accounts', '--frequency', 'once', '--json'],
      once,
    );
    assert.equal(created.exitCode, 0, created.stdout);
    flowId = created.json().flowId;
  });
  after(async () => {
    await emu.close();
    for (const dir of homes) await rm(dir, { recursive: true, force: true });
  });

  test('creates an on-demand run over the window, as on-demand-ingestion.md gives the request', async () => {
    const from = Date.UTC(2025, 5, 1) / 1000;
    const to = Date.UTC(2025, 5, 20) / 1000;
    const before = Math.floor(Date.now() / 1000);
    const r = await runCli(
      ['dataflow', 'run', 'accounts', '--from', '2025-06-01T00:00:00Z', '--to', String(to), '--json'],
      once,
    );
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const result = r.json();
    const post = emu.exchanges.filter((e) => e.method === 'POST' && e.path === RUNS);
    assert.equal(post.length, 1);
    const body = post[0].body as { flowId: string; params: Record<string, number> };
    assert.equal(body.flowId, flowId);
    assert.deepEqual(Object.keys(body.params).sort(), ['startTime', 'windowEndTime', 'windowStartTime']);
    assert.equal(body.params.windowStartTime, from);
    assert.equal(body.params.windowEndTime, to);
    assert.ok(body.params.startTime >= before && body.params.startTime < before + 600, 'startTime is now, in seconds');
    assert.equal(post[0].status, 201);
    assert.equal(result.runId, (post[0].response as any).items[0].id);
    assert.equal(result.flowId, flowId);
    // Runs last 100 ms here: a loaded machine may read the run after it settled.
    assert.match(result.state, /^(inProgress|success)$/);
    assert.deepEqual(result.window, { from: '2025-06-01T00:00:00.000Z', to: '2025-06-20T00:00:00.000Z' });
    const stored = emu.state.runs.get(result.runId)!;
    assert.equal(stored.flowId, flowId);
    assert.deepEqual(await validateExchanges(emu.exchanges.filter((e) => e.path.startsWith(RUNS))), []);
  });

  test('--watch follows the run to its end: the records changed in the window were read', async () => {
    const from = Date.UTC(2025, 5, 10) / 1000;
    const to = Date.UTC(2025, 5, 25) / 1000;
    const expected = accountsIn(from, to);
    assert.ok(expected > 0 && expected < crmTables().find((t) => t.name === 'Accounts')!.rows.length);
    const r = await runCli(
      ['dataflow', 'run', flowId, '--from', String(from), '--to', String(to), '--watch', '--json'],
      once,
    );
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const result = r.json();
    assert.equal(result.state, 'success');
    assert.equal(result.run.id, result.runId);
    assert.equal(result.run.recordsRead, expected);
    assert.equal(result.ok, true);
  });

  test('human output: the run, its state and the window', async () => {
    const r = await runCli(
      ['dataflow', 'run', 'accounts', '--from', '2025-06-01T00:00:00Z', '--to', '1750809600'],
      once,
    );
    assert.equal(r.exitCode, 0, r.stderr);
    const runId = (emu.exchanges.filter((e) => e.method === 'POST' && e.path === RUNS).at(-1)!.response as any).items[0]
      .id;
    assert.match(
      r.stdout,
      new RegExp(
        `Run ${runId} of .*accounts.* \\((inProgress|success)\\): the records changed from 2025-06-01 00:00 UTC to 2025-06-25 00:00 UTC\\.`,
      ),
    );
    assert.match(r.stdout + r.stderr, /aep-zoho dataflow runs accounts --watch/);
  });

  test('a window that ends before it starts is exit 2, and nothing is sent', async () => {
    const sent = emu.exchanges.filter((e) => e.method === 'POST' && e.path === RUNS).length;
    const r = await runCli(
      ['dataflow', 'run', 'accounts', '--from', '2025-06-20T00:00:00Z', '--to', '2025-06-01T00:00:00Z', '--json'],
      once,
    );
    assert.equal(r.exitCode, 2);
    assert.match(r.json().error.message, /--from .* must be before --to/);
    const bad = await runCli(['dataflow', 'run', 'accounts', '--from', 'yesterday', '--json'], once);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.json().error.message, /Invalid --from 'yesterday'/);
    assert.equal(emu.exchanges.filter((e) => e.method === 'POST' && e.path === RUNS).length, sent);
  });

  test('a dataflow on a recurring schedule: exit 2, saying Adobe runs on demand only flows scheduled once', async () => {
    const hourly = await home({ AEP_ZOHO_PROFILE: 'hourly' });
    assert.equal((await runCli(['connect', '--json'], hourly)).exitCode, 0);
    const created = await runCli(['dataflow', 'create', '--template', 'contacts', '--json'], hourly);
    assert.equal(created.exitCode, 0, created.stdout);
    const sent = emu.exchanges.filter((e) => e.method === 'POST' && e.path === RUNS).length;
    const r = await runCli(['dataflow', 'run', 'contacts', '--json'], hourly);
    assert.equal(r.exitCode, 2, r.stdout);
    const { error } = r.json();
    assert.match(error.message, /one-time ingestion \(frequency once\)/);
    assert.match(error.hint, /--frequency once/);
    assert.equal(error.code, 'RUN_NOT_SUPPORTED');
    assert.equal(emu.exchanges.filter((e) => e.method === 'POST' && e.path === RUNS).length, sent);

    // The emulator refuses it as Adobe does, had it been sent.
    const direct = await call(emu, 'POST', RUNS, {
      flowId: created.json().flowId,
      params: { windowStartTime: 1_750_000_000, windowEndTime: 1_750_086_400 },
    });
    assert.equal(direct.status, 400);
    assert.match(direct.body.errorMessage, /scheduled for one-time ingestion/);
  });

  test('the hint works: the same dataflow moved to --frequency once runs on demand; the PATCH follows the spec', async () => {
    const env = await home({ AEP_ZOHO_PROFILE: 'moved' });
    assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
    const created = await runCli(['dataflow', 'create', '--template', 'leads', '--json'], env);
    assert.equal(created.exitCode, 0, created.stdout);
    const id = created.json().flowId;
    assert.notEqual(emu.state.flows.get(id)!.scheduleParams.frequency, 'once');
    const moved = await runCli(
      ['dataflow', 'create', '--template', 'leads', '--frequency', 'once', '--yes', '--json'],
      env,
    );
    assert.equal(moved.exitCode, 0, moved.stdout);
    assert.equal(moved.json().flowId, id, 'updated in place');
    const patch = emu.exchanges.filter((e) => e.method === 'PATCH' && e.path.endsWith(`/flows/${id}`)).at(-1)!;
    assert.equal(patch.status, 200, JSON.stringify(patch.response));
    // A 'once' schedule takes no interval: removed, with the `value` the spec's PatchInstruction requires.
    assert.deepEqual(
      (patch.body as any[]).find((op) => op.path === '/scheduleParams/interval'),
      { op: 'remove', path: '/scheduleParams/interval', value: {} },
    );
    assert.deepEqual(await validateExchanges([patch]), []);
    assert.equal(emu.state.flows.get(id)!.scheduleParams.frequency, 'once');
    assert.equal(emu.state.flows.get(id)!.scheduleParams.interval, undefined);
    const run = await runCli(['dataflow', 'run', 'leads', '--json'], env);
    assert.equal(run.exitCode, 0, run.stdout);
  });

  test("the emulator's POST /runs: flowId, a known flow, a window, and the flow's own delta column", async () => {
    const params = { startTime: 1_750_000_000, windowStartTime: 1_750_000_000, windowEndTime: 1_750_086_400 };
    const missing = await call(emu, 'POST', RUNS, { params });
    assert.equal(missing.status, 400);
    const unknown = await call(emu, 'POST', RUNS, { flowId: '00000000-0000-0000-0000-000000000000', params });
    assert.equal(unknown.status, 404);
    const noWindow = await call(emu, 'POST', RUNS, { flowId, params: { startTime: params.startTime } });
    assert.equal(noWindow.status, 400);
    assert.match(noWindow.body.errorMessage, /windowStartTime is required/);
    const reversed = await call(emu, 'POST', RUNS, {
      flowId,
      params: { ...params, windowStartTime: params.windowEndTime },
    });
    assert.equal(reversed.status, 400);
    const otherDelta = await call(emu, 'POST', RUNS, {
      flowId,
      params: { ...params, deltaColumn: { name: 'Created_Time' } },
    });
    assert.equal(otherDelta.status, 400);
    assert.match(otherDelta.body.errorMessage, /deltaColumn/);
    // The docs' example: the times as strings of unix seconds, the flow's own delta column.
    const ok = await call(emu, 'POST', RUNS, {
      flowId,
      params: {
        startTime: String(params.startTime),
        windowStartTime: String(params.windowStartTime),
        windowEndTime: String(params.windowEndTime),
        deltaColumn: { name: 'Modified_Time' },
      },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(typeof ok.body.items[0].id, 'string');
    assert.equal(typeof ok.body.items[0].etag, 'string');
  });
});

describe('dataflow run on a streaming (http-api) dataflow', () => {
  test('exit 2: Adobe runs on demand only batch sources; the hint is sync --full', async () => {
    const emu = await emulator({ runDurationMs: 100 });
    const dir = await tempHome();
    try {
      const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, dir);
      assert.equal((await runCli(['connect', '--via', 'http-api', '--json'], env)).exitCode, 0);
      const created = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
      assert.equal(created.exitCode, 0, created.stdout);
      const r = await runCli(['dataflow', 'run', 'accounts', '--json'], env);
      assert.equal(r.exitCode, 2, r.stdout);
      assert.match(r.json().error.message, /streaming dataflow .* only for batch sources/);
      assert.match(r.json().error.hint, /aep-zoho sync accounts --full/);
      assert.equal(emu.exchanges.filter((e) => e.method === 'POST' && e.path === RUNS).length, 0);
      const direct = await call(emu, 'POST', RUNS, {
        flowId: created.json().flowId,
        params: { windowStartTime: 1_750_000_000, windowEndTime: 1_750_086_400 },
      });
      assert.equal(direct.status, 400);
      assert.match(direct.body.errorMessage, /only for batch sources/);
    } finally {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('dataflow run --watch on a run that fails', () => {
  test('exit 1 with the run, its state and its causes in the JSON', async () => {
    const emu = await emulator({ runDurationMs: 100, runOutcome: 'failed' });
    const dir = await tempHome();
    try {
      const env = cliEnv(emu.env, dir);
      assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
      const created = await runCli(['dataflow', 'create', '--template', 'deals', '--frequency', 'once', '--json'], env);
      assert.equal(created.exitCode, 0, created.stdout);
      const r = await runCli(
        [
          'dataflow',
          'run',
          'deals',
          '--from',
          '2025-01-01T00:00:00Z',
          '--to',
          '2025-07-01T00:00:00Z',
          '--watch',
          '--json',
        ],
        env,
      );
      assert.equal(r.exitCode, 1, r.stdout);
      const result = r.json();
      assert.equal(result.state, 'failed');
      assert.equal(result.ok, false);
      assert.equal(result.run.id, result.runId);
      assert.equal(result.error.code, 'RUN_FAILED');
      assert.match(result.error.message, new RegExp(`Run ${result.runId} .* failed`));
    } finally {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
