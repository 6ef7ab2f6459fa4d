// The HTTP API streaming source (issue 15, aep-fallback.md §1, ruling 19): its connection spec, a
// base connection that carries its inlet URL, a source connection without params, the streaming
// flow spec with a Mapping, and the inlet itself (flow id, IMS token, 1 MB, mapping applied).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { call, emulator, platformHeaders, TEST_ORG, zohoConnectionBody, type Emulator } from '../helpers/emulator.js';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import {
  CRM_FLOW_SPEC_ID,
  DATA_LAKE_SPEC_ID,
  HTTP_API_SPEC_ID,
  STREAMING_FLOW_SPEC_ID,
  STREAMING_XDM_FLOW_SPEC_ID,
  ZOHO_SPEC_ID,
} from '../../src/emulator/specs-data.js';

const FLOW = '/data/foundation/flowservice';
const PROFILE = 'https://ns.adobe.com/xdm/context/profile';
const HTTP_SPEC = { id: HTTP_API_SPEC_ID, version: '1.0' };

export function httpConnectionBody(
  name = 'aep-zoho HTTP API',
  params: Record<string, unknown> = {
    dataType: 'raw',
    sourceId: 'aep-zoho',
    name: 'aep-zoho Zoho CRM',
    authenticationRequired: true,
  },
) {
  return {
    name,
    description: 'Zoho CRM records posted by aep-zoho',
    connectionSpec: HTTP_SPEC,
    auth: { specName: 'Streaming Connection', params },
  };
}

interface World {
  emu: Emulator;
  h: Record<string, string>;
  api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
  schemaId: string;
  dataSetId: string;
  mappingId: string;
  tenant: string;
}

async function world(t: TestContext, options: Parameters<typeof emulator>[0] = {}): Promise<World> {
  const emu = await emulator(options);
  t.after(() => emu.close());
  const h = await platformHeaders(emu);
  const api = (method: string, path: string, body?: unknown) =>
    call(emu, method, path.startsWith('/') && !path.startsWith('/data') ? `${FLOW}${path}` : path, body, h);
  const tenant = `_${emu.state.tenantId(TEST_ORG)}`;
  const fg = await api('POST', '/data/foundation/schemaregistry/tenant/fieldgroups', {
    type: 'object',
    title: 'Zoho contact fields',
    description: 'Zoho',
    'meta:intendedToExtend': [PROFILE],
    definitions: {
      zoho: {
        properties: {
          [tenant]: { type: 'object', properties: { zohoId: { type: 'string' }, ownerId: { type: 'string' } } },
        },
      },
    },
  });
  assert.equal(fg.status, 201, JSON.stringify(fg.body));
  const schema = await api('POST', '/data/foundation/schemaregistry/tenant/schemas', {
    type: 'object',
    title: 'Zoho Contacts',
    description: 'Contacts',
    allOf: [
      { $ref: PROFILE },
      { $ref: `${PROFILE}-person-details` },
      { $ref: `${PROFILE}-personal-details` },
      { $ref: fg.body.$id },
    ],
  });
  assert.equal(schema.status, 201, JSON.stringify(schema.body));
  const schemaId = schema.body.$id;
  const dataSetId = '5c8c3c555033b814b69f9470';
  emu.state.dataSets.add({
    id: dataSetId,
    name: 'Zoho contacts',
    schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed+json;version=1' },
    imsOrgId: TEST_ORG,
    sandboxName: 'prod',
  });
  const mapping = await api('POST', '/data/foundation/conversion/mappingSets', {
    outputSchema: { schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' } },
    mappings: [
      { sourceType: 'ATTRIBUTE', source: 'id', destination: `${tenant}.zohoId` },
      { sourceType: 'ATTRIBUTE', source: 'Owner.id', destination: `${tenant}.ownerId` },
      { sourceType: 'ATTRIBUTE', source: 'First_Name', destination: 'person.name.firstName' },
      { sourceType: 'ATTRIBUTE', source: 'Email', destination: 'personalEmail.address' },
    ],
  });
  assert.equal(mapping.status, 200, JSON.stringify(mapping.body));
  return { emu, h, api, schemaId, dataSetId, mappingId: mapping.body.id, tenant };
}

/** Base connection, source connection, target connection and streaming flow; returns their ids and the inlet URL. */
async function provision(w: World, baseParams?: Record<string, unknown>) {
  const base = await w.api('POST', '/connections', httpConnectionBody('aep-zoho HTTP API', baseParams));
  assert.equal(base.status, 201, JSON.stringify(base.body));
  const inlet = (await w.api('GET', `/connections/${base.body.id}`)).body.items[0].auth.params;
  const source = await w.api('POST', '/sourceConnections', {
    name: 'Zoho Contacts (HTTP API)',
    baseConnectionId: base.body.id,
    connectionSpec: HTTP_SPEC,
  });
  assert.equal(source.status, 201, JSON.stringify(source.body));
  const target = await w.api('POST', '/targetConnections', {
    name: 'Zoho Contacts target',
    connectionSpec: { id: DATA_LAKE_SPEC_ID, version: '1.0' },
    data: { schema: { id: w.schemaId, version: 'application/vnd.adobe.xed-full+json;version=1.0' } },
    params: { dataSetId: w.dataSetId },
  });
  assert.equal(target.status, 201, JSON.stringify(target.body));
  const flowBody = {
    name: 'Zoho Contacts streaming',
    flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '1.0' },
    sourceConnectionIds: [source.body.id],
    targetConnectionIds: [target.body.id],
    transformations: [{ name: 'Mapping', params: { mappingId: w.mappingId, mappingVersion: '0' } }],
  };
  const flow = await w.api('POST', '/flows', flowBody);
  assert.equal(flow.status, 201, JSON.stringify(flow.body));
  return {
    baseId: base.body.id,
    sourceId: source.body.id,
    targetId: target.body.id,
    flowId: flow.body.id,
    inlet,
    flowBody,
  };
}

const record = (i: number) => ({
  id: `48768760000009${String(i).padStart(5, '0')}`,
  First_Name: `Ada${i}`,
  Last_Name: 'Lovelace',
  Email: `ada${i}@example.com`,
  Owner: { name: 'Pat', id: '4876876000000201001', email: 'pat@zylker.com' },
  Modified_Time: '2026-01-05T10:15:00-05:00',
});

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const inletHeaders = (w: World, flowId: string) => ({
  authorization: w.h.authorization,
  'x-api-key': w.h['x-api-key'],
  'x-gw-ims-org-id': TEST_ORG,
  'x-adobe-flow-id': flowId,
});

test('the HTTP API connection spec and the streaming flow specs, by id', async (t) => {
  const w = await world(t);
  const spec = await w.api('GET', `/connectionSpecs/${HTTP_API_SPEC_ID}`);
  assert.equal(spec.status, 200);
  assert.equal(spec.body.items[0].authSpec[0].name, 'Streaming Connection');
  assert.deepEqual(spec.body.items[0].authSpec[0].spec.properties.dataType.enum, ['raw', 'xdm']);
  const flowSpecs = await w.api('GET', `/flowSpecs/${STREAMING_FLOW_SPEC_ID},${STREAMING_XDM_FLOW_SPEC_ID}`);
  assert.equal(flowSpecs.status, 200);
  for (const flowSpec of flowSpecs.body.items) {
    assert.deepEqual(flowSpec.sourceConnectionSpecIds, [HTTP_API_SPEC_ID]);
    assert.deepEqual(flowSpec.targetConnectionSpecIds, [DATA_LAKE_SPEC_ID]);
    assert.equal(flowSpec.scheduleSpec, undefined, 'no schedule: streaming');
  }
  assert.deepEqual(
    flowSpecs.body.items[0].transformationSpec.map((s: any) => s.name),
    ['Mapping'],
  );
  const crm = (await w.api('GET', `/flowSpecs/${CRM_FLOW_SPEC_ID}`)).body.items[0];
  assert.ok(!crm.sourceConnectionSpecIds.includes(HTTP_API_SPEC_ID));
});

test('an authenticated raw base connection carries its inlet (inletId, inletUrl on the emulator), checked as Adobe checks it', async (t) => {
  const w = await world(t);
  const { inlet, baseId } = await provision(w);
  assert.match(inlet.inletId, /^[0-9a-f]{64}$/);
  assert.equal(inlet.inletUrl, `${w.emu.url}/collection/${inlet.inletId}`);
  assert.deepEqual([inlet.dataType, inlet.authenticationRequired, inlet.sourceId], ['raw', true, 'aep-zoho']);
  assert.equal((await w.api('GET', `/connections/${baseId}/test`)).body.result, true);
  const unauthenticated = await w.api('POST', '/connections', httpConnectionBody('plain', { dataType: 'raw' }));
  assert.equal(unauthenticated.status, 201);
  const plain = (await w.api('GET', `/connections/${unauthenticated.body.id}`)).body.items[0].auth.params;
  assert.equal(plain.authenticationRequired, false);
  assert.notEqual(plain.inletId, inlet.inletId);
  for (const [params, pattern] of [
    [{}, /dataType/],
    [{ dataType: 'csv' }, /dataType must be one of raw, xdm/],
    [{ dataType: 'raw', authenticationRequired: 'true' }, /authenticationRequired must be a boolean/],
  ] as const) {
    const refused = await w.api('POST', '/connections', httpConnectionBody('bad', params));
    assert.equal(refused.status, 400);
    assert.match(refused.body.errorMessage, pattern);
  }
  const wrongSpecName = await w.api('POST', '/connections', {
    ...httpConnectionBody('bad'),
    auth: { specName: 'Basic Authentication', params: { dataType: 'raw' } },
  });
  assert.match(wrongSpecName.body.errorMessage, /'Streaming Connection'/);
});

test('the source connection takes no params; the streaming flow needs the Mapping and takes no schedule; wrong pairings are refused', async (t) => {
  const w = await world(t);
  const p = await provision(w);
  const source = (await w.api('GET', `/sourceConnections/${p.sourceId}`)).body.items[0];
  assert.deepEqual(source.params, {});
  const withParams = await w.api('POST', '/sourceConnections', {
    name: 'x',
    baseConnectionId: p.baseId,
    connectionSpec: HTTP_SPEC,
    params: { tableName: crmTables().find((t) => t.name === 'Contacts')!.path },
  });
  assert.match(withParams.body.errorMessage, /takes no params/);
  const flow = (await w.api('GET', `/flows/${p.flowId}`)).body.items[0];
  assert.equal(flow.scheduleParams, undefined);
  assert.equal(flow.transformations[0].params.mappingVersion, '0');
  assert.deepEqual(
    (await w.api('GET', `/runs?property=flowId==${p.flowId}`)).body.items,
    [],
    'no runs for a streaming flow',
  );
  const scheduled = await w.api('POST', '/flows', {
    ...p.flowBody,
    scheduleParams: { startTime: 1767600000, frequency: 'once' },
  });
  assert.match(scheduled.body.errorMessage, /scheduleParams are not supported/);
  const unmapped = await w.api('POST', '/flows', { ...p.flowBody, transformations: [] });
  assert.match(unmapped.body.errorMessage, /needs a Mapping/);
  const onCrmSpec = await w.api('POST', '/flows', {
    ...p.flowBody,
    flowSpec: { id: CRM_FLOW_SPEC_ID, version: '1.0' },
  });
  assert.equal(onCrmSpec.body.code ?? onCrmSpec.body.type.split('/').pop(), 'FLOW-1413-400');
  const zohoBase = await w.api('POST', '/connections', zohoConnectionBody());
  const zohoSource = await w.api('POST', '/sourceConnections', {
    name: 'z',
    baseConnectionId: zohoBase.body.id,
    connectionSpec: { id: ZOHO_SPEC_ID, version: '1.0' },
    data: { format: 'tabular' },
    params: { tableName: crmTables().find((t) => t.name === 'Contacts')!.path },
  });
  const zohoOnStreaming = await w.api('POST', '/flows', { ...p.flowBody, sourceConnectionIds: [zohoSource.body.id] });
  assert.match(zohoOnStreaming.body.errorMessage, /does not support/);
  // A mapping edit is a flow PATCH, as for the CRM flow; the flow still has no schedule.
  const patched = await w.api('GET', `/flows/${p.flowId}`);
  const res = await call(
    w.emu,
    'PATCH',
    `${FLOW}/flows/${p.flowId}`,
    [{ op: 'replace', path: '/name', value: 'renamed' }],
    { ...w.h, 'if-match': patched.body.items[0].etag },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
});

test('the inlet: 200 on receipt, the mapping set applied into the dataset record by record (flow id as header or query)', async (t) => {
  const w = await world(t);
  const p = await provision(w);
  const first = await post(p.inlet.inletUrl, record(1), inletHeaders(w, p.flowId));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(Object.keys(first.body), ['inletId', 'xactionId', 'receivedTimeMs']);
  assert.equal(first.body.inletId, p.inlet.inletId);
  const { 'x-adobe-flow-id': _flow, ...noFlowHeader } = inletHeaders(w, p.flowId);
  assert.equal((await post(`${p.inlet.inletUrl}?x-adobe-flow-id=${p.flowId}`, record(2), noFlowHeader)).status, 200);
  const stored = w.emu.state.recordsOf(w.dataSetId);
  assert.deepEqual(
    stored.map((r) => (r.data as any)[w.tenant].zohoId),
    [record(1).id, record(2).id],
  );
  assert.deepEqual(stored[0].data, {
    [w.tenant]: { zohoId: record(1).id, ownerId: '4876876000000201001' },
    person: { name: { firstName: 'Ada1' } },
    personalEmail: { address: 'ada1@example.com' },
  });
  assert.deepEqual(stored[0].raw, record(1));
  assert.equal(stored[0].flowId, p.flowId);
});

test('the inlet refuses: no flow id, a flow of another inlet, no body, an unknown inlet, more than 1 MB', async (t) => {
  const w = await world(t);
  const p = await provision(w);
  const other = await provision(w);
  const { 'x-adobe-flow-id': _f, ...noFlow } = inletHeaders(w, p.flowId);
  assert.equal((await post(p.inlet.inletUrl, record(1), noFlow)).status, 400);
  assert.equal((await post(p.inlet.inletUrl, record(1), inletHeaders(w, other.flowId))).status, 400);
  assert.equal((await post(p.inlet.inletUrl, '[1,2]', inletHeaders(w, p.flowId))).status, 400);
  assert.equal(
    (await post(`${w.emu.url}/collection/${'0'.repeat(64)}`, record(1), inletHeaders(w, p.flowId))).status,
    404,
  );
  const big = { ...record(3), Description: 'x'.repeat(1024 * 1024) };
  const tooBig = await post(p.inlet.inletUrl, big, inletHeaders(w, p.flowId));
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.body.report.message, /greater than 1MB/);
  const justUnder = {
    ...record(4),
    Description: 'x'.repeat(1024 * 1024 - JSON.stringify({ ...record(4), Description: '' }).length),
  };
  assert.equal((await post(p.inlet.inletUrl, justUnder, inletHeaders(w, p.flowId))).status, 200);
  assert.deepEqual(
    w.emu.state.recordsOf(w.dataSetId).map((r) => (r.raw as any).id),
    [record(4).id],
  );
});

test('an authenticated inlet wants a valid IMS token: none → 401 (Adobe’s body), invalid or expired → 403; an unauthenticated one does not', async (t) => {
  const w = await world(t);
  const p = await provision(w);
  const { authorization: _a, ...noToken } = inletHeaders(w, p.flowId);
  const missing = await post(p.inlet.inletUrl, record(1), noToken);
  assert.equal(missing.status, 401);
  assert.equal(missing.body.type, 'https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization');
  assert.equal(missing.body.status, '401');
  assert.equal(missing.body.title, 'Authorization');
  assert.match(missing.body.report.message, /^\[[^\]]+\] Ims service token is empty$/);
  assert.equal((await post(p.inlet.inletUrl, record(1), { ...noToken, authorization: 'Bearer nope' })).status, 403);
  assert.equal(
    (await post(p.inlet.inletUrl, record(1), { ...inletHeaders(w, p.flowId), 'x-gw-ims-org-id': 'OTHER@AdobeOrg' }))
      .status,
    403,
  );
  w.emu.faults.add({ fault: { kind: 'expire-tokens' }, path: '/collection/' });
  assert.equal(
    (await post(p.inlet.inletUrl, record(1), inletHeaders(w, p.flowId))).status,
    403,
    'a token expired mid-run',
  );
  w.h.authorization = (await platformHeaders(w.emu)).authorization;
  assert.equal((await post(p.inlet.inletUrl, record(1), inletHeaders(w, p.flowId))).status, 200);
  const open = await provision(w, { dataType: 'raw' });
  assert.equal((await post(open.inlet.inletUrl, record(2), { 'x-adobe-flow-id': open.flowId })).status, 200);
  assert.equal(w.emu.state.recordsOf(w.dataSetId).length, 2);
});

test('fault injection works on the inlet: a 503 or a reset stores nothing, a dropped answer stores the record', async (t) => {
  const w = await world(t);
  const p = await provision(w);
  w.emu.faults.add({ path: '/collection/', fault: { kind: 'status', status: 503 } });
  assert.equal((await post(p.inlet.inletUrl, record(1), inletHeaders(w, p.flowId))).status, 503);
  w.emu.faults.add({ path: '/collection/', fault: { kind: 'reset' } });
  await assert.rejects(post(p.inlet.inletUrl, record(2), inletHeaders(w, p.flowId)));
  assert.equal(w.emu.state.recordsOf(w.dataSetId).length, 0);
  w.emu.faults.add({ path: '/collection/', fault: { kind: 'drop' } });
  await assert.rejects(post(p.inlet.inletUrl, record(3), inletHeaders(w, p.flowId)));
  assert.deepEqual(
    w.emu.state.recordsOf(w.dataSetId).map((r) => (r.raw as any).id),
    [record(3).id],
    'handled, then the answer was lost',
  );
});

test('with the Zoho source retired, the HTTP API path still works', async (t) => {
  const w = await world(t, { retiredConnectionSpecs: [ZOHO_SPEC_ID] });
  assert.equal((await w.api('GET', `/connectionSpecs/${ZOHO_SPEC_ID}`)).status, 404);
  assert.equal((await w.api('POST', '/connections', zohoConnectionBody())).status, 400);
  const p = await provision(w);
  assert.equal((await post(p.inlet.inletUrl, record(1), inletHeaders(w, p.flowId))).status, 200);
});
