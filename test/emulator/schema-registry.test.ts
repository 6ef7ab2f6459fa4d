import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, emulator, platformHeaders, TEST_ORG, type Emulator } from '../helpers/emulator.js';
import { schemaFieldPaths } from '../../src/emulator/services/schema-registry.js';

const SR = '/data/foundation/schemaregistry';
const LIST = 'application/vnd.adobe.xed-id+json';
const LOOKUP = 'application/vnd.adobe.xed+json; version=1';
const PROFILE = 'https://ns.adobe.com/xdm/context/profile';

async function headers(emu: Emulator, accept?: string, sandbox = 'prod'): Promise<Record<string, string>> {
  const h = await platformHeaders(emu, sandbox);
  return accept ? { ...h, accept } : h;
}

const profileSchema = (title = 'Zoho Contacts') => ({
  type: 'object',
  title,
  description: 'Contacts from Zoho CRM',
  allOf: [{ $ref: PROFILE }, { $ref: `${PROFILE}-person-details` }, { $ref: `${PROFILE}-personal-details` }],
});

async function createSchema(emu: Emulator, body: unknown = profileSchema(), sandbox = 'prod') {
  return call(emu, 'POST', `${SR}/tenant/schemas`, body, await headers(emu, undefined, sandbox));
}

test('stats: tenant id, counts and classUsage as an object keyed by class', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const tenant = emu.state.tenantId(TEST_ORG);
  let stats = await call(emu, 'GET', `${SR}/stats`, undefined, await headers(emu));
  assert.equal(stats.status, 200);
  assert.equal(stats.body.tenantId, tenant);
  assert.equal(stats.body.imsOrg, TEST_ORG);
  assert.equal(stats.body.counts.schemas, 0);
  const created = await createSchema(emu);
  stats = await call(emu, 'GET', `${SR}/stats`, undefined, await headers(emu));
  assert.equal(stats.body.counts.schemas, 1);
  assert.deepEqual(stats.body.classUsage, { [PROFILE]: [{ $id: created.body.$id, title: 'Zoho Contacts', description: 'Contacts from Zoho CRM' }] });
});

test('global classes: standard classes, B2B ones only when the org has them', async (t) => {
  const emu = await emulator();
  const noB2B = await emulator({ hasB2BClasses: false });
  t.after(() => Promise.all([emu.close(), noB2B.close()]));
  const list = await call(emu, 'GET', `${SR}/global/classes`, undefined, await headers(emu, LIST));
  assert.equal(list.status, 200);
  const ids = list.body.results.map((r: any) => r.$id);
  assert.ok(ids.includes(PROFILE));
  assert.ok(ids.includes('https://ns.adobe.com/xdm/context/experienceevent'));
  assert.ok(ids.includes('https://ns.adobe.com/xdm/context/account'));
  assert.ok(ids.includes('https://ns.adobe.com/xdm/context/opportunity'));
  assert.deepEqual(Object.keys(list.body.results[0]).sort(), ['$id', 'meta:altId', 'title', 'version']);
  assert.equal(list.body._page.count, 4);
  assert.equal(list.body._links.next, null);

  const without = await call(noB2B, 'GET', `${SR}/global/classes`, undefined, await headers(noB2B, LIST));
  assert.deepEqual(without.body.results.map((r: any) => r.$id).sort(), [PROFILE, 'https://ns.adobe.com/xdm/context/experienceevent'].sort());
  const account = await call(noB2B, 'GET', `${SR}/global/classes/${encodeURIComponent('https://ns.adobe.com/xdm/context/account')}`, undefined, await headers(noB2B, LOOKUP));
  assert.equal(account.status, 404);
  const schema = await createSchema(noB2B, { ...profileSchema('Accounts'), allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/account' }] });
  assert.equal(schema.status, 400);
});

test('global field groups: filter by meta:intendedToExtend, mixins alias, full lookup with properties', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const filter = `property=${encodeURIComponent(`meta:intendedToExtend==${PROFILE}`)}`;
  const list = await call(emu, 'GET', `${SR}/global/fieldgroups?${filter}`, undefined, await headers(emu, 'application/vnd.adobe.xed+json'));
  assert.equal(list.status, 200);
  assert.ok(list.body.results.every((fg: any) => fg['meta:intendedToExtend'].includes(PROFILE)));
  assert.ok(list.body.results.some((fg: any) => fg.title === 'Personal Contact Details'));
  assert.ok(!list.body.results.some((fg: any) => fg.$id.endsWith('account-details')));
  const mixins = await call(emu, 'GET', `${SR}/global/mixins`, undefined, await headers(emu, LIST));
  assert.equal(mixins.body.results.length, (await call(emu, 'GET', `${SR}/global/fieldgroups`, undefined, await headers(emu, LIST))).body.results.length);

  const full = await call(emu, 'GET', `${SR}/global/fieldgroups/_xdm.context.profile-personal-details`, undefined, await headers(emu, 'application/vnd.adobe.xed-full+json;version=1'));
  assert.equal(full.status, 200);
  assert.equal(full.body.properties.personalEmail.properties.address.type, 'string');
  assert.equal(full.body.properties.homeAddress.properties.city.type, 'string');
});

test('Accept rules: lists need xed-id/xed without version; lookups need version=1', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const missing = await call(emu, 'GET', `${SR}/tenant/schemas`, undefined, await headers(emu));
  assert.equal(missing.status, 400);
  assert.match(missing.body.type, /XDM-1006-400$/);
  const versioned = await call(emu, 'GET', `${SR}/tenant/schemas`, undefined, await headers(emu, LOOKUP));
  assert.equal(versioned.status, 400);
  const created = await createSchema(emu);
  const altId = created.body['meta:altId'];
  const noVersion = await call(emu, 'GET', `${SR}/tenant/schemas/${altId}`, undefined, await headers(emu, 'application/vnd.adobe.xed+json'));
  assert.equal(noVersion.status, 400);
  assert.match(noVersion.body.type, /XDM-1007-400$/);
  assert.match(noVersion.body.detail, /Version should be specified/);
  const wrongVersion = await call(emu, 'GET', `${SR}/tenant/schemas/${altId}`, undefined, await headers(emu, 'application/vnd.adobe.xed+json; version=2'));
  assert.equal(wrongVersion.status, 406);
  const ok = await call(emu, 'GET', `${SR}/tenant/schemas/${altId}`, undefined, await headers(emu, LOOKUP));
  assert.equal(ok.status, 200);
});

test('create schema: 201 with $id, altId, class, extends; lookup by altId and encoded $id', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const tenant = emu.state.tenantId(TEST_ORG);
  const created = await createSchema(emu);
  assert.equal(created.status, 201);
  assert.match(created.body.$id, new RegExp(`^https://ns\\.adobe\\.com/${tenant}/schemas/[0-9a-f]{32}$`));
  const hash = created.body.$id.split('/').pop();
  assert.equal(created.body['meta:altId'], `_${tenant}.schemas.${hash}`);
  assert.equal(created.body['meta:class'], PROFILE);
  assert.equal(created.body.version, '1.0');
  assert.equal(created.body.title, 'Zoho Contacts');
  assert.ok(created.body['meta:extends'].includes(`${PROFILE}-personal-details`));
  assert.ok(created.body['meta:extends'].includes('https://ns.adobe.com/xdm/data/record'));
  assert.equal(created.body.imsOrgId, undefined, 'scoping fields are not part of the answer');

  const stored = emu.state.schemas.get(created.body.$id)!;
  assert.equal(stored.imsOrgId, TEST_ORG);
  assert.equal(stored.sandboxName, 'prod');

  const byAltId = await call(emu, 'GET', `${SR}/tenant/schemas/${created.body['meta:altId']}`, undefined, await headers(emu, LOOKUP));
  assert.equal(byAltId.body.$id, created.body.$id);
  const byId = await call(emu, 'GET', `${SR}/tenant/schemas/${encodeURIComponent(created.body.$id)}`, undefined, await headers(emu, LOOKUP));
  assert.equal(byId.status, 200);
  const full = await call(emu, 'GET', `${SR}/tenant/schemas/${encodeURIComponent(created.body.$id)}`, undefined, await headers(emu, 'application/vnd.adobe.xed-full+json; version=1'));
  assert.equal(full.body.properties.person.properties.name.properties.firstName.type, 'string');
  assert.equal(full.body.properties._id.type, 'string');

  const paths = schemaFieldPaths(emu.state, created.body.$id)!;
  for (const path of ['_id', 'person.name.firstName', 'person.name.lastName', 'personalEmail.address', 'mobilePhone.number', 'homeAddress.city']) assert.ok(paths.has(path), path);
  assert.ok(!paths.has('workEmail.address'));
  assert.equal(schemaFieldPaths(emu.state, 'https://ns.adobe.com/nope/schemas/0'), undefined);
});

test('create schema rejections: required fields, class count, compatibility, unknown refs, duplicate title', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const { description: _d, ...noDescription } = profileSchema();
  assert.equal((await createSchema(emu, noDescription)).status, 400);
  assert.equal((await createSchema(emu, { ...profileSchema(), title: '' })).status, 400);
  assert.equal((await createSchema(emu, { ...profileSchema(), allOf: [{ $ref: `${PROFILE}-person-details` }] })).status, 400);
  const twoClasses = await createSchema(emu, { ...profileSchema(), allOf: [{ $ref: PROFILE }, { $ref: 'https://ns.adobe.com/xdm/context/account' }] });
  assert.equal(twoClasses.status, 400);
  assert.match(twoClasses.body.detail, /exactly one class/);
  const incompatible = await createSchema(emu, { ...profileSchema(), allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/account' }, { $ref: `${PROFILE}-person-details` }] });
  assert.equal(incompatible.status, 400);
  assert.match(incompatible.body.detail, /not compatible/);
  const unknown = await createSchema(emu, { ...profileSchema(), allOf: [{ $ref: PROFILE }, { $ref: 'https://ns.adobe.com/xdm/context/nope' }] });
  assert.equal(unknown.status, 400);
  assert.equal((await createSchema(emu, { ...profileSchema(), 'meta:class': 'https://ns.adobe.com/xdm/context/experienceevent' })).status, 400);

  assert.equal((await createSchema(emu)).status, 201);
  const duplicate = await createSchema(emu);
  assert.equal(duplicate.status, 409);
  assert.match(duplicate.body.detail, /Title must be unique/);
  // The same title in another sandbox is fine.
  const dev = await emulator({ sandboxes: ['prod', 'dev'] });
  t.after(() => dev.close());
  assert.equal((await createSchema(dev)).status, 201);
  assert.equal((await createSchema(dev, profileSchema(), 'dev')).status, 201);
});

test('sandbox isolation: other sandboxes see 404 and empty lists', async (t) => {
  const emu = await emulator({ sandboxes: ['prod', 'dev'] });
  t.after(() => emu.close());
  const created = await createSchema(emu);
  const devList = await call(emu, 'GET', `${SR}/tenant/schemas`, undefined, await headers(emu, LIST, 'dev'));
  assert.deepEqual(devList.body.results, []);
  const devLookup = await call(emu, 'GET', `${SR}/tenant/schemas/${created.body['meta:altId']}`, undefined, await headers(emu, LOOKUP, 'dev'));
  assert.equal(devLookup.status, 404);
  assert.match(devLookup.body.type, /XDM-1012-404$/);
  const devDelete = await call(emu, 'DELETE', `${SR}/tenant/schemas/${created.body['meta:altId']}`, undefined, await headers(emu, undefined, 'dev'));
  assert.equal(devDelete.status, 404);
});

test('tenant field groups: fields under _tenantId, intendedToExtend checked, usable in schemas', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const tenant = `_${emu.state.tenantId(TEST_ORG)}`;
  const h = await headers(emu);
  const body = {
    type: 'object',
    title: 'Zoho CRM fields',
    description: 'Zoho-specific fields',
    'meta:intendedToExtend': [PROFILE],
    definitions: { zoho: { properties: { [tenant]: { type: 'object', properties: { zohoId: { type: 'string' }, leadScore: { type: 'integer' }, owner: { type: 'object', properties: { name: { type: 'string' } } } } } } } },
    allOf: [{ $ref: '#/definitions/zoho' }],
  };
  const outside = await call(emu, 'POST', `${SR}/tenant/fieldgroups`, { ...body, definitions: { zoho: { properties: { zohoId: { type: 'string' } } } } }, h);
  assert.equal(outside.status, 400);
  assert.match(outside.body.detail, new RegExp(`nested under '${tenant}'`));
  const noIntended = await call(emu, 'POST', `${SR}/tenant/fieldgroups`, { ...body, 'meta:intendedToExtend': [] }, h);
  assert.equal(noIntended.status, 400);
  const badClass = await call(emu, 'POST', `${SR}/tenant/fieldgroups`, { ...body, 'meta:intendedToExtend': ['https://ns.adobe.com/xdm/context/nope'] }, h);
  assert.equal(badClass.status, 400);

  const created = await call(emu, 'POST', `${SR}/tenant/fieldgroups`, body, h);
  assert.equal(created.status, 201);
  assert.match(created.body.$id, new RegExp(`/${tenant.slice(1)}/mixins/[0-9a-f]{32}$`));
  assert.equal(created.body['meta:resourceType'], 'mixins');
  assert.ok(emu.state.fieldGroups.get(created.body.$id));

  const schema = await createSchema(emu, { ...profileSchema(), allOf: [{ $ref: PROFILE }, { $ref: created.body.$id }] });
  assert.equal(schema.status, 201);
  const paths = schemaFieldPaths(emu.state, schema.body.$id)!;
  assert.ok(paths.has(`${tenant}.zohoId`));
  assert.ok(paths.has(`${tenant}.owner.name`));

  const inUse = await call(emu, 'DELETE', `${SR}/tenant/fieldgroups/${created.body['meta:altId']}`, undefined, h);
  assert.equal(inUse.status, 409);
  const list = await call(emu, 'GET', `${SR}/tenant/fieldgroups?property=title==${encodeURIComponent('Zoho CRM fields')}`, undefined, await headers(emu, LIST));
  assert.equal(list.body.results.length, 1);
});

test('tenant classes: behavior required; schema on a tenant class', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const h = await headers(emu);
  const noBehavior = await call(emu, 'POST', `${SR}/tenant/classes`, { type: 'object', title: 'Deals', description: 'Zoho deals', allOf: [] }, h);
  assert.equal(noBehavior.status, 400);
  const cls = await call(emu, 'POST', `${SR}/tenant/classes`, { type: 'object', title: 'Deals', description: 'Zoho deals', allOf: [{ $ref: 'https://ns.adobe.com/xdm/data/record' }] }, h);
  assert.equal(cls.status, 201);
  assert.ok(emu.state.classes.get(cls.body.$id));
  const schema = await createSchema(emu, { type: 'object', title: 'Deal schema', description: 'd', allOf: [{ $ref: cls.body.$id }] });
  assert.equal(schema.status, 201);
  assert.equal(schema.body['meta:class'], cls.body.$id);
  const tenantClasses = await call(emu, 'GET', `${SR}/tenant/classes`, undefined, await headers(emu, LIST));
  assert.deepEqual(tenantClasses.body.results.map((c: any) => c.title), ['Deals']);
});

test('list paging: orderby, limit, start and _links.next', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  for (const title of ['Charlie', 'Alpha', 'Bravo']) assert.equal((await createSchema(emu, profileSchema(title))).status, 201);
  const first = await call(emu, 'GET', `${SR}/tenant/schemas?orderby=title&limit=2`, undefined, await headers(emu, LIST));
  assert.deepEqual(first.body.results.map((r: any) => r.title), ['Alpha', 'Bravo']);
  assert.equal(first.body._page.next, 'Bravo');
  assert.match(first.body._links.next.href, /start=Bravo/);
  assert.ok(first.body._links.global_schemas.href.endsWith('/global/schemas'));
  const second = await call(emu, 'GET', `${SR}/tenant/schemas?orderby=title&limit=2&start=Bravo`, undefined, await headers(emu, LIST));
  assert.deepEqual(second.body.results.map((r: any) => r.title), ['Charlie']);
  assert.equal(second.body._links.next, null);
  const desc = await call(emu, 'GET', `${SR}/tenant/schemas?orderby=-title`, undefined, await headers(emu, LIST));
  assert.deepEqual(desc.body.results.map((r: any) => r.title), ['Charlie', 'Bravo', 'Alpha']);
  assert.equal((await call(emu, 'GET', `${SR}/tenant/schemas?limit=2`, undefined, await headers(emu, LIST))).status, 400);
  const filtered = await call(emu, 'GET', `${SR}/tenant/schemas?property=title==Bravo`, undefined, await headers(emu, LIST));
  assert.deepEqual(filtered.body.results.map((r: any) => r.title), ['Bravo']);
});

test('identity descriptors: schema, version, path, namespace and one primary checked', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schema = await createSchema(emu);
  const h = await headers(emu);
  const descriptor = (extra: Record<string, unknown> = {}) => ({
    '@type': 'xdm:descriptorIdentity',
    'xdm:sourceSchema': schema.body.$id,
    'xdm:sourceVersion': 1,
    'xdm:sourceProperty': '/personalEmail/address',
    'xdm:namespace': 'Email',
    'xdm:property': 'xdm:code',
    'xdm:isPrimary': true,
    ...extra,
  });
  assert.equal((await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:sourceSchema': 'https://ns.adobe.com/x/schemas/0' }), h)).status, 400);
  const missingPath = await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:sourceProperty': '/workEmail/address' }), h);
  assert.equal(missingPath.status, 400);
  assert.match(missingPath.body.detail, /does not exist/);
  assert.equal((await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:namespace': 'ZohoId' }), h)).status, 400);
  assert.equal((await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:sourceVersion': 2 }), h)).status, 400);
  assert.equal((await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:sourceProperty': '/personalEmail' }), h)).status, 400);

  const created = await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor(), h);
  assert.equal(created.status, 201);
  assert.match(created.body['@id'], /^[0-9a-f]{40}$/);
  assert.equal(created.body['xdm:namespace'], 'Email');
  assert.equal(created.body['xdm:isPrimary'], true);
  assert.equal(created.body['meta:containerId'], 'tenant');
  assert.equal(emu.state.descriptors.get(created.body['@id'])!['xdm:sourceProperty'], '/personalEmail/address');

  const secondPrimary = await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:sourceProperty': '/mobilePhone/number', 'xdm:namespace': 'Phone' }), h);
  assert.equal(secondPrimary.status, 400);
  const secondary = await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:sourceProperty': '/mobilePhone/number', 'xdm:namespace': 'Phone', 'xdm:isPrimary': false, 'xdm:sourceVersion': '1' }), h);
  assert.equal(secondary.status, 201);
  assert.equal((await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:isPrimary': false }), h)).status, 409);

  const ids = await call(emu, 'GET', `${SR}/tenant/descriptors`, undefined, await headers(emu, 'application/vnd.adobe.xdm-id+json'));
  assert.deepEqual(ids.body['xdm:descriptorIdentity'].sort(), [created.body['@id'], secondary.body['@id']].sort());
  const objects = await call(emu, 'GET', `${SR}/tenant/descriptors?property=${encodeURIComponent(`xdm:sourceSchema==${schema.body.$id}`)}`, undefined, await headers(emu, 'application/vnd.adobe.xdm+json'));
  assert.equal(objects.body['xdm:descriptorIdentity'].length, 2);
  assert.equal((await call(emu, 'GET', `${SR}/tenant/descriptors`, undefined, await headers(emu, LIST))).status, 400);
  const one = await call(emu, 'GET', `${SR}/tenant/descriptors/${created.body['@id']}`, undefined, h);
  assert.equal(one.body['xdm:sourceProperty'], '/personalEmail/address');
});

test('delete schema: 204, then 404; refused while a dataset uses it', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schema = await createSchema(emu);
  const dataSet = await call(emu, 'POST', '/data/foundation/catalog/dataSets', { name: 'Contacts', schemaRef: { id: schema.body.$id, contentType: 'application/vnd.adobe.xed+json;version=1' } });
  assert.equal(dataSet.status, 201);
  const refused = await call(emu, 'DELETE', `${SR}/tenant/schemas/${schema.body['meta:altId']}`);
  assert.equal(refused.status, 409);
  assert.match(refused.body.detail, /used by dataset/);
  const dataSetId = dataSet.body[0].split('/').pop();
  assert.equal((await call(emu, 'DELETE', `/data/foundation/catalog/dataSets/${dataSetId}`)).status, 200);
  assert.equal((await call(emu, 'DELETE', `${SR}/tenant/schemas/${encodeURIComponent(schema.body.$id)}`)).status, 204);
  assert.equal((await call(emu, 'GET', `${SR}/tenant/schemas/${schema.body['meta:altId']}`, undefined, await headers(emu, LOOKUP))).status, 404);
  assert.equal(emu.state.schemas.size, 0);
});

test('B2B: account schema with account details; account paths resolve', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schema = await createSchema(emu, {
    type: 'object',
    title: 'Zoho Accounts',
    description: 'Accounts',
    allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/account' }, { $ref: 'https://ns.adobe.com/xdm/mixins/account-details' }],
  });
  assert.equal(schema.status, 201);
  const paths = schemaFieldPaths(emu.state, schema.body.$id)!;
  for (const path of ['accountKey.sourceKey', 'accountKey.sourceID', 'accountName', 'accountOrganization.industry', 'accountBillingAddress.city']) assert.ok(paths.has(path), path);
});
