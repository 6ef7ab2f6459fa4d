import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, emulator, platformHeaders, TEST_CLIENT, TEST_ORG, type Emulator } from '../helpers/emulator.js';
import { evaluate, parseExpression, ExpressionError } from '../../src/emulator/data-prep-expressions.js';

const DP = '/data/foundation/conversion';
const PROFILE = 'https://ns.adobe.com/xdm/context/profile';

async function schema(emu: Emulator, sandbox = 'prod'): Promise<string> {
  const tenant = `_${emu.state.tenantId(TEST_ORG)}`;
  const h = await platformHeaders(emu, sandbox);
  const fg = await call(
    emu,
    'POST',
    '/data/foundation/schemaregistry/tenant/fieldgroups',
    {
      type: 'object',
      title: 'Zoho fields',
      description: 'Zoho',
      'meta:intendedToExtend': [PROFILE],
      definitions: {
        zoho: {
          properties: {
            [tenant]: {
              type: 'object',
              properties: {
                zohoId: { type: 'string' },
                leadScore: { type: 'integer' },
                converted: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
    h,
  );
  assert.equal(fg.status, 201);
  const res = await call(
    emu,
    'POST',
    '/data/foundation/schemaregistry/tenant/schemas',
    {
      type: 'object',
      title: 'Zoho Leads',
      description: 'Leads',
      allOf: [
        { $ref: PROFILE },
        { $ref: `${PROFILE}-person-details` },
        { $ref: `${PROFILE}-personal-details` },
        { $ref: fg.body.$id },
      ],
    },
    h,
  );
  assert.equal(res.status, 201);
  return res.body.$id;
}

const referenceStyle = (schemaId: string) => ({
  name: 'Zoho Leads mapping',
  outputSchema: { schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' } },
  mappings: [
    { sourceType: 'ATTRIBUTE', source: 'id', destination: '_id', name: 'id', description: 'Identifier field' },
    { sourceType: 'ATTRIBUTE', source: 'First_Name', destination: 'person.name.firstName' },
    { sourceType: 'ATTRIBUTE', source: 'Last_Name', destination: 'person.name.lastName' },
  ],
});

const tutorialStyle = (schemaId: string) => ({
  name: 'Zoho Leads mapping (tutorial style)',
  version: 0,
  xdmSchema: schemaId,
  xdmVersion: '1.0',
  mappings: [
    {
      destinationXdmPath: 'person.name.firstName',
      sourceAttribute: 'First_Name',
      identity: false,
      identityGroup: null,
      namespaceCode: null,
      version: 0,
    },
    {
      destinationXdmPath: 'personalEmail.address',
      sourceAttribute: 'Email',
      identity: false,
      identityGroup: null,
      namespaceCode: null,
      version: 0,
    },
  ],
});

test('create (reference style): 200 with id, version 0 and epoch-ms dates; stored with both spellings', async (t) => {
  let clock = 1_700_000_000_000;
  const emu = await emulator({ now: () => clock });
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const created = await call(emu, 'POST', `${DP}/mappingSets`, referenceStyle(schemaId));
  assert.equal(created.status, 200);
  assert.match(created.body.id, /^[0-9a-f]{32}$/);
  assert.deepEqual(created.body, {
    id: created.body.id,
    version: 0,
    createdDate: clock,
    modifiedDate: clock,
    createdBy: `${TEST_CLIENT}@AdobeID`,
    modifiedBy: `${TEST_CLIENT}@AdobeID`,
  });
  const stored = emu.state.mappingSets.get(created.body.id)!;
  assert.equal(stored.outputSchema.schemaRef.id, schemaId);
  assert.equal(stored.version, 0);
  assert.equal(stored.name, 'Zoho Leads mapping');
  assert.equal(stored.sandboxName, 'prod');

  clock += 5000;
  const got = await call(emu, 'GET', `${DP}/mappingSets/${created.body.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.id, created.body.id);
  assert.equal(got.body.imsOrgId, undefined);
  const first = got.body.mappings[1];
  assert.equal(first.sourceType, 'text/x.schema-path');
  assert.equal(first.source, 'First_Name');
  assert.equal(first.sourceAttribute, 'First_Name');
  assert.equal(first.destination, 'person.name.firstName');
  assert.equal(first.destinationXdmPath, 'person.name.firstName');
  assert.equal(got.body.mappings[0].description, 'Identifier field');
  const expanded = await call(emu, 'GET', `${DP}/mappingSets/${created.body.id}?expandSchema=true`);
  assert.equal(
    expanded.body.outputSchema.jsonSchema.properties.person.properties.name.properties.firstName.type,
    'string',
  );
});

test('create (tutorial style): xdmSchema fills outputSchema.schemaRef.id', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const created = await call(emu, 'POST', `${DP}/mappingSets`, tutorialStyle(schemaId));
  assert.equal(created.status, 200);
  const stored = emu.state.mappingSets.get(created.body.id)!;
  assert.equal(stored.outputSchema.schemaRef.id, schemaId);
  assert.equal(stored.xdmSchema, schemaId);
  assert.deepEqual(
    stored.mappings.map((m: any) => [m.sourceType, m.source, m.sourceAttribute, m.destination, m.destinationXdmPath]),
    [
      ['text/x.schema-path', 'First_Name', 'First_Name', 'person.name.firstName', 'person.name.firstName'],
      ['text/x.schema-path', 'Email', 'Email', 'personalEmail.address', 'personalEmail.address'],
    ],
  );
});

test('create rejections: null id, unknown schema, missing destination path, duplicates, bad sourceType, bad expression', async (t) => {
  const emu = await emulator({ sandboxes: ['prod', 'dev'] });
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const post = async (body: unknown, sandbox = 'prod') =>
    call(emu, 'POST', `${DP}/mappingSets`, body, await platformHeaders(emu, sandbox));
  const nullId = await post({ ...tutorialStyle(schemaId), id: null });
  assert.equal(nullId.status, 400);
  assert.match(nullId.body.detail, /null/);
  const unknown = await post(referenceStyle('https://ns.adobe.com/x/schemas/00'));
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.detail, /not found/);
  assert.equal((await post(referenceStyle(schemaId), 'dev')).status, 400, 'the schema is in prod, not dev');
  const body = referenceStyle(schemaId);
  const missingPath = await post({
    ...body,
    mappings: [...body.mappings, { sourceType: 'ATTRIBUTE', source: 'Company', destination: 'person.company' }],
  });
  assert.equal(missingPath.status, 400);
  assert.match(missingPath.body.detail, /'person\.company' does not exist/);
  const duplicate = await post({
    ...body,
    mappings: [
      ...body.mappings,
      { sourceType: 'ATTRIBUTE', source: 'Full_Name', destination: 'person.name.firstName' },
    ],
  });
  assert.equal(duplicate.status, 400);
  assert.match(duplicate.body.detail, /more than once/);
  const badType = await post({ ...body, mappings: [{ sourceType: 'COLUMN', source: 'id', destination: '_id' }] });
  assert.equal(badType.status, 400);
  assert.match(badType.body.detail, /sourceType 'COLUMN'/);
  const badExpression = await post({
    ...body,
    mappings: [{ sourceType: 'EXPRESSION', source: 'concat(First_Name, ', destination: 'person.name.fullName' }],
  });
  assert.equal(badExpression.status, 400);
  assert.equal((await post({ ...body, mappings: [] })).status, 400);
  assert.equal((await post({ mappings: body.mappings })).status, 400);
  assert.match((await post({ ...body, name: null })).body.detail, /'name' must be a string/);
  assert.equal(emu.state.mappingSets.size, 0);
  // Without a name the stored set has none (the spec types it a string, so never null).
  const unnamed = await post({ outputSchema: body.outputSchema, mappings: body.mappings });
  const read = await call(emu, 'GET', `${DP}/mappingSets/${unnamed.body.id}`);
  assert.equal('name' in read.body, false);
  assert.equal('description' in read.body, false);
});

test('list: limit and start required, items without name, the documented orderBy only, name filter, paging links, sandbox scope', async (t) => {
  let clock = 1_700_000_000_000;
  const emu = await emulator({ sandboxes: ['prod', 'dev'], now: () => clock });
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const ids: string[] = [];
  for (const name of ['A', 'B', 'C']) {
    ids.push((await call(emu, 'POST', `${DP}/mappingSets`, { ...referenceStyle(schemaId), name })).body.id);
    clock += 1000;
  }
  assert.equal((await call(emu, 'GET', `${DP}/mappingSets`)).status, 400);
  assert.equal((await call(emu, 'GET', `${DP}/mappingSets?limit=10`)).status, 400);
  assert.equal((await call(emu, 'GET', `${DP}/mappingSets?start=0`)).status, 400);
  assert.equal((await call(emu, 'GET', `${DP}/mappingSets?limit=0&start=0`)).status, 400);
  const page = await call(emu, 'GET', `${DP}/mappingSets?limit=2&start=0&orderBy=%2BcreatedDate`);
  assert.equal(page.status, 200);
  assert.deepEqual(
    page.body.data.map((m: any) => m.id),
    ids.slice(0, 2),
  );
  // Adobe's documented list items carry no name (mapping-set.md).
  assert.ok(page.body.data.every((m: any) => !('name' in m)));
  assert.equal(page.body.data[0].outputSchema.schemaRef.id, schemaId);
  assert.deepEqual(page.body._page, { count: 3, limit: 2 });
  assert.match(page.body._links.next.href, /start=2/);
  const newest = await call(emu, 'GET', `${DP}/mappingSets?limit=1&start=0`);
  assert.deepEqual(
    newest.body.data.map((m: any) => m.id),
    [ids[2]],
  );
  // orderBy: createdDate or updatedDate, with +, - or nothing (an unencoded + arrives as a space).
  for (const [orderBy, expected] of [
    ['-createdDate', [2, 1, 0]],
    ['createdDate', [0, 1, 2]],
    ['+updatedDate', [0, 1, 2]],
    ['-updatedDate', [2, 1, 0]],
  ] as const) {
    const sorted = await call(emu, 'GET', `${DP}/mappingSets?limit=10&start=0&orderBy=${encodeURIComponent(orderBy)}`);
    assert.deepEqual(
      sorted.body.data.map((m: any) => m.id),
      expected.map((i) => ids[i]),
      orderBy,
    );
  }
  assert.equal((await call(emu, 'GET', `${DP}/mappingSets?limit=10&start=0&orderBy=+createdDate`)).status, 200);
  for (const orderBy of ['lastUpdateDate', '-modifiedDate', 'name', '*createdDate', 'createdDate,updatedDate']) {
    const refused = await call(emu, 'GET', `${DP}/mappingSets?limit=10&start=0&orderBy=${encodeURIComponent(orderBy)}`);
    assert.equal(refused.status, 400, orderBy);
    assert.match(refused.body.detail, /only supported fields are createdDate and updatedDate/);
  }
  const named = await call(emu, 'GET', `${DP}/mappingSets?limit=10&start=0&name=B`);
  assert.deepEqual(
    named.body.data.map((m: any) => m.id),
    [ids[1]],
  );
  const dev = await call(
    emu,
    'GET',
    `${DP}/mappingSets?limit=10&start=0`,
    undefined,
    await platformHeaders(emu, 'dev'),
  );
  assert.deepEqual(dev.body.data, []);
  assert.equal(
    (await call(emu, 'GET', `${DP}/mappingSets/${ids[0]}`, undefined, await platformHeaders(emu, 'dev'))).status,
    404,
  );
  assert.equal((await call(emu, 'DELETE', `${DP}/mappingSets/${ids[0]}`)).status, 405);
  assert.equal(emu.state.mappingSets.size, 3);
});

test('PUT stores the whole set as the next version; GET ?version=N reads any version, without it the latest', async (t) => {
  let clock = 1_700_000_000_000;
  const emu = await emulator({ sandboxes: ['prod', 'dev'], now: () => clock });
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const created = await call(emu, 'POST', `${DP}/mappingSets`, referenceStyle(schemaId));
  const id = created.body.id;
  const body = referenceStyle(schemaId);
  const withEmail = {
    ...body,
    mappings: [...body.mappings, { sourceType: 'ATTRIBUTE', source: 'Email', destination: 'personalEmail.address' }],
  };
  clock += 1000;
  const v1 = await call(emu, 'PUT', `${DP}/mappingSets/${id}`, withEmail);
  assert.equal(v1.status, 200);
  // The answer is the whole mapping set (mapping-set.md): same id, version 1, new mapping ids at version 0.
  assert.equal(v1.body.id, id);
  assert.equal(v1.body.version, 1);
  assert.equal(v1.body.createdDate, created.body.createdDate);
  assert.equal(v1.body.modifiedDate, clock);
  assert.equal(v1.body.outputSchema.schemaRef.id, schemaId);
  assert.equal(v1.body.mappings.length, 4);
  assert.ok(v1.body.mappings.every((m: any) => m.version === 0 && /^[0-9a-f]{32}$/.test(m.id)));
  assert.equal(v1.body.imsOrgId, undefined);
  assert.equal(v1.body.versions, undefined);
  clock += 1000;
  // The whole set, not a delta: a PUT with one mapping leaves one mapping.
  const v2 = await call(emu, 'PUT', `${DP}/mappingSets/${id}`, { ...body, mappings: [body.mappings[0]] });
  assert.equal(v2.body.version, 2);

  const latest = await call(emu, 'GET', `${DP}/mappingSets/${id}`);
  assert.equal(latest.body.version, 2);
  assert.equal(latest.body.mappings.length, 1);
  const reads = await Promise.all([0, 1, 2].map((n) => call(emu, 'GET', `${DP}/mappingSets/${id}?version=${n}`)));
  assert.deepEqual(
    reads.map((r) => [r.status, r.body.version, r.body.mappings.length]),
    [
      [200, 0, 3],
      [200, 1, 4],
      [200, 2, 1],
    ],
  );
  const missing = await call(emu, 'GET', `${DP}/mappingSets/${id}?version=3`);
  assert.equal(missing.status, 404);
  assert.deepEqual(Object.keys(missing.body).sort(), ['detail', 'report', 'status', 'title', 'type']);
  assert.equal(missing.body.status, 404);
  assert.match(missing.body.detail, /no version 3/);
  assert.equal((await call(emu, 'GET', `${DP}/mappingSets/${id}?version=one`)).status, 400);

  // A PUT is validated like a create; a refused one makes no version.
  const refused = await call(emu, 'PUT', `${DP}/mappingSets/${id}`, {
    ...body,
    mappings: [{ sourceType: 'ATTRIBUTE', source: 'x', destination: 'no.such.field' }],
  });
  assert.equal(refused.status, 400);
  assert.match(refused.body.detail, /'no\.such\.field' does not exist/);
  assert.equal((await call(emu, 'PUT', `${DP}/mappingSets/${id}`, { ...body, id: null })).status, 400);
  assert.equal((await call(emu, 'PUT', `${DP}/mappingSets/${id}`, [body])).status, 400);
  assert.equal(emu.state.mappingSets.get(id)!.version, 2);
  assert.equal((await call(emu, 'PUT', `${DP}/mappingSets/00000000000000000000000000000000`, body)).status, 404);
  assert.equal(
    (await call(emu, 'PUT', `${DP}/mappingSets/${id}`, body, await platformHeaders(emu, 'dev'))).status,
    404,
  );

  const mappings = await call(emu, 'GET', `${DP}/mappingSets/${id}/mappings`);
  assert.equal(mappings.body.length, 1);
  const one = await call(emu, 'GET', `${DP}/mappingSets/${id}/mappings/${mappings.body[0].id}`);
  assert.equal(one.body.destination, '_id');
});

test('DELETE is answered 405 with the methods the resource has (the spec has no DELETE; aepp sends one)', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const created = await call(emu, 'POST', `${DP}/mappingSets`, referenceStyle(schemaId));
  for (const id of [created.body.id, '00000000000000000000000000000000']) {
    const res = await fetch(`${emu.url}${DP}/mappingSets/${id}`, {
      method: 'DELETE',
      headers: await platformHeaders(emu),
    });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, PUT');
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(problem.status, 405);
    assert.match(String(problem.detail), /no DELETE/);
  }
  assert.equal(emu.state.mappingSets.size, 1);
  assert.deepEqual(emu.unmatched, []);
});

test('validate: per-mapping SUCCESS/FAILED', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const body = referenceStyle(schemaId);
  const ok = await call(emu, 'POST', `${DP}/mappingSets/validate`, body);
  assert.deepEqual(ok.body, {
    validationResponse: [
      { status: 'SUCCESS', errors: null },
      { status: 'SUCCESS', errors: null },
      { status: 'SUCCESS', errors: null },
    ],
  });
  const bad = await call(emu, 'POST', `${DP}/mappingSets/validate`, {
    ...body,
    mappings: [body.mappings[0], { sourceType: 'ATTRIBUTE', source: 'x', destination: 'nope.field' }],
  });
  assert.equal(bad.status, 200);
  assert.equal(bad.body.validationResponse[0].status, 'SUCCESS');
  assert.equal(bad.body.validationResponse[1].status, 'FAILED');
  assert.equal(bad.body.validationResponse[1].errors[0].destination, 'nope.field');
  assert.equal(emu.state.mappingSets.size, 0, 'validate stores nothing');
});

test('preview: nested XDM, type conversion, dotted sources, expressions, per-row errors', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const schemaId = await schema(emu);
  const tenant = `_${emu.state.tenantId(TEST_ORG)}`;
  const mappingSet = {
    outputSchema: { schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' } },
    mappings: [
      { sourceType: 'ATTRIBUTE', source: 'id', destination: '_id' },
      { sourceType: 'ATTRIBUTE', source: 'First_Name', destination: 'person.name.firstName' },
      { sourceType: 'ATTRIBUTE', source: 'Last_Name', destination: 'person.name.lastName' },
      {
        sourceType: 'EXPRESSION',
        source: 'concat(First_Name, " ", upper(Last_Name))',
        destination: 'person.name.fullName',
      },
      { sourceType: 'EXPRESSION', source: 'lower(trim(Email))', destination: 'personalEmail.address' },
      { sourceType: 'ATTRIBUTE', source: 'Owner.id', destination: `${tenant}.zohoId` },
      { sourceType: 'ATTRIBUTE', source: 'Score', destination: `${tenant}.leadScore` },
      {
        sourceType: 'EXPRESSION',
        source: 'iif(Status == "Converted", true, false)',
        destination: `${tenant}.converted`,
      },
      { sourceType: 'STATIC', source: 'Zoho', destination: 'homeAddress.country' },
    ],
  };
  const rows = [
    {
      id: 1234,
      First_Name: 'Jim',
      Last_Name: 'Seltzer',
      Email: '  Jim@Example.COM ',
      Owner: { id: '42', name: 'Ann' },
      Score: '17',
      Status: 'Converted',
    },
    { id: 5, First_Name: 'Ann', Score: 'high', Status: 'Open' },
  ];
  const res = await call(emu, 'POST', `${DP}/mappingSets/preview`, { data: rows, mappingSet });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body[0], {
    data: {
      _id: '1234',
      person: { name: { firstName: 'Jim', lastName: 'Seltzer', fullName: 'Jim SELTZER' } },
      personalEmail: { address: 'jim@example.com' },
      [tenant]: { zohoId: '42', leadScore: 17, converted: true },
      homeAddress: { country: 'Zoho' },
    },
    errors: null,
  });
  assert.deepEqual(res.body[1].data.person, { name: { firstName: 'Ann', fullName: 'Ann ' } });
  assert.equal(res.body[1].data[tenant].converted, false);
  assert.equal(res.body[1].data[tenant].leadScore, undefined);
  assert.equal(res.body[1].errors.length, 1);
  assert.equal(res.body[1].errors[0].destination, `${tenant}.leadScore`);
  assert.match(res.body[1].errors[0].exception, /Cannot convert 'high'/);

  const unknownFn = await call(emu, 'POST', `${DP}/mappingSets/preview`, {
    data: [{ a: 'x' }],
    mappingSet: {
      ...mappingSet,
      mappings: [{ sourceType: 'EXPRESSION', source: 'sha256(a)', destination: 'person.name.firstName' }],
    },
  });
  assert.equal(unknownFn.status, 200);
  assert.match(unknownFn.body[0].errors[0].exception, /sha256/);
  assert.equal((await call(emu, 'POST', `${DP}/mappingSets/preview`, { data: 'x', mappingSet })).status, 400);
  assert.equal(
    (
      await call(emu, 'POST', `${DP}/mappingSets/preview`, {
        data: rows,
        mappingSet: { ...mappingSet, mappings: [{ source: 'a', destination: 'no.such' }] },
      })
    ).status,
    400,
  );
});

test('expression subset: functions, operators, escapes, errors', () => {
  const row = { a: 'Hello', b: null, n: '7', 'street.name': 'Main', addr: { city: 'Paris' }, 'Field Name': 'x' };
  const run = (expression: string) => evaluate(parseExpression(expression), row);
  assert.equal(run('concat(a, "-", b, "-", addr.city)'), 'Hello--Paris');
  assert.equal(run('concat(b, b)'), null);
  assert.equal(run('lower(b)'), null);
  assert.equal(run('substr(a, 1, 3)'), 'ell');
  assert.equal(run('left(a, 2) + right(a, 2)'), 'Helo');
  assert.equal(run('to_integer(n) * 2 + 1'), 15);
  assert.equal(run('iif(is_empty(b), "none", b)'), 'none');
  assert.equal(run('coalesce(b, a)'), 'Hello');
  assert.equal(run('decode(n, "6", "six", "7", "seven", "other")'), 'seven');
  assert.equal(run('replacestr(a, "l", "L")'), 'HeLLo');
  assert.equal(run('${Field Name}'), 'x');
  assert.equal(run('street\\.name'), 'Main');
  assert.equal(run('!(length(a) > 3) || equalsIgnoreCase(a, "HELLO")'), true);
  assert.throws(() => parseExpression('concat(a,'), ExpressionError);
  assert.throws(() => parseExpression('a #'), ExpressionError);
  assert.throws(() => run('nope(a)'), /not supported/);
});
