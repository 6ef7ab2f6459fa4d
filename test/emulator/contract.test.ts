// Contract test: the emulator's answers (and the requests our scenario sends) must follow Adobe's
// published OpenAPI files, apart from the exceptions aep-api.md §9 lists (test/helpers/openapi.ts).
// Part 1 proves the validator can fail, and that each §9 allowance passes; part 2 drives the
// emulator through a provisioning scenario and checks every recorded exchange.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Exchange } from '../../src/emulator/server.js';
import { ALLOWANCES, loadSpecs, validateExchange, validateExchanges } from '../helpers/openapi.js';
import { call, emulator, platformHeaders, TEST_ORG, zohoConnectionBody, type Emulator } from '../helpers/emulator.js';

const FLOW = '/data/foundation/flowservice';
const CATALOG = '/data/foundation/catalog';
const SCHEMAS = '/data/foundation/schemaregistry';
const CONVERSION = '/data/foundation/conversion';
const ZOHO_SPEC = '929e4450-0237-4ed2-9404-b7e1e0a00309';
const CRM_FLOW_SPEC = '14518937-270c-4525-bdec-c2ba7cce3860';

const HEADERS = {
  authorization: 'Bearer token',
  'x-api-key': 'client',
  'x-gw-ims-org-id': TEST_ORG,
  'x-sandbox-name': 'prod',
  'content-type': 'application/json',
};

/** A hand-built exchange; every field can be overridden. */
function exchange(partial: Partial<Exchange> & Pick<Exchange, 'method' | 'path' | 'status'>): Exchange {
  return { query: {}, headers: { ...HEADERS }, body: undefined, response: undefined, ...partial };
}

before(async () => {
  await loadSpecs();
});

// ---------------------------------------------------------------------------------------------
// Part 1: the validator itself

describe('the validator reports what the specs reject', () => {
  const violations = (partial: Parameters<typeof exchange>[0]) => validateExchange(exchange(partial));
  const assertViolation = (found: string[], pattern: RegExp) =>
    assert.ok(
      found.some((message) => pattern.test(message)),
      `expected a violation matching ${pattern}, got ${JSON.stringify(found, null, 2)}`,
    );

  test('a response field of the wrong type', () => {
    const found = violations({
      method: 'POST',
      path: `${FLOW}/connections`,
      body: zohoConnectionBody(),
      status: 201,
      response: { id: 42, etag: '"e"' },
    });
    assert.deepEqual(found, [
      'POST /data/foundation/flowservice/connections → 201 (flow-service.yaml POST /connections): response.body/id must be string',
    ]);
  });

  test('a request without a required field (connectionSpec)', () => {
    const { connectionSpec: _omitted, ...body } = zohoConnectionBody();
    const found = violations({
      method: 'POST',
      path: `${FLOW}/connections`,
      body,
      status: 201,
      response: { id: 'a', etag: '"e"' },
    });
    assertViolation(found, /request\.body must have required property 'connectionSpec'/);
  });

  test('a required body that is missing', () => {
    assertViolation(
      violations({ method: 'POST', path: `${FLOW}/connections`, status: 400 }),
      /request body is required/,
    );
  });

  test('a path no spec declares', () => {
    assertViolation(
      violations({ method: 'GET', path: `${FLOW}/connectionz`, status: 200, response: {} }),
      /path is not declared in flow-service\.yaml/,
    );
    assertViolation(
      violations({ method: 'GET', path: '/data/foundation/identity/namespaces', status: 200 }),
      /no Adobe spec covers this path/,
    );
  });

  test('a method the path does not declare', () => {
    assertViolation(
      violations({ method: 'PUT', path: `${FLOW}/connections/abc`, body: {}, status: 200 }),
      /PUT is not declared for this path/,
    );
  });

  test('a missing required header (x-api-key; If-Match on PATCH)', () => {
    const { 'x-api-key': _key, ...headers } = HEADERS;
    assertViolation(
      violations({ method: 'GET', path: `${FLOW}/connections`, headers, status: 200, response: { items: [] } }),
      /request\.header must have required property 'x-api-key'/,
    );
    const patch = [{ op: 'replace', path: '/name', value: 'new' }];
    assertViolation(
      violations({ method: 'PATCH', path: `${FLOW}/connections/abc`, body: patch, status: 200 }),
      /request\.header must have required property 'if-match'/,
    );
  });

  test('query parameters: wrong type, undeclared name (filters is not an allowance)', () => {
    assertViolation(
      violations({
        method: 'GET',
        path: `${FLOW}/connections`,
        query: { limit: 'ten' },
        status: 200,
        response: { items: [] },
      }),
      /request\.query\/limit must be integer/,
    );
    const explore = { objectType: 'table', object: 'crm/v2/Leads', preview: 'true', filters: 'eyJ9' };
    assertViolation(
      violations({ method: 'GET', path: `${FLOW}/connections/abc/explore`, query: explore, status: 200, response: [] }),
      /request\.query must NOT have additional properties \(filters\)/,
    );
  });

  test('an undeclared success status, and an error status §9 does not allow', () => {
    assertViolation(
      violations({
        method: 'POST',
        path: `${FLOW}/connections`,
        body: zohoConnectionBody(),
        status: 200,
        response: { id: 'a', etag: '"e"' },
      }),
      /status 200 is not declared \(declared: 201, 403, 503\)/,
    );
    assertViolation(
      violations({ method: 'GET', path: `${FLOW}/connections`, status: 418, response: {} }),
      /status 418 is not declared/,
    );
  });

  test('the allowances are exact: other casings, value types and shapes still fail', () => {
    assertViolation(
      violations({
        method: 'GET',
        path: `${FLOW}/connections/abc/explore`,
        query: { objectType: 'Root' },
        status: 200,
        response: [],
      }),
      /request\.query\/objectType must be equal to one of the allowed values/,
    );
    const numberValue = [{ op: 'replace', path: '/name', value: 5 }];
    assertViolation(
      violations({
        method: 'PATCH',
        path: `${FLOW}/connections/abc`,
        headers: { ...HEADERS, 'if-match': '"e"' },
        body: numberValue,
        status: 200,
      }),
      /request\.body/,
    );
    const badOp = [{ op: 'move', path: '/name', value: 'x' }];
    assertViolation(
      violations({
        method: 'PATCH',
        path: `${FLOW}/flows/abc`,
        headers: { ...HEADERS, 'if-match': '"e"' },
        body: badOp,
        status: 200,
      }),
      /request\.body.*op must be equal to one of the allowed values/,
    );
    assertViolation(
      violations({
        method: 'GET',
        path: `${SCHEMAS}/stats`,
        headers: { ...HEADERS, accept: 'application/json' },
        status: 200,
        response: { classUsage: 'none' },
      }),
      /response\.body\/classUsage/,
    );
    const dates = { id: 'm', version: 0, createdDate: 'yesterday', modifiedDate: 1591043336298 };
    assertViolation(
      violations({
        method: 'POST',
        path: `${CONVERSION}/mappingSets`,
        body: { mappings: [] },
        status: 200,
        response: dates,
      }),
      /response\.body\/createdDate/,
    );
    const page = { results: [], _page: { count: 0, next: 5 }, _links: { next: null } };
    assertViolation(
      violations({
        method: 'GET',
        path: `${SCHEMAS}/tenant/schemas`,
        headers: { ...HEADERS, accept: 'application/vnd.adobe.xed-id+json' },
        status: 200,
        response: page,
      }),
      /response\.body\/_page\/next/,
    );
    assertViolation(
      violations({
        method: 'POST',
        path: `${FLOW}/flows/abc/action`,
        query: { op: 'Disable' },
        status: 200,
        response: { id: 'abc', etag: '"e"' },
      }),
      /request\.query\/op must be equal to one of the allowed values/,
    );
    const flowWith = (scheduleParams: object) => ({ items: [{ id: 'f', name: 'n', scheduleParams }] });
    assertViolation(
      violations({
        method: 'GET',
        path: `${FLOW}/flows/f`,
        status: 200,
        response: flowWith({ startTime: 'soon', frequency: 'day', interval: '1' }),
      }),
      /response\.body\/items\/0\/scheduleParams/,
    );
    assertViolation(
      violations({
        method: 'GET',
        path: `${FLOW}/flows/f`,
        status: 200,
        response: flowWith({ startTime: '1612310466', frequency: 'day', interval: '1', backfill: 'yes' }),
      }),
      /response\.body\/items\/0\/scheduleParams/,
    );
    assertViolation(
      violations({
        method: 'PATCH',
        path: `${SCHEMAS}/tenant/schemas/s`,
        body: [{ op: 'add', path: '/title', value: null }],
        status: 200,
        response: {},
      }),
      /request\.body\/0\/value/,
    );
    const descriptor = {
      '@type': 'xdm:descriptorIdentity',
      'xdm:sourceSchema': 's',
      'xdm:sourceVersion': 1,
      'xdm:sourceProperty': '/p',
    };
    assertViolation(
      violations({
        method: 'PUT',
        path: `${SCHEMAS}/tenant/descriptors/d`,
        body: descriptor,
        status: 202,
        response: { '@id': 'd' },
      }),
      /status 202 is not declared/,
    );
    assertViolation(
      violations({
        method: 'GET',
        path: `${CONVERSION}/mappingSets/m`,
        status: 200,
        response: { id: 'm', mappings: [{ sourceType: 'COLUMN' }] },
      }),
      /response\.body\/mappings\/0\/sourceType/,
    );
    assertViolation(
      violations({ method: 'DELETE', path: `${CONVERSION}/mappingSets/m`, status: 204 }),
      /status 204 is not declared \(declared: 405\)/,
    );
    const table = { format: 'flat', data: [] }; // no schema
    assertViolation(
      violations({
        method: 'GET',
        path: `${FLOW}/connections/abc/explore`,
        query: { objectType: 'table', object: 't' },
        status: 200,
        response: table,
      }),
      /response\.body/,
    );
  });
});

describe('the §9 allowances pass', () => {
  const clean = (partial: Parameters<typeof exchange>[0]) => assert.deepEqual(validateExchange(exchange(partial)), []);

  test('every allowance is listed with its reason', () => {
    assert.ok(ALLOWANCES.length >= 10);
    for (const allowance of ALLOWANCES) assert.ok(allowance.why.length > 20, allowance.why);
  });

  test('lowercase explore objectType, undeclared preview, and the table response object', () => {
    clean({
      method: 'GET',
      path: `${FLOW}/connections/abc/explore`,
      query: { objectType: 'root' },
      status: 200,
      response: [{ type: 'table', name: 'Leads', path: 'crm/v2/Leads', canPreview: true, canFetchSchema: true }],
    });
    const columns = [{ name: 'Email', type: 'string', xdm: { type: 'string' } }];
    clean({
      method: 'GET',
      path: `${FLOW}/connections/abc/explore`,
      query: { objectType: 'table', object: 'crm/v2/Leads' },
      status: 200,
      response: { format: 'flat', schema: { columns } },
    });
    const preview = { format: 'flat', schema: { columns }, data: [{ Email: 'a@example.com' }] };
    clean({
      method: 'GET',
      path: `${FLOW}/connections/abc/explore`,
      query: { objectType: 'table', object: 'crm/v2/Leads', preview: 'true' },
      status: 200,
      response: preview,
    });
  });

  test('JSON Patch: array body, lowercase op, string/array/object values (trailing-slash path normalised)', () => {
    const body = [
      { op: 'replace', path: '/description', value: 'new' },
      { op: 'add', path: '/auth/params', value: { accessToken: 'x' } },
      { op: 'REPLACE', path: '/params/columns', value: [] },
    ];
    const headers = { ...HEADERS, 'if-match': '"e"' };
    clean({
      method: 'PATCH',
      path: `${FLOW}/connections/abc`,
      headers,
      body,
      status: 200,
      response: { id: 'abc', etag: '"f"' },
    });
    clean({
      method: 'PATCH',
      path: `${FLOW}/flows/abc`,
      headers,
      body: [{ op: 'replace', path: '/scheduleParams/frequency', value: 'day' }],
      status: 200,
      response: { id: 'abc', etag: '"f"' },
    });
    clean({ method: 'DELETE', path: `${FLOW}/connections/abc`, status: 204 });
  });

  test('integer xdm:sourceVersion on a descriptor', () => {
    const descriptor = {
      '@type': 'xdm:descriptorIdentity',
      'xdm:sourceSchema': 'https://ns.adobe.com/t/schemas/1',
      'xdm:sourceVersion': 1,
      'xdm:sourceProperty': '/_t/email',
      'xdm:namespace': 'Email',
      'xdm:isPrimary': true,
    };
    clean({
      method: 'POST',
      path: `${SCHEMAS}/tenant/descriptors`,
      body: descriptor,
      status: 201,
      response: { '@id': 'd1', ...descriptor },
    });
  });

  test('requestDataSource on Catalog POST /dataSets', () => {
    const body = {
      name: 'Zoho target dataset',
      schemaRef: { id: 'https://ns.adobe.com/t/schemas/1', contentType: 'application/vnd.adobe.xed+json;version=1' },
    };
    clean({
      method: 'POST',
      path: `${CATALOG}/dataSets`,
      query: { requestDataSource: 'true' },
      body,
      status: 201,
      response: ['@/dataSets/5c8c3c555033b814b69f947f'],
    });
  });

  test('Data Prep dates as epoch milliseconds', () => {
    const response = {
      id: '500a9b747fcf4908a21917d49bd61780',
      version: 0,
      createdDate: 1591043336298,
      modifiedDate: 1591043336298,
      createdBy: 'c',
      modifiedBy: 'c',
    };
    clean({
      method: 'POST',
      path: `${CONVERSION}/mappingSets`,
      body: {
        outputSchema: { schemaRef: { id: 'x', contentType: 'application/vnd.adobe.xed-full+json;version=1' } },
        mappings: [],
      },
      status: 200,
      response,
    });
  });

  test('"next": null in _page and _links', () => {
    const page = { results: [], _page: { orderby: 'title', next: null, count: 0 }, _links: { next: null } };
    clean({
      method: 'GET',
      path: `${SCHEMAS}/tenant/schemas`,
      headers: { ...HEADERS, accept: 'application/vnd.adobe.xed-id+json' },
      status: 200,
      response: page,
    });
  });

  test('Schema Registry /stats classUsage as an object', () => {
    const stats = {
      imsOrg: TEST_ORG,
      tenantId: 't',
      counts: { schemas: 1 },
      recentlyCreatedResources: [],
      recentlyUpdatedResources: [],
      classUsage: { 'https://ns.adobe.com/xdm/context/profile': [] },
    };
    clean({
      method: 'GET',
      path: `${SCHEMAS}/stats`,
      headers: { ...HEADERS, accept: 'application/json' },
      status: 200,
      response: stats,
    });
  });

  test("Adobe's undeclared error statuses (400, 401, 403, 404, 409, 412)", () => {
    for (const status of [400, 401, 403, 404, 409, 412]) {
      clean({
        method: 'GET',
        path: `${FLOW}/connections/abc`,
        status,
        response: { type: 'https://ns.adobe.com/aep/errors/FLOW-1439-404', title: 'x', status },
      });
    }
  });

  test('flow actions with a lowercase op and no subOp', () => {
    clean({
      method: 'POST',
      path: `${FLOW}/flows/abc/action`,
      query: { op: 'disable' },
      status: 200,
      response: { id: 'abc', etag: '"e"' },
    });
    clean({
      method: 'POST',
      path: `${FLOW}/flows/abc/action`,
      query: { op: 'ENABLE' },
      status: 200,
      response: { id: 'abc', etag: '"e"' },
    });
  });

  test('Flow Service GETs with scheduleParams as strings', () => {
    const flow = {
      id: 'f',
      name: 'n',
      scheduleParams: { startTime: '1612310466', frequency: 'week', interval: '15', backfill: 'true' },
      transformations: [{ name: 'Mapping', params: { mappingId: 'm', mappingVersion: '0' } }],
    };
    clean({ method: 'GET', path: `${FLOW}/flows/f`, status: 200, response: { items: [flow] } });
  });

  test('Schema Registry JSON Patch values of any JSON type', () => {
    const body = [
      { op: 'add', path: '/allOf/-', value: { $ref: 'https://ns.adobe.com/t/mixins/1' } },
      { op: 'add', path: '/meta:immutableTags', value: ['union'] },
      { op: 'replace', path: '/title', value: 'T' },
    ];
    clean({
      method: 'PATCH',
      path: `${SCHEMAS}/tenant/schemas/s`,
      body,
      status: 200,
      response: { $id: 's', title: 'T' },
    });
  });

  test('descriptor PUT answered 201 with its @id', () => {
    const descriptor = {
      '@type': 'xdm:descriptorIdentity',
      'xdm:sourceSchema': 'https://ns.adobe.com/t/schemas/1',
      'xdm:sourceVersion': 1,
      'xdm:sourceProperty': '/_t/email',
      'xdm:namespace': 'Email',
      'xdm:isPrimary': true,
    };
    clean({
      method: 'PUT',
      path: `${SCHEMAS}/tenant/descriptors/d1`,
      body: descriptor,
      status: 201,
      response: { '@id': 'd1' },
    });
  });

  test('Data Prep: validate errors null, stored source types, DELETE answered 405', () => {
    const body = {
      outputSchema: { schemaRef: { id: 'x', contentType: 'application/vnd.adobe.xed-full+json;version=1' } },
      mappings: [{ sourceType: 'ATTRIBUTE', source: 'a', destination: 'b' }],
    };
    clean({
      method: 'POST',
      path: `${CONVERSION}/mappingSets/validate`,
      body,
      status: 200,
      response: { validationResponse: [{ status: 'SUCCESS', errors: null }] },
    });
    const stored = {
      id: 'm',
      version: 1,
      mappings: ['text/x.schema-path', 'text/x.aep-xl', 'text/plain'].map((sourceType) => ({
        sourceType,
        source: 'a',
        destination: 'b',
      })),
    };
    clean({ method: 'GET', path: `${CONVERSION}/mappingSets/m`, status: 200, response: stored });
    clean({
      method: 'DELETE',
      path: `${CONVERSION}/mappingSets/m`,
      status: 405,
      response: { type: 't', status: 405, title: 'Method Not Allowed', detail: 'd' },
    });
  });

  test('IMS and Zoho have no Adobe spec: not checked', () => {
    clean({
      method: 'POST',
      path: '/ims/token/v3',
      headers: {},
      body: { grant_type: 'client_credentials' },
      status: 200,
      response: { access_token: 1 },
    });
    clean({ method: 'POST', path: '/oauth/v2/token', headers: {}, status: 200, response: {} });
  });

  test('an HTTP API streaming source connection without data; any other source connection still needs it', () => {
    const body = {
      name: 's',
      baseConnectionId: 'b',
      connectionSpec: { id: 'bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb', version: '1.0' },
    };
    clean({ method: 'POST', path: `${FLOW}/sourceConnections`, body, status: 201, response: { id: 'a', etag: '"e"' } });
    const zoho = validateExchange(
      exchange({
        method: 'POST',
        path: `${FLOW}/sourceConnections`,
        body: { ...body, connectionSpec: { id: ZOHO_SPEC, version: '1.0' } },
        status: 201,
        response: { id: 'a', etag: '"e"' },
      }),
    );
    assert.ok(
      zoho.some((message) => /data/.test(message)),
      JSON.stringify(zoho),
    );
  });

  test("Zoho's CRM API and the streaming inlet have no Adobe spec here: not checked", () => {
    clean({
      method: 'GET',
      path: '/crm/v8/Accounts',
      headers: {},
      query: { fields: 'Account_Name' },
      status: 304,
      response: undefined,
    });
    clean({ method: 'GET', path: '/crm/v8/settings/modules', headers: {}, status: 200, response: { modules: 1 } });
    clean({
      method: 'POST',
      path: '/collection/0123abcd',
      headers: {},
      body: { id: 1 },
      status: 200,
      response: { inletId: 2 },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Part 2: a scenario against the emulator; every exchange must keep to the specs

interface Scenario {
  emu: Emulator;
  headers: Record<string, string>;
  /** Ids and etags earlier steps created, by name. */
  ids: Record<string, string>;
}

type Step = { name: string; run(s: Scenario): Promise<void> };

/** Calls the emulator and checks the status; returns the body. */
async function expect(
  s: Scenario,
  status: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<any> {
  const answer = await call(s.emu, method, path, body, { ...s.headers, ...headers });
  assert.equal(answer.status, status, `${method} ${path} → ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

// Add steps here as the emulator grows; each step runs after the ones before it, in order.
const STEPS: Step[] = [
  {
    name: 'IMS token (OAuth server-to-server)',
    async run(s) {
      s.headers = await platformHeaders(s.emu);
    },
  },
  {
    name: 'Flow Service: the Zoho connection spec, by id and in the list',
    async run(s) {
      const one = await expect(s, 200, 'GET', `${FLOW}/connectionSpecs/${ZOHO_SPEC}`);
      assert.equal(one.items[0].id, ZOHO_SPEC);
      await expect(s, 200, 'GET', `${FLOW}/connectionSpecs`);
      await expect(s, 404, 'GET', `${FLOW}/connectionSpecs/00000000-0000-0000-0000-000000000000`);
    },
  },
  {
    name: 'Flow Service: create, list, get and test a Zoho base connection',
    async run(s) {
      const created = await expect(s, 201, 'POST', `${FLOW}/connections`, zohoConnectionBody());
      s.ids.connection = created.id;
      s.ids.connectionEtag = created.etag;
      await expect(
        s,
        200,
        'GET',
        `${FLOW}/connections${q({ property: 'name==Zoho CRM base connection', limit: '10' })}`,
      );
      await expect(s, 200, 'GET', `${FLOW}/connections${q({ count: 'true' })}`);
      const got = await expect(s, 200, 'GET', `${FLOW}/connections/${s.ids.connection}`);
      assert.equal(got.items[0].auth.params.clientSecret, '****');
      const tested = await expect(s, 200, 'GET', `${FLOW}/connections/${s.ids.connection}/test`);
      assert.equal(tested.result, true);
    },
  },
  {
    name: 'Flow Service: PATCH the base connection (If-Match, JSON Patch array, lowercase op)',
    async run(s) {
      const patch = [
        { op: 'replace', path: '/description', value: 'Zoho CRM (EU data centre)' },
        {
          op: 'replace',
          path: '/auth/params',
          value: { ...zohoConnectionBody().auth.params, accessToken: 'zoho-access-2' },
        },
      ];
      const patched = await expect(s, 200, 'PATCH', `${FLOW}/connections/${s.ids.connection}`, patch, {
        'if-match': s.ids.connectionEtag,
      });
      assert.notEqual(patched.etag, s.ids.connectionEtag);
      // The old etag is now stale: 412, an Adobe error answer §9 allows.
      await expect(s, 412, 'PATCH', `${FLOW}/connections/${s.ids.connection}`, patch, {
        'if-match': s.ids.connectionEtag,
      });
      s.ids.connectionEtag = patched.etag;
    },
  },
  {
    name: "Flow Service: Adobe's error answers to well-formed requests",
    async run(s) {
      const unknownSpec = {
        ...zohoConnectionBody(),
        connectionSpec: { id: '00000000-0000-0000-0000-000000000000', version: '1.0' },
      };
      await expect(s, 400, 'POST', `${FLOW}/connections`, unknownSpec);
      await expect(s, 404, 'GET', `${FLOW}/connections/00000000-0000-0000-0000-000000000000`);
      await expect(s, 404, 'GET', `${FLOW}/connections`, undefined, { 'x-sandbox-name': 'no-such-sandbox' });
      await expect(s, 401, 'GET', `${FLOW}/connections`, undefined, { authorization: 'Bearer not-a-token' });
    },
  },
  {
    name: 'Flow Service: explore the Zoho tables (root listing, table schema, preview rows)',
    async run(s) {
      const explore = `${FLOW}/connections/${s.ids.connection}/explore`;
      const tables = await expect(s, 200, 'GET', `${explore}${q({ objectType: 'root' })}`);
      const leads = (tables as Array<{ name: string; path: string }>).find((table) => table.name === 'Leads');
      assert.ok(leads, 'explore lists the Leads table');
      s.ids.table = leads.path;
      const schema = await expect(s, 200, 'GET', `${explore}${q({ objectType: 'table', object: leads.path })}`);
      assert.ok(schema.schema.columns.length);
      const preview = await expect(
        s,
        200,
        'GET',
        `${explore}${q({ objectType: 'table', object: leads.path, preview: 'true' })}`,
      );
      assert.ok(preview.data.length);
      await expect(s, 404, 'GET', `${explore}${q({ objectType: 'table', object: 'Leads' })}`); // a name, not a path
    },
  },
  {
    name: 'Flow Service: a source connection on the base connection',
    async run(s) {
      const body = {
        name: 'Zoho CRM source connection',
        description: 'Zoho CRM Leads',
        baseConnectionId: s.ids.connection,
        data: { format: 'tabular' },
        params: { tableName: s.ids.table },
        connectionSpec: { id: ZOHO_SPEC, version: '1.0' },
      };
      const created = await expect(s, 201, 'POST', `${FLOW}/sourceConnections`, body);
      s.ids.source = created.id;
      await expect(s, 200, 'GET', `${FLOW}/sourceConnections/${s.ids.source}`);
      await expect(
        s,
        200,
        'GET',
        `${FLOW}/sourceConnections${q({ property: `baseConnectionId==${s.ids.connection}` })}`,
      );
      const patched = await expect(
        s,
        200,
        'PATCH',
        `${FLOW}/sourceConnections/${s.ids.source}`,
        [{ op: 'replace', path: '/description', value: 'Leads' }],
        { 'if-match': created.etag },
      );
      assert.ok(patched.etag);
    },
  },
  {
    name: 'Flow Service: the CRM flow spec, flows and runs',
    async run(s) {
      const specs = await expect(s, 200, 'GET', `${FLOW}/flowSpecs${q({ property: 'name=="CRMToAEP"' })}`);
      assert.equal(specs.items[0].id, CRM_FLOW_SPEC);
      assert.ok(specs.items[0].sourceConnectionSpecIds.includes(ZOHO_SPEC));
      await expect(s, 200, 'GET', `${FLOW}/flowSpecs/${CRM_FLOW_SPEC}`);
      await expect(s, 200, 'GET', `${FLOW}/flows${q({ orderby: '-createdAt' })}`);
      await expect(s, 200, 'GET', `${FLOW}/runs${q({ property: 'flowId==00000000-0000-0000-0000-000000000000' })}`);
      await expect(s, 404, 'GET', `${FLOW}/flows/00000000-0000-0000-0000-000000000000`);
    },
  },
  {
    name: 'Schema Registry: a tenant field group and a schema, each updated with JSON Patch',
    async run(s) {
      const tenant = `_${s.emu.state.tenantId(TEST_ORG)}`;
      const group = await expect(s, 201, 'POST', `${SCHEMAS}/tenant/fieldgroups`, {
        type: 'object',
        title: 'Zoho lead fields',
        description: 'Zoho',
        'meta:intendedToExtend': ['https://ns.adobe.com/xdm/context/profile'],
        definitions: {
          zoho: { properties: { [tenant]: { type: 'object', properties: { zohoId: { type: 'string' } } } } },
        },
        allOf: [{ $ref: '#/definitions/zoho' }],
      });
      const add = {
        op: 'add',
        path: `/definitions/zoho/properties/${tenant}/properties/leadScore`,
        value: { title: 'Lead score', type: 'integer' },
      };
      await expect(s, 200, 'PATCH', `${SCHEMAS}/tenant/fieldgroups/${group['meta:altId']}`, [
        { op: 'replace', path: '/description', value: 'Zoho lead fields' },
        add,
      ]);
      const schema = await expect(s, 201, 'POST', `${SCHEMAS}/tenant/schemas`, {
        type: 'object',
        title: 'Zoho leads',
        description: 'Leads',
        allOf: [
          { $ref: 'https://ns.adobe.com/xdm/context/profile' },
          { $ref: 'https://ns.adobe.com/xdm/context/profile-personal-details' },
          { $ref: group.$id },
        ],
      });
      const details = 'https://ns.adobe.com/xdm/context/profile-person-details';
      const patched = await expect(s, 200, 'PATCH', `${SCHEMAS}/tenant/schemas/${schema['meta:altId']}`, [
        { op: 'add', path: '/meta:extends/-', value: details },
        { op: 'add', path: '/allOf/-', value: { $ref: details } },
      ]);
      assert.equal(patched.version, '1.1');
      s.ids.schema = schema.$id;
    },
  },
  {
    name: 'Catalog: a dataset, renamed with a plain-field PATCH',
    async run(s) {
      const created = await expect(s, 201, 'POST', `${CATALOG}/dataSets${q({ requestDataSource: 'true' })}`, {
        name: 'Zoho leads',
        schemaRef: { id: s.ids.schema, contentType: 'application/vnd.adobe.xed+json;version=1' },
      });
      s.ids.dataSet = created[0].split('/').pop();
      await expect(s, 200, 'PATCH', `${CATALOG}/dataSets/${s.ids.dataSet}`, {
        name: 'Zoho leads (renamed)',
        description: 'Leads from Zoho',
      });
    },
  },
  {
    name: 'Data Prep: a mapping set, a new version with PUT, both versions read back',
    async run(s) {
      const body = (extra: object[] = []) => ({
        outputSchema: { schemaRef: { id: s.ids.schema, contentType: 'application/vnd.adobe.xed-full+json;version=1' } },
        mappings: [{ sourceType: 'ATTRIBUTE', source: 'Email', destination: 'personalEmail.address' }, ...extra],
      });
      await expect(s, 200, 'POST', `${CONVERSION}/mappingSets/validate`, body());
      const created = await expect(s, 200, 'POST', `${CONVERSION}/mappingSets`, body());
      s.ids.mappingSet = created.id;
      const updated = await expect(
        s,
        200,
        'PUT',
        `${CONVERSION}/mappingSets/${created.id}`,
        body([{ sourceType: 'ATTRIBUTE', source: 'First_Name', destination: 'person.name.firstName' }]),
      );
      assert.equal(updated.version, 1);
      await expect(s, 200, 'GET', `${CONVERSION}/mappingSets/${created.id}${q({ version: '0' })}`);
      await expect(s, 200, 'GET', `${CONVERSION}/mappingSets/${created.id}`);
      await expect(s, 200, 'GET', `${CONVERSION}/mappingSets${q({ limit: '10', start: '0' })}`);
      await expect(s, 405, 'DELETE', `${CONVERSION}/mappingSets/${created.id}`);
    },
  },
  {
    name: 'Flow Service: a dataflow, its Mapping moved to version 1 with PATCH, disabled and enabled',
    async run(s) {
      const target = await expect(s, 201, 'POST', `${FLOW}/targetConnections`, {
        name: 'Zoho target connection',
        data: { schema: { id: s.ids.schema, version: 'application/vnd.adobe.xed-full+json;version=1' } },
        params: { dataSetId: s.ids.dataSet },
        connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
      });
      s.ids.target = target.id;
      const flow = await expect(s, 201, 'POST', `${FLOW}/flows`, {
        name: 'Zoho leads dataflow',
        flowSpec: { id: CRM_FLOW_SPEC, version: '1.0' },
        sourceConnectionIds: [s.ids.source],
        targetConnectionIds: [target.id],
        transformations: [
          { name: 'Copy', params: { deltaColumn: { name: 'Modified_Time' } } },
          { name: 'Mapping', params: { mappingId: s.ids.mappingSet, mappingVersion: '0' } },
        ],
        scheduleParams: {
          startTime: Math.floor(Date.now() / 1000) + 3600,
          frequency: 'hour',
          interval: '1',
          backfill: true,
        },
      });
      s.ids.flow = flow.id;
      const got = await expect(s, 200, 'GET', `${FLOW}/flows/${flow.id}`);
      const index = got.items[0].transformations.findIndex((t: { name: string }) => t.name === 'Mapping');
      const ops = [
        {
          op: 'replace',
          path: `/transformations/${index}`,
          value: { name: 'Mapping', params: { mappingId: s.ids.mappingSet, mappingVersion: '1' } },
        },
        { op: 'replace', path: '/scheduleParams/frequency', value: 'day' },
      ];
      const patched = await expect(s, 200, 'PATCH', `${FLOW}/flows/${flow.id}`, ops, { 'if-match': got.items[0].etag });
      await expect(s, 412, 'PATCH', `${FLOW}/flows/${flow.id}`, ops, { 'if-match': got.items[0].etag });
      await expect(s, 200, 'POST', `${FLOW}/flows/${flow.id}/action${q({ op: 'disable' })}`, undefined, {
        'if-match': patched.etag,
      });
      await expect(s, 200, 'POST', `${FLOW}/flows/${flow.id}/action${q({ op: 'enable' })}`);
      await expect(s, 200, 'GET', `${FLOW}/flows${q({ property: `sourceConnectionIds==${s.ids.source}` })}`);
      await expect(s, 204, 'DELETE', `${FLOW}/flows/${flow.id}`);
      await expect(s, 204, 'DELETE', `${FLOW}/targetConnections/${target.id}`);
    },
  },
  {
    name: 'Flow Service: the HTTP API streaming source (ruling 19): spec, base connection with its inlet, source connection without params, streaming flow',
    async run(s) {
      const HTTP_API = 'bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb';
      const STREAMING = 'c1a19761-d2c7-4702-b9fa-fe91f0613e81';
      await expect(s, 200, 'GET', `${FLOW}/connectionSpecs/${HTTP_API}`);
      const flowSpec = await expect(s, 200, 'GET', `${FLOW}/flowSpecs/${STREAMING}`);
      assert.ok(flowSpec.items[0].sourceConnectionSpecIds.includes(HTTP_API));
      const base = await expect(s, 201, 'POST', `${FLOW}/connections`, {
        name: 'aep-zoho HTTP API',
        description: 'Zoho CRM records posted by aep-zoho',
        connectionSpec: { id: HTTP_API, version: '1.0' },
        auth: {
          specName: 'Streaming Connection',
          params: { dataType: 'raw', sourceId: 'aep-zoho', name: 'aep-zoho', authenticationRequired: true },
        },
      });
      const got = await expect(s, 200, 'GET', `${FLOW}/connections/${base.id}`);
      assert.match(got.items[0].auth.params.inletUrl, /\/collection\/[0-9a-f]{64}$/);
      const source = await expect(s, 201, 'POST', `${FLOW}/sourceConnections`, {
        name: 'Zoho Leads (HTTP API)',
        baseConnectionId: base.id,
        connectionSpec: { id: HTTP_API, version: '1.0' },
      });
      await expect(s, 200, 'GET', `${FLOW}/sourceConnections/${source.id}`);
      const target = await expect(s, 201, 'POST', `${FLOW}/targetConnections`, {
        name: 'Zoho streaming target',
        data: { schema: { id: s.ids.schema, version: 'application/vnd.adobe.xed-full+json;version=1' } },
        params: { dataSetId: s.ids.dataSet },
        connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
      });
      const flow = await expect(s, 201, 'POST', `${FLOW}/flows`, {
        name: 'Zoho Leads streaming',
        flowSpec: { id: STREAMING, version: '1.0' },
        sourceConnectionIds: [source.id],
        targetConnectionIds: [target.id],
        transformations: [{ name: 'Mapping', params: { mappingId: s.ids.mappingSet, mappingVersion: '0' } }],
      });
      await expect(s, 200, 'GET', `${FLOW}/flows/${flow.id}`);
      const inlet = await fetch(got.items[0].auth.params.inletUrl, {
        method: 'POST',
        headers: {
          authorization: s.headers.authorization,
          'x-api-key': s.headers['x-api-key'],
          'x-gw-ims-org-id': TEST_ORG,
          'x-adobe-flow-id': flow.id,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ id: '4876876000000333001', First_Name: 'Ada', Last_Name: 'Lovelace' }),
      });
      assert.equal(inlet.status, 200);
      await expect(s, 204, 'DELETE', `${FLOW}/flows/${flow.id}`);
      await expect(s, 204, 'DELETE', `${FLOW}/targetConnections/${target.id}`);
      await expect(s, 204, 'DELETE', `${FLOW}/sourceConnections/${source.id}`);
      await expect(s, 204, 'DELETE', `${FLOW}/connections/${base.id}`);
    },
  },
  {
    name: 'Flow Service: delete the source and base connections',
    async run(s) {
      await expect(s, 204, 'DELETE', `${FLOW}/sourceConnections/${s.ids.source}`);
      await expect(s, 204, 'DELETE', `${FLOW}/connections/${s.ids.connection}`);
      await expect(s, 404, 'GET', `${FLOW}/connections/${s.ids.connection}`);
    },
  },
];

/**
 * Emulator answers that break the spec and are not §9 exceptions: bugs reported to the emulator's
 * owners, listed here so the suite stays green while they are open. Each entry must still match
 * (remove it when fixed); anything not listed fails the contract test.
 */
describe('the emulator keeps to the specs', () => {
  let emu: Emulator;
  const scenario = {} as Scenario;

  before(async () => {
    emu = await emulator();
    Object.assign(scenario, { emu, headers: {}, ids: {} });
  });
  after(() => emu?.close());

  for (const step of STEPS) test(step.name, () => step.run(scenario));

  let violations: string[] = [];

  test('every recorded exchange follows the specs (§9 exceptions aside)', async () => {
    assert.deepEqual(emu.unmatched, [], 'the scenario called an API the emulator lacks');
    assert.ok(emu.exchanges.length > 20);
    violations = await validateExchanges(emu.exchanges);
    assert.deepEqual(violations, [], `${violations.length} violation(s) in ${emu.exchanges.length} exchanges`);
  });
});
