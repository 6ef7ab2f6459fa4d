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

/** A primary Email identity on personalEmail.address, as descriptors.md posts it. */
const identityDescriptor = (schemaId: string, extra: Record<string, unknown> = {}) => ({
  '@type': 'xdm:descriptorIdentity',
  'xdm:sourceSchema': schemaId,
  'xdm:sourceVersion': 1,
  'xdm:sourceProperty': '/personalEmail/address',
  'xdm:namespace': 'Email',
  'xdm:property': 'xdm:code',
  'xdm:isPrimary': true,
  ...extra,
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
  assert.deepEqual(stats.body.classUsage, {
    [PROFILE]: [{ $id: created.body.$id, title: 'Zoho Contacts', description: 'Contacts from Zoho CRM' }],
  });
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
  assert.deepEqual(
    without.body.results.map((r: any) => r.$id).sort(),
    [PROFILE, 'https://ns.adobe.com/xdm/context/experienceevent'].sort(),
  );
  const account = await call(
    noB2B,
    'GET',
    `${SR}/global/classes/${encodeURIComponent('https://ns.adobe.com/xdm/context/account')}`,
    undefined,
    await headers(noB2B, LOOKUP),
  );
  assert.equal(account.status, 404);
  const schema = await createSchema(noB2B, {
    ...profileSchema('Accounts'),
    allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/account' }],
  });
  assert.equal(schema.status, 400);
});

test('global field groups: filter by meta:intendedToExtend, mixins alias, full lookup with properties', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const filter = `property=${encodeURIComponent(`meta:intendedToExtend==${PROFILE}`)}`;
  const list = await call(
    emu,
    'GET',
    `${SR}/global/fieldgroups?${filter}`,
    undefined,
    await headers(emu, 'application/vnd.adobe.xed+json'),
  );
  assert.equal(list.status, 200);
  assert.ok(list.body.results.every((fg: any) => fg['meta:intendedToExtend'].includes(PROFILE)));
  assert.ok(list.body.results.some((fg: any) => fg.title === 'Personal Contact Details'));
  assert.ok(!list.body.results.some((fg: any) => fg.$id.endsWith('account-details')));
  const mixins = await call(emu, 'GET', `${SR}/global/mixins`, undefined, await headers(emu, LIST));
  assert.equal(
    mixins.body.results.length,
    (await call(emu, 'GET', `${SR}/global/fieldgroups`, undefined, await headers(emu, LIST))).body.results.length,
  );

  const full = await call(
    emu,
    'GET',
    `${SR}/global/fieldgroups/_xdm.context.profile-personal-details`,
    undefined,
    await headers(emu, 'application/vnd.adobe.xed-full+json;version=1'),
  );
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
  const noVersion = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas/${altId}`,
    undefined,
    await headers(emu, 'application/vnd.adobe.xed+json'),
  );
  assert.equal(noVersion.status, 400);
  assert.match(noVersion.body.type, /XDM-1007-400$/);
  assert.match(noVersion.body.detail, /Version should be specified/);
  const wrongVersion = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas/${altId}`,
    undefined,
    await headers(emu, 'application/vnd.adobe.xed+json; version=2'),
  );
  assert.equal(wrongVersion.status, 406);
  const ok = await call(emu, 'GET', `${SR}/tenant/schemas/${altId}`, undefined, await headers(emu, LOOKUP));
  assert.equal(ok.status, 200);
});

// The registry's own error text names both forms ("application/vnd.adobe.'{xed|xdm'}+json"), and
// clients send the xdm ones (aepp's schema.py: xdm-full+json; version=1 and xdm-id+json; Adobe's
// getting-started.md Accept table lists the xed ones): both are served alike.
test('Accept rules: the xdm forms are served like the xed ones', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const created = await createSchema(emu);
  const altId = created.body['meta:altId'];
  const list = async (accept: string) =>
    call(emu, 'GET', `${SR}/tenant/schemas`, undefined, await headers(emu, accept));
  const lookup = async (accept: string) =>
    call(emu, 'GET', `${SR}/tenant/schemas/${altId}`, undefined, await headers(emu, accept));
  assert.deepEqual((await list('application/vnd.adobe.xdm-id+json')).body, (await list(LIST)).body);
  assert.deepEqual(
    (await list('application/vnd.adobe.xdm+json')).body,
    (await list('application/vnd.adobe.xed+json')).body,
  );
  for (const [xdm, xed] of [
    ['application/vnd.adobe.xdm+json; version=1', LOOKUP],
    ['application/vnd.adobe.xdm-full+json; version=1', 'application/vnd.adobe.xed-full+json; version=1'],
    ['application/vnd.adobe.xdm-notext+json; version=1', 'application/vnd.adobe.xed-notext+json; version=1'],
    ['application/vnd.adobe.xdm-full-notext+json; version=1', 'application/vnd.adobe.xed-full-notext+json; version=1'],
    ['application/vnd.adobe.xdm-full-desc+json; version=1', 'application/vnd.adobe.xed-full-desc+json; version=1'],
  ]) {
    const a = await lookup(xdm);
    assert.equal(a.status, 200, `${xdm}: ${JSON.stringify(a.body)}`);
    assert.deepEqual(a.body, (await lookup(xed)).body, xdm);
  }
  assert.ok((await lookup('application/vnd.adobe.xdm-full+json; version=1')).body.properties);
  // Still as strict: no version on a lookup, a version on a list, an unknown form.
  assert.equal((await lookup('application/vnd.adobe.xdm-full+json')).status, 400);
  assert.equal((await list('application/vnd.adobe.xdm+json; version=1')).status, 400);
  assert.equal((await lookup('application/vnd.adobe.xdm-bogus+json; version=1')).status, 400);
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

  const byAltId = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas/${created.body['meta:altId']}`,
    undefined,
    await headers(emu, LOOKUP),
  );
  assert.equal(byAltId.body.$id, created.body.$id);
  const byId = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas/${encodeURIComponent(created.body.$id)}`,
    undefined,
    await headers(emu, LOOKUP),
  );
  assert.equal(byId.status, 200);
  const full = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas/${encodeURIComponent(created.body.$id)}`,
    undefined,
    await headers(emu, 'application/vnd.adobe.xed-full+json; version=1'),
  );
  assert.equal(full.body.properties.person.properties.name.properties.firstName.type, 'string');
  assert.equal(full.body.properties._id.type, 'string');

  const paths = schemaFieldPaths(emu.state, created.body.$id)!;
  for (const path of [
    '_id',
    'person.name.firstName',
    'person.name.lastName',
    'personalEmail.address',
    'mobilePhone.number',
    'homeAddress.city',
  ])
    assert.ok(paths.has(path), path);
  assert.ok(!paths.has('workEmail.address'));
  assert.equal(schemaFieldPaths(emu.state, 'https://ns.adobe.com/nope/schemas/0'), undefined);
});

test('create schema rejections: required fields, class count, compatibility, unknown refs, duplicate title', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const { description: _d, ...noDescription } = profileSchema();
  assert.equal((await createSchema(emu, noDescription)).status, 400);
  assert.equal((await createSchema(emu, { ...profileSchema(), title: '' })).status, 400);
  assert.equal(
    (await createSchema(emu, { ...profileSchema(), allOf: [{ $ref: `${PROFILE}-person-details` }] })).status,
    400,
  );
  const twoClasses = await createSchema(emu, {
    ...profileSchema(),
    allOf: [{ $ref: PROFILE }, { $ref: 'https://ns.adobe.com/xdm/context/account' }],
  });
  assert.equal(twoClasses.status, 400);
  assert.match(twoClasses.body.detail, /exactly one class/);
  const incompatible = await createSchema(emu, {
    ...profileSchema(),
    allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/account' }, { $ref: `${PROFILE}-person-details` }],
  });
  assert.equal(incompatible.status, 400);
  assert.match(incompatible.body.detail, /not compatible/);
  const unknown = await createSchema(emu, {
    ...profileSchema(),
    allOf: [{ $ref: PROFILE }, { $ref: 'https://ns.adobe.com/xdm/context/nope' }],
  });
  assert.equal(unknown.status, 400);
  assert.equal(
    (await createSchema(emu, { ...profileSchema(), 'meta:class': 'https://ns.adobe.com/xdm/context/experienceevent' }))
      .status,
    400,
  );

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
  const devLookup = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas/${created.body['meta:altId']}`,
    undefined,
    await headers(emu, LOOKUP, 'dev'),
  );
  assert.equal(devLookup.status, 404);
  assert.match(devLookup.body.type, /XDM-1012-404$/);
  const devDelete = await call(
    emu,
    'DELETE',
    `${SR}/tenant/schemas/${created.body['meta:altId']}`,
    undefined,
    await headers(emu, undefined, 'dev'),
  );
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
    definitions: {
      zoho: {
        properties: {
          [tenant]: {
            type: 'object',
            properties: {
              zohoId: { type: 'string' },
              leadScore: { type: 'integer' },
              owner: { type: 'object', properties: { name: { type: 'string' } } },
            },
          },
        },
      },
    },
    allOf: [{ $ref: '#/definitions/zoho' }],
  };
  const outside = await call(
    emu,
    'POST',
    `${SR}/tenant/fieldgroups`,
    { ...body, definitions: { zoho: { properties: { zohoId: { type: 'string' } } } } },
    h,
  );
  assert.equal(outside.status, 400);
  assert.match(outside.body.detail, new RegExp(`nested under '${tenant}'`));
  const noIntended = await call(emu, 'POST', `${SR}/tenant/fieldgroups`, { ...body, 'meta:intendedToExtend': [] }, h);
  assert.equal(noIntended.status, 400);
  const badClass = await call(
    emu,
    'POST',
    `${SR}/tenant/fieldgroups`,
    { ...body, 'meta:intendedToExtend': ['https://ns.adobe.com/xdm/context/nope'] },
    h,
  );
  assert.equal(badClass.status, 400);
  // Field definitions are JSON Schema as XDM uses it: an explore column's raw type is not one.
  const withField = (field: Record<string, unknown>) => ({
    ...body,
    title: `Zoho ${Math.random()}`,
    definitions: { zoho: { properties: { [tenant]: { type: 'object', properties: { f: field } } } } },
  });
  for (const [field, pattern] of [
    [{ type: 'datetime' }, /field '.+\.f' has type "datetime"/],
    [{ type: 'double' }, /has type "double"/],
    [{ type: 'integer', format: 'date' }, /formats apply to strings/],
    [{ type: 'string', 'meta:xdmType': 'datetime' }, /meta:xdmType "datetime"/],
    [{ type: 'object' }, /needs properties/],
    [{ type: 'array' }, /needs items/],
  ] as const) {
    const refused = await call(emu, 'POST', `${SR}/tenant/fieldgroups`, withField(field), h);
    assert.equal(refused.status, 400, JSON.stringify(field));
    assert.match(refused.body.detail, pattern);
  }
  for (const field of [
    { type: 'string', format: 'date-time', 'meta:xdmType': 'date-time' },
    { type: 'number' },
    { type: 'array', items: { type: 'string' } },
    { type: 'object', additionalProperties: { type: 'string' } },
  ]) {
    assert.equal(
      (await call(emu, 'POST', `${SR}/tenant/fieldgroups`, withField(field), h)).status,
      201,
      JSON.stringify(field),
    );
  }

  const created = await call(emu, 'POST', `${SR}/tenant/fieldgroups`, body, h);
  assert.equal(created.status, 201);
  assert.match(created.body.$id, new RegExp(`/${tenant.slice(1)}/mixins/[0-9a-f]{32}$`));
  assert.equal(created.body['meta:resourceType'], 'mixins');
  assert.ok(emu.state.fieldGroups.get(created.body.$id));

  const schema = await createSchema(emu, {
    ...profileSchema(),
    allOf: [{ $ref: PROFILE }, { $ref: created.body.$id }],
  });
  assert.equal(schema.status, 201);
  const paths = schemaFieldPaths(emu.state, schema.body.$id)!;
  assert.ok(paths.has(`${tenant}.zohoId`));
  assert.ok(paths.has(`${tenant}.owner.name`));

  const inUse = await call(emu, 'DELETE', `${SR}/tenant/fieldgroups/${created.body['meta:altId']}`, undefined, h);
  assert.equal(inUse.status, 409);
  const list = await call(
    emu,
    'GET',
    `${SR}/tenant/fieldgroups?property=title==${encodeURIComponent('Zoho CRM fields')}`,
    undefined,
    await headers(emu, LIST),
  );
  assert.equal(list.body.results.length, 1);
});

test('tenant classes: behavior required; schema on a tenant class', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const h = await headers(emu);
  const noBehavior = await call(
    emu,
    'POST',
    `${SR}/tenant/classes`,
    { type: 'object', title: 'Deals', description: 'Zoho deals', allOf: [] },
    h,
  );
  assert.equal(noBehavior.status, 400);
  const cls = await call(
    emu,
    'POST',
    `${SR}/tenant/classes`,
    {
      type: 'object',
      title: 'Deals',
      description: 'Zoho deals',
      allOf: [{ $ref: 'https://ns.adobe.com/xdm/data/record' }],
    },
    h,
  );
  assert.equal(cls.status, 201);
  assert.ok(emu.state.classes.get(cls.body.$id));
  const schema = await createSchema(emu, {
    type: 'object',
    title: 'Deal schema',
    description: 'd',
    allOf: [{ $ref: cls.body.$id }],
  });
  assert.equal(schema.status, 201);
  assert.equal(schema.body['meta:class'], cls.body.$id);
  const tenantClasses = await call(emu, 'GET', `${SR}/tenant/classes`, undefined, await headers(emu, LIST));
  assert.deepEqual(
    tenantClasses.body.results.map((c: any) => c.title),
    ['Deals'],
  );
});

test('list paging: orderby, limit, start and _links.next', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  for (const title of ['Charlie', 'Alpha', 'Bravo'])
    assert.equal((await createSchema(emu, profileSchema(title))).status, 201);
  const first = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas?orderby=title&limit=2`,
    undefined,
    await headers(emu, LIST),
  );
  assert.deepEqual(
    first.body.results.map((r: any) => r.title),
    ['Alpha', 'Bravo'],
  );
  assert.equal(first.body._page.next, 'Bravo');
  // The spec's linksBasic: `next` is a URI string (never { href }).
  assert.equal(typeof first.body._links.next, 'string');
  assert.match(first.body._links.next, /start=Bravo/);
  assert.ok(first.body._links.global_schemas.href.endsWith('/global/schemas'));
  const second = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas?orderby=title&limit=2&start=Bravo`,
    undefined,
    await headers(emu, LIST),
  );
  assert.deepEqual(
    second.body.results.map((r: any) => r.title),
    ['Charlie'],
  );
  assert.equal(second.body._links.next, null);
  const desc = await call(emu, 'GET', `${SR}/tenant/schemas?orderby=-title`, undefined, await headers(emu, LIST));
  assert.deepEqual(
    desc.body.results.map((r: any) => r.title),
    ['Charlie', 'Bravo', 'Alpha'],
  );
  assert.equal(
    (await call(emu, 'GET', `${SR}/tenant/schemas?limit=2`, undefined, await headers(emu, LIST))).status,
    400,
  );
  const filtered = await call(
    emu,
    'GET',
    `${SR}/tenant/schemas?property=title==Bravo`,
    undefined,
    await headers(emu, LIST),
  );
  assert.deepEqual(
    filtered.body.results.map((r: any) => r.title),
    ['Bravo'],
  );
});

test('identity descriptors: schema, version, path, namespace and one primary checked', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schema = await createSchema(emu);
  const h = await headers(emu);
  const descriptor = (extra: Record<string, unknown> = {}) => identityDescriptor(schema.body.$id, extra);
  assert.equal(
    (
      await call(
        emu,
        'POST',
        `${SR}/tenant/descriptors`,
        descriptor({ 'xdm:sourceSchema': 'https://ns.adobe.com/x/schemas/0' }),
        h,
      )
    ).status,
    400,
  );
  const missingPath = await call(
    emu,
    'POST',
    `${SR}/tenant/descriptors`,
    descriptor({ 'xdm:sourceProperty': '/workEmail/address' }),
    h,
  );
  assert.equal(missingPath.status, 400);
  assert.match(missingPath.body.detail, /does not exist/);
  assert.equal(
    (await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:namespace': 'ZohoId' }), h)).status,
    400,
  );
  assert.equal(
    (await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:sourceVersion': 2 }), h)).status,
    400,
  );
  assert.equal(
    (await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:sourceProperty': '/personalEmail' }), h))
      .status,
    400,
  );

  const created = await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor(), h);
  assert.equal(created.status, 201);
  assert.match(created.body['@id'], /^[0-9a-f]{40}$/);
  assert.equal(created.body['xdm:namespace'], 'Email');
  assert.equal(created.body['xdm:isPrimary'], true);
  assert.equal(created.body['meta:containerId'], 'tenant');
  assert.equal(emu.state.descriptors.get(created.body['@id'])!['xdm:sourceProperty'], '/personalEmail/address');

  const secondPrimary = await call(
    emu,
    'POST',
    `${SR}/tenant/descriptors`,
    descriptor({ 'xdm:sourceProperty': '/mobilePhone/number', 'xdm:namespace': 'Phone' }),
    h,
  );
  assert.equal(secondPrimary.status, 400);
  const secondary = await call(
    emu,
    'POST',
    `${SR}/tenant/descriptors`,
    descriptor({
      'xdm:sourceProperty': '/mobilePhone/number',
      'xdm:namespace': 'Phone',
      'xdm:isPrimary': false,
      'xdm:sourceVersion': '1',
    }),
    h,
  );
  assert.equal(secondary.status, 201);
  assert.equal(
    (await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor({ 'xdm:isPrimary': false }), h)).status,
    409,
  );

  const ids = await call(
    emu,
    'GET',
    `${SR}/tenant/descriptors`,
    undefined,
    await headers(emu, 'application/vnd.adobe.xdm-id+json'),
  );
  assert.deepEqual(ids.body['xdm:descriptorIdentity'].sort(), [created.body['@id'], secondary.body['@id']].sort());
  const objects = await call(
    emu,
    'GET',
    `${SR}/tenant/descriptors?property=${encodeURIComponent(`xdm:sourceSchema==${schema.body.$id}`)}`,
    undefined,
    await headers(emu, 'application/vnd.adobe.xdm+json'),
  );
  assert.equal(objects.body['xdm:descriptorIdentity'].length, 2);
  assert.equal((await call(emu, 'GET', `${SR}/tenant/descriptors`, undefined, await headers(emu, LIST))).status, 400);
  const one = await call(emu, 'GET', `${SR}/tenant/descriptors/${created.body['@id']}`, undefined, h);
  assert.equal(one.body['xdm:sourceProperty'], '/personalEmail/address');
});

test('delete schema: 204, then 404; refused while a dataset uses it', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schema = await createSchema(emu);
  const dataSet = await call(emu, 'POST', '/data/foundation/catalog/dataSets', {
    name: 'Contacts',
    schemaRef: { id: schema.body.$id, contentType: 'application/vnd.adobe.xed+json;version=1' },
  });
  assert.equal(dataSet.status, 201);
  const refused = await call(emu, 'DELETE', `${SR}/tenant/schemas/${schema.body['meta:altId']}`);
  assert.equal(refused.status, 409);
  assert.match(refused.body.detail, /used by dataset/);
  const dataSetId = dataSet.body[0].split('/').pop();
  assert.equal((await call(emu, 'DELETE', `/data/foundation/catalog/dataSets/${dataSetId}`)).status, 200);
  assert.equal((await call(emu, 'DELETE', `${SR}/tenant/schemas/${encodeURIComponent(schema.body.$id)}`)).status, 204);
  assert.equal(
    (await call(emu, 'GET', `${SR}/tenant/schemas/${schema.body['meta:altId']}`, undefined, await headers(emu, LOOKUP)))
      .status,
    404,
  );
  assert.equal(emu.state.schemas.size, 0);
});

test('B2B: account schema with account details; account paths resolve', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schema = await createSchema(emu, {
    type: 'object',
    title: 'Zoho Accounts',
    description: 'Accounts',
    allOf: [
      { $ref: 'https://ns.adobe.com/xdm/context/account' },
      { $ref: 'https://ns.adobe.com/xdm/mixins/account-details' },
    ],
  });
  assert.equal(schema.status, 201);
  const paths = schemaFieldPaths(emu.state, schema.body.$id)!;
  for (const path of [
    'accountKey.sourceKey',
    'accountKey.sourceID',
    'accountName',
    'accountOrganization.industry',
    'accountBillingAddress.city',
  ])
    assert.ok(paths.has(path), path);
});

// ---------------------------------------------------------------- updates (aep-updates.md §3)

/** A tenant field group on the profile class, and a profile schema that uses it. */
async function zohoFieldGroupAndSchema(emu: Emulator) {
  const tenant = `_${emu.state.tenantId(TEST_ORG)}`;
  const h = await headers(emu);
  const group = await call(
    emu,
    'POST',
    `${SR}/tenant/fieldgroups`,
    {
      type: 'object',
      title: 'Zoho CRM fields',
      description: 'Zoho-specific fields',
      'meta:intendedToExtend': [PROFILE],
      definitions: {
        zoho: {
          properties: {
            [tenant]: {
              type: 'object',
              properties: {
                zohoId: { type: 'string' },
                leadScore: { type: 'integer' },
                rating: { type: 'string', enum: ['hot', 'warm', 'cold'] },
              },
            },
          },
        },
      },
      allOf: [{ $ref: '#/definitions/zoho' }],
    },
    h,
  );
  assert.equal(group.status, 201);
  const schema = await createSchema(emu, {
    ...profileSchema(),
    allOf: [{ $ref: PROFILE }, { $ref: `${PROFILE}-personal-details` }, { $ref: group.body.$id }],
  });
  assert.equal(schema.status, 201);
  const fields = `/definitions/zoho/properties/${tenant}/properties`;
  return { tenant, h, group: group.body, schema: schema.body, fields };
}

async function addDataSet(emu: Emulator, schemaId: string) {
  const res = await call(emu, 'POST', '/data/foundation/catalog/dataSets', {
    name: 'Contacts',
    schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed+json;version=1' },
  });
  assert.equal(res.status, 201);
}

function assertRegistryError(res: { status: number; body: any }, status: number, pattern: RegExp) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.type, 'string');
  assert.equal(typeof res.body.title, 'string');
  assert.match(res.body.detail, pattern);
}

test('field group PATCH: JSON Patch add/replace/remove, re-checked as a create, version 1.0 → 1.1 → 1.2', async (t) => {
  let clock = 1_700_000_000_000;
  const emu = await emulator({ now: () => clock });
  t.after(() => emu.close());
  const { tenant, h, group, schema, fields } = await zohoFieldGroupAndSchema(emu);
  const url = `${SR}/tenant/fieldgroups/${group['meta:altId']}`;
  clock += 1000;
  // The docs' example: new description, one field added under the tenant namespace (field-groups.md).
  const added = await call(
    emu,
    'PATCH',
    url,
    [
      { op: 'replace', path: '/description', value: 'Zoho CRM fields, with the city' },
      { op: 'add', path: `${fields}/mailingCity`, value: { title: 'Mailing City', type: 'string' } },
    ],
    h,
  );
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.equal(added.body.$id, group.$id);
  assert.equal(added.body.version, '1.1');
  assert.equal(added.body.description, 'Zoho CRM fields, with the city');
  assert.equal(added.body.definitions.zoho.properties[tenant].properties.mailingCity.type, 'string');
  assert.equal(added.body['meta:registryMetadata']['repo:lastModifiedDate'], clock);
  assert.equal(added.body['meta:registryMetadata']['repo:createdDate'], clock - 1000);
  assert.notEqual(added.body['meta:registryMetadata'].eTag, group['meta:registryMetadata'].eTag);
  assert.equal(added.body.imsOrgId, undefined);
  assert.ok(schemaFieldPaths(emu.state, schema.$id)!.has(`${tenant}.mailingCity`), 'the schema has the new field');
  const read = await call(
    emu,
    'GET',
    `${SR}/tenant/fieldgroups/${encodeURIComponent(group.$id)}`,
    undefined,
    await headers(emu, LOOKUP),
  );
  assert.equal(read.body.version, '1.1');

  // No dataset yet: removing and retyping are allowed.
  const removed = await call(
    emu,
    'PATCH',
    url,
    [
      { op: 'remove', path: `${fields}/mailingCity` },
      { op: 'replace', path: `${fields}/leadScore/type`, value: 'number' },
    ],
    h,
  );
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  assert.equal(removed.body.version, '1.2');
  assert.ok(!schemaFieldPaths(emu.state, schema.$id)!.has(`${tenant}.mailingCity`));

  // Refused like a create: fields outside the tenant namespace, a class that does not exist, a duplicate title.
  assertRegistryError(
    await call(
      emu,
      'PATCH',
      url,
      [{ op: 'add', path: '/definitions/zoho/properties/city', value: { type: 'string' } }],
      h,
    ),
    400,
    new RegExp(`nested under '${tenant}'`),
  );
  assertRegistryError(
    await call(
      emu,
      'PATCH',
      url,
      [{ op: 'add', path: '/meta:intendedToExtend/-', value: 'https://ns.adobe.com/xdm/context/nope' }],
      h,
    ),
    400,
    /not found/,
  );
  const other = await call(
    emu,
    'POST',
    `${SR}/tenant/fieldgroups`,
    {
      type: 'object',
      title: 'Other',
      description: 'x',
      'meta:intendedToExtend': [PROFILE],
      definitions: { o: { properties: { [tenant]: { type: 'object', properties: { o: { type: 'string' } } } } } },
    },
    h,
  );
  assertRegistryError(
    await call(
      emu,
      'PATCH',
      `${SR}/tenant/fieldgroups/${other.body['meta:altId']}`,
      [{ op: 'replace', path: '/title', value: 'Zoho CRM fields' }],
      h,
    ),
    409,
    /Title must be unique/,
  );
  // And as JSON Patch: registry-owned fields, missing targets, other ops, non-arrays.
  assertRegistryError(
    await call(emu, 'PATCH', url, [{ op: 'replace', path: '/version', value: '9.9' }], h),
    400,
    /'\/version' cannot be changed/,
  );
  assertRegistryError(
    await call(emu, 'PATCH', url, [{ op: 'replace', path: '/$id', value: 'x' }], h),
    400,
    /cannot be changed/,
  );
  assertRegistryError(
    await call(emu, 'PATCH', url, [{ op: 'remove', path: `${fields}/nope` }], h),
    400,
    /Missing field "nope"/,
  );
  assertRegistryError(
    await call(emu, 'PATCH', url, [{ op: 'copy', from: '/title', path: '/description' }], h),
    400,
    /Unsupported operation 'copy'/,
  );
  assertRegistryError(await call(emu, 'PATCH', url, [], h), 400, /cannot be null or empty/);
  assertRegistryError(
    await call(
      emu,
      'PATCH',
      `${SR}/tenant/fieldgroups/_nope.mixins.0`,
      [{ op: 'replace', path: '/title', value: 'x' }],
      h,
    ),
    404,
    /not found/,
  );
  assert.equal(emu.state.fieldGroups.get(group.$id)!.version, '1.2', 'refused patches change nothing');
  // The deprecated mixins path takes the same PATCH.
  assert.equal(
    (
      await call(
        emu,
        'PATCH',
        `${SR}/tenant/mixins/${group['meta:altId']}`,
        [{ op: 'replace', path: '/title', value: 'Zoho CRM fields (v2)' }],
        h,
      )
    ).body.version,
    '1.3',
  );
});

test('field group PATCH once a dataset exists: additive only (add fields, new text); remove, retype, rename or restrict → 400', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const { tenant, h, group, schema, fields } = await zohoFieldGroupAndSchema(emu);
  await addDataSet(emu, schema.$id);
  const url = `${SR}/tenant/fieldgroups/${group['meta:altId']}`;
  const refusals: Array<[unknown[], RegExp]> = [
    [[{ op: 'remove', path: `${fields}/leadScore` }], new RegExp(`field '${tenant}.leadScore' would be removed`)],
    [
      [{ op: 'replace', path: `${fields}/leadScore`, value: { type: 'string' } }],
      new RegExp(`'${tenant}.leadScore' would be redefined from int to string`),
    ],
    [
      [
        { op: 'remove', path: `${fields}/zohoId` },
        { op: 'add', path: `${fields}/zohoID`, value: { type: 'string' } },
      ],
      /'.+\.zohoId' would be removed/,
    ],
    [[{ op: 'replace', path: `${fields}/rating/enum`, value: ['hot', 'cold'] }], /no longer accept 'warm'/],
    [[{ op: 'add', path: `${fields}/zohoId/enum`, value: ['a'] }], /restricted to the values a/],
  ];
  for (const [ops, pattern] of refusals) {
    const res = await call(emu, 'PATCH', url, ops, h);
    assertRegistryError(res, 400, pattern);
    assert.match(res.body.detail, new RegExp(`only additive changes.*${schema.$id}`));
  }
  assert.equal(emu.state.fieldGroups.get(group.$id)!.version, '1.0');
  const additive = await call(
    emu,
    'PATCH',
    url,
    [
      { op: 'add', path: `${fields}/mailingCity`, value: { type: 'string' } },
      { op: 'add', path: `${fields}/rating/enum/-`, value: 'frozen' },
      { op: 'replace', path: '/title', value: 'Zoho CRM fields (renamed)' },
      { op: 'replace', path: '/description', value: 'New description' },
    ],
    h,
  );
  assert.equal(additive.status, 200, JSON.stringify(additive.body));
  assert.equal(additive.body.version, '1.1');
  assert.ok(schemaFieldPaths(emu.state, schema.$id)!.has(`${tenant}.mailingCity`));
});

test('schema PATCH: add a field group (allOf and meta:extends), then additive only once a dataset exists', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const { tenant, h, group, schema } = await zohoFieldGroupAndSchema(emu);
  const url = `${SR}/tenant/schemas/${schema['meta:altId']}`;
  const details = `${PROFILE}-person-details`;
  // The docs' example (schemas.md): both ops; version 1.0 → 1.1.
  const added = await call(
    emu,
    'PATCH',
    url,
    [
      { op: 'add', path: '/meta:extends/-', value: details },
      { op: 'add', path: '/allOf/-', value: { $ref: details } },
    ],
    h,
  );
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.equal(added.body.version, '1.1');
  assert.ok(added.body['meta:extends'].includes(details));
  assert.ok(added.body.allOf.some((part: any) => part.$ref === details));
  assert.ok(schemaFieldPaths(emu.state, schema.$id)!.has('person.name.firstName'));
  // The relationship tutorial adds only `/allOf/-`: meta:extends follows allOf.
  const deleted = await call(
    emu,
    'PATCH',
    url,
    [{ op: 'remove', path: `/allOf/${added.body.allOf.findIndex((part: any) => part.$ref === details)}` }],
    h,
  );
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  assert.ok(!deleted.body['meta:extends'].includes(details));
  const onlyAllOf = await call(emu, 'PATCH', url, [{ op: 'add', path: '/allOf/-', value: { $ref: details } }], h);
  assert.ok(onlyAllOf.body['meta:extends'].includes(details));
  assert.equal(onlyAllOf.body.version, '1.3');

  // Checked as a create: one class, compatible and existing field groups.
  assertRegistryError(
    await call(
      emu,
      'PATCH',
      url,
      [{ op: 'add', path: '/allOf/-', value: { $ref: 'https://ns.adobe.com/xdm/context/experienceevent' } }],
      h,
    ),
    400,
    /exactly one class/,
  );
  assertRegistryError(
    await call(
      emu,
      'PATCH',
      url,
      [{ op: 'add', path: '/allOf/-', value: { $ref: 'https://ns.adobe.com/xdm/mixins/account-details' } }],
      h,
    ),
    400,
    /not compatible/,
  );
  assertRegistryError(
    await call(
      emu,
      'PATCH',
      url,
      [{ op: 'replace', path: '/meta:class', value: 'https://ns.adobe.com/xdm/context/experienceevent' }],
      h,
    ),
    400,
    /cannot be changed/,
  );

  await addDataSet(emu, schema.$id);
  const dropGroup = await call(
    emu,
    'PATCH',
    url,
    [{ op: 'remove', path: `/allOf/${onlyAllOf.body.allOf.findIndex((part: any) => part.$ref === group.$id)}` }],
    h,
  );
  assertRegistryError(dropGroup, 400, new RegExp(`field '${tenant}.zohoId' would be removed`));
  const retitled = await call(
    emu,
    'PATCH',
    url,
    [
      { op: 'replace', path: '/title', value: 'Zoho Contacts (renamed)' },
      { op: 'replace', path: '/description', value: 'New' },
    ],
    h,
  );
  assert.equal(retitled.status, 200, JSON.stringify(retitled.body));
  assert.equal(retitled.body.version, '1.4');
  // Adding a field group only adds fields: allowed with a dataset.
  const more = await call(
    emu,
    'PATCH',
    url,
    [{ op: 'add', path: '/allOf/-', value: { $ref: `${PROFILE}-work-details` } }],
    h,
  );
  assert.equal(more.status, 200, JSON.stringify(more.body));
  assert.equal(more.body.version, '1.5');
  assert.ok(schemaFieldPaths(emu.state, schema.$id)!.has('workEmail.address'));
});

test('descriptor PUT: the whole descriptor again, checked as a POST, answered 201 with its @id', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schema = await createSchema(emu);
  const h = await headers(emu);
  const descriptor = (extra: Record<string, unknown> = {}) => identityDescriptor(schema.body.$id, extra);
  const created = await call(emu, 'POST', `${SR}/tenant/descriptors`, descriptor(), h);
  const id = created.body['@id'];
  const phone = await call(
    emu,
    'POST',
    `${SR}/tenant/descriptors`,
    descriptor({ 'xdm:sourceProperty': '/mobilePhone/number', 'xdm:namespace': 'Phone', 'xdm:isPrimary': false }),
    h,
  );
  // Rewriting itself (same path, still primary) is no clash with itself.
  const same = await call(emu, 'PUT', `${SR}/tenant/descriptors/${id}`, descriptor(), h);
  assert.equal(same.status, 201, JSON.stringify(same.body));
  assert.deepEqual(same.body, { '@id': id });
  const demoted = await call(emu, 'PUT', `${SR}/tenant/descriptors/${id}`, descriptor({ 'xdm:isPrimary': false }), h);
  assert.equal(demoted.status, 201);
  const stored = emu.state.descriptors.get(id)!;
  assert.equal(stored['xdm:isPrimary'], false);
  assert.equal(stored['xdm:sourceProperty'], '/personalEmail/address');
  assert.equal(
    stored['meta:registryMetadata']['repo:createdDate'],
    created.body['meta:registryMetadata']['repo:createdDate'],
  );
  // Refused as a POST would be; nothing changes.
  assertRegistryError(
    await call(
      emu,
      'PUT',
      `${SR}/tenant/descriptors/${id}`,
      descriptor({ 'xdm:sourceProperty': '/mobilePhone/number', 'xdm:isPrimary': false }),
      h,
    ),
    409,
    /already exists/,
  );
  assertRegistryError(
    await call(emu, 'PUT', `${SR}/tenant/descriptors/${id}`, descriptor({ 'xdm:namespace': 'ZohoId' }), h),
    400,
    /not a standard namespace/,
  );
  assertRegistryError(
    await call(emu, 'PUT', `${SR}/tenant/descriptors/${id}`, descriptor({ 'xdm:sourceProperty': '/nope' }), h),
    400,
    /does not exist/,
  );
  const phonePrimary = await call(
    emu,
    'PUT',
    `${SR}/tenant/descriptors/${phone.body['@id']}`,
    descriptor({ 'xdm:sourceProperty': '/mobilePhone/number', 'xdm:namespace': 'Phone', 'xdm:isPrimary': true }),
    h,
  );
  assert.equal(phonePrimary.status, 201, 'the old primary was demoted, so the phone may be primary now');
  assert.equal(emu.state.descriptors.get(id)!['xdm:isPrimary'], false);
  assertRegistryError(
    await call(emu, 'PUT', `${SR}/tenant/descriptors/${'0'.repeat(40)}`, descriptor(), h),
    404,
    /not found/,
  );
  assert.equal(emu.state.descriptors.size, 2);
});

// ---------------------------------------------------------------- Profile (aep-api.md ruling 16)

test('Profile: union needs a primary identity first, is never removed, and a union schema is never deleted', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const { tenant, h, group, schema, fields } = await zohoFieldGroupAndSchema(emu);
  const url = `${SR}/tenant/schemas/${schema['meta:altId']}`;
  const union = [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }];
  // schemas.md's PATCH, refused until the schema has a primary identity.
  assertRegistryError(
    await call(emu, 'PATCH', url, union, h),
    400,
    /must have a primary identity before it can be enabled for Profile/,
  );
  assertRegistryError(
    await createSchema(emu, { ...profileSchema('Born union'), 'meta:immutableTags': ['union'] }),
    400,
    /primary identity/,
  );
  const secondary = await call(
    emu,
    'POST',
    `${SR}/tenant/descriptors`,
    identityDescriptor(schema.$id, { 'xdm:isPrimary': false }),
    h,
  );
  assert.equal(secondary.status, 201);
  assertRegistryError(await call(emu, 'PATCH', url, union, h), 400, /primary identity/);
  const primary = await call(
    emu,
    'PUT',
    `${SR}/tenant/descriptors/${secondary.body['@id']}`,
    identityDescriptor(schema.$id),
    h,
  );
  assert.equal(primary.status, 201);
  assertRegistryError(
    await call(emu, 'PATCH', url, [{ op: 'add', path: '/meta:immutableTags', value: ['profile'] }], h),
    400,
    /only tag is 'union'/,
  );
  const enabled = await call(emu, 'PATCH', url, union, h);
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  assert.deepEqual(enabled.body['meta:immutableTags'], ['union']);
  const stats = await call(emu, 'GET', `${SR}/stats`, undefined, await headers(emu, 'application/json'));
  assert.equal(stats.body.counts.unions, 1);

  // Immutable tags are set, never removed (schemas.md).
  for (const ops of [
    [{ op: 'remove', path: '/meta:immutableTags' }],
    [{ op: 'replace', path: '/meta:immutableTags', value: [] }],
    [{ op: 'remove', path: '/meta:immutableTags/0' }],
  ]) {
    assertRegistryError(await call(emu, 'PATCH', url, ops, h), 400, /never removed/);
  }
  // Enabled for Profile: additive only, even without a dataset (composition.md).
  assertRegistryError(
    await call(
      emu,
      'PATCH',
      `${SR}/tenant/fieldgroups/${group['meta:altId']}`,
      [{ op: 'remove', path: `${fields}/zohoId` }],
      h,
    ),
    400,
    new RegExp(`'${tenant}.zohoId' would be removed`),
  );
  assert.equal(
    (
      await call(
        emu,
        'PATCH',
        `${SR}/tenant/fieldgroups/${group['meta:altId']}`,
        [{ op: 'add', path: `${fields}/city`, value: { type: 'string' } }],
        h,
      )
    ).status,
    200,
  );
  // The primary identity stays primary and stays put; the schema is never deleted.
  const id = secondary.body['@id'];
  assertRegistryError(
    await call(emu, 'DELETE', `${SR}/tenant/descriptors/${id}`, undefined, h),
    400,
    /primary identity .* cannot be deleted/,
  );
  assertRegistryError(
    await call(
      emu,
      'PUT',
      `${SR}/tenant/descriptors/${id}`,
      identityDescriptor(schema.$id, { 'xdm:isPrimary': false }),
      h,
    ),
    400,
    /made non-primary/,
  );
  const moved = identityDescriptor(schema.$id, {
    'xdm:sourceProperty': '/mobilePhone/number',
    'xdm:namespace': 'Phone',
  });
  assert.equal(
    (await call(emu, 'PUT', `${SR}/tenant/descriptors/${id}`, moved, h)).status,
    201,
    'no data yet: the primary field may change',
  );
  await addDataSet(emu, schema.$id);
  assertRegistryError(
    await call(emu, 'PUT', `${SR}/tenant/descriptors/${id}`, identityDescriptor(schema.$id), h),
    400,
    /cannot change: the schema is enabled for Profile and has a dataset/,
  );
  const dataSetId = [...emu.state.dataSets.items.keys()][0];
  assert.equal((await call(emu, 'DELETE', `/data/foundation/catalog/dataSets/${dataSetId}`)).status, 200);
  assertRegistryError(
    await call(emu, 'DELETE', `${SR}/tenant/schemas/${schema['meta:altId']}`, undefined, h),
    400,
    /enabled for Profile .* cannot be deleted/,
  );
  assert.ok(emu.state.schemas.get(schema.$id));
  assert.equal(emu.state.descriptors.size, 1);
});

test('list paging: a page holds at most 300 (limit up to 500 is a hint), start continues after the last title, and a page never ends inside equal sort values', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const h = await headers(emu, LIST);
  for (let i = 0; i < 305; i++)
    assert.equal((await createSchema(emu, profileSchema(`Item ${String(i).padStart(3, '0')}`))).status, 201);
  const list = (query: string) => call(emu, 'GET', `${SR}/tenant/schemas?${query}`, undefined, h);

  const first = await list('orderby=title&limit=500');
  assert.equal(first.status, 200);
  assert.equal(first.body.results.length, 300);
  assert.equal(first.body._page.next, 'Item 299');
  const rest = await list(`orderby=title&limit=500&start=${encodeURIComponent(first.body._page.next)}`);
  assert.deepEqual(
    rest.body.results.map((r: any) => r.title),
    ['Item 300', 'Item 301', 'Item 302', 'Item 303', 'Item 304'],
  );
  assert.equal(rest.body._page.next, null);
  assert.equal(rest.body._links.next, null);

  // Every schema is at version 1.0: limit=2 would end inside that run, and start=1.0 would skip the
  // rest, so the page grows to hold the run ("smaller or larger … reliable operation of start").
  const versions = await list('orderby=version,title&limit=2');
  assert.equal(versions.body.results.length, 305);
  assert.equal(versions.body._page.next, null);

  // Without paging parameters: the first 300 and no way on (paging needs orderby).
  const plain = await list('');
  assert.equal(plain.body.results.length, 300);
  assert.equal(plain.body._page.next, null);
  assert.equal((await list('orderby=title&limit=501')).status, 400);
});
