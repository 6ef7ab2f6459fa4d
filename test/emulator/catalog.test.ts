import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, emulator, platformHeaders, TEST_ORG, type Emulator } from '../helpers/emulator.js';

const CATALOG = '/data/foundation/catalog';

async function schema(emu: Emulator, sandbox = 'prod', title = 'Zoho Leads'): Promise<string> {
  const res = await call(
    emu,
    'POST',
    '/data/foundation/schemaregistry/tenant/schemas',
    { type: 'object', title, description: 'Leads', allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/profile' }] },
    await platformHeaders(emu, sandbox),
  );
  assert.equal(res.status, 201);
  return res.body.$id;
}

const dataSetBody = (schemaId: string, name = 'Zoho Leads dataset') => ({
  name,
  schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed+json;version=1' },
  tags: { unifiedIdentity: ['enabled:true'] },
});

test('create dataset: 201, array body, Location header, stored with schemaRef and scope', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const res = await fetch(`${emu.url}${CATALOG}/dataSets?requestDataSource=true`, {
    method: 'POST',
    headers: await platformHeaders(emu),
    body: JSON.stringify(dataSetBody(schemaId)),
  });
  assert.equal(res.status, 201);
  const body = (await res.json()) as string[];
  assert.equal(body.length, 1);
  assert.match(body[0], /^@\/dataSets\/[0-9a-f]{24}$/);
  const id = body[0].split('/').pop()!;
  assert.equal(res.headers.get('location'), `${CATALOG}/dataSets/${id}`);
  const stored = emu.state.dataSets.get(id)!;
  assert.equal(stored.name, 'Zoho Leads dataset');
  assert.deepEqual(stored.schemaRef, { id: schemaId, contentType: 'application/vnd.adobe.xed+json;version=1' });
  assert.deepEqual(stored.tags, { 'adobe/pqs/table': ['zoho_leads_dataset'], unifiedIdentity: ['enabled:true'] });
  // Issue 22.8: Catalog classifies the dataset by its schema's behavior (catalog.yaml datasetPatchRequestV2).
  assert.deepEqual(stored.classification, { dataBehavior: 'record', managedBy: 'CUSTOMER' });
  assert.equal(stored.imsOrgId, TEST_ORG);
  assert.equal(stored.sandboxName, 'prod');
  assert.equal(typeof stored.dataSourceId, 'number');

  const got = await call(emu, 'GET', `${CATALOG}/dataSets/${id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(Object.keys(got.body), [id]);
  assert.equal(got.body[id].name, 'Zoho Leads dataset');
  assert.equal(got.body[id].imsOrg, TEST_ORG);
  assert.equal(got.body[id].schemaRef.id, schemaId);
  assert.equal(got.body[id].sandboxName, undefined);
  const projected = await call(emu, 'GET', `${CATALOG}/dataSets/${id}?properties=name,schemaRef`);
  assert.deepEqual(Object.keys(projected.body[id]).sort(), ['name', 'schemaRef']);
});

test('create dataset rejections: name, schemaRef, unknown schema, schema of another sandbox, bad tags', async (t) => {
  const emu = await emulator({ sandboxes: ['prod', 'dev'] });
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const post = async (body: unknown, sandbox = 'prod') =>
    call(emu, 'POST', `${CATALOG}/dataSets`, body, await platformHeaders(emu, sandbox));
  const { name: _n, ...noName } = dataSetBody(schemaId);
  assert.equal((await post(noName)).status, 400);
  assert.equal((await post({ name: 'x' })).status, 400);
  const unknown = await post(dataSetBody('https://ns.adobe.com/tenant/schemas/0000'));
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.detail, /not found/);
  assert.equal((await post(dataSetBody(schemaId), 'dev')).status, 400, "prod's schema does not exist in dev");
  assert.equal((await post({ ...dataSetBody(schemaId), tags: { unifiedProfile: 'enabled:true' } })).status, 400);
  assert.equal(
    (await post({ ...dataSetBody(schemaId), schemaRef: { id: schemaId, contentType: 'application/json' } })).status,
    400,
  );
  assert.equal(emu.state.dataSets.size, 0);
});

test('list datasets: object keyed by id, limit/start/orderBy, property and name filters, sandbox scope', async (t) => {
  const emu = await emulator({ sandboxes: ['prod', 'dev'] });
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const ids: string[] = [];
  for (const name of ['Leads', 'Contacts', 'Accounts']) {
    const res = await call(emu, 'POST', `${CATALOG}/dataSets`, dataSetBody(schemaId, name));
    ids.push(res.body[0].split('/').pop());
  }
  const all = await call(emu, 'GET', `${CATALOG}/dataSets`);
  assert.equal(all.status, 200);
  assert.deepEqual(Object.keys(all.body).sort(), [...ids].sort());
  const byName = await call(emu, 'GET', `${CATALOG}/dataSets?property=${encodeURIComponent('name==Contacts')}`);
  assert.deepEqual(Object.keys(byName.body), [ids[1]]);
  const plainName = await call(emu, 'GET', `${CATALOG}/dataSets?name=Accounts`);
  assert.deepEqual(Object.keys(plainName.body), [ids[2]]);
  const regex = await call(emu, 'GET', `${CATALOG}/dataSets?property=${encodeURIComponent('name~^L')}`);
  assert.deepEqual(Object.keys(regex.body), [ids[0]]);
  const sorted = await call(emu, 'GET', `${CATALOG}/dataSets?orderBy=asc:name&limit=2`);
  assert.deepEqual(
    Object.values(sorted.body).map((d: any) => d.name),
    ['Accounts', 'Contacts'],
  );
  const next = await call(emu, 'GET', `${CATALOG}/dataSets?orderBy=asc:name&limit=2&start=2`);
  assert.deepEqual(
    Object.values(next.body).map((d: any) => d.name),
    ['Leads'],
  );
  const projected = await call(emu, 'GET', `${CATALOG}/dataSets?properties=name`);
  assert.deepEqual(Object.values(projected.body)[0], { name: 'Leads' });
  for (const bad of ['limit=0', 'limit=101', 'limit=abc', 'start=-1'])
    assert.equal((await call(emu, 'GET', `${CATALOG}/dataSets?${bad}`)).status, 400, bad);
  const dev = await call(emu, 'GET', `${CATALOG}/dataSets`, undefined, await platformHeaders(emu, 'dev'));
  assert.deepEqual(dev.body, {});
  assert.equal(
    (await call(emu, 'GET', `${CATALOG}/dataSets/${ids[0]}`, undefined, await platformHeaders(emu, 'dev'))).status,
    404,
  );
});

test('delete dataset: 200 with the id array, then 404', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const created = await call(emu, 'POST', `${CATALOG}/dataSets`, dataSetBody(schemaId));
  const id = created.body[0].split('/').pop();
  const deleted = await call(emu, 'DELETE', `${CATALOG}/dataSets/${id}`);
  assert.equal(deleted.status, 200);
  assert.deepEqual(deleted.body, [`@/dataSets/${id}`]);
  assert.equal((await call(emu, 'GET', `${CATALOG}/dataSets/${id}`)).status, 404);
  assert.equal((await call(emu, 'DELETE', `${CATALOG}/dataSets/${id}`)).status, 404);
});

test('PATCH dataset: plain fields (application/json) or JSON Patch (application/json-patch+json); schemaRef and read-only fields refused', async (t) => {
  let clock = 1_700_000_000_000;
  const emu = await emulator({ now: () => clock, sandboxes: ['prod', 'dev'] });
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const id = (
    await call(emu, 'POST', `${CATALOG}/dataSets`, { ...dataSetBody(schemaId), description: 'Leads from Zoho' })
  ).body[0]
    .split('/')
    .pop();
  const url = `${CATALOG}/dataSets/${id}`;
  const h = await platformHeaders(emu);
  const jsonPatch = { ...h, 'content-type': 'application/json-patch+json' };
  clock += 1000;

  // Plain fields: the ones sent change, the others stay (update-object.md).
  const plain = await call(emu, 'PATCH', url, { name: 'Updated Dataset Name' }, h);
  assert.equal(plain.status, 200, JSON.stringify(plain.body));
  assert.deepEqual(plain.body, [`@/dataSets/${id}`]);
  let stored = emu.state.dataSets.get(id)!;
  assert.equal(stored.name, 'Updated Dataset Name');
  assert.equal(stored.description, 'Leads from Zoho');
  assert.deepEqual(stored.tags, { 'adobe/pqs/table': ['zoho_leads_dataset'], unifiedIdentity: ['enabled:true'] });
  assert.equal(stored.updated, clock);
  assert.equal(stored.created, clock - 1000);

  // JSON Patch, as the spec's example adds tags.
  const patched = await call(
    emu,
    'PATCH',
    url,
    [
      { op: 'add', path: '/tags/zoho', value: ['contacts'] },
      { op: 'replace', path: '/description', value: 'New' },
    ],
    jsonPatch,
  );
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  stored = emu.state.dataSets.get(id)!;
  assert.deepEqual(stored.tags, {
    'adobe/pqs/table': ['zoho_leads_dataset'],
    unifiedIdentity: ['enabled:true'],
    zoho: ['contacts'],
  });
  assert.equal(stored.description, 'New');
  const read = await call(emu, 'GET', url);
  assert.equal(read.body[id].description, 'New');

  const otherSchema = await schema(emu, 'prod', 'Other');
  const refusals: Array<[unknown, Record<string, string>, RegExp]> = [
    [
      { schemaRef: { id: otherSchema, contentType: 'application/vnd.adobe.xed+json;version=1' } },
      h,
      /'schemaRef' is an expandable field/,
    ],
    [[{ op: 'replace', path: '/schemaRef/id', value: otherSchema }], jsonPatch, /'schemaRef' is an expandable field/],
    [{ files: '@/dataSetFiles' }, h, /expandable/],
    [{ created: 0 }, h, /'created' cannot be updated/],
    [[{ op: 'replace', path: '/version', value: '9' }], jsonPatch, /'version' cannot be updated/],
    [{ name: '' }, h, /'name' is required/],
    [{ tags: { unifiedProfile: 'enabled:true' } }, h, /'tags' must be an object whose values are arrays of strings/],
    [
      [{ op: 'replace', path: '/name', value: 'x' }],
      h,
      /JSON Patch array needs Content-Type: application\/json-patch\+json/,
    ],
    [{ name: 'x' }, jsonPatch, /must be an array/],
    [[{ op: 'remove', path: '/tags/nope' }], jsonPatch, /Missing field "nope"/],
    [[{ op: 'move', from: '/name', path: '/description' }], jsonPatch, /Unsupported operation 'move'/],
  ];
  for (const [body, headers, pattern] of refusals) {
    const res = await call(emu, 'PATCH', url, body, headers);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.detail, pattern);
  }
  stored = emu.state.dataSets.get(id)!;
  assert.equal(stored.schemaRef.id, schemaId);
  assert.equal(stored.name, 'Updated Dataset Name');
  assert.equal(
    (await call(emu, 'PATCH', `${CATALOG}/dataSets/000000000000000000000000`, { name: 'x' }, h)).status,
    404,
  );
  assert.equal(
    (await call(emu, 'PATCH', url, { name: 'x' }, await platformHeaders(emu, 'dev'))).status,
    404,
    'another sandbox cannot see it',
  );
});

test('Profile: a dataset tagged for Profile needs a schema enabled for Profile (union), on create and PATCH', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const h = await platformHeaders(emu);
  for (const tag of ['enabled:true', 'enabled: true']) {
    const refused = await call(
      emu,
      'POST',
      `${CATALOG}/dataSets`,
      { ...dataSetBody(schemaId), tags: { unifiedProfile: [tag] } },
      h,
    );
    assert.equal(refused.status, 400, tag);
    assert.match(refused.body.detail, /not enabled for Profile; add 'union' to the schema's meta:immutableTags first/);
  }
  assert.equal(
    (
      await call(
        emu,
        'POST',
        `${CATALOG}/dataSets`,
        { ...dataSetBody(schemaId), tags: { unifiedProfile: ['enabled:false'] } },
        h,
      )
    ).status,
    201,
  );
  const id = (await call(emu, 'POST', `${CATALOG}/dataSets`, dataSetBody(schemaId), h)).body[0].split('/').pop();
  const enable = [{ op: 'add', path: '/tags/unifiedProfile', value: ['enabled:true', 'isUpsert:true'] }];
  const patchHeaders = { ...h, 'content-type': 'application/json-patch+json' };
  assert.equal((await call(emu, 'PATCH', `${CATALOG}/dataSets/${id}`, enable, patchHeaders)).status, 400);
  assert.equal(
    (await call(emu, 'PATCH', `${CATALOG}/dataSets/${id}`, { tags: { unifiedProfile: ['enabled:true'] } }, h)).status,
    400,
  );

  // Descriptor (primary identity), then union, then the Profile dataset: the order Adobe needs.
  const SR = '/data/foundation/schemaregistry';
  const descriptor = {
    '@type': 'xdm:descriptorIdentity',
    'xdm:sourceSchema': schemaId,
    'xdm:sourceVersion': 1,
    'xdm:sourceProperty': '/_id',
    'xdm:namespace': 'ECID',
    'xdm:isPrimary': true,
  };
  assert.equal((await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor, h)).status, 201);
  const union = await call(
    emu,
    'PATCH',
    `${SR}/tenant/schemas/${encodeURIComponent(schemaId)}`,
    [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }],
    h,
  );
  assert.equal(union.status, 200, JSON.stringify(union.body));
  assert.equal((await call(emu, 'PATCH', `${CATALOG}/dataSets/${id}`, enable, patchHeaders)).status, 200);
  assert.deepEqual(emu.state.dataSets.get(id)!.tags.unifiedProfile, ['enabled:true', 'isUpsert:true']);
  assert.equal(
    (
      await call(
        emu,
        'POST',
        `${CATALOG}/dataSets`,
        { ...dataSetBody(schemaId), tags: { unifiedProfile: ['enabled: true'] } },
        h,
      )
    ).status,
    201,
  );
});

// filter-data.md: "The `name` property supports the use of a wildcard `*` ... Wildcards match empty
// characters ... Asterisks are escaped by doubling them (`**`)." The CLI's name lookup escapes them.
test('name filter: * is a wildcard (matching nothing too), ** a literal *; the CLI escapes its names', async (t) => {
  const { catalog } = await import('../../src/aep/catalog.js');
  const emu = await emulator();
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  for (const name of ['Zoho test', 'Zoho teAst', 'Zoho te*st', 'Other'])
    assert.equal((await call(emu, 'POST', `${CATALOG}/dataSets`, dataSetBody(schemaId, name))).status, 201);
  const names = async (property: string) =>
    Object.values(
      (await call(emu, 'GET', `${CATALOG}/dataSets?${new URLSearchParams({ property, limit: '10' })}`)).body,
    )
      .map((d: any) => d.name)
      .sort();
  assert.deepEqual(await names('name==Zoho te*st'), ['Zoho te*st', 'Zoho teAst', 'Zoho test']);
  assert.deepEqual(await names('name==Zoho te**st'), ['Zoho te*st']);
  assert.deepEqual(await names('name==Zoho*'), ['Zoho te*st', 'Zoho teAst', 'Zoho test']);
  assert.deepEqual(await names('name!=Zoho*'), ['Other']);
  assert.deepEqual(await names('name==Zoho test'), ['Zoho test']);
  // What aep-zoho sends to find a dataset by its name finds only that one.
  const request = catalog.byName('Zoho te*st');
  assert.equal(request.query?.property, 'name==Zoho te**st');
  assert.deepEqual(await names(String(request.query!.property)), ['Zoho te*st']);
});
