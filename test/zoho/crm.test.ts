// The Zoho CRM REST client of the http-api path (src/zoho/crm.ts) against the in-process emulator
// over HTTP: page_token paging past 2,000 records, field chunks merged by id, 304, deleted paging,
// the access token kept and reused across clients, the mint throttle, INVALID_TOKEN, redaction.
import { strict as assert } from 'node:assert';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/cli/context.js';
import { loadSettings } from '../../src/config/settings.js';
import type { Context } from '../../src/core/context.js';
import { ApiError } from '../../src/core/errors.js';
import { redact } from '../../src/core/redact.js';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import { fieldChunks, zohoTime, ZohoCrm, type RecordsPage } from '../../src/zoho/crm.js';
import { SECRETS, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';

type Emu = Emulator & { env: Record<string, string> };

/** A Context on memory streams (stderr kept, to scan for tokens), as the CLI builds it. */
function testContext(env: Record<string, string | undefined>, debug = true): { ctx: Context; stderr: () => string } {
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  const io = {
    stdout: new PassThrough(),
    stderr,
    stdin: new PassThrough(),
    isTTY: { stdin: false, stdout: false, stderr: false },
    columns: 80,
  };
  const ctx = createContext(
    { profile: 'default', json: true, quiet: false, debug, yes: true },
    io,
    env,
    new AbortController().signal,
  );
  return { ctx, stderr: () => Buffer.concat(chunks).toString('utf8') };
}

async function openCrm(
  env: Record<string, string | undefined>,
  options: { maxInFlight?: number; fieldsPerCall?: number } = {},
) {
  const { ctx, stderr } = testContext(env);
  const settings = await loadSettings(env, ctx.flags, ctx.lockOwner);
  return { crm: ZohoCrm.open(ctx, settings, options), stderr, settings };
}

/** Zoho's env on the emulator: a client and a refresh token, no starting access token. */
function zohoEnv(
  emu: Emu,
  home: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    AEP_ZOHO_HOME: home,
    ZOHO_CLIENT_ID: '1000.ZOHOCLIENTID',
    ZOHO_CLIENT_SECRET: SECRETS.ZOHO_CLIENT_SECRET,
    ZOHO_REFRESH_TOKEN: SECRETS.ZOHO_REFRESH_TOKEN,
    ZOHO_ACCOUNTS_URL: emu.url,
    // ZOHO_ENDPOINT wins over the api_domain of the token answers.
    ZOHO_ENDPOINT: emu.url,
    AEP_ZOHO_RETRY_BASE_MS: '20',
    ...extra,
  };
}

const mintsAt = (emu: Emu) => emu.exchanges.filter((e) => e.method === 'POST' && e.path === '/oauth/v2/token').length;
const accessTokens = (emu: Emu) =>
  [...emu.state.zohoTokens.entries()].filter(([, t]) => t.kind === 'access').map(([token]) => token);

async function readAll(
  crm: ZohoCrm,
  module: string,
  fields: string[],
  since?: string,
): Promise<{ records: Array<Record<string, unknown>>; pages: RecordsPage[] }> {
  const pages: RecordsPage[] = [];
  let pageToken: string | undefined;
  for (;;) {
    const page = await crm.records(module, { fields, since, pageToken });
    pages.push(page);
    if (!page.more) break;
    assert.ok(page.nextPageToken, 'a page with more records has a next token');
    pageToken = page.nextPageToken;
  }
  // A record that changed between the calls of a page is not whole there: callers skip it.
  return { records: pages.flatMap((p) => p.records.filter((r) => !p.changed?.includes(String(r.id)))), pages };
}

describe('ZohoCrm', () => {
  let emu: Emu;
  before(async () => {
    emu = await emulator();
  });
  after(() => emu.close());

  test('modules: only api_supported ones, sorted by API name; fields with data types and lookup modules; 204 is undefined', async () => {
    const { crm } = await openCrm(zohoEnv(emu, await tempHome()));
    const modules = await crm.modules();
    assert.deepEqual(
      modules.map((m) => m.apiName),
      crmTables()
        .map((t) => t.name)
        .sort((a, b) => a.localeCompare(b)),
    );
    assert.equal(modules.find((m) => m.apiName === 'Subscriptions')?.custom, true);
    assert.equal(modules.find((m) => m.apiName === 'Accounts')?.custom, false);
    const fields = (await crm.fields('Contacts'))!;
    const contacts = crmTables().find((t) => t.name === 'Contacts')!;
    assert.deepEqual(
      fields.map((f) => f.apiName),
      contacts.columns.map((c) => c.name).filter((n) => n !== 'id'),
    );
    const byName = Object.fromEntries(fields.map((f) => [f.apiName, f]));
    assert.equal(byName.Account_Name.dataType, 'lookup');
    assert.equal(byName.Account_Name.lookupModule, 'Accounts');
    assert.equal(byName.Owner.jsonType, 'jsonobject');
    assert.equal(await crm.fields('Forecasts'), undefined);
    await assert.rejects(crm.fields('Widgets'), (error: ApiError) => {
      assert.equal(error.code, 'INVALID_MODULE');
      assert.match(error.message, /module Widgets/);
      assert.match(error.hint!, /explore --via http-api/);
      return true;
    });
  });

  test('pages past 2,000 Accounts with page_token: every record once, in Modified_Time order, ceil(n/200) calls', async () => {
    const { crm } = await openCrm(zohoEnv(emu, await tempHome()));
    const expected = emu.zoho.rows('Accounts');
    assert.ok(expected.length > 2000, `the emulator has ${expected.length} Accounts`);
    // Many records share a Modified_Time second, more than a page's worth: page boundaries fall inside a second.
    const perSecond = new Map<string, number>();
    for (const row of expected)
      perSecond.set(String(row.Modified_Time), (perSecond.get(String(row.Modified_Time)) ?? 0) + 1);
    assert.ok(Math.max(...perSecond.values()) > 200);

    const before = crm.calls;
    const { records, pages } = await readAll(crm, 'Accounts', ['Account_Name', 'Owner', 'Modified_Time']);
    assert.equal(crm.calls - before, Math.ceil(expected.length / 200));
    assert.equal(pages.length, Math.ceil(expected.length / 200));
    assert.equal(records.length, expected.length);
    assert.equal(new Set(records.map((r) => r.id)).size, expected.length);
    const times = records.map((r) => Date.parse(String(r.Modified_Time)));
    assert.ok(
      times.every((t, i) => i === 0 || t >= times[i - 1]),
      'sorted by Modified_Time ascending',
    );
    const first = emu.zoho.record('Accounts', String(records[0].id))!;
    assert.deepEqual(records[0], {
      id: first.id,
      Account_Name: first.Account_Name,
      Owner: first.Owner,
      Modified_Time: first.Modified_Time,
    });
    assert.deepEqual(Object.keys(records[0].Owner as object).sort(), ['email', 'id', 'name']);
    // Every call asked as the issue says; past the first page only with page_token, never `page`.
    const calls = emu.exchanges.filter((e) => e.path === '/crm/v8/Accounts').slice(-pages.length);
    for (const [i, call] of calls.entries()) {
      assert.equal(call.query.sort_by, 'Modified_Time');
      assert.equal(call.query.sort_order, 'asc');
      assert.equal(call.query.per_page, '200');
      assert.equal(call.query.page, undefined);
      assert.equal(call.query.page_token === undefined, i === 0);
    }
  });

  test('more fields than a call takes: chunks of the same page merged by id, each chunk within the limit', async () => {
    assert.deepEqual(fieldChunks(['a', 'b', 'Modified_Time', 'c'], 3), [
      ['Modified_Time', 'a', 'b'],
      ['Modified_Time', 'c'],
    ]);
    assert.deepEqual(fieldChunks(Array.from({ length: 50 }, (_, i) => `f${i}`)).length, 1);
    assert.equal(fieldChunks(Array.from({ length: 51 }, (_, i) => `f${i}`)).length, 2);
    // The emulator's modules have fewer than 50 fields: a chunk size of 10 runs the same merge.
    const { crm } = await openCrm(zohoEnv(emu, await tempHome()), { fieldsPerCall: 10 });
    const accounts = crmTables().find((t) => t.name === 'Accounts')!;
    const fields = accounts.columns.map((c) => c.name);
    const seen = emu.exchanges.length;
    const { records, pages } = await readAll(crm, 'Accounts', fields);
    const expected = emu.zoho.rows('Accounts');
    assert.equal(records.length, expected.length);
    for (const record of records) assert.deepEqual(record, emu.zoho.record('Accounts', String(record.id)));
    const calls = emu.exchanges.slice(seen).filter((e) => e.path === '/crm/v8/Accounts');
    const chunks = Math.ceil((fields.length - 2) / 9); // id comes by itself; Modified_Time is in every chunk
    // The first chunk pages; every other chunk reads that page's records by id, 100 a call.
    const byIds = calls.filter((c) => c.query.ids);
    assert.equal(calls.length - byIds.length, pages.length);
    assert.equal(
      byIds.length,
      pages.reduce((n, p) => n + (chunks - 1) * Math.ceil(p.records.length / 100), 0),
    );
    for (const call of byIds) assert.ok(String(call.query.ids).split(',').length <= 100 && !call.query.page_token);
    for (const call of calls) assert.ok(String(call.query.fields).split(',').length <= 10);
  });

  test('a record changed between the chunk calls of a page is marked changed there (not whole) and comes again, whole', async () => {
    const local = await emulator();
    try {
      // One call in flight: the chunks go in order, and the change lands between the first and the second.
      const { crm } = await openCrm(zohoEnv(local, await tempHome()), { fieldsPerCall: 10, maxInFlight: 1 });
      const fields = crmTables()
        .find((t) => t.name === 'Accounts')!
        .columns.map((c) => c.name);
      const target = String(local.zoho.sortedBy('Accounts', 'Modified_Time').rows[5].id);
      await crm.accessToken();
      local.faults.add({
        path: '/crm/v8/Accounts',
        nth: 2,
        fault: { kind: 'delay', ms: 1, handle: 'before' },
        onFire: () => void local.zoho.update('Accounts', target, { Rating: 'Hot' }),
      });
      const { records, pages } = await readAll(crm, 'Accounts', fields);
      assert.deepEqual(pages[0].changed, [target]);
      assert.equal(pages[0].records.find((r) => r.id === target)?.Rating, undefined, 'only its first-chunk fields');
      assert.equal(
        records.filter((r) => r.id === target).length,
        1,
        'the changed record comes once, later in the pass',
      );
      // Zoho's page tokens are positional (the emulator's reading of the v8 OAS): the edited record
      // leaves its place and the next one slides into the page already read, so a token walk can
      // miss one record. sync walks on a keyset instead (test/sync/walk.test.ts).
      const rows = local.zoho.rows('Accounts').length;
      assert.ok(records.length === rows - 1 || records.length === rows, `${records.length} of ${rows}`);
      for (const record of records) assert.deepEqual(record, local.zoho.record('Accounts', String(record.id)));
      assert.equal(records.at(-1)!.id, target);
      assert.equal(records.at(-1)!.Rating, 'Hot');
    } finally {
      await local.close();
    }
  });

  test("If-Modified-Since after the newest record: 304, an empty last page; since in Zoho's format", async () => {
    const { crm } = await openCrm(zohoEnv(emu, await tempHome()));
    const newest = Math.max(...emu.zoho.rows('Accounts').map((r) => Date.parse(String(r.Modified_Time))));
    const page = await crm.records('Accounts', {
      fields: ['Account_Name'],
      since: new Date(newest + 1000).toISOString(),
    });
    assert.deepEqual(page, { records: [], more: false });
    const call = emu.exchanges.findLast((e) => e.path === '/crm/v8/Accounts')!;
    assert.equal(call.status, 304);
    assert.equal(call.headers['if-modified-since'], zohoTime(newest + 1000));
    assert.match(zohoTime(newest + 1000), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.equal(zohoTime('2025-07-14T10:00:00-05:00'), '2025-07-14T10:00:00-05:00');
    // Inclusive: the newest second itself still gives its records.
    const last = await crm.records('Accounts', { fields: ['Account_Name'], since: zohoTime(newest) });
    assert.ok(last.records.length >= 1);
    assert.ok(
      last.records.every(
        (r) =>
          r.id &&
          emu.zoho.record('Accounts', String(r.id))!.Modified_Time ===
            emu.zoho.record('Accounts', String(last.records[0].id))!.Modified_Time,
      ),
    );
  });

  test('deleted records: type=all, paged, since honoured, 304 past the newest', async () => {
    const { crm } = await openCrm(zohoEnv(emu, await tempHome()));
    const expected = emu.zoho.deleted('Accounts');
    assert.ok(expected.length > 10);
    const got: Array<{ id: string; deletedTime: string; type: string; displayName?: string }> = [];
    for (let page = 1; ; page++) {
      const answer = await crm.deleted('Accounts', { page, perPage: 10 });
      got.push(...answer.records);
      if (!answer.more) break;
    }
    assert.deepEqual(
      got,
      expected.map((d) => ({
        id: d.id,
        deletedTime: d.deleted_time,
        type: d.type,
        ...(d.display_name ? { displayName: d.display_name } : {}),
      })),
    );
    assert.ok(emu.exchanges.filter((e) => e.path === '/crm/v8/Accounts/deleted').every((e) => e.query.type === 'all'));
    const middle = expected[Math.floor(expected.length / 2)];
    const since = await crm.deleted('Accounts', { since: middle.deleted_time });
    assert.deepEqual(
      since.records.map((r) => r.id),
      expected.filter((d) => Date.parse(d.deleted_time) >= Date.parse(middle.deleted_time)).map((d) => d.id),
    );
    const newest = Date.parse(expected.at(-1)!.deleted_time);
    assert.deepEqual(await crm.deleted('Accounts', { since: zohoTime(newest + 1000) }), {
      records: [],
      more: false,
      cost: { calls: 1, credits: 1 },
    });
  });

  test('one access token across two clients on one home: at most one mint; kept with its expiry, mode 0600', async () => {
    const local = await emulator();
    try {
      const home = await tempHome();
      const env = zohoEnv(local, home);
      const first = await openCrm(env);
      // Concurrent callers share one mint.
      const tokens = await Promise.all([
        first.crm.modules(),
        first.crm.fields('Accounts'),
        first.crm.accessToken(),
        first.crm.records('Leads', { fields: ['Last_Name'] }),
      ]);
      assert.ok(tokens);
      assert.equal(mintsAt(local), 1);
      assert.equal(first.crm.mints, 1);
      const second = await openCrm(env);
      const access = await second.crm.accessToken();
      assert.equal(access.minted, false);
      await second.crm.modules();
      assert.equal(mintsAt(local), 1, 'the second client reuses the stored token');
      assert.equal(second.crm.mints, 0);
      const [token] = accessTokens(local);
      assert.equal(access.token, token);
      const file = join(home, 'credentials.json');
      const stored = JSON.parse(await readFile(file, 'utf8')).profiles.default.zoho;
      assert.equal(stored.accessToken, token);
      assert.ok(Math.abs(stored.accessTokenExpiry - (Date.now() + 3600_000)) < 60_000);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      // A stored token that is still valid wins over ZOHO_ACCESS_TOKEN.
      const third = await openCrm({ ...env, ZOHO_ACCESS_TOKEN: SECRETS.ZOHO_ACCESS_TOKEN });
      assert.equal((await third.crm.accessToken()).token, token);
      await third.crm.modules();
      assert.equal(mintsAt(local), 1);
    } finally {
      await local.close();
    }
  });

  test('a stored token past its expiry is refreshed; ZOHO_ACCESS_TOKEN starts the chain when nothing valid is stored', async () => {
    let now = Date.now();
    const local = await emulator({ now: () => now, zohoTokenLifetimeMs: 300_000 });
    try {
      const home = await tempHome();
      // A token the accounts server issued, given as ZOHO_ACCESS_TOKEN: used as is, no mint.
      const issued = await fetch(
        `${local.url}/oauth/v2/token?${new URLSearchParams({ grant_type: 'refresh_token', client_id: '1000.ZOHOCLIENTID', client_secret: 'x', refresh_token: SECRETS.ZOHO_REFRESH_TOKEN })}`,
        { method: 'POST' },
      ).then((r) => r.json() as Promise<{ access_token: string }>);
      const env = zohoEnv(local, home, { ZOHO_ACCESS_TOKEN: issued.access_token });
      const { crm } = await openCrm(env);
      assert.equal((await crm.modules()).length, crmTables().length);
      assert.equal(crm.mints, 0);
      assert.equal((await crm.accessToken()).expiry, Infinity);
      // It expires (the emulator's clock): INVALID_TOKEN → one refresh, the call resent.
      now += 300_000;
      const before = mintsAt(local);
      assert.equal((await crm.modules()).length, crmTables().length);
      assert.equal(mintsAt(local) - before, 1);
      assert.equal(crm.mints, 1);
      // The stored token expires too (the client's view): the next client mints one new token, not two.
      const later = await openCrm(env);
      assert.equal((await later.crm.accessToken()).minted, false);
    } finally {
      await local.close();
    }
  });

  test('INVALID_TOKEN: one refresh shared by concurrent calls, then the calls go through', async () => {
    const local = await emulator();
    try {
      // ZOHO_ACCESS_TOKEN is one the emulator never issued: every call gets INVALID_TOKEN first.
      const { crm } = await openCrm(zohoEnv(local, await tempHome(), { ZOHO_ACCESS_TOKEN: SECRETS.ZOHO_ACCESS_TOKEN }));
      const results = await Promise.all(['Accounts', 'Contacts', 'Leads', 'Deals', 'Tasks'].map((m) => crm.fields(m)));
      assert.ok(results.every((fields) => fields && fields.length > 0));
      assert.equal(mintsAt(local), 1);
      assert.equal(crm.mints, 1);
      const refused = local.exchanges.filter((e) => e.status === 401);
      assert.ok(refused.length >= 1 && refused.length <= 5);
      // A refresh token Zoho rejects: a clear error naming the fix.
      const strict = await emulator({ strictCredentials: true });
      try {
        const bad = await openCrm(zohoEnv(strict, await tempHome()));
        await assert.rejects(bad.crm.modules(), (error: ApiError) => {
          assert.equal(error.code, 'ZOHO_REFRESH_TOKEN_INVALID');
          assert.match(error.message, /refresh token \(invalid_code\)/);
          assert.match(error.hint!, /aep-zoho zoho token --grant-token/);
          return true;
        });
      } finally {
        await strict.close();
      }
    } finally {
      await local.close();
    }
  });

  test('the mint throttle (HTTP 200 "Access Denied") is an error naming the wait', async () => {
    const local = await emulator();
    try {
      for (let i = 0; i < 10; i++) {
        await fetch(
          `${local.url}/oauth/v2/token?${new URLSearchParams({ grant_type: 'refresh_token', client_id: '1000.ZOHOCLIENTID', client_secret: 'x', refresh_token: SECRETS.ZOHO_REFRESH_TOKEN })}`,
          { method: 'POST' },
        );
      }
      const { crm } = await openCrm(zohoEnv(local, await tempHome()));
      await assert.rejects(crm.modules(), (error: ApiError) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, 'ZOHO_TOKEN_THROTTLED');
        assert.match(error.message, /at most 10 access tokens per refresh token every 10 minutes; wait 10 minutes/);
        assert.ok(error.hint);
        return true;
      });
    } finally {
      await local.close();
    }
  });

  test('Zoho error bodies name the module and parameter; missing credentials name the variables', async () => {
    const { crm } = await openCrm(zohoEnv(emu, await tempHome()));
    await assert.rejects(crm.records('Accounts', { fields: ['Account_Name', 'No_Such_Field'] }), (error: ApiError) => {
      assert.equal(error.status, 400);
      assert.match(error.message, /module Accounts, parameter fields 'No_Such_Field'/);
      assert.match(error.hint!, /explore Accounts --via http-api/);
      return true;
    });
    await assert.rejects(
      crm.records('Accounts', { fields: ['Account_Name'], pageToken: 'nope' }),
      (error: ApiError) => {
        assert.match(error.message, /parameter page_token/);
        assert.match(error.hint!, /start again from the cursor/);
        return true;
      },
    );
    const { crm: bare } = await openCrm({
      AEP_ZOHO_HOME: await tempHome(),
      ZOHO_ENDPOINT: emu.url,
      ZOHO_ACCOUNTS_URL: emu.url,
    });
    await assert.rejects(bare.modules(), (error: ApiError) => {
      assert.equal(error.code, 'ZOHO_CREDENTIALS_MISSING');
      assert.match(error.message, /ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN/);
      assert.match(error.hint!, /aep-zoho zoho token --grant-token/);
      return true;
    });
  });

  test('at most ZOHO_MAX_IN_FLIGHT calls in flight (default 5)', async () => {
    const { crm } = await openCrm(zohoEnv(emu, await tempHome()));
    assert.equal(crm.limiter.max, 5);
    await crm.accessToken();
    await Promise.all(
      crmTables().flatMap((t) => [crm.fields(t.name), crm.records(t.name, { fields: ['Modified_Time'] })]),
    );
    assert.ok(crm.limiter.peak <= 5 && crm.limiter.peak >= 2, `peak ${crm.limiter.peak}`);
    const { crm: two } = await openCrm(zohoEnv(emu, await tempHome(), { ZOHO_MAX_IN_FLIGHT: '2' }));
    assert.equal(two.limiter.max, 2);
    const { crm: option } = await openCrm(zohoEnv(emu, await tempHome(), { ZOHO_MAX_IN_FLIGHT: '2' }), {
      maxInFlight: 7,
    });
    assert.equal(option.limiter.max, 7);
  });

  test('429 is retried (Retry-After honoured) within the call; daily credits used up stop with ZOHO_CREDITS_EXHAUSTED', async () => {
    const { crm } = await openCrm(zohoEnv(emu, await tempHome()));
    await crm.accessToken();
    emu.faults.add({ path: '/crm/v8/settings/modules', fault: { kind: 'status', status: 429, retryAfter: '0' } });
    const calls = crm.calls;
    assert.equal((await crm.modules()).length, crmTables().length);
    assert.equal(crm.calls - calls, 1, 'one call, retried by the network stack');
    assert.deepEqual(
      emu.exchanges
        .filter((e) => e.path === '/crm/v8/settings/modules')
        .slice(-2)
        .map((e) => e.status),
      [429, 200],
    );
    // The emulator does not spend credits; a stand-in for Zoho's API answers as the v8 SDK's codes say.
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 'LIMIT_REACHED',
          details: {},
          message: 'API credits exhausted for the day',
          status: 'error',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { crm: spent } = await openCrm(
        zohoEnv(emu, await tempHome(), { ZOHO_ENDPOINT: `http://127.0.0.1:${port}` }),
      );
      await assert.rejects(spent.records('Accounts', { fields: ['Account_Name'] }), (error: ApiError) => {
        assert.equal(error.code, 'ZOHO_CREDITS_EXHAUSTED');
        assert.match(error.message, /API credits are used up.*module Accounts.*rolling 24-hour window/);
        assert.match(error.hint!, /resumes from its cursor/);
        return true;
      });
    } finally {
      server.close();
    }
  });

  test("LIMIT_EXCEEDED about a request's fields is not 'credits used up'; without a pointer at the request it is", async () => {
    const answers = [
      {
        code: 'LIMIT_EXCEEDED',
        details: {},
        message: 'you can include a maximum of 50 field API names',
        status: 'error',
      },
      {
        code: 'LIMIT_EXCEEDED',
        details: { api_name: 'fields', limit: 50 },
        message: 'limit exceeded',
        status: 'error',
      },
      { code: 'LIMIT_EXCEEDED', details: {}, message: 'API limit exceeded', status: 'error' },
    ];
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answers.shift()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { crm } = await openCrm(zohoEnv(emu, await tempHome(), { ZOHO_ENDPOINT: `http://127.0.0.1:${port}` }));
      for (let i = 0; i < 2; i++)
        await assert.rejects(crm.records('Accounts', { fields: ['Account_Name'] }), (error: ApiError) => {
          assert.equal(error.code, 'ZOHO_TOO_MANY_FIELDS', error.message);
          assert.doesNotMatch(error.message, /credits/);
          assert.match(error.hint!, /at most 50 field API names/);
          return true;
        });
      await assert.rejects(crm.records('Accounts', { fields: ['Account_Name'] }), (error: ApiError) => {
        assert.equal(error.code, 'ZOHO_CREDITS_EXHAUSTED');
        return true;
      });
    } finally {
      server.close();
    }
  });

  test('no token in any output, even with --debug', async () => {
    const local = await emulator();
    try {
      const { crm, stderr } = await openCrm(
        zohoEnv(local, await tempHome(), { ZOHO_ACCESS_TOKEN: SECRETS.ZOHO_ACCESS_TOKEN }),
      );
      await crm.modules();
      await crm.records('Accounts', { fields: ['Account_Name'] });
      await crm.records('Accounts', { fields: ['Account_Name'], pageToken: 'nope' }).catch((error: Error) => {
        assert.ok(!accessTokens(local).some((t) => error.message.includes(t)));
      });
      const text = stderr();
      assert.match(text, /GET \/crm\/v8\/settings\/modules/, 'the debug lines are there');
      const zohoSecrets = [
        ...accessTokens(local),
        SECRETS.ZOHO_ACCESS_TOKEN,
        SECRETS.ZOHO_REFRESH_TOKEN,
        SECRETS.ZOHO_CLIENT_SECRET,
      ];
      for (const secret of zohoSecrets) {
        assert.ok(!text.includes(secret), `a secret leaked in:\n${text}`);
        // Registered as secrets: masked in whatever prints them later (errors, plans, --json).
        assert.equal(redact(`x ${secret} y`).includes(secret), false);
      }
    } finally {
      await local.close();
    }
  });
});
