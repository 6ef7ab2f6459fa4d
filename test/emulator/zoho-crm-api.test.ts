// Zoho CRM's REST API v8 as the emulator serves it (issue 15, aep-fallback.md §3): metadata,
// records with page/page_token paging, the 50-field and 2,000-record limits, If-Modified-Since
// and 304, deleted records, and Zoho's auth and error bodies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { BULK_ACCOUNTS, IMPORT_PER_SECOND, MASS_UPDATE } from '../../src/emulator/zoho-live.js';
import { zohoDateTime } from '../../src/emulator/zoho-crm.js';

const CLIENT = '1000.ZOHOCLIENT';
const SECRET = 'zoho-secret';
const ACCOUNT_FIELDS = 'Account_Name,Owner,Parent_Account,Modified_Time';

async function form(emu: Emulator, path: string, params: Record<string, string>): Promise<any> {
  const res = await fetch(`${emu.url}${path}?${new URLSearchParams(params)}`, { method: 'POST' });
  return res.json();
}

/** Tokens as a Zoho self-client gets them: a grant code from the authorization page, exchanged. */
async function zohoTokens(emu: Emulator): Promise<{ access_token: string; refresh_token: string }> {
  const auth = await fetch(
    `${emu.url}/oauth/v2/auth?response_type=code&client_id=${CLIENT}&scope=ZohoCRM.modules.READ,ZohoCRM.settings.modules.READ,ZohoCRM.settings.fields.READ,ZohoCRM.coql.READ`,
    { redirect: 'manual' },
  );
  const code = /Grant code: (\S+?)</.exec(await auth.text())![1];
  return form(emu, '/oauth/v2/token', {
    grant_type: 'authorization_code',
    client_id: CLIENT,
    client_secret: SECRET,
    code,
  });
}

async function zoho(
  emu: Emulator,
  token: string | undefined,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${emu.url}${path}`, {
    headers: { ...(token ? { authorization: `Zoho-oauthtoken ${token}` } : {}), ...headers },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

let now = Date.UTC(2026, 0, 5, 9);
let emu: Emulator;
let token: string;

before(async () => {
  emu = await emulator({ now: () => now });
  token = (await zohoTokens(emu)).access_token;
});
after(() => emu?.close());

/** Reads every record of a module through page_token paging. */
async function readAll(
  module: string,
  fields: string,
  headers: Record<string, string> = {},
): Promise<{ records: any[]; calls: number; statuses: number[] }> {
  const records: any[] = [];
  const statuses: number[] = [];
  let pageToken: string | undefined;
  for (;;) {
    const params: Record<string, string> = {
      fields,
      per_page: '200',
      sort_by: 'Modified_Time',
      sort_order: 'asc',
      ...(pageToken ? { page_token: pageToken } : {}),
    };
    const answer = await zoho(emu, token, `/crm/v8/${module}${q(params)}`, headers);
    statuses.push(answer.status);
    if (answer.status !== 200) break;
    records.push(...answer.body.data);
    if (!answer.body.info.more_records) break;
    pageToken = answer.body.info.next_page_token;
  }
  return { records, calls: statuses.length, statuses };
}

describe('Zoho CRM API: authentication', () => {
  test('no Zoho-oauthtoken header: AUTHENTICATION_FAILURE; a token the accounts server never issued: INVALID_TOKEN', async () => {
    const missing = await zoho(emu, undefined, '/crm/v8/settings/modules');
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.body, {
      code: 'AUTHENTICATION_FAILURE',
      details: {},
      message: 'Authentication failed',
      status: 'error',
    });
    const bearer = await zoho(emu, undefined, '/crm/v8/settings/modules', { authorization: `Bearer ${token}` });
    assert.equal(bearer.body.code, 'AUTHENTICATION_FAILURE');
    const madeUp = await zoho(emu, '1000.made.up', '/crm/v8/settings/modules');
    assert.equal(madeUp.status, 401);
    assert.deepEqual(madeUp.body, {
      code: 'INVALID_TOKEN',
      details: {},
      message: 'invalid oauth token',
      status: 'error',
    });
  });

  test('an access token stops working when it expires (the emulator clock) or is revoked; a refresh gives a working one', async () => {
    const local = await emulator({ now: () => now, zohoTokenLifetimeMs: 60_000 });
    try {
      const issued = await zohoTokens(local);
      assert.equal((await zoho(local, issued.access_token, '/crm/v8/settings/modules')).status, 200);
      now += 60_000;
      const expired = await zoho(local, issued.access_token, '/crm/v8/settings/modules');
      assert.deepEqual([expired.status, expired.body.code], [401, 'INVALID_TOKEN']);
      const refreshed = await form(local, '/oauth/v2/token', {
        grant_type: 'refresh_token',
        client_id: CLIENT,
        client_secret: SECRET,
        refresh_token: issued.refresh_token,
      });
      assert.equal(refreshed.expires_in, 60);
      assert.equal((await zoho(local, refreshed.access_token, '/crm/v8/settings/modules')).status, 200);
      await form(local, '/oauth/v2/token/revoke', { token: issued.refresh_token });
      assert.equal((await zoho(local, refreshed.access_token, '/crm/v8/settings/modules')).body.code, 'INVALID_TOKEN');
    } finally {
      await local.close();
    }
  });
});

describe('Zoho CRM API: metadata', () => {
  test('settings/modules lists every module with api_supported; the CRM tables are supported, Forecasts is not', async () => {
    const { status, body } = await zoho(emu, token, '/crm/v8/settings/modules');
    assert.equal(status, 200);
    const supported = body.modules.filter((m: any) => m.api_supported).map((m: any) => m.api_name);
    assert.deepEqual(supported, [
      'Accounts',
      'Contacts',
      'Leads',
      'Campaigns',
      'Products',
      'Deals',
      'Tasks',
      'Subscriptions',
    ]);
    assert.equal(body.modules.find((m: any) => m.api_name === 'Forecasts').api_supported, false);
    const subscriptions = body.modules.find((m: any) => m.api_name === 'Subscriptions');
    assert.equal(subscriptions.generated_type, 'custom');
    for (const m of body.modules) assert.match(m.id, /^\d{19}$/);
  });

  test('settings/fields gives API names and Zoho data types, lookups naming their module; errors for a missing or unknown module', async () => {
    const { status, body } = await zoho(emu, token, `/crm/v8/settings/fields${q({ module: 'Contacts' })}`);
    assert.equal(status, 200);
    const byName = Object.fromEntries(body.fields.map((f: any) => [f.api_name, f]));
    assert.equal(byName.Email.data_type, 'email');
    assert.equal(byName.Owner.data_type, 'ownerlookup');
    assert.equal(byName.Account_Name.data_type, 'lookup');
    assert.equal(byName.Account_Name.lookup.module.api_name, 'Accounts');
    assert.equal(byName.Modified_Time.data_type, 'datetime');
    assert.equal(byName.Date_of_Birth.data_type, 'date');
    assert.equal(byName.Email_Opt_Out.json_type, 'boolean');
    const missing = await zoho(emu, token, '/crm/v8/settings/fields');
    assert.deepEqual(
      [missing.status, missing.body],
      [
        400,
        {
          code: 'REQUIRED_PARAM_MISSING',
          details: { param: 'module' },
          message: 'One of the expected parameter is missing',
          status: 'error',
        },
      ],
    );
    const unknown = await zoho(emu, token, `/crm/v8/settings/fields${q({ module: 'Widgets' })}`);
    assert.deepEqual([unknown.status, unknown.body.code], [400, 'INVALID_MODULE']);
    assert.equal((await zoho(emu, token, `/crm/v8/settings/fields${q({ module: 'Forecasts' })}`)).status, 204);
  });
});

describe('Zoho CRM API: records', () => {
  test('fields is mandatory and limited to 50; unknown fields, modules and parameters are refused', async () => {
    const none = await zoho(emu, token, '/crm/v8/Accounts');
    assert.deepEqual(
      [none.status, none.body.code, none.body.details],
      [400, 'REQUIRED_PARAM_MISSING', { param_name: 'fields' }],
    );
    const fifty = Array.from({ length: 50 }, () => 'Account_Name').join(',');
    assert.equal((await zoho(emu, token, `/crm/v8/Accounts${q({ fields: fifty, per_page: '1' })}`)).status, 200);
    const tooMany = await zoho(emu, token, `/crm/v8/Accounts${q({ fields: `${fifty},Phone` })}`);
    assert.deepEqual(
      [tooMany.status, tooMany.body.code, tooMany.body.details],
      [400, 'LIMIT_EXCEEDED', { param_name: 'fields', limit: 50 }],
    );
    const unknownField = await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name,Nope' })}`);
    assert.deepEqual([unknownField.status, unknownField.body.details.api_name], [400, 'Nope']);
    assert.equal((await zoho(emu, token, `/crm/v8/Widgets${q({ fields: 'Name' })}`)).body.code, 'INVALID_MODULE');
    assert.equal(
      (await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name', per_page: '201' })}`)).status,
      400,
    );
    assert.equal(
      (await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name', sort_by: 'Account_Name' })}`)).status,
      400,
    );
    const both = await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name', page: '2', page_token: 'x' })}`);
    assert.equal(both.status, 400);
    const badSince = await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name' })}`, {
      'if-modified-since': 'yesterday',
    });
    assert.deepEqual([badSince.status, badSince.body.code], [400, 'INVALID_DATA']);
  });

  test('every record carries id; lookups are objects (Owner: {name, id, email}); per_page defaults to 200', async () => {
    const { status, body } = await zoho(
      emu,
      token,
      `/crm/v8/Accounts${q({ fields: ACCOUNT_FIELDS, sort_by: 'Modified_Time', sort_order: 'asc' })}`,
    );
    assert.equal(status, 200);
    assert.equal(body.data.length, 200);
    assert.deepEqual(Object.keys(body.data[0]), ['id', 'Account_Name', 'Owner', 'Parent_Account', 'Modified_Time']);
    assert.match(body.data[0].id, /^\d{19}$/);
    assert.deepEqual(Object.keys(body.data[0].Owner), ['name', 'id', 'email']);
    assert.ok(
      body.data.some((record: any) => record.Parent_Account && Object.keys(record.Parent_Account).join() === 'name,id'),
    );
    assert.deepEqual(Object.keys(body.info).sort(), [
      'count',
      'more_records',
      'next_page_token',
      'page',
      'page_token_expiry',
      'per_page',
      'previous_page_token',
      'sort_by',
      'sort_order',
    ]);
    assert.equal(body.info.more_records, true);
    assert.equal(body.info.count, 200);
    assert.equal(body.info.sort_order, 'asc');
    assert.match(body.info.page_token_expiry, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00$/);
    const ids = (
      await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name', per_page: '5' })}`)
    ).body.data.map((r: any) => r.id);
    assert.deepEqual(ids, [...ids].sort().reverse(), 'by default sorted by id, descending');
  });

  test('more than 2,000 Accounts, hundreds sharing a Modified_Time second; page stops at 2,000 with Zoho’s exact error', async () => {
    const all = await readAll('Accounts', 'Modified_Time');
    assert.ok(
      all.records.length > 2000 && all.records.length < 48 + BULK_ACCOUNTS,
      `${all.records.length} accounts (some imported ones were deleted)`,
    );
    const perSecond = new Map<string, number>();
    for (const record of all.records)
      perSecond.set(record.Modified_Time, (perSecond.get(record.Modified_Time) ?? 0) + 1);
    assert.ok(Math.max(...perSecond.values()) > IMPORT_PER_SECOND, 'the mass update second holds more than a page');
    assert.equal(perSecond.get(zohoDateTime(MASS_UPDATE))! > 200, true);
    assert.equal((await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name', page: '10' })}`)).status, 200);
    const beyond = await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name', page: '11' })}`);
    assert.equal(beyond.status, 400);
    assert.equal(
      beyond.text,
      JSON.stringify({
        code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
        details: { limit: 2000 },
        message: 'You can only get the first 2000 records without using page_token param',
        status: 'error',
      }),
    );
  });

  test('page_token paging returns every record exactly once, in Modified_Time order, ceil(n/200) calls', async () => {
    const all = await readAll('Accounts', ACCOUNT_FIELDS);
    const ids = all.records.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no record twice');
    assert.deepEqual(new Set(ids), new Set(emu.zoho.rows('Accounts').map((r) => r.id)), 'every record');
    assert.equal(all.calls, Math.ceil(ids.length / 200));
    const times = all.records.map((r) => Date.parse(r.Modified_Time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    const bad = await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name', page_token: 'made-up' })}`);
    // zoho/crm-oas v8.0 getRecords examples (tokenbounddatamismatch).
    assert.deepEqual(bad.body, {
      code: 'TOKEN_BOUND_DATA_MISMATCH',
      details: { param_name: 'page_token' },
      message: 'The page_token given seems to be invalid or input param is added or altered or deleted',
      status: 'error',
    });
    const token1 = (await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name' })}`)).body.info
      .next_page_token;
    const altered = await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Phone', page_token: token1 })}`);
    assert.equal(altered.body.code, 'TOKEN_BOUND_DATA_MISMATCH', 'a token is bound to the fields it was made for');
  });

  test('If-Modified-Since keeps records modified at or after it (inclusive, as instants); nothing newer is 304 with no body', async () => {
    const since = zohoDateTime(MASS_UPDATE);
    const inUtc = new Date(MASS_UPDATE).toISOString().replace('.000Z', '+00:00');
    const atMassUpdate = await readAll('Accounts', 'Modified_Time', { 'if-modified-since': since });
    const sameInUtc = await readAll('Accounts', 'Modified_Time', { 'if-modified-since': inUtc });
    assert.deepEqual(sameInUtc.records, atMassUpdate.records, 'the offset does not matter, the instant does');
    assert.ok(atMassUpdate.records.length > 200);
    assert.ok(atMassUpdate.records.every((r) => Date.parse(r.Modified_Time) >= MASS_UPDATE));
    assert.equal(atMassUpdate.records[0].Modified_Time, since, 'the cursor second itself is included');
    const newest = Math.max(...emu.zoho.rows('Accounts').map((r) => Date.parse(String(r.Modified_Time))));
    const unchanged = await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Account_Name' })}`, {
      'if-modified-since': zohoDateTime(newest + 1000),
    });
    assert.equal(unchanged.status, 304);
    assert.equal(unchanged.text, '');
  });

  test('an edit moves a record to now; a new record appears; a page token is a position: taken before an edit it reaches the edited and new records at the end, and the record that slid into its first page is skipped; it expires with EXPIRED_VALUE', async () => {
    const newest = Math.max(...emu.zoho.rows('Accounts').map((r) => Date.parse(String(r.Modified_Time))));
    const first = await zoho(
      emu,
      token,
      `/crm/v8/Accounts${q({ fields: 'Phone,Modified_Time', sort_by: 'Modified_Time', sort_order: 'asc' })}`,
    );
    const early = first.body.data[0];
    now += 5000;
    emu.zoho.update('Accounts', early.id, { Phone: '+1 555 555 0100' });
    const created = emu.zoho.create('Accounts', { Account_Name: 'Newco Inc' });
    const since = { 'if-modified-since': zohoDateTime(newest + 1000) };
    const changed = await zoho(
      emu,
      token,
      `/crm/v8/Accounts${q({ fields: 'Phone,Account_Name,Modified_Time', sort_by: 'Modified_Time', sort_order: 'asc' })}`,
      since,
    );
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.data.map((r: any) => r.id).sort(), [early.id, created.id].sort());
    assert.equal(changed.body.data.find((r: any) => r.id === early.id).Phone, '+1 555 555 0100');
    assert.equal(changed.body.data[0].Modified_Time, zohoDateTime(Math.floor(now / 1000) * 1000));
    // The token of the first page pages on by position (the emulator's reading of Zoho's undocumented
    // behaviour, the worst one): the edited record left page 1, so the 201st slid into it, unread.
    const order = emu.zoho.sortedBy('Accounts', 'Modified_Time').rows.map((r) => String(r.id));
    const slid = order[199];
    const rest = [];
    let pageToken = first.body.info.next_page_token;
    while (pageToken) {
      const page = await zoho(
        emu,
        token,
        `/crm/v8/Accounts${q({ fields: 'Phone,Modified_Time', page_token: pageToken })}`,
      );
      rest.push(...page.body.data);
      pageToken = page.body.info.more_records ? page.body.info.next_page_token : undefined;
    }
    assert.deepEqual(
      rest.slice(-2).map((r) => r.id),
      [early.id, created.id],
    );
    assert.ok(!first.body.data.some((r: any) => r.id === slid) && !rest.some((r) => r.id === slid), 'skipped');
    // A page token expires (24 h here): Zoho's EXPIRED_VALUE (v8.0 getRecords examples).
    const token1 = (await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Phone' })}`)).body.info.next_page_token;
    now += 24 * 3600_000;
    token = (await zohoTokens(emu)).access_token;
    assert.deepEqual((await zoho(emu, token, `/crm/v8/Accounts${q({ fields: 'Phone', page_token: token1 })}`)).body, {
      status: 'error',
      code: 'EXPIRED_VALUE',
      message: 'Page token expired',
      details: { api_name: 'page_token', json_path: '$.query.page_token' },
    });
  });

  test('an empty answer: 204 for a module read with nothing in it', async () => {
    const local = await emulator({ now: () => now });
    try {
      const t = (await zohoTokens(local)).access_token;
      for (const row of [...local.zoho.rows('Campaigns')]) local.zoho.delete('Campaigns', String(row.id));
      assert.equal((await zoho(local, t, `/crm/v8/Campaigns${q({ fields: 'Campaign_Name' })}`)).status, 204);
    } finally {
      await local.close();
    }
  });

  test('injected faults answer in Zoho’s error shape', async () => {
    emu.faults.add({ path: '/crm/', fault: { kind: 'status', status: 429, retryAfter: '2' } });
    const res = await fetch(`${emu.url}/crm/v8/settings/modules`, {
      headers: { authorization: `Zoho-oauthtoken ${token}` },
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '2');
    assert.deepEqual(await res.json(), {
      code: 'TOO_MANY_REQUESTS',
      details: {},
      message: 'Injected fault.',
      status: 'error',
    });
  });
});

describe('Zoho CRM API: deleted records', () => {
  test('/deleted?type=all lists deleted records (recycle and permanent) with If-Modified-Since and paging; a new delete appears once', async () => {
    const all = await zoho(emu, token, `/crm/v8/Accounts/deleted${q({ type: 'all', per_page: '200' })}`);
    assert.equal(all.status, 200);
    assert.ok(all.body.data.length >= 10);
    assert.deepEqual(Object.keys(all.body.data[0]).sort(), [
      'created_by',
      'deleted_by',
      'deleted_time',
      'display_name',
      'id',
      'type',
    ]);
    assert.ok(
      all.body.data.some((d: any) => d.type === 'permanent') && all.body.data.some((d: any) => d.type === 'recycle'),
    );
    const live = new Set(emu.zoho.rows('Accounts').map((r) => r.id));
    assert.ok(
      all.body.data.every((d: any) => !live.has(d.id)),
      'deleted records are not in the records list',
    );
    const recycle = await zoho(emu, token, `/crm/v8/Accounts/deleted${q({ type: 'recycle' })}`);
    assert.ok(recycle.body.data.every((d: any) => d.type === 'recycle'));
    const paged = await zoho(emu, token, `/crm/v8/Accounts/deleted${q({ type: 'all', per_page: '3', page: '2' })}`);
    assert.deepEqual(paged.body.data, all.body.data.slice(3, 6));
    assert.deepEqual(paged.body.info, { per_page: 3, count: 3, page: 2, more_records: true });
    assert.equal((await zoho(emu, token, `/crm/v8/Accounts/deleted${q({ type: 'gone' })}`)).status, 400);

    now += 60_000;
    const since = zohoDateTime(Math.floor(now / 1000) * 1000);
    assert.equal(
      (await zoho(emu, token, `/crm/v8/Accounts/deleted${q({ type: 'all' })}`, { 'if-modified-since': since })).status,
      304,
    );
    const victim = String(emu.zoho.rows('Accounts')[0].id);
    emu.zoho.delete('Accounts', victim);
    const fresh = await zoho(emu, token, `/crm/v8/Accounts/deleted${q({ type: 'all' })}`, {
      'if-modified-since': since,
    });
    assert.equal(fresh.status, 200);
    assert.deepEqual(
      fresh.body.data.map((d: any) => [d.id, d.type, d.deleted_time]),
      [[victim, 'recycle', since]],
    );
    assert.equal(emu.zoho.record('Accounts', victim), undefined);
  });
});
