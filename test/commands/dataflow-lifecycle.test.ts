import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { call, emulator, type Emulator } from '../helpers/emulator.js';
import { assertNoSecrets, cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';

type Emu = Emulator & { env: Record<string, string> };
type Env = Record<string, string | undefined>;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** connect + dataflow create --template accounts through the CLI. */
async function withDataflow(
  _emu: Emu,
  env: Env,
): Promise<{ flowId: string; datasetId: string; sourceConnectionId: string }> {
  const connected = await runCli(['connect', '--json'], env);
  assert.equal(connected.exitCode, 0, connected.stderr);
  const created = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
  assert.equal(created.exitCode, 0, created.stderr);
  return created.json().dataflows[0];
}

describe('dataflow list, status, runs', () => {
  let emu: Emu;
  let env: Env;
  let flow: { flowId: string; datasetId: string; sourceConnectionId: string };
  before(async () => {
    emu = await emulator({ runDurationMs: 200 });
    env = cliEnv(emu.env, await tempHome());
    flow = await withDataflow(emu, env);
  });
  after(() => emu.close());

  test("list shows this profile's flows; --all adds the sandbox's other CRM flows", async () => {
    const r = await runCli(['dataflow', 'list', '--json'], env);
    assert.equal(r.exitCode, 0, r.stderr);
    const { flows } = r.json();
    assert.equal(flows.length, 1);
    assert.equal(flows[0].template, 'accounts');
    assert.equal(flows[0].id, flow.flowId);
    assert.equal(flows[0].state, 'enabled');
    assert.equal(flows[0].schedule.frequency, emu.state.flows.get(flow.flowId)!.scheduleParams.frequency);
    assert.equal(flows[0].profile, true);

    // Another profile's dataflow in the same sandbox.
    const other = cliEnv(emu.env, await tempHome(), { AEP_ZOHO_PROFILE: 'other' });
    const theirs = await withDataflow(emu, other);
    const mine = await runCli(['dataflow', 'list', '--json'], env);
    assert.deepEqual(
      mine.json().flows.map((f: any) => f.id),
      [flow.flowId],
    );
    const all = await runCli(['dataflow', 'list', '--all', '--json'], env);
    assert.equal(all.exitCode, 0, all.stderr);
    const ids = all.json().flows.map((f: any) => f.id);
    assert.deepEqual(ids.sort(), [flow.flowId, theirs.flowId].sort());
    // Both paths' flows: the CRM flow spec's and the streaming one's (issue 20).
    const listQueries = emu.exchanges
      .filter((e) => e.method === 'GET' && e.path === '/data/foundation/flowservice/flows')
      .slice(-2)
      .map((e) => e.query.property)
      .sort();
    assert.deepEqual(listQueries, [
      'flowSpec.id==14518937-270c-4525-bdec-c2ba7cce3860',
      'flowSpec.id==c1a19761-d2c7-4702-b9fa-fe91f0613e81',
    ]);

    const human = await runCli(['dataflow', 'list', '--all'], env, { columns: 200, tty: true });
    assert.equal(human.exitCode, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`accounts .*${flow.flowId} .*Zoho CRM Accounts to AEP`));
    assert.match(human.stdout, /\(other\)/);
    assert.match(human.stdout, /every .* from \d{4}-/);
    assertNoSecrets(human.stdout + human.stderr);
  });

  test('a flow deleted outside aep-zoho is listed as missing', async () => {
    const home = await tempHome();
    const e = cliEnv(emu.env, home, { AEP_ZOHO_PROFILE: 'gone' });
    const made = await withDataflow(emu, e);
    assert.equal((await call(emu, 'DELETE', `/data/foundation/flowservice/flows/${made.flowId}`)).status, 204);
    const r = await runCli(['dataflow', 'list', '--json'], e);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.json().flows[0].state, 'missing');
  });

  test('status by template name and by id: state, schedule, table, dataset, last run', async () => {
    const byName = await runCli(['dataflow', 'status', 'accounts', '--json'], env);
    assert.equal(byName.exitCode, 0, byName.stderr);
    const s = byName.json();
    assert.equal(s.id, flow.flowId);
    assert.equal(s.template, 'accounts');
    assert.equal(s.state, 'enabled');
    assert.equal(s.table.path, 'crm/v2/Accounts');
    assert.equal(s.dataset.id, flow.datasetId);
    assert.equal(s.dataset.name, emu.state.dataSets.get(flow.datasetId)!.name);
    assert.equal(s.sourceConnectionId, flow.sourceConnectionId);
    assert.ok(s.lastRun, 'the schedule started now: a first run exists');

    const byId = await runCli(['dataflow', 'status', flow.flowId, '--json'], env);
    assert.equal(byId.exitCode, 0, byId.stderr);
    assert.equal(byId.json().template, 'accounts');

    // Without local state the template's deterministic flow name still finds it.
    const fresh = await runCli(['dataflow', 'status', 'accounts', '--json'], {
      ...env,
      AEP_ZOHO_HOME: await tempHome(),
    });
    assert.equal(fresh.exitCode, 0, fresh.stderr);
    assert.equal(fresh.json().id, flow.flowId);

    const human = await runCli(['dataflow', 'status', 'accounts'], env);
    assert.match(human.stdout, new RegExp(`dataset +${escape(s.dataset.name)}`));
    assert.match(human.stdout, /table +Accounts/);
  });

  test('status of an unknown flow exits 2 with a hint', async () => {
    for (const input of ['nosuch', '00000000-0000-4000-8000-000000000000']) {
      const r = await runCli(['dataflow', 'status', input, '--json'], env);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.json().error.message, new RegExp(`No dataflow '${input}' in sandbox 'prod'`));
      assert.match(r.json().error.hint, /dataflow list --all/);
    }
  });

  test('runs lists newest first with records and duration', async () => {
    await new Promise((resolve) => setTimeout(resolve, 250)); // the first run ends after 200 ms
    const r = await runCli(['dataflow', 'runs', 'accounts', '--json'], env);
    assert.equal(r.exitCode, 0, r.stderr);
    const { runs, flowId } = r.json();
    assert.equal(flowId, flow.flowId);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'success');
    assert.ok(runs[0].recordsRead > 0);
    assert.equal(runs[0].recordsWritten, runs[0].recordsRead);
    assert.equal(runs[0].durationMs, 200);
    const query = emu.exchanges.filter((e) => e.path === '/data/foundation/flowservice/runs').at(-1)!;
    assert.equal(query.query.property, `flowId==${flow.flowId}`);
    assert.equal(query.query.orderby, '-createdAt');

    const bad = await runCli(['dataflow', 'runs', 'accounts', '--limit', '0'], env);
    assert.equal(bad.exitCode, 2);
  });
});

describe('dataflow runs --watch', () => {
  test('exits 0 when the run succeeds', async () => {
    const emu = await emulator({ runDurationMs: 300 });
    try {
      const env = cliEnv(emu.env, await tempHome());
      await withDataflow(emu, env);
      const r = await runCli(['dataflow', 'runs', 'accounts', '--watch', '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      const out = r.json();
      assert.equal(out.ok, true);
      assert.equal(out.watched.status, 'success');
      assert.ok(out.watched.recordsWritten > 0);
      assertNoSecrets(r.stdout + r.stderr);
    } finally {
      await emu.close();
    }
  });

  test('exits 1 when the run fails, still printing the JSON result with the errors', async () => {
    const emu = await emulator({ runDurationMs: 300, runOutcome: 'failed' });
    try {
      const env = cliEnv(emu.env, await tempHome());
      await withDataflow(emu, env);
      const r = await runCli(['dataflow', 'runs', 'accounts', '--watch', '--json'], env);
      assert.equal(r.exitCode, 1, r.stderr);
      const out = r.json();
      assert.equal(out.ok, false);
      assert.equal(out.watched.status, 'failed');
      assert.equal(out.watched.errors[0].code, 'CONNECTOR-2001-500');
      assert.match(out.error.message, /Run .* failed: 48 of 48 record\(s\) failed, 0 written\. CONNECTOR-2001-500/);

      const human = await runCli(['dataflow', 'runs', 'accounts', '--watch'], env);
      assert.equal(human.exitCode, 1);
      assert.match(human.stdout, /✖ Run .* failed: 48 of 48 record\(s\) failed/);
      assert.match(human.stdout, /CONNECTOR-2001-500 Error occurred at promotion activity/);
    } finally {
      await emu.close();
    }
  });

  test('a first run due after --timeout: says when it is due and exits 1 at once', async () => {
    const emu = await emulator({ runDurationMs: 100 });
    try {
      const env = cliEnv(emu.env, await tempHome());
      assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
      const later = String(Math.floor(Date.now() / 1000) + 3600);
      const made = await runCli(['dataflow', 'create', '--template', 'accounts', '--start', later, '--json'], env);
      assert.equal(made.exitCode, 0, made.stderr);
      const r = await runCli(['dataflow', 'runs', 'accounts', '--watch', '--timeout', '1500ms', '--json'], env);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(
        r.json().error.message,
        /first run of dataflow .* is due at \d{4}-\d\d-\d\d \d\d:\d\d UTC, after the --timeout of 1\.5 s/,
      );
      assert.equal(r.json().error.code, 'FIRST_RUN_PENDING');
      assert.match(r.json().error.hint, /--timeout/);

      const bad = await runCli(['dataflow', 'runs', 'accounts', '--watch', '--timeout', 'soon'], env);
      assert.equal(bad.exitCode, 2);
    } finally {
      await emu.close();
    }
  });
});

describe('dataflow runs --watch: a first run that was due and never came (through the binary)', () => {
  let emu: Emu;
  let env: Env;
  let flowId: string;
  before(async () => {
    // The emulator's scheduler starts nothing: the flow is enabled and due, and no run appears.
    emu = await emulator({ stalledScheduler: true });
    env = cliEnv(emu.env, await tempHome());
    ({ flowId } = await withDataflow(emu, env));
  });
  after(() => emu.close());

  test('waits the grace past the due time, saying so on stderr, then exits 1 naming the due time', async () => {
    // The grace ends 3 s from now, however long the set-up took (a loaded machine is slow).
    const flow = emu.state.flows.get(flowId)!;
    const due = Math.max(Number(flow.scheduleParams.startTime) * 1000, flow.createdAt, flow.updatedAt);
    const grace = Date.now() - due + 3000;
    const r = await spawnCli(['dataflow', 'runs', 'accounts', '--watch', '--json'], {
      ...env,
      AEP_ZOHO_FIRST_RUN_GRACE_MS: String(grace),
    });
    assert.equal(r.exitCode, 1, r.stderr);
    const out = r.json();
    assert.equal(out.ok, false);
    assert.deepEqual(out.runs, []);
    assert.equal(out.error.code, 'FIRST_RUN_LATE');
    // ISO in JSON, the human format in the message.
    assert.match(out.firstRun.dueAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Date.parse(out.firstRun.gaveUpAt) - Date.parse(out.firstRun.dueAt) >= grace);
    assert.ok(Date.parse(out.firstRun.dueAt) <= Date.now());
    assert.match(
      out.error.message,
      /^The first run of dataflow 'Zoho CRM Accounts to AEP .*' was due at \d{4}-\d\d-\d\d \d\d:\d\d UTC and has not started \(aep-zoho waited until \d{4}-\d\d-\d\d \d\d:\d\d UTC, [\d.]+ s past it\)\.$/,
    );
    assert.match(
      out.error.hint,
      new RegExp(`'aep-zoho dataflow status ${flowId}'.*'aep-zoho dataflow enable ${flowId}'.*Experience Platform UI`),
    );
    assert.match(
      r.stderr,
      /The first run was due at \d{4}-\d\d-\d\d \d\d:\d\d UTC and has not started yet; Adobe's scheduler can be a few minutes late, so aep-zoho waits until .* \([\d.]+ s past it\)\./,
    );
    assert.equal(emu.state.runs.all().length, 0);
    assert.equal(emu.state.flows.get(flowId)!.state, 'enabled');
  });

  test('once the grace is over already, exits 1 at once; in human mode a red ✖ with the hint', async () => {
    const r = await spawnCli(['dataflow', 'runs', 'accounts', '--watch'], { ...env, AEP_ZOHO_FIRST_RUN_GRACE_MS: '0' });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stdout, /✖ The first run of dataflow .* was due at .* UTC and has not started/);
    assert.match(r.stdout, /Hint: Check the flow's state and schedule with 'aep-zoho dataflow status /);
    assert.ok(
      !/scheduler can be a few minutes late/.test(r.stderr),
      'no waiting when there is nothing left to wait for',
    );
  });

  test('Ctrl-C while waiting out the grace: exit 130, "Stopped watching"', async () => {
    const r = await spawnCli(
      ['dataflow', 'runs', 'accounts', '--watch'],
      { ...env, AEP_ZOHO_FIRST_RUN_GRACE_MS: '600000' },
      {
        onStderr: (text, child) => {
          if (/scheduler can be a few minutes late/.test(text) && child.exitCode === null && !child.killed)
            child.kill('SIGINT');
        },
      },
    );
    assert.equal(r.exitCode, 130, r.stderr);
    assert.match(r.stderr, /Error: Stopped watching\./);
    assert.ok(!/run the same command again/.test(r.stderr));
  });

  test('a disabled flow: says so at once and suggests dataflow enable', async () => {
    const disabled = await spawnCli(['dataflow', 'disable', 'accounts', '--json'], env);
    assert.equal(disabled.exitCode, 0, disabled.stderr);
    const r = await spawnCli(['dataflow', 'runs', 'accounts', '--watch', '--json'], {
      ...env,
      AEP_ZOHO_FIRST_RUN_GRACE_MS: '600000',
    });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.equal(r.json().error.code, 'FLOW_DISABLED');
    assert.match(
      r.json().error.message,
      /is disabled and has no run yet: nothing to watch \(a disabled flow never runs\)/,
    );
    assert.match(r.json().error.hint, new RegExp(`^Enable it with 'aep-zoho dataflow enable ${flowId}'`));
  });
});
