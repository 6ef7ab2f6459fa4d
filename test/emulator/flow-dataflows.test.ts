// The emulated Flow Service dataflow APIs: source/target connections, flow specs, flows and runs.
// Zoho-specific checks (table paths, columns, delta column, record counts) need the synthetic CRM
// of zoho-crm.ts; where it has no tables yet those tests are skipped and Salesforce (which has no
// table checks) stands in for the rest.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { call, emulator, platformHeaders, TEST_ORG, zohoConnectionBody, type Emulator } from '../helpers/emulator.js';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import {
  CLOUD_STORAGE_FLOW_SPEC_ID,
  CRM_FLOW_SPEC_ID,
  DATA_LAKE_SPEC_ID,
  SALESFORCE_SPEC_ID,
  ZOHO_SPEC_ID,
} from '../../src/emulator/specs-data.js';

const FLOW = '/data/foundation/flowservice';
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const T0_SECONDS = T0 / 1000;
const MINUTE = 60_000;

/** A table with a display name different from its path, if the synthetic CRM has one; else any. */
function pickTable() {
  const tables = crmTables().filter((table) => table.columns.length >= 2 && table.rows.length > 0);
  return tables.find((table) => table.name !== table.path) ?? tables[0];
}
const needsTables = (t: TestContext) => {
  if (pickTable()) return false;
  t.skip('zoho-crm.ts has no tables yet');
  return true;
};

function assertFlowError(res: { status: number; body: any }, status: number, code: string, pattern?: RegExp) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.type, `https://ns.adobe.com/aep/errors/FLOW-${code}-${status}`);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.report['request-id'], 'string');
  assert.equal(res.body.errorMessage, res.body.report['detailed-message']);
  if (pattern) assert.match(res.body.errorMessage, pattern);
}

interface World {
  emu: Emulator;
  clock: { now: number };
  h: Record<string, string>;
  api: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: any }>;
  schemaId: string;
  dataSetId: string;
  mappingId: string;
  zohoBaseId: string;
  salesforceBaseId: string;
}

async function world(t: TestContext, options: Parameters<typeof emulator>[0] = {}): Promise<World> {
  const clock = { now: T0 };
  const emu = await emulator({ now: () => clock.now, runDurationMs: 3000, sandboxes: ['prod', 'dev'], ...options });
  t.after(() => emu.close());
  let h = await platformHeaders(emu);
  const api = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await call(emu, method, `${FLOW}${path}`, body, headers ?? h);
    if (res.status === 401 && !headers) {
      h = await platformHeaders(emu); // the clock moved past the token's lifetime
      return call(emu, method, `${FLOW}${path}`, body, h);
    }
    return res;
  };
  const owned = { imsOrgId: TEST_ORG, sandboxName: 'prod' };
  const schemaId = 'https://ns.adobe.com/tenantx/schemas/0a1b2c3d4e5f';
  emu.state.schemas.add({ id: schemaId, $id: schemaId, title: 'Zoho leads', version: '1.0', ...owned });
  const dataSetId = '5c8c3c555033b814b69f947f';
  emu.state.dataSets.add({
    id: dataSetId,
    name: 'Zoho leads',
    schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed+json;version=1' },
    ...owned,
  });
  const mappingId = '500a9b747fcf4908a21917d49bd61780';
  emu.state.mappingSets.add({
    id: mappingId,
    version: 0,
    outputSchema: { schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' } },
    mappings: [],
    ...owned,
  });
  const zoho = await api('POST', '/connections', zohoConnectionBody('Zoho base'));
  assert.equal(zoho.status, 201, JSON.stringify(zoho.body));
  const salesforce = await api('POST', '/connections', {
    name: 'Salesforce base',
    auth: { specName: 'Basic Authentication', params: { username: 'u', password: 'p', securityToken: 't' } },
    connectionSpec: { id: SALESFORCE_SPEC_ID, version: '1.0' },
  });
  assert.equal(salesforce.status, 201, JSON.stringify(salesforce.body));
  return {
    emu,
    clock,
    h,
    api,
    schemaId,
    dataSetId,
    mappingId,
    zohoBaseId: zoho.body.id,
    salesforceBaseId: salesforce.body.id,
  };
}

const zohoSource = (w: World, tableName: string, extra: Record<string, unknown> = {}) => ({
  name: `Zoho ${tableName}`,
  baseConnectionId: w.zohoBaseId,
  data: { format: 'tabular' },
  params: { tableName },
  connectionSpec: { id: ZOHO_SPEC_ID, version: '1.0' },
  ...extra,
});

const salesforceSource = (w: World) => ({
  name: 'Salesforce Account',
  baseConnectionId: w.salesforceBaseId,
  data: { format: 'tabular' },
  params: { tableName: 'Account' },
  connectionSpec: { id: SALESFORCE_SPEC_ID, version: '1.0' },
});

const targetBody = (w: World, extra: Record<string, unknown> = {}) => ({
  name: 'Zoho target',
  data: { schema: { id: w.schemaId, version: 'application/vnd.adobe.xed-full+json;version=1' } },
  params: { dataSetId: w.dataSetId },
  connectionSpec: { id: DATA_LAKE_SPEC_ID, version: '1.0' },
  ...extra,
});

async function create(w: World, path: string, body: unknown): Promise<string> {
  const res = await w.api('POST', path, body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

/** A source (Zoho if tables exist, else Salesforce) and a target, ready for a flow. */
async function connections(
  w: World,
): Promise<{ sourceId: string; targetId: string; table?: ReturnType<typeof pickTable> }> {
  const table = pickTable();
  const sourceId = await create(w, '/sourceConnections', table ? zohoSource(w, table.path) : salesforceSource(w));
  const targetId = await create(w, '/targetConnections', targetBody(w));
  return { sourceId, targetId, table };
}

function flowBody(
  w: World,
  ids: { sourceId: string; targetId: string; table?: ReturnType<typeof pickTable> },
  extra: Record<string, unknown> = {},
) {
  const delta = ids.table?.columns.at(-1)?.name ?? 'LastModifiedDate';
  return {
    name: 'Zoho dataflow',
    description: 'Zoho CRM to AEP',
    flowSpec: { id: CRM_FLOW_SPEC_ID, version: '1.0' },
    sourceConnectionIds: [ids.sourceId],
    targetConnectionIds: [ids.targetId],
    transformations: [
      { name: 'Copy', params: { deltaColumn: { name: delta, dateFormat: 'yyyy-MM-dd HH:mm:ss', timezone: 'UTC' } } },
      { name: 'Mapping', params: { mappingId: w.mappingId, mappingVersion: '0' } },
    ],
    scheduleParams: { startTime: T0_SECONDS, frequency: 'minute', interval: '15', backfill: true },
    ...extra,
  };
}

// ---------------------------------------------------------------- flow specs

test('flow specs: CRMToAEP by name (quoted or not) holds Zoho; CloudStorageToAEP does not', async (t) => {
  const w = await world(t);
  for (const filter of ['name=="CRMToAEP"', 'name==CRMToAEP']) {
    const res = await w.api('GET', `/flowSpecs?property=${encodeURIComponent(filter)}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 1);
    const spec = res.body.items[0];
    assert.equal(spec.id, '14518937-270c-4525-bdec-c2ba7cce3860');
    assert.equal(spec.name, 'CRMToAEP');
    assert.equal(spec.version, '1.0');
    assert.equal(spec.imsOrgId, undefined);
    assert.ok(spec.sourceConnectionSpecIds.includes(ZOHO_SPEC_ID));
    assert.ok(spec.sourceConnectionSpecIds.includes(SALESFORCE_SPEC_ID));
    assert.deepEqual(spec.targetConnectionSpecIds, [DATA_LAKE_SPEC_ID]);
    assert.deepEqual(spec.scheduleSpec.spec.properties.frequency.enum, ['once', 'minute', 'hour', 'day', 'week']);
    assert.equal(spec.scheduleSpec.spec.else.then.properties.interval.minimum, 15);
    assert.deepEqual(
      spec.transformationSpec.map((x: any) => x.name),
      ['Copy', 'Mapping'],
    );
    assert.deepEqual(spec.transformationSpec[0].spec.required, ['deltaColumn']);
    assert.equal(spec.runSpec.name, 'ProviderParams');
  }
  const all = await w.api('GET', '/flowSpecs');
  assert.deepEqual(all.body.items.map((s: any) => s.name).sort(), [
    'CRMToAEP',
    'CloudStorageToAEP',
    'Mapping-Streaming',
    'Streaming',
  ]);
  const cloud = await w.api('GET', `/flowSpecs/${CLOUD_STORAGE_FLOW_SPEC_ID}`);
  assert.equal(cloud.status, 200);
  assert.equal(cloud.body.items[0].name, 'CloudStorageToAEP');
  assert.ok(!cloud.body.items[0].sourceConnectionSpecIds.includes(ZOHO_SPEC_ID));
  assertFlowError(
    await w.api('GET', '/flowSpecs/00000000-0000-0000-0000-000000000000'),
    404,
    '1439',
    /flowSpecs resource/,
  );
});

// ---------------------------------------------------------------- source connections

test('source connections: Zoho table by path; display names, unknown tables and columns rejected', async (t) => {
  if (needsTables(t)) return;
  const w = await world(t);
  const table = pickTable()!;
  const columns = table.columns
    .slice(0, 2)
    .map((column) => ({ name: column.name, type: column.type, xdm: column.xdm }));
  const res = await w.api(
    'POST',
    '/sourceConnections',
    zohoSource(w, table.path, { params: { tableName: table.path, columns } }),
  );
  assert.equal(res.status, 201);
  assert.match(res.body.etag, /^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{12}"$/);
  const got = await w.api('GET', `/sourceConnections/${res.body.id}`);
  assert.equal(got.status, 200);
  const item = got.body.items[0];
  assert.equal(item.id, res.body.id);
  assert.equal(item.params.tableName, table.path);
  assert.deepEqual(item.params.columns, columns);
  assert.deepEqual(item.data, { format: 'tabular' });
  assert.equal(item.state, 'enabled');
  assert.equal(item.etag, res.body.etag);
  assert.deepEqual(item.inheritedAttributes.baseConnection, {
    id: w.zohoBaseId,
    connectionSpec: { id: ZOHO_SPEC_ID, version: '1.0' },
  });
  assert.equal(item.createdAt, T0);

  if (table.name !== table.path) {
    const byName = await w.api('POST', '/sourceConnections', zohoSource(w, table.name));
    assertFlowError(byName, 400, '1100', new RegExp(`display name; use its path '${table.path}'`));
  }
  assertFlowError(
    await w.api('POST', '/sourceConnections', zohoSource(w, 'NoSuchTable')),
    400,
    '1100',
    /table 'NoSuchTable' was not found/,
  );
  assertFlowError(
    await w.api(
      'POST',
      '/sourceConnections',
      zohoSource(w, table.path, { params: { tableName: table.path, columns: [{ name: 'Nope' }] } }),
    ),
    400,
    '1100',
    /Columns not found .*: Nope/,
  );
  assertFlowError(
    await w.api('POST', '/sourceConnections', zohoSource(w, table.path, { data: { format: 'delimited' } })),
    400,
    '1100',
    /must be 'tabular'/,
  );
  assertFlowError(
    await w.api('POST', '/sourceConnections', zohoSource(w, table.path, { data: {} })),
    400,
    '1100',
    /data.format is required/,
  );
  assertFlowError(
    await w.api('POST', '/sourceConnections', zohoSource(w, table.path, { params: {} })),
    400,
    '1100',
    /tableName is required/,
  );
  assertFlowError(
    await w.api('POST', '/sourceConnections', zohoSource(w, table.path, { name: '' })),
    400,
    '1100',
    /name is required/,
  );
  // The base connection must exist, be visible, and share the connection spec.
  assertFlowError(
    await w.api('POST', '/sourceConnections', zohoSource(w, table.path, { baseConnectionId: w.salesforceBaseId })),
    400,
    '1100',
    /uses connection spec/,
  );
  assertFlowError(
    await w.api('POST', '/sourceConnections', zohoSource(w, table.path, { baseConnectionId: 'missing' })),
    400,
    '1100',
    /base connection missing was not found/,
  );
  const dev = await w.api('POST', '/sourceConnections', zohoSource(w, table.path), await platformHeaders(w.emu, 'dev'));
  assertFlowError(dev, 400, '1100', /was not found/);
  assertFlowError(
    await w.api(
      'POST',
      '/sourceConnections',
      zohoSource(w, table.path, { connectionSpec: { id: ZOHO_SPEC_ID, version: '2.0' } }),
    ),
    400,
    '1100',
    /has no version 2.0/,
  );
  assert.equal(w.emu.state.sourceConnections.size, 1);
});

test('source connections: list filters, PATCH re-checks the table, DELETE', async (t) => {
  const w = await world(t);
  const table = pickTable();
  const first = await create(w, '/sourceConnections', salesforceSource(w));
  const second = table
    ? await create(w, '/sourceConnections', zohoSource(w, table.path))
    : await create(w, '/sourceConnections', { ...salesforceSource(w), name: 'Other' });
  const byName = await w.api('GET', `/sourceConnections?property=${encodeURIComponent('name=="Salesforce Account"')}`);
  assert.deepEqual(
    byName.body.items.map((s: any) => s.id),
    [first],
  );
  const byBase = await w.api('GET', `/sourceConnections?property=baseConnectionId==${w.salesforceBaseId}`);
  assert.ok(byBase.body.items.some((s: any) => s.id === first));
  assert.equal(byBase.body.items.length, table ? 1 : 2);
  const other = await w.api('GET', '/sourceConnections', undefined, await platformHeaders(w.emu, 'dev'));
  assert.deepEqual(other.body.items, []);

  const current = (await w.api('GET', `/sourceConnections/${second}`)).body.items[0];
  const renamed = await w.api(
    'PATCH',
    `/sourceConnections/${second}`,
    [{ op: 'replace', path: '/name', value: 'Renamed' }],
    { ...w.h, 'if-match': current.etag },
  );
  assert.equal(renamed.status, 200);
  assert.notEqual(renamed.body.etag, current.etag);
  assert.equal((await w.api('GET', `/sourceConnections/${second}`)).body.items[0].name, 'Renamed');
  if (table) {
    const bad = await w.api(
      'PATCH',
      `/sourceConnections/${second}`,
      [{ op: 'replace', path: '/params/tableName', value: 'NoSuchTable' }],
      { ...w.h, 'if-match': renamed.body.etag },
    );
    assertFlowError(bad, 400, '1100', /not found/);
    const after = (await w.api('GET', `/sourceConnections/${second}`)).body.items[0];
    assert.equal(after.params.tableName, table.path);
    assert.equal(after.etag, renamed.body.etag);
  }
  assertFlowError(
    await w.api('PATCH', `/sourceConnections/${second}`, [{ op: 'replace', path: '/name', value: 'x' }]),
    400,
    '1403',
  );

  assert.equal((await w.api('DELETE', `/sourceConnections/${first}`)).status, 204);
  assertFlowError(await w.api('GET', `/sourceConnections/${first}`), 404, '1439', /sourceConnections resource/);
});

// ---------------------------------------------------------------- target connections

test('target connections: dataset and schema must exist and agree', async (t) => {
  const w = await world(t);
  const res = await w.api('POST', '/targetConnections', targetBody(w));
  assert.equal(res.status, 201);
  const item = (await w.api('GET', `/targetConnections/${res.body.id}`)).body.items[0];
  assert.deepEqual(item.params, { dataSetId: w.dataSetId });
  assert.deepEqual(item.data.schema, { id: w.schemaId, version: 'application/vnd.adobe.xed-full+json;version=1' });
  assert.deepEqual(item.connectionSpec, { id: DATA_LAKE_SPEC_ID, version: '1.0' });

  const otherSchema = 'https://ns.adobe.com/tenantx/schemas/ffff';
  w.emu.state.schemas.add({ id: otherSchema, imsOrgId: TEST_ORG, sandboxName: 'prod' });
  assertFlowError(
    await w.api(
      'POST',
      '/targetConnections',
      targetBody(w, {
        data: { schema: { id: otherSchema, version: 'application/vnd.adobe.xed-full+json;version=1' } },
      }),
    ),
    400,
    '1100',
    new RegExp(`dataset ${w.dataSetId} uses schema ${w.schemaId}`),
  );
  assertFlowError(
    await w.api(
      'POST',
      '/targetConnections',
      targetBody(w, { data: { schema: { id: 'https://ns.adobe.com/tenantx/schemas/none', version: 'v' } } }),
    ),
    400,
    '1100',
    /schema .* was not found/,
  );
  assertFlowError(
    await w.api('POST', '/targetConnections', targetBody(w, { params: { dataSetId: '000000000000000000000000' } })),
    400,
    '1100',
    /dataset 0+ was not found/,
  );
  assertFlowError(
    await w.api('POST', '/targetConnections', targetBody(w, { params: {} })),
    400,
    '1100',
    /dataSetId is required/,
  );
  assertFlowError(
    await w.api('POST', '/targetConnections', targetBody(w, { data: { schema: { id: w.schemaId } } })),
    400,
    '1100',
    /schema.version is required/,
  );
  assertFlowError(
    await w.api('POST', '/targetConnections', targetBody(w, { connectionSpec: { id: ZOHO_SPEC_ID, version: '1.0' } })),
    400,
    '1100',
    /not a target/,
  );
  assertFlowError(
    await w.api('POST', '/targetConnections', targetBody(w, { name: undefined })),
    400,
    '1100',
    /name is required/,
  );
  // A dataset in another sandbox is not visible.
  w.emu.state.dataSets.add({
    id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
    schemaRef: { id: w.schemaId },
    imsOrgId: TEST_ORG,
    sandboxName: 'dev',
  });
  assertFlowError(
    await w.api('POST', '/targetConnections', targetBody(w, { params: { dataSetId: 'aaaaaaaaaaaaaaaaaaaaaaaa' } })),
    400,
    '1100',
    /was not found/,
  );
  assert.equal(w.emu.state.targetConnections.size, 1);
});

// ---------------------------------------------------------------- flows

test('flows: create, read back with inherited attributes, and the rejections Adobe gives', async (t) => {
  const w = await world(t);
  const ids = await connections(w);
  const res = await w.api('POST', '/flows', flowBody(w, ids));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.match(res.body.etag, /^".+"$/);
  const got = await w.api('GET', `/flows/${res.body.id}`);
  assert.equal(got.status, 200);
  const flow = got.body.items[0];
  assert.equal(flow.name, 'Zoho dataflow');
  assert.equal(flow.state, 'enabled');
  assert.deepEqual(flow.flowSpec, { id: CRM_FLOW_SPEC_ID, version: '1.0' });
  // Adobe's GETs give schedule values as strings (update-dataflows.md), whatever types the create sent.
  assert.deepEqual(flow.scheduleParams, {
    startTime: String(T0_SECONDS),
    frequency: 'minute',
    interval: '15',
    backfill: 'true',
  });
  assert.deepEqual(flow.transformations[1], {
    name: 'Mapping',
    params: { mappingId: w.mappingId, mappingVersion: '0' },
  });
  assert.equal(flow.runs, `/runs?property=flowId==${res.body.id}`);
  assert.equal(flow.inheritedAttributes.sourceConnections[0].id, ids.sourceId);
  assert.equal(
    flow.inheritedAttributes.sourceConnections[0].baseConnection.id,
    ids.table ? w.zohoBaseId : w.salesforceBaseId,
  );
  assert.deepEqual(flow.inheritedAttributes.targetConnections, [
    { id: ids.targetId, connectionSpec: { id: DATA_LAKE_SPEC_ID, version: '1.0' } },
  ]);
  assert.equal(flow.lastOperation.operation, 'create');
  assert.equal(flow.lastRunDetails.state, 'inProgress');
  assert.equal(flow.etag, res.body.etag);
  assert.equal(flow.imsOrgId, TEST_ORG);

  // Doc-style types are accepted, stored as the spec types them, and read back as strings.
  const docStyle = await w.api(
    'POST',
    '/flows',
    flowBody(w, ids, {
      transformations: [{ name: 'Mapping', params: { mappingId: w.mappingId, mappingVersion: 0 } }],
      scheduleParams: { startTime: String(T0_SECONDS), frequency: 'hour', interval: 2, backfill: 'true' },
    }),
  );
  assert.equal(docStyle.status, 201);
  const stored = (await w.api('GET', `/flows/${docStyle.body.id}`)).body.items[0];
  assert.deepEqual(stored.scheduleParams, {
    startTime: String(T0_SECONDS),
    frequency: 'hour',
    interval: '2',
    backfill: 'true',
  });
  assert.equal(stored.transformations[0].params.mappingVersion, '0');
  assert.deepEqual(w.emu.state.flows.get(docStyle.body.id)!.scheduleParams, {
    startTime: T0_SECONDS,
    frequency: 'hour',
    interval: '2',
    backfill: true,
  });
  const listed = (await w.api('GET', `/flows?property=id==${docStyle.body.id}`)).body.items[0];
  assert.deepEqual(listed.scheduleParams, stored.scheduleParams);

  const before = w.emu.state.flows.size;
  const bad = (extra: Record<string, unknown>) => w.api('POST', '/flows', flowBody(w, ids, extra));
  assertFlowError(await bad({ state: 'enabled' }), 400, '1410', /State is not allowed/);
  assertFlowError(
    await bad({ flowSpec: { id: CLOUD_STORAGE_FLOW_SPEC_ID, version: '1.0' }, transformations: [] }),
    400,
    '1413',
    /does not support/,
  );
  assertFlowError(
    await bad({ flowSpec: { id: 'c0ffee00-0000-0000-0000-000000000000', version: '1.0' } }),
    400,
    '1413',
    /spec ID provided is invalid/,
  );
  assertFlowError(await bad({ flowSpec: { id: CRM_FLOW_SPEC_ID, version: '9.9' } }), 400, '1413');
  assertFlowError(await bad({ name: '' }), 400, '1100', /name is required/);
  assertFlowError(
    await bad({ sourceConnectionIds: ['missing'] }),
    400,
    '1100',
    /source connection missing was not found/,
  );
  assertFlowError(await bad({ targetConnectionIds: [] }), 400, '1100', /targetConnectionIds is required/);
  assertFlowError(await bad({ sourceConnectionIds: [ids.targetId] }), 400, '1100', /was not found/);

  // Mapping: existing set, valid version, same schema as the target (FLOW-1425-400).
  const mapping = (params: Record<string, unknown>) => bad({ transformations: [{ name: 'Mapping', params }] });
  assertFlowError(
    await mapping({ mappingId: 'ffffffffffffffffffffffffffffffff', mappingVersion: '0' }),
    400,
    '1419',
    /mapping set was not found/,
  );
  assertFlowError(
    await mapping({ mappingId: w.mappingId, mappingVersion: '3' }),
    400,
    '1412',
    /Invalid Mapping Version/,
  );
  assertFlowError(await mapping({ mappingId: w.mappingId, mappingVersion: 'latest' }), 400, '1412');
  w.emu.state.mappingSets.add({
    id: 'e'.repeat(32),
    version: 0,
    outputSchema: { schemaRef: { id: 'https://ns.adobe.com/tenantx/schemas/other' } },
    imsOrgId: TEST_ORG,
    sandboxName: 'prod',
  });
  assertFlowError(
    await mapping({ mappingId: 'e'.repeat(32), mappingVersion: '0' }),
    400,
    '1425',
    new RegExp(`target dataset ${w.dataSetId} with schema in mapping e{32}`),
  );
  assertFlowError(
    await bad({ transformations: [{ name: 'Mapping' }] }),
    400,
    '1100',
    /needs a name and a params object/,
  );
  assertFlowError(
    await bad({ transformations: [{ name: 'Explode', params: {} }] }),
    400,
    '1100',
    /not supported by flow spec CRMToAEP/,
  );
  assertFlowError(await bad({ transformations: [{ name: 'Copy', params: {} }] }), 400, '1100', /deltaColumn/);

  // Schedules, per the flow spec's scheduleSpec.
  const schedule = (scheduleParams: Record<string, unknown>) => bad({ scheduleParams });
  assertFlowError(
    await schedule({ startTime: T0_SECONDS, frequency: 'minute', interval: '10' }),
    400,
    '1100',
    /at least 15 when frequency is 'minute'; got 10/,
  );
  assertFlowError(await schedule({ startTime: T0_SECONDS, frequency: 'hour', interval: 0 }), 400, '1100', /at least 1/);
  assertFlowError(await schedule({ startTime: T0_SECONDS, frequency: 'day' }), 400, '1100', /interval is required/);
  assertFlowError(
    await schedule({ startTime: T0_SECONDS, frequency: 'once', interval: '15' }),
    400,
    '1100',
    /interval must not be set when frequency is 'once'/,
  );
  assertFlowError(
    await schedule({ startTime: T0_SECONDS, frequency: 'once', backfill: true }),
    400,
    '1100',
    /backfill must not be set/,
  );
  assertFlowError(
    await schedule({ startTime: T0_SECONDS, frequency: 'month', interval: '1' }),
    400,
    '1100',
    /frequency must be one of once, minute, hour, day, week/,
  );
  assertFlowError(
    await schedule({ startTime: 'tomorrow', frequency: 'once' }),
    400,
    '1100',
    /startTime must be an epoch time in seconds/,
  );
  assertFlowError(await schedule({ frequency: 'once' }), 400, '1100', /startTime is required/);
  assertFlowError(
    await schedule({ startTime: T0_SECONDS, frequency: 'hour', interval: '1.5' }),
    400,
    '1100',
    /whole number/,
  );
  assertFlowError(
    await schedule({ startTime: T0_SECONDS, frequency: 'hour', interval: '1', backfill: 'yes' }),
    400,
    '1100',
    /backfill must be a boolean/,
  );
  assert.equal(w.emu.state.flows.size, before);
});

test('flows: a Zoho source on CloudStorageToAEP is rejected; the Copy delta column must exist', async (t) => {
  if (needsTables(t)) return;
  const w = await world(t);
  const ids = await connections(w);
  const onCloud = await w.api(
    'POST',
    '/flows',
    flowBody(w, ids, { flowSpec: { id: CLOUD_STORAGE_FLOW_SPEC_ID, version: '1.0' } }),
  );
  assertFlowError(
    onCloud,
    400,
    '1413',
    new RegExp(
      `connection spec ${ZOHO_SPEC_ID}, which flow spec ${CLOUD_STORAGE_FLOW_SPEC_ID} \\(CloudStorageToAEP\\) does not support`,
    ),
  );
  const copy = await w.api(
    'POST',
    '/flows',
    flowBody(w, ids, { transformations: [{ name: 'Copy', params: { deltaColumn: { name: 'NoSuchColumn' } } }] }),
  );
  assertFlowError(
    copy,
    400,
    '1100',
    new RegExp(`delta column 'NoSuchColumn' is not a column of table '${ids.table!.path}'`),
  );
  assert.equal(w.emu.state.flows.size, 0);
});

test('flows: list filters and paging with continuationToken', async (t) => {
  const w = await world(t);
  const ids = await connections(w);
  const created: string[] = [];
  for (const name of ['a', 'b', 'c']) created.push(await create(w, '/flows', flowBody(w, ids, { name })));
  const page1 = await w.api('GET', '/flows?limit=2');
  assert.equal(page1.status, 200);
  assert.deepEqual(
    page1.body.items.map((f: any) => f.id),
    created.slice(0, 2),
  );
  const next = page1.body._links.next.href as string;
  assert.match(next, /^\/data\/foundation\/flowservice\/flows\?limit=2&continuationToken=/);
  const page2 = await call(w.emu, 'GET', next, undefined, w.h);
  assert.deepEqual(
    page2.body.items.map((f: any) => f.id),
    created.slice(2),
  );
  assert.deepEqual(page2.body._links, {});
  const byName = await w.api('GET', `/flows?property=${encodeURIComponent('name=="b"')}`);
  assert.deepEqual(
    byName.body.items.map((f: any) => f.id),
    [created[1]],
  );
  const bySource = await w.api('GET', `/flows?property=sourceConnectionIds==${ids.sourceId}&count=true`);
  assert.deepEqual(bySource.body, { count: 3 });
  assertFlowError(await w.api('GET', '/flows?limit=1&count=true'), 400, '1401');
  const dev = await w.api('GET', '/flows', undefined, await platformHeaders(w.emu, 'dev'));
  assert.deepEqual(dev.body.items, []);
  assertFlowError(
    await w.api('GET', `/flows/${created[0]}`, undefined, await platformHeaders(w.emu, 'dev')),
    404,
    '1439',
    /flows resource/,
  );
});

test('flows: PATCH with If-Match re-validates; enable/disable; deletes in order', async (t) => {
  const w = await world(t);
  const ids = await connections(w);
  const id = await create(
    w,
    '/flows',
    flowBody(w, ids, { scheduleParams: { startTime: T0_SECONDS + 3600, frequency: 'minute', interval: '15' } }),
  );
  const etag = (await w.api('GET', `/flows/${id}`)).body.items[0].etag;
  const ifMatch = (value: string) => ({ ...w.h, 'if-match': value });

  assertFlowError(
    await w.api('PATCH', `/flows/${id}`, [{ op: 'replace', path: '/name', value: 'x' }]),
    400,
    '1403',
    /If-Match/,
  );
  assertFlowError(
    await w.api('PATCH', `/flows/${id}`, [{ op: 'replace', path: '/name', value: 'x' }], ifMatch('"stale"')),
    412,
    '1404',
    /does not match/,
  );
  const ok = await w.api(
    'PATCH',
    `/flows/${id}`,
    [
      { op: 'replace', path: '/scheduleParams/frequency', value: 'day' },
      { op: 'replace', path: '/scheduleParams/interval', value: '1' },
      { op: 'replace', path: '/name', value: 'Renamed' },
    ],
    ifMatch(etag),
  );
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.notEqual(ok.body.etag, etag);
  let flow = (await w.api('GET', `/flows/${id}`)).body.items[0];
  assert.equal(flow.name, 'Renamed');
  assert.deepEqual(flow.scheduleParams, { startTime: String(T0_SECONDS + 3600), frequency: 'day', interval: '1' });
  assert.equal(flow.lastOperation.operation, 'update');
  assert.equal(flow.etag, ok.body.etag);

  // An invalid result is undone: the flow and its etag stay as they were.
  const bad = await w.api(
    'PATCH',
    `/flows/${id}`,
    [{ op: 'replace', path: '/scheduleParams/frequency', value: 'minute' }],
    ifMatch(ok.body.etag),
  );
  assertFlowError(bad, 400, '1100', /at least 15/);
  const mappingSwap = await w.api(
    'PATCH',
    `/flows/${id}`,
    [
      {
        op: 'replace',
        path: '/transformations/1',
        value: { name: 'Mapping', params: { mappingId: w.mappingId, mappingVersion: 7 } },
      },
    ],
    ifMatch(ok.body.etag),
  );
  assertFlowError(mappingSwap, 400, '1412');
  assertFlowError(
    await w.api(
      'PATCH',
      `/flows/${id}`,
      [{ op: 'replace', path: '/flowSpec/id', value: CLOUD_STORAGE_FLOW_SPEC_ID }],
      ifMatch(ok.body.etag),
    ),
    400,
    '1100',
    /flow spec of a dataflow cannot be updated/,
  );
  flow = (await w.api('GET', `/flows/${id}`)).body.items[0];
  assert.equal(flow.scheduleParams.frequency, 'day');
  assert.equal(flow.etag, ok.body.etag);

  // Removing a transformation shifts the array (the Copy goes, the Mapping stays).
  const removed = await w.api(
    'PATCH',
    `/flows/${id}`,
    [{ op: 'remove', path: '/transformations/0' }],
    ifMatch(ok.body.etag),
  );
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  assert.deepEqual(
    (await w.api('GET', `/flows/${id}`)).body.items[0].transformations.map((x: any) => x.name),
    ['Mapping'],
  );
  ok.body.etag = removed.body.etag;

  // startTime can change before the flow starts, not after.
  const moved = await w.api(
    'PATCH',
    `/flows/${id}`,
    [{ op: 'replace', path: '/scheduleParams/startTime', value: T0_SECONDS + 7200 }],
    ifMatch(ok.body.etag),
  );
  assert.equal(moved.status, 200);
  w.clock.now = T0 + 3 * 3600_000;
  const late = await w.api(
    'PATCH',
    `/flows/${id}`,
    [{ op: 'replace', path: '/scheduleParams/startTime', value: T0_SECONDS + 99_999 }],
    ifMatch(moved.body.etag),
  );
  assertFlowError(late, 400, '1100', /startTime cannot be changed/);

  // As aepp sends it: lowercase op, no subOp, no body, no Content-Type (aep-updates.md §1.5).
  const { 'content-type': _type, ...bare } = w.h;
  const disabled = await w.api('POST', `/flows/${id}/action?op=disable`, undefined, bare);
  assert.equal(disabled.status, 200);
  assert.deepEqual(Object.keys(disabled.body).sort(), ['etag', 'id']);
  assert.equal(disabled.body.id, id);
  flow = (await w.api('GET', `/flows/${id}`)).body.items[0];
  assert.equal(flow.state, 'disabled');
  assert.equal(flow.etag, disabled.body.etag);
  assert.equal(flow.lastOperation.operation, 'disable');
  const enabled = await w.api('POST', `/flows/${id}/action?op=ENABLE`, undefined, ifMatch(disabled.body.etag));
  assert.equal(enabled.status, 200);
  assert.equal((await w.api('GET', `/flows/${id}`)).body.items[0].state, 'enabled');
  assertFlowError(await w.api('POST', `/flows/${id}/action?op=pause`), 400, '1434', /Unsupported operation 'pause'/);
  assertFlowError(
    await w.api('POST', `/flows/${id}/action?op=Disable`),
    400,
    '1434',
    /Unsupported operation 'Disable'/,
  );
  assertFlowError(await w.api('POST', `/flows/${id}/action`), 400, '1100', /'op' is required/);
  assertFlowError(
    await w.api('POST', `/flows/${id}/action?op=DISABLE&subOp=REVERSE`),
    400,
    '1435',
    /Unsupported sub action 'REVERSE'/,
  );
  assertFlowError(await w.api('POST', `/flows/${id}/action?op=DISABLE&subOp=PROGRESS`), 400, '1436');
  const spec = await w.api('POST', `/flows/${id}/action?op=DISABLE&subOp=APPLY`);
  assert.equal(spec.status, 200);
  assert.equal((await w.api('POST', `/flows/${id}/action?op=enable`)).status, 200);
  assertFlowError(await w.api('POST', `/flows/${id}/action?op=disable`, undefined, ifMatch('"stale"')), 412, '1404');
  assertFlowError(await w.api('POST', '/flows/missing/action?op=disable'), 404, '1439');

  // Connections in use cannot be deleted; the flow first.
  assertFlowError(
    await w.api('DELETE', `/sourceConnections/${ids.sourceId}`),
    400,
    '1447',
    new RegExp(`Found active flows containing id ${ids.sourceId}`),
  );
  assertFlowError(await w.api('DELETE', `/targetConnections/${ids.targetId}`), 400, '1447');
  const baseId = ids.table ? w.zohoBaseId : w.salesforceBaseId;
  assertFlowError(await w.api('DELETE', `/connections/${baseId}`), 400, '1418');
  assert.equal((await w.api('DELETE', `/flows/${id}`)).status, 204);
  assertFlowError(await w.api('GET', `/flows/${id}`), 404, '1439');
  assertFlowError(await w.api('DELETE', `/flows/${id}`), 404, '1439');
  assert.equal((await w.api('DELETE', `/sourceConnections/${ids.sourceId}`)).status, 204);
  assert.equal((await w.api('DELETE', `/targetConnections/${ids.targetId}`)).status, 204);
  assert.equal((await w.api('DELETE', `/connections/${baseId}`)).status, 204);
  assert.equal(w.emu.state.runs.size, 0);
});

test('flows: PATCH refuses what Flow Service refuses, and records the update', async (t) => {
  const w = await world(t);
  const ids = await connections(w);
  const id = await create(
    w,
    '/flows',
    flowBody(w, ids, {
      scheduleParams: { startTime: T0_SECONDS + 3600, frequency: 'hour', interval: '1', backfill: true },
    }),
  );
  let etag = (await w.api('GET', `/flows/${id}`)).body.items[0].etag;
  const send = (ops: unknown, headers: Record<string, string> = { 'if-match': etag }) =>
    w.api('PATCH', `/flows/${id}`, ops, { ...w.h, ...headers });
  const rename = [{ op: 'replace', path: '/name', value: 'x' }];

  // If-Match: required, and the current etag, with or without its quotes (flow-service-errors.md 1403, 1404).
  const missing = await w.api('PATCH', `/flows/${id}`, rename, w.h);
  assertFlowError(missing, 400, '1403', /The header 'If-Match' is missing in the request/);
  assert.equal(missing.body.title, 'Header is missing');
  const stale = await send(rename, { 'if-match': '"1a0037e4-0000-0200-0000-602e06f60000"' });
  assertFlowError(stale, 412, '1404', new RegExp(`does not match the current version on entity '${id}'`));
  assert.equal(stale.body.title, 'Version not matching');

  // The body: a non-empty array of add/replace/remove on fields the flow has.
  assertFlowError(await send([]), 400, '1405', /cannot be null or empty/);
  assertFlowError(
    await send([{ op: 'move', from: '/name', path: '/description' }]),
    400,
    '1434',
    /Unsupported operation 'move' received/,
  );
  assertFlowError(await send([{ op: 'Replace', path: '/name', value: 'x' }]), 400, '1434');
  assertFlowError(
    await send([{ op: 'replace', path: '/nickname', value: 'x' }]),
    400,
    '1455',
    /Missing field "nickname"/,
  );
  assertFlowError(
    await send([{ op: 'replace', path: '/scheduleParams/timezone', value: 'UTC' }]),
    400,
    '1455',
    /Missing field "timezone"/,
  );
  assertFlowError(await send([{ op: 'replace', path: '/transformations/5', value: {} }]), 400, '1455');

  // Connections and flow spec are not updated in place: a new flow (update-dataflows.md).
  const otherTarget = await create(w, '/targetConnections', targetBody(w, { name: 'Second target' }));
  for (const ops of [
    [{ op: 'replace', path: '/targetConnectionIds', value: [otherTarget] }],
    [{ op: 'add', path: '/targetConnectionIds/-', value: otherTarget }],
    [{ op: 'replace', path: '/sourceConnectionIds/0', value: ids.sourceId }],
  ]) {
    assertFlowError(
      await send(ops),
      400,
      '1100',
      /connections of a dataflow cannot be updated; create new connections and a new dataflow/,
    );
  }
  assertFlowError(
    await send([{ op: 'replace', path: '/flowSpec', value: { id: CRM_FLOW_SPEC_ID, version: '1.0' } }]),
    400,
    '1100',
    /flow spec of a dataflow cannot be updated/,
  );
  assertFlowError(
    await send([{ op: 'replace', path: '/state', value: 'disabled' }]),
    400,
    '1100',
    /'state' cannot be updated/,
  );

  // The mapping version must exist (1412), and its schema be the target's (1425).
  const mappingSet = w.emu.state.mappingSets.get(w.mappingId)!;
  const otherSchema = {
    schemaRef: {
      id: 'https://ns.adobe.com/tenantx/schemas/other',
      contentType: 'application/vnd.adobe.xed-full+json;version=1',
    },
  };
  Object.assign(mappingSet, {
    version: 2,
    versions: {
      0: { outputSchema: mappingSet.outputSchema },
      1: { outputSchema: mappingSet.outputSchema },
      2: { outputSchema: otherSchema },
    },
  });
  const mappingAt = (version: unknown) => [
    {
      op: 'replace',
      path: '/transformations/1',
      value: { name: 'Mapping', params: { mappingId: w.mappingId, mappingVersion: version } },
    },
  ];
  assertFlowError(await send(mappingAt('3')), 400, '1412', /Invalid Mapping Version in request/);
  assertFlowError(
    await send(mappingAt('2')),
    400,
    '1425',
    /Schema with same id and version must be used in both mapping and target dataset/,
  );
  assert.equal(w.emu.state.flows.get(id)!.etag, etag, 'refused patches change nothing');

  const ops = [
    ...mappingAt('1'),
    { op: 'replace', path: '/scheduleParams/frequency', value: 'day' },
    { op: 'replace', path: '/description', value: 'Daily' },
  ];
  const ok = await send(ops);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(Object.keys(ok.body).sort(), ['etag', 'id']);
  assert.equal(ok.body.id, id);
  assert.notEqual(ok.body.etag, etag);
  const flow = (await w.api('GET', `/flows/${id}`)).body.items[0];
  assert.equal(flow.etag, ok.body.etag);
  assert.equal(flow.description, 'Daily');
  assert.equal(flow.scheduleParams.frequency, 'day');
  assert.deepEqual(
    flow.transformations.map((x: any) => x.name),
    ['Copy', 'Mapping'],
    'the Copy transformation is intact',
  );
  assert.equal(flow.transformations[1].params.mappingVersion, '1');
  assert.deepEqual(flow.lastOperation.ops, ops);
  assert.equal(flow.lastOperation.operation, 'update');
  assert.equal(flow.updatedAt, T0);
  etag = ok.body.etag;
  // The docs send the etag in quotes on flows and bare on connections: both are the etag.
  const bare = await send([{ op: 'add', path: '/scheduleParams/backfill', value: false }], {
    'if-match': etag.replace(/"/g, ''),
  });
  assert.equal(bare.status, 200, JSON.stringify(bare.body));
  assert.equal(
    (await w.api('GET', `/flows/${id}`)).body.items[0].lastOperation.ops[0].path,
    '/scheduleParams/backfill',
  );
});

// ---------------------------------------------------------------- runs

test('runs: a once flow runs once, in progress for runDurationMs, then success with metrics', async (t) => {
  const w = await world(t);
  const ids = await connections(w);
  const id = await create(
    w,
    '/flows',
    flowBody(w, ids, { scheduleParams: { startTime: T0_SECONDS, frequency: 'once' } }),
  );
  let runs = await w.api('GET', `/runs?property=flowId==${id}`);
  assert.equal(runs.status, 200);
  assert.equal(runs.body.items.length, 1);
  let run = runs.body.items[0];
  assert.equal(run.flowId, id);
  assert.equal(run.createdAt, T0);
  assert.equal(run.metrics.statusSummary.status, 'inProgress');
  assert.equal(run.metrics.durationSummary.startedAtUTC, T0);
  assert.equal(run.metrics.durationSummary.completedAtUTC, undefined);
  assert.deepEqual(run.flowSpec, { id: CRM_FLOW_SPEC_ID, version: '1.0' });
  assert.equal(run.sandboxName, 'prod');
  const firstEtag = run.etag;

  w.clock.now = T0 + 2999;
  assert.equal((await w.api('GET', `/runs/${run.id}`)).body.items[0].metrics.statusSummary.status, 'inProgress');
  w.clock.now = T0 + 3000;
  run = (await w.api('GET', `/runs/${run.id}`)).body.items[0];
  assert.equal(run.metrics.statusSummary.status, 'success');
  assert.equal(run.metrics.statusSummary.errors, undefined);
  assert.deepEqual(run.metrics.durationSummary, { startedAtUTC: T0, completedAtUTC: T0 + 3000 });
  assert.equal(run.updatedAt, T0 + 3000);
  assert.notEqual(run.etag, firstEtag);
  const rows = ids.table?.rows.length ?? 0;
  assert.equal(run.metrics.recordSummary.inputRecordCount, rows);
  assert.equal(run.metrics.recordSummary.outputRecordCount, rows);
  assert.equal(run.metrics.recordSummary.failedRecordCount, 0);
  assert.equal(run.metrics.sizeSummary.inputBytes > 0, true);
  assert.deepEqual(run.metrics.fileSummary, {
    inputFileCount: 1,
    outputFileCount: 1,
    activityRefs: ['promotionActivity'],
  });
  assert.deepEqual(
    run.activities.map((a: any) => a.id),
    ['copyActivity', 'promotionActivity'],
  );
  const promotion = run.activities[1];
  assert.equal(promotion.targetInfo[0].id, ids.targetId);
  assert.match(promotion.targetInfo[0].reference.ids[0], /^[0-9A-HJKMNP-TV-Z]{26}$/);

  // Still one run, however long we wait; the flow reports it.
  w.clock.now = T0 + 5 * 86_400_000;
  runs = await w.api('GET', `/runs?property=flowId==${id}`);
  assert.equal(runs.body.items.length, 1);
  const flow = (await w.api('GET', `/flows/${id}`)).body.items[0];
  assert.deepEqual(flow.lastRunDetails, { id: run.id, state: 'success', startedAtUTC: T0, completedAtUTC: T0 + 3000 });
  assert.equal(w.emu.state.runs.size, 1);
  assertFlowError(await w.api('GET', '/runs/missing'), 404, '1439', /runs resource/);
});

test('runs: recurring flows run once per interval; filters, ordering, paging, count', async (t) => {
  const w = await world(t);
  const ids = await connections(w);
  const id = await create(w, '/flows', flowBody(w, ids));
  const future = await create(
    w,
    '/flows',
    flowBody(w, ids, {
      name: 'later',
      scheduleParams: { startTime: T0_SECONDS + 86_400, frequency: 'day', interval: '1' },
    }),
  );
  w.clock.now = T0 + 45 * MINUTE + 1000; // the newest run is still in progress
  const runs = await w.api('GET', `/runs?property=flowId==${id}`);
  assert.deepEqual(
    runs.body.items.map((r: any) => r.createdAt),
    [T0, T0 + 15 * MINUTE, T0 + 30 * MINUTE, T0 + 45 * MINUTE],
  );
  assert.deepEqual(
    runs.body.items.map((r: any) => r.metrics.statusSummary.status),
    ['success', 'success', 'success', 'inProgress'],
  );
  assert.equal((await w.api('GET', `/runs?property=flowId==${future}`)).body.items.length, 0);
  const newestFirst = await w.api('GET', `/runs?property=flowId==${id}&orderby=-createdAt&limit=3`);
  assert.deepEqual(
    newestFirst.body.items.map((r: any) => r.createdAt),
    [T0 + 45 * MINUTE, T0 + 30 * MINUTE, T0 + 15 * MINUTE],
  );
  assert.match(newestFirst.body._links.next.href, /continuationToken=/);
  const rest = await call(w.emu, 'GET', newestFirst.body._links.next.href, undefined, w.h);
  assert.deepEqual(
    rest.body.items.map((r: any) => r.createdAt),
    [T0],
  );
  assert.deepEqual((await w.api('GET', `/runs?property=flowId==${id}&count=true`)).body, { count: 4 });
  const inProgress = await w.api(
    'GET',
    `/runs?property=flowId==${id}&property=metrics.statusSummary.status==inProgress`,
  );
  assert.deepEqual(
    inProgress.body.items.map((r: any) => r.createdAt),
    [T0 + 45 * MINUTE],
  );
  const succeeded = await w.api(
    'GET',
    `/runs?property=flowId==${id}&property=${encodeURIComponent('metrics.statusSummary.status=="Success"')}&count=true`,
  );
  assert.deepEqual(succeeded.body, { count: 3 });
  const startedAfter = await w.api(
    'GET',
    `/runs?property=flowId==${id}&property=metrics.durationSummary.startedAtUTC>${T0 + 20 * MINUTE}&count=true`,
  );
  assert.deepEqual(startedAfter.body, { count: 2 });
  assert.equal(w.emu.state.runs.size, 4);
  w.clock.now = T0 + 46 * MINUTE;
  const settled = await w.api('GET', `/runs/${inProgress.body.items[0].id}`);
  assert.equal(settled.body.items[0].metrics.statusSummary.status, 'success');
  assert.equal(settled.body.items[0].metrics.durationSummary.completedAtUTC, T0 + 45 * MINUTE + 3000);

  // Disabled flows produce no runs; enabled again, they resume without back-filling the gap.
  await w.api('POST', `/flows/${id}/action?op=disable`);
  w.clock.now = T0 + 120 * MINUTE;
  assert.deepEqual((await w.api('GET', `/runs?property=flowId==${id}&count=true`)).body, { count: 4 });
  await w.api('POST', `/flows/${id}/action?op=enable`);
  w.clock.now = T0 + 136 * MINUTE;
  const resumed = await w.api('GET', `/runs?property=flowId==${id}&orderby=-createdAt&limit=2`);
  assert.deepEqual(
    resumed.body.items.map((r: any) => r.createdAt),
    [T0 + 135 * MINUTE, T0 + 120 * MINUTE],
  );

  // A long absence produces a capped number of runs, not thousands.
  w.clock.now = T0 + 400 * 86_400_000;
  const count = (await w.api('GET', `/runs?property=flowId==${id}&count=true`)).body.count;
  assert.equal(count, 6 + 100);
  // Another sandbox sees none of them.
  assert.deepEqual((await w.api('GET', '/runs?count=true', undefined, await platformHeaders(w.emu, 'dev'))).body, {
    count: 0,
  });
});

test('runs: runOutcome failed ends runs with Adobe-style errors', async (t) => {
  const w = await world(t, { runOutcome: 'failed', runDurationMs: 60_000 });
  const ids = await connections(w);
  const id = await create(
    w,
    '/flows',
    flowBody(w, ids, { scheduleParams: { startTime: T0_SECONDS - 600, frequency: 'once' } }),
  );
  w.clock.now = T0 + 60_000;
  const failed = await w.api('GET', `/runs?property=flowId==${id}&property=metrics.statusSummary.status==Failed`);
  assert.equal(failed.body.items.length, 1);
  const run = failed.body.items[0];
  // A start time in the past: the run starts when the flow is created.
  assert.equal(run.createdAt, T0);
  assert.equal(run.metrics.statusSummary.status, 'failed');
  assert.deepEqual(run.metrics.statusSummary.errors, [
    { code: 'CONNECTOR-2001-500', message: 'Error occurred at promotion activity.' },
  ]);
  assert.equal(run.metrics.recordSummary.outputRecordCount, 0);
  assert.equal(run.metrics.recordSummary.failedRecordCount, ids.table?.rows.length ?? 0);
  assert.equal(run.activities[1].statusSummary.status, 'failed');
  assert.equal((await w.api('GET', `/flows/${id}`)).body.items[0].lastRunDetails.state, 'failed');
  // The row-level causes sit in the promotion activity's statusSummary.extensions (monitor.md).
  const rows = ids.table?.rows.length ?? 0;
  const batch = run.activities[1].targetInfo[0].reference.ids[0];
  assert.deepEqual(run.activities[1].statusSummary.extensions, {
    manifest: {
      failedRecords: `https://platform.adobe.io/data/foundation/export/batches/${batch}/meta?path=row_errors`,
      sampleErrors: `https://platform.adobe.io/data/foundation/export/batches/${batch}/meta?path=row_error_samples.json`,
    },
    errors: [
      {
        code: 'INGEST-1212-400',
        message: `Encountered ${rows} errors in the data. Successfully ingested 0 rows. Review the associated diagnostic files for additional details.`,
      },
      { code: 'MAPPER-3700-400', recordCount: rows, message: 'Mapper Transform Error' },
    ],
  });
  assert.equal(run.activities[0].statusSummary.extensions, undefined);
});

test('runs: runOutcome partial succeeds with a tenth of the records failed, and says why per row', async (t) => {
  if (needsTables(t)) return;
  const w = await world(t, { runOutcome: 'partial', runDurationMs: 1000 });
  const ids = await connections(w);
  const id = await create(
    w,
    '/flows',
    flowBody(w, ids, { scheduleParams: { startTime: T0_SECONDS, frequency: 'once' } }),
  );
  w.clock.now = T0 + 1000;
  const run = (await w.api('GET', `/runs?property=flowId==${id}`)).body.items[0];
  const rows = ids.table!.rows.length;
  const failed = Math.floor(rows / 10);
  assert.equal(run.metrics.statusSummary.status, 'success');
  assert.deepEqual(run.metrics.recordSummary, {
    inputRecordCount: rows,
    createdRecordCount: rows - failed,
    outputRecordCount: rows - failed,
    failedRecordCount: failed,
  });
  const [ingest, mapper] = run.activities[1].statusSummary.extensions.errors;
  assert.equal(ingest.code, 'INGEST-1212-400');
  assert.match(
    ingest.message,
    new RegExp(`^Encountered ${failed} errors in the data. Successfully ingested ${rows - failed} rows.`),
  );
  assert.deepEqual(mapper, { code: 'MAPPER-3700-400', recordCount: failed, message: 'Mapper Transform Error' });
  // A clean run carries no extensions.
  const clean = await world(t, { runDurationMs: 1000 });
  const cleanIds = await connections(clean);
  const cleanId = await create(
    clean,
    '/flows',
    flowBody(clean, cleanIds, { scheduleParams: { startTime: T0_SECONDS, frequency: 'once' } }),
  );
  clean.clock.now = T0 + 1000;
  const ok = (await clean.api('GET', `/runs?property=flowId==${cleanId}`)).body.items[0];
  assert.equal(ok.activities[1].statusSummary.extensions, undefined);
  assert.equal(ok.metrics.statusSummary.errors, undefined);
});

test('runs: Zoho runs read the source table (row count, listed columns only)', async (t) => {
  if (needsTables(t)) return;
  const w = await world(t);
  const table = pickTable()!;
  const sourceId = await create(
    w,
    '/sourceConnections',
    zohoSource(w, table.path, { params: { tableName: table.path, columns: [{ name: table.columns[0].name }] } }),
  );
  const targetId = await create(w, '/targetConnections', targetBody(w));
  const id = await create(
    w,
    '/flows',
    flowBody(w, { sourceId, targetId, table }, { scheduleParams: { startTime: T0_SECONDS, frequency: 'once' } }),
  );
  w.clock.now = T0 + 3000;
  const run = (await w.api('GET', `/runs?property=flowId==${id}`)).body.items[0];
  assert.equal(run.metrics.recordSummary.inputRecordCount, table.rows.length);
  assert.equal(run.metrics.recordSummary.outputRecordCount, table.rows.length);
  const projected = table.rows.map((row) => ({ [table.columns[0].name]: row[table.columns[0].name] }));
  assert.equal(run.metrics.sizeSummary.inputBytes, Buffer.byteLength(JSON.stringify(projected)));
});

test('list filters: a comma in a value means alternatives (== any of, != none of); other operators take one value (1443)', async (t) => {
  const w = await world(t, { runOutcome: 'failed', runDurationMs: 1000 });
  const ids = await connections(w);
  const [a, b, c] = [
    await create(w, '/flows', flowBody(w, ids, { name: 'a' })),
    await create(w, '/flows', flowBody(w, ids, { name: 'b' })),
    await create(w, '/flows', flowBody(w, ids, { name: 'c' })),
  ];
  const names = async (filter: string) =>
    (await w.api('GET', `/flows?property=${encodeURIComponent(filter)}`)).body.items.map((f: any) => f.name).sort();
  assert.deepEqual(await names(`id==${a},${c}`), ['a', 'c']);
  assert.deepEqual(await names(`id!=${a},${c}`), ['b']);
  assert.deepEqual(await names('name=="a","b"'), ['a', 'b']);
  // A name with a comma is two alternatives, so it matches neither half (ruling 15: refuse such names).
  w.emu.state.flows.get(b)!.name = 'b, with a comma';
  assert.deepEqual(await names('name==b, with a comma'), []);
  assert.deepEqual(await names('name=="b, with a comma"'), []);
  // Array paths, as sort-and-filter.md's example: sourceConnectionIds[]==<id>,<id>.
  const other = await create(w, '/sourceConnections', {
    ...(ids.table ? zohoSource(w, ids.table.path) : salesforceSource(w)),
    name: 'Other source',
  });
  const d = await create(w, '/flows', flowBody(w, { ...ids, sourceId: other }, { name: 'd' }));
  assert.deepEqual(await names(`sourceConnectionIds[]==${ids.sourceId},${other}`), ['a', 'b, with a comma', 'c', 'd']);
  assert.deepEqual(await names(`sourceConnectionIds[]==${other},00000000-0000-0000-0000-000000000000`), ['d']);
  assertFlowError(
    await w.api('GET', `/flows?property=${encodeURIComponent(`createdAt<=${T0},${T0 + 1}`)}`),
    400,
    '1443',
    /Operator '<=' is not allowed for multiple values/,
  );
  assert.equal((await w.api('GET', `/flows?property=${encodeURIComponent(`createdAt<=${T0}`)}`)).body.items.length, 4);
  // The other Flow Service lists too: connections, and runs (statuses normalised per alternative).
  const bases = (
    await w.api('GET', `/connections?property=${encodeURIComponent(`id==${w.zohoBaseId},${w.salesforceBaseId}`)}`)
  ).body.items;
  assert.equal(bases.length, 2);
  w.clock.now = T0 + 2000;
  const runs = await w.api(
    'GET',
    `/runs?property=${encodeURIComponent(`flowId==${a},${d}`)}&property=${encodeURIComponent('metrics.statusSummary.status==Failed,INPROGRESS')}`,
  );
  assert.deepEqual(runs.body.items.map((r: any) => r.flowId).sort(), [a, d].sort());
});
