// The http-api path (issue 15, ruling 19) in an org where Adobe retired the Zoho CRM source:
// connect, dataflow create and destroy against the emulator, asserting exact bodies and state.
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SECRETS, cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';

const ZOHO_SPEC = '929e4450-0237-4ed2-9404-b7e1e0a00309';
const HTTP_API_SPEC = 'bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb';
const STREAMING_FLOW_SPEC = 'c1a19761-d2c7-4702-b9fa-fe91f0613e81';
type Emu = Emulator & { env: Record<string, string> };

const posts = (emu: Emu, path: string) => emu.exchanges.filter((e) => e.method === 'POST' && e.path === path);
const noSecrets = (text: string) => {
  for (const [name, value] of Object.entries(SECRETS)) assert.ok(!text.includes(value), `${name} printed`);
};

describe('--via http-api after the Zoho source is retired', () => {
  let emu: Emu;
  let home: string;
  let env: Record<string, string | undefined>;
  before(async () => {
    emu = await emulator({ retiredConnectionSpecs: [ZOHO_SPEC] });
    home = await tempHome();
    env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home);
  });
  after(() => emu.close());

  test('plain connect exits 1 naming the retirement and the exact next command', async () => {
    const r = await runCli(['connect', '--json'], env);
    assert.equal(r.exitCode, 1);
    const { error } = r.json();
    assert.match(error.message, /no longer available/);
    assert.match(error.hint, /'aep-zoho connect --via http-api'/);
    assert.equal(posts(emu, '/data/foundation/flowservice/connections').length, 0);
  });

  test('a bad --via is exit 2, and so is a bad AEP_ZOHO_VIA', async () => {
    const flag = await runCli(['connect', '--via', 'http', '--json'], env);
    assert.equal(flag.exitCode, 2);
    assert.match(flag.json().error.message, /--via must be zoho-source or http-api, got 'http'/);
    const variable = await runCli(['connect', '--json'], { ...env, AEP_ZOHO_VIA: 'api' });
    assert.equal(variable.exitCode, 2);
    assert.match(variable.json().error.message, /AEP_ZOHO_VIA/);
  });

  test('explore --via http-api before connect: exit 1 saying to connect first', async () => {
    const r = await runCli(['explore', '--via', 'http-api', '--json'], env);
    assert.equal(r.exitCode, 1, r.stdout);
    assert.match(r.json().error.hint, /'aep-zoho connect --via http-api'/);
  });

  let connectionId: string;
  test('connect --via http-api makes an authenticated raw HTTP API connection, checks Zoho itself, and records the choice', async () => {
    const r = await runCli(['connect', '--via', 'http-api', '--json'], env);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    noSecrets(r.stdout + r.stderr);
    const result = r.json();
    connectionId = result.connectionId;
    assert.equal(result.created, true);
    assert.equal(result.via, 'http-api');
    assert.equal(result.name, 'aep-zoho default');
    const creates = posts(emu, '/data/foundation/flowservice/connections');
    assert.equal(creates.length, 1);
    assert.deepEqual(creates[0].body, {
      name: 'aep-zoho default',
      description: 'Zoho CRM records posted by aep-zoho sync (managed by aep-zoho default)',
      auth: {
        specName: 'Streaming Connection',
        params: {
          sourceId: 'aep-zoho default',
          name: 'aep-zoho default',
          dataType: 'raw',
          authenticationRequired: true,
        },
      },
      connectionSpec: { id: HTTP_API_SPEC, version: '1.0' },
    });
    // The inlet URL is the one Adobe made, read back from the connection.
    const stored = emu.state.connections.get(connectionId)!;
    assert.equal(result.inletUrl, stored.auth.params.inletUrl);
    // Zoho was read with a token minted from the refresh token (the starting ZOHO_ACCESS_TOKEN is not one Zoho issued).
    assert.ok(emu.exchanges.some((e) => e.method === 'GET' && e.path === '/crm/v8/settings/modules'));
    assert.ok(result.zohoModules > 0);
    const state = JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8'));
    assert.equal(state.sandboxes.prod.via, 'http-api');

    // Later commands follow the recorded choice: no --via, same connection.
    const again = await runCli(['connect', '--json'], env);
    assert.equal(again.exitCode, 0, again.stdout);
    assert.equal(again.json().connectionId, connectionId);
    assert.equal(again.json().created, false);
    assert.equal(posts(emu, '/data/foundation/flowservice/connections').length, 1);
  });

  test('doctor checks the HTTP API source and Zoho, not the retired Zoho source', async () => {
    const r = await runCli(['doctor', '--json'], env);
    const checks = Object.fromEntries(r.json().checks.map((c: any) => [c.name, c]));
    assert.equal(checks['HTTP API source'].status, 'pass');
    assert.equal(checks['Zoho CRM API'].status, 'pass');
    assert.equal(checks['Base connection'].status, 'pass');
    assert.equal(checks['Zoho CRM source'], undefined);
  });

  test('dataflow create --template accounts: the same target side, an HTTP API source connection and a streaming flow', async () => {
    const dry = await runCli(['dataflow', 'create', '--template', 'accounts', '--dry-run', '--json'], env);
    assert.equal(dry.exitCode, 0, dry.stdout);
    const steps = dry.json().plan;
    const source = steps.find((s: any) => s.resource === 'source connection');
    assert.deepEqual(source.request.body, {
      name: 'Zoho CRM Accounts source (aep-zoho default/accounts)',
      description: 'Zoho CRM Accounts, posted by aep-zoho sync (managed by aep-zoho default/accounts)',
      baseConnectionId: connectionId,
      connectionSpec: { id: HTTP_API_SPEC, version: '1.0' },
    });
    const flowStep = steps.find((s: any) => s.resource === 'dataflow');
    assert.equal(flowStep.request.body.flowSpec.id, STREAMING_FLOW_SPEC);
    assert.equal(flowStep.request.body.scheduleParams, undefined);
    assert.deepEqual(
      flowStep.request.body.transformations.map((t: any) => t.name),
      ['Mapping'],
    );

    const r = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    noSecrets(r.stdout + r.stderr);
    const made = r.json().dataflows[0];
    const flow = emu.state.flows.get(made.flowId)!;
    assert.equal(flow.flowSpec.id, STREAMING_FLOW_SPEC);
    assert.deepEqual(
      flow.transformations.map((t: any) => t.name),
      ['Mapping'],
    );
    assert.equal(flow.transformations[0].params.mappingId, made.mappingSetId);
    assert.equal(emu.state.sourceConnections.get(made.sourceConnectionId)!.baseConnectionId, connectionId);
    assert.equal(emu.state.targetConnections.get(made.targetConnectionId)!.params.dataSetId, made.datasetId);

    // What sync needs is in the state file, with the inlet Adobe gave the connection.
    const state = JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8'));
    const entry = state.sandboxes.prod.syncs.accounts;
    assert.equal(entry.flowId, made.flowId);
    assert.equal(entry.datasetId, made.datasetId);
    assert.equal(entry.module, 'Accounts');
    assert.equal(entry.inletUrl, emu.state.connections.get(connectionId)!.auth.params.inletUrl);
    assert.ok(entry.fields.includes('Modified_Time') && entry.fields.includes('Account_Name'), entry.fields.join(','));
    assert.ok(!entry.fields.includes('id'));
    assert.ok(Date.parse(entry.changedAt) > 0);

    // Converged: the same command changes nothing.
    const check = await runCli(
      ['dataflow', 'create', '--template', 'accounts', '--dry-run', '--exit-code', '--json'],
      env,
    );
    assert.equal(check.exitCode, 0, check.stdout);
  });

  test('a schedule does not apply on this path: exit 2 before anything is sent', async () => {
    const before = emu.exchanges.length;
    const r = await runCli(['dataflow', 'create', '--template', 'contacts', '--start', 'now', '--json'], env);
    assert.equal(r.exitCode, 2);
    assert.match(r.json().error.message, /no schedule/);
    assert.ok(emu.exchanges.slice(before).every((e) => e.method === 'GET' || e.path.startsWith('/ims/')));
  });

  test('destroy removes the streaming flow, its connections and the sync entry', async () => {
    const r = await runCli(['destroy', '--yes', '--json'], env);
    assert.equal(r.exitCode, 0, r.stdout);
    assert.equal(emu.state.flows.all().length, 0);
    assert.equal(emu.state.connections.get(connectionId), undefined);
    const state = JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8'));
    assert.equal(state.sandboxes.prod.syncs, undefined);
  });
});

describe('switching a template from the Zoho source to http-api', () => {
  let emu: Emu;
  before(async () => (emu = await emulator()));
  after(() => emu.close());

  test('the connections and flow are replaced (new first), the schema, dataset and mapping set stay (the mapping set gains isDeleted)', async () => {
    const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, await tempHome());
    assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
    const before = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
    assert.equal(before.exitCode, 0, before.stdout);
    const old = before.json().dataflows[0];
    assert.equal((await runCli(['connect', '--via', 'http-api', '--json'], env)).exitCode, 0);

    const dry = await runCli(['dataflow', 'create', '--template', 'accounts', '--dry-run', '--json'], env);
    const actions = Object.fromEntries(dry.json().plan.map((s: any) => [s.resource, s.action]));
    assert.equal(actions['source connection'], 'replace');
    assert.equal(actions.dataflow, 'replace');
    assert.equal(actions.dataset, 'reuse');
    // The mapping set is updated in place: on this path it maps sync's tombstone column to isDeleted
    // (the template's `deletes: soft`), which Adobe's own Zoho source has no column for.
    assert.equal(actions['mapping set'], 'update');

    // A replace needs --yes off a terminal: nothing is sent without it.
    const refused = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
    assert.equal(refused.exitCode, 2, refused.stdout);
    assert.ok(emu.state.flows.get(old.flowId));

    const r = await runCli(['dataflow', 'create', '--template', 'accounts', '--yes', '--json'], env);
    assert.equal(r.exitCode, 0, r.stdout);
    const made = r.json().dataflows[0];
    assert.notEqual(made.flowId, old.flowId);
    assert.equal(made.datasetId, old.datasetId);
    assert.equal(made.mappingSetId, old.mappingSetId);
    // A new flow, a new pair of source and target connections (update-dataflows.md).
    assert.deepEqual(made.replaced.sort(), ['flow', 'sourceConnection', 'targetConnection']);
    assert.equal(emu.state.flows.get(old.flowId), undefined, 'the CRM flow is gone');
    assert.equal(emu.state.sourceConnections.get(old.sourceConnectionId), undefined);
    assert.deepEqual(
      emu.state.flows.all().map((f: any) => f.flowSpec.id),
      [STREAMING_FLOW_SPEC],
    );
  });
});

describe('the lifecycle commands on a streaming dataflow', () => {
  let emu: Emu;
  before(async () => (emu = await emulator({ retiredConnectionSpecs: [ZOHO_SPEC] })));
  after(() => emu.close());

  test('list and status show it without a schedule; before any sync, status and runs --watch report no batch yet (exit 0)', async () => {
    const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, await tempHome());
    assert.equal((await runCli(['connect', '--via', 'http-api', '--json'], env)).exitCode, 0);
    const made = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
    assert.equal(made.exitCode, 0, made.stdout);
    const list = await runCli(['dataflow', 'list', '--json'], env);
    assert.equal(list.exitCode, 0, list.stdout);
    const [flow] = list.json().flows;
    assert.equal(flow.flowId, made.json().dataflows[0].flowId);
    assert.equal(flow.nextRunAt, undefined);
    const status = await runCli(['dataflow', 'status', 'accounts', '--json'], env);
    assert.equal(status.exitCode, 0, status.stdout);
    assert.equal(status.json().ingestion.batches, 0);
    // Its runs are the batches sync's records make (test/sync/ingestion.test.ts): none yet, nothing to wait for.
    const watch = await runCli(['dataflow', 'runs', 'accounts', '--watch', '--json'], env);
    assert.equal(watch.exitCode, 0, watch.stdout);
    assert.deepEqual([watch.json().ingestion.batches, watch.json().ingestion.processing], [0, 0]);
    const human = await runCli(['dataflow', 'runs', 'accounts'], env);
    assert.match(human.stdout, /no batch yet since .* UTC/);
  });
});
