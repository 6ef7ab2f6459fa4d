// Zoho's walk under the real rules (issue 20.3, 23.2): the sync engine (src/sync/engine.ts) with
// the real Zoho reader (src/zoho/crm.ts) against the emulator over HTTP, and a counting inlet (the
// inlet's own path is tested in sync.test.ts; 100,000 HTTP posts would only make this slow).
// The emulator's page tokens are positional and stop at 100,000 records, as Zoho's may; records
// are edited while the walk runs; every record must arrive, each edited one in its newest version.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { rm } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { createContext, processLockOwner } from '../../src/cli/context.js';
import { loadSettings } from '../../src/config/settings.js';
import { StateStore, type SyncState } from '../../src/config/state.js';
import { stateCheckpoints, syncDataflow, type PassDeps, type PassReport } from '../../src/sync/engine.js';
import { coqlCredits, ZohoCrm } from '../../src/zoho/crm.js';
import { SECRETS, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { inletPosts, mark, settle, syncWorld, zohoIds } from './setup.js';

type Emu = Emulator & { env: Record<string, string> };

/** A temporary home, removed when the test ends. */
async function home(t: TestContext): Promise<string> {
  const dir = await tempHome();
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
const FIELDS = ['Account_Name', 'Owner', 'Modified_Time'];

async function reader(emu: Emu, home: string): Promise<ZohoCrm> {
  const env: Record<string, string | undefined> = {
    AEP_ZOHO_HOME: home,
    ZOHO_CLIENT_ID: '1000.ZOHOCLIENTID',
    ZOHO_CLIENT_SECRET: SECRETS.ZOHO_CLIENT_SECRET,
    ZOHO_REFRESH_TOKEN: SECRETS.ZOHO_REFRESH_TOKEN,
    ZOHO_ACCOUNTS_URL: emu.url,
    ZOHO_ENDPOINT: emu.url,
    AEP_ZOHO_RETRY_BASE_MS: '20',
  };
  const io = {
    stdout: new PassThrough(),
    stderr: new PassThrough().resume(),
    stdin: new PassThrough(),
    isTTY: { stdin: false, stdout: false, stderr: false },
    columns: 80,
  };
  const ctx = createContext(
    { profile: 'default', json: true, quiet: true, debug: false, yes: true },
    io,
    env,
    new AbortController().signal,
  );
  return ZohoCrm.open(ctx, await loadSettings(env, ctx.flags, ctx.lockOwner));
}

/** A sync entry in a fresh state file, a counting inlet, and a pass of the engine with a given reader. */
async function world(t: TestContext, onPost: (count: number) => void = () => {}) {
  const dir = await home(t);
  const state = new StateStore(dir, 'default', { owner: processLockOwner() });
  const sync: SyncState = { flowId: 'f1', module: 'Accounts', fields: FIELDS, inletUrl: 'http://127.0.0.1:1/x' };
  await state.update('prod', (s) => {
    s.syncs = { accounts: { ...sync } };
  });
  /** The last version of each record the inlet received, and how many posts it took. */
  const received = new Map<string, Record<string, unknown>>();
  let posts = 0;
  const inlet = {
    check: () => {},
    post: async (_url: string, _flow: string, body: string) => {
      const record = JSON.parse(body) as Record<string, unknown>;
      received.set(String(record.id), record);
      onPost(++posts);
      return { ok: true };
    },
  };
  const pass = async (crm: ZohoCrm, full = false): Promise<PassReport> => {
    const deps: PassDeps = {
      reader: crm,
      inlet: inlet as PassDeps['inlet'],
      checkpoints: stateCheckpoints(state, 'prod', 'accounts', 'f1'),
      inFlight: 8,
      now: () => new Date(),
    };
    return syncDataflow(deps, 'accounts', (await state.read('prod')).syncs!.accounts, { full });
  };
  return { home: dir, state, received, posts: () => posts, pass };
}

test('a module of more than 100,000 records, edited during the walk, in one pass: every record arrives, each edited one in its newest version; the next pass sends again only the edits past the live edge, and a quiet pass costs at most 3 Zoho calls', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  // An import of 101,000 accounts, 350 a second (many records share each Modified_Time second).
  const importStart = Date.UTC(2025, 10, 3, 14);
  emu.zoho.bulkCreate(
    'Accounts',
    101_000,
    (i) => ({ Account_Name: `Imported ${i}` }),
    (i) => importStart + Math.floor(i / 350) * 1000,
  );
  const total = emu.zoho.rows('Accounts').length;
  assert.ok(total > 100_000);

  // Zoho's page tokens (the emulator's, as the v8 OAS gives them) stop at 100,000 records.
  const token = await (await reader(emu, await home(t))).accessToken();
  let pageToken: string | undefined;
  let reached = 0;
  let refusal: { status: number; body: any } | undefined;
  for (let page = 0; page < 600 && !refusal; page++) {
    const query = new URLSearchParams({ fields: 'Modified_Time', per_page: '200', sort_by: 'id', sort_order: 'asc' });
    if (pageToken) query.set('page_token', pageToken);
    const res = await fetch(`${emu.url}/crm/v8/Accounts?${query}`, {
      headers: { authorization: `Zoho-oauthtoken ${token.token}` },
    });
    const body = (await res.json()) as any;
    if (res.status !== 200) refusal = { status: res.status, body };
    else {
      reached += body.data.length;
      pageToken = body.info.next_page_token;
    }
  }
  assert.equal(reached, 100_000, 'page tokens reach 100,000 records');
  assert.deepEqual(refusal, {
    status: 400,
    body: {
      code: 'PAGINATION_LIMIT_EXCEEDED',
      details: { param_name: 'page_token' },
      message: 'You can only get upto 100000 records using page_token param',
      status: 'error',
    },
  });

  // Edits while the walk runs: records already read, records not read yet, one of each page's edge.
  const byTime = emu.zoho.sortedBy('Accounts', 'Modified_Time').rows.map((row) => String(row.id));
  const edited = new Map<string, string>();
  const edit = (id: string, name: string) => {
    emu.zoho.update('Accounts', id, { Account_Name: name });
    edited.set(id, name);
  };
  const w = await world(t, (count) => {
    if (count === 30_000) {
      for (const i of [0, 1999, 2000, 15_000, 29_999]) edit(byTime[i], `Edited early ${i}`);
      for (const i of [40_000, 70_001, total - 1]) edit(byTime[i], `Edited ahead ${i}`);
    }
    if (count === 90_000) {
      edit(byTime[0], 'Edited twice 0');
      for (const i of [50_000, 99_999, 100_000]) edit(byTime[i], `Edited late ${i}`);
    }
  });
  const crm = await reader(emu, w.home);
  const report = await w.pass(crm);
  assert.equal(report.error, undefined, JSON.stringify(report.error));
  assert.equal(report.failed, 0);

  const current = emu.zoho.rows('Accounts');
  assert.equal(current.length, total);
  const missing = current.filter((row) => !w.received.has(String(row.id))).map((row) => row.id);
  assert.deepEqual(missing, [], 'every record arrives');
  for (const [id, name] of edited) {
    assert.equal(w.received.get(id)?.Account_Name, name, `record ${id} arrives in its newest version`);
    assert.equal(w.received.get(id)?.Modified_Time, emu.zoho.record('Accounts', id)?.Modified_Time);
  }
  assert.ok(w.posts() <= total + 2 * edited.size, `${w.posts()} posts: each record once, edited ones again`);
  const pages = Math.ceil(w.posts() / 2000);
  assert.ok(report.pages <= pages + 1, `${report.pages} COQL pages of 2,000`);
  // Calls: the field metadata (once), the COQL pages, one deleted listing; credits as Zoho prices them.
  assert.equal(report.zohoCalls, 1 + report.pages + 1);
  assert.equal(report.zohoCredits, 1 + report.pages * coqlCredits(2000) + 1);
  const entry = (await w.state.read('prod')).syncs!.accounts;
  assert.equal(entry.cursor, report.cursor);
  const second = (row: { Modified_Time?: unknown }) => Math.floor(Date.parse(String(row.Modified_Time)) / 1000);
  assert.equal(
    Math.floor(Date.parse(entry.cursor!) / 1000),
    Math.max(...current.filter((row) => !edited.has(String(row.id))).map(second)),
    'the cursor is the newest Modified_Time before the live edge (the edits are newer)',
  );

  // Later: the next pass reads the edits again from the cursor (at most once more each), and moves past them.
  settle(emu);
  const before = w.posts();
  const next = await w.pass(crm);
  assert.equal(next.error, undefined);
  assert.ok(w.posts() - before <= edited.size, `${w.posts() - before} posts: the records past the live edge`);
  assert.equal(Math.floor(Date.parse(next.cursor!) / 1000), Math.max(...current.map(second)));

  // Nothing new: a fresh reader (its field metadata not cached) costs at most 3 calls.
  const quietBefore = w.posts();
  const quiet = await w.pass(await reader(emu, w.home));
  assert.equal(quiet.error, undefined);
  assert.deepEqual([quiet.read, quiet.sent, w.posts() - quietBefore], [0, 0, 0]);
  assert.ok(quiet.zohoCalls <= 3, `quiet pass: ${quiet.zohoCalls} Zoho calls`);
});

test("Zoho's positional page tokens lose a record edited during a REST walk (why sync walks on a keyset); an expired token is EXPIRED_VALUE and the reader says what to do", async (t) => {
  let offset = 0;
  const emu = await emulator({ now: () => Date.now() + offset });
  t.after(() => emu.close());
  const crm = await reader(emu, await home(t));
  const first = await crm.records('Accounts', { fields: ['Account_Name', 'Modified_Time'] });
  assert.equal(first.records.length, 200);
  // The 201st record in Modified_Time order slides into page 1 when a record of page 1 is edited.
  const order = emu.zoho.sortedBy('Accounts', 'Modified_Time').rows.map((row) => String(row.id));
  emu.zoho.update('Accounts', String(first.records[0].id), { Account_Name: 'Edited' });
  const second = await crm.records('Accounts', {
    fields: ['Account_Name', 'Modified_Time'],
    pageToken: first.nextPageToken,
  });
  const seen = new Set([...first.records, ...second.records].map((r) => String(r.id)));
  assert.ok(!seen.has(order[200]), 'the record that slid into the page already read is skipped by the token walk');

  offset = 25 * 3600_000;
  await assert.rejects(
    crm.records('Accounts', { fields: ['Account_Name', 'Modified_Time'], pageToken: second.nextPageToken }),
    (error: any) => {
      assert.equal(error.code, 'ZOHO_PAGE_TOKEN_INVALID');
      assert.match(error.message, /\(EXPIRED_VALUE\) \(module Accounts, parameter page_token\): Page token expired/);
      assert.match(error.hint, /start again from the cursor/);
      return true;
    },
  );
});

test('the COQL walk gives records the shape of the REST read (lookups with name, id and email); bad queries get Zoho’s documented errors', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const crm = await reader(emu, await home(t));
  const fields = ['Account_Name', 'Owner', 'Parent_Account', 'Annual_Revenue', 'Created_Time', 'Modified_Time'];
  const rest = await crm.records('Accounts', { fields, perPage: 200 });
  const coql = await crm.walk('Accounts', { fields, limit: 200 });
  assert.equal(coql.records.length, 200);
  assert.deepEqual(coql.records, rest.records, 'the same records, in the same shape and order');
  assert.ok(
    coql.records.some((r) => (r.Owner as { email?: string }).email),
    'user lookups keep their email',
  );
  assert.deepEqual(coql.cost, { calls: 2, credits: 2 }, 'the field metadata, then one query of LIMIT 200: 1 credit');
  // The next page starts after the last key, whatever shares its second.
  const last = coql.records[199];
  const next = await crm.walk('Accounts', { fields, from: { at: String(last.Modified_Time), id: String(last.id) } });
  const rest2 = await crm.records('Accounts', { fields, pageToken: rest.nextPageToken });
  assert.deepEqual(next.records.slice(0, 200), rest2.records);
  assert.deepEqual(next.cost, { calls: 1, credits: 3 }, 'LIMIT 2000: 3 credits');

  const token = (await crm.accessToken()).token;
  const query = async (select_query: string) => {
    const res = await fetch(`${emu.url}/crm/v8/coql`, {
      method: 'POST',
      headers: { authorization: `Zoho-oauthtoken ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ select_query }),
    });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
  };
  assert.deepEqual((await query("select id from Accounts where Account_Name = 'no such account'")).status, 204);
  assert.deepEqual((await query('select No_Such_Field from Accounts where id is not null')).body, {
    code: 'INVALID_QUERY',
    details: { column_name: 'No_Such_Field', clause: 'select' },
    message: 'column given seems to be invalid',
    status: 'error',
  });
  assert.deepEqual((await query('select id from Accounts where id is not null limit s')).body.details, { limit: 's' });
  assert.equal((await query('select id from Accounts where id is not null limit 2001')).body.code, 'INVALID_QUERY');
  assert.equal(
    (await query('select id from Accounts where id is not null limit 2000 offset 98001')).body.code,
    'INVALID_QUERY',
  );
  assert.equal(
    (await query("select id from Accounts where id is not null and Account_Name = 'a' and Industry = 'b'")).body.code,
    'SYNTAX_ERROR',
    'more than two criteria must be paired with brackets',
  );
  assert.equal(
    (await query("select id from Accounts where (id is not null and Account_Name = 'a') and Industry = 'b'")).status,
    204,
  );
  assert.equal((await query('select id from Accounts where')).body.code, 'SYNTAX_ERROR');
  assert.equal((await query("select id from Accounts where Modified_Time > 'yesterday'")).body.code, 'INVALID_QUERY');

  // The reader's error names the module, the call and what to do.
  await assert.rejects(crm.walk('Accounts', { fields: ['Account_Name', 'Renamed_Field'] }), (error: any) => {
    assert.match(
      error.message,
      /POST \/crm\/v8\/coql failed with HTTP 400 \(INVALID_QUERY\) \(module Accounts, COQL query, column Renamed_Field\)/,
    );
    assert.match(error.hint, /explore Accounts --via http-api/);
    return true;
  });
});

test("Zoho's credits used up mid-walk: the pass stops cleanly, exit 1 naming the 24-hour window, the cursor kept after the last acknowledged page; the next sync resumes", async (t) => {
  // A stand-in in front of the emulator answers the second COQL query as the v8 SDK's code says
  // credits are gone (Zoho's exact body is undocumented, aep-fallback.md §3.6).
  let target = '';
  let queries = 0;
  const proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url?.startsWith('/crm/v8/coql') && ++queries === 2) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ code: 'LIMIT_REACHED', details: {}, message: 'API credits exhausted', status: 'error' }),
      );
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
    ) as Record<string, string>;
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.after(() => proxy.close());
  const w = await syncWorld(t, {
    env: { ZOHO_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
  });
  target = w.emu.url;

  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  const out = r.json();
  assert.equal(out.error.code, 'ZOHO_CREDITS_EXHAUSTED');
  assert.match(out.error.message, /credits are used up.*module Accounts, COQL query.*rolling 24-hour window/);
  assert.match(out.error.hint, /resumes from its cursor/);
  const [s] = out.syncs;
  assert.deepEqual([s.read, s.sent], [2000, 2000], 'the first page, acknowledged');
  const entry = await w.entry();
  assert.equal(entry.cursor, s.cursor, 'the cursor kept after the last acknowledged record');
  assert.ok(entry.cursor);

  const from = mark(w.emu);
  const again = await w.cli(['sync', '--json']);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  const sent = new Set(inletPosts(w.emu).map((e) => String((e.body as { id: string }).id)));
  for (const id of zohoIds(w.emu)) assert.ok(sent.has(id), `record ${id} arrived`);
  assert.ok(inletPosts(w.emu, from).length < zohoIds(w.emu).length - 1500, 'resumed, not started over');
});
