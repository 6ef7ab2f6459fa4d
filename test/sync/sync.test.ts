// `aep-zoho sync` through the real binary against the emulator: every Zoho record reaches the
// dataset, mapped, record by record; a second sync sends only what changed and counts the deletes;
// a sync with nothing new sends nothing; the exact --json shape; Zoho read in the fewest calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INLET_IN_FLIGHT } from '../../src/aep/inlet.js';
import { LIVE_EDGE_SECONDS } from '../../src/sync/engine.js';
import { inletPosts, mark as markOf, newestModified, settle, syncWorld, zohoIds } from './setup.js';

const instant = (time: unknown) => Math.floor(Date.parse(String(time)) / 1000);

test('every Zoho record arrives in the dataset once, mapped as the mapping set says, record by record; Zoho is read in ceil(n/2000) COQL pages plus one field-metadata and one deleted call, counted with their credits', async (t) => {
  const w = await syncWorld(t);
  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const out = r.json();
  assert.deepEqual(Object.keys(out).sort(), ['inletPeakInFlight', 'sandbox', 'syncs', 'zohoCalls', 'zohoMints']);
  assert.equal(out.syncs.length, 1);
  const [s] = out.syncs;
  for (const key of ['template', 'flowId', 'read', 'sent', 'deleted', 'cursor', 'zohoCalls', 'zohoCredits'])
    assert.ok(key in s, `syncs[0].${key}`);
  const rows = w.emu.zoho.rows('Accounts');
  assert.ok(rows.length > 2000, 'more than the 2,000 records `page` reaches');
  assert.deepEqual(
    [s.template, s.flowId, s.read, s.sent, s.failed, s.deleted],
    ['accounts', w.flowId, rows.length, rows.length, 0, w.emu.zoho.deleted('Accounts').length],
  );
  assert.equal(instant(s.cursor), newestModified(w.emu) / 1000, 'the cursor is the newest Modified_Time');
  assert.match(s.cursor, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00$/, "as Zoho wrote it, in the org's offset");

  const streamed = w.emu.state.recordsOf(w.dataSetId);
  assert.equal(streamed.length, rows.length, 'each record once');
  const byId = new Map(streamed.map((record) => [String((record.raw as { id: string }).id), record]));
  for (const row of rows) {
    const got = byId.get(String(row.id));
    assert.ok(got, `record ${row.id} arrived`);
    const expected = Object.fromEntries(
      Object.entries({
        zohoId: row.id,
        name: row.Account_Name,
        ownerId: (row.Owner as { id: string }).id,
        industry: row.Industry,
        modified: row.Modified_Time,
      }).filter(([, v]) => v !== null && v !== undefined),
    );
    assert.deepEqual(got.data[w.tenant], expected, `record ${row.id} mapped`);
    assert.equal(got.flowId, w.flowId);
  }

  const posts = inletPosts(w.emu);
  assert.equal(posts.length, rows.length, 'one record per request, none resent');
  for (const post of posts.slice(0, 5)) {
    assert.equal(post.headers['x-adobe-flow-id'], w.flowId);
    assert.match(String(post.headers.authorization), /^Bearer eyJ/);
    assert.equal(post.headers['x-api-key'], w.env.AEP_CLIENT_ID);
    assert.equal(post.headers['x-gw-ims-org-id'], w.env.AEP_ORG_ID);
    assert.match(String(post.headers['content-type']), /^application\/json/);
  }
  assert.ok(
    out.inletPeakInFlight > 1 && out.inletPeakInFlight <= DEFAULT_INLET_IN_FLIGHT,
    `peak in flight ${out.inletPeakInFlight} (bound ${DEFAULT_INLET_IN_FLIGHT})`,
  );
  // The first call is refused (ZOHO_ACCESS_TOKEN is no token this Zoho issued), then resent with a minted one.
  const zoho = w.emu.exchanges.filter((e) => e.path.startsWith('/crm/v8/') && e.status !== 401);
  const pages = zoho.filter((e) => e.method === 'POST' && e.path === '/crm/v8/coql');
  const deletedCalls = zoho.filter((e) => e.path === '/crm/v8/Accounts/deleted');
  const metadata = zoho.filter((e) => e.path === '/crm/v8/settings/fields');
  assert.equal(pages.length, Math.ceil(rows.length / 2000), 'ceil(n/2000) COQL pages');
  assert.deepEqual([deletedCalls.length, metadata.length, zoho.length], [1, 1, pages.length + 2]);
  const queries = pages.map((e) => String((e.body as { select_query: string }).select_query));
  assert.match(
    queries[0],
    /^select id, .* from Accounts where id is not null order by Modified_Time asc, id asc limit 2000$/,
  );
  for (const query of queries.slice(1))
    assert.match(query, /where \(Modified_Time > '[^']+' or \(Modified_Time = '[^']+' and id > \d+\)\) order by/);
  // Zoho's prices: 1 credit a GET, 3 a COQL query of LIMIT 1,001-2,000 (docs/zoho-rules.md).
  // The refused first call counts as a call, not as credits.
  assert.deepEqual([s.zohoCalls, s.zohoCredits], [pages.length + 3, pages.length * 3 + 2]);
  assert.equal(out.zohoCalls, s.zohoCalls);

  const entry = await w.entry();
  assert.equal(entry.cursor, s.cursor);
  assert.ok(entry.lastSyncAt);
  assert.deepEqual(
    new Set(entry.cursorIds),
    new Set(rows.filter((row) => instant(row.Modified_Time) === instant(s.cursor)).map((row) => String(row.id))),
  );
});

test('a second sync sends only what changed (also within the cursor second) and counts the deletes once; a sync with nothing new sends nothing', async (t) => {
  const w = await syncWorld(t);
  assert.equal((await w.cli(['sync', '--json'])).exitCode, 0);
  const ids = zohoIds(w.emu);
  const [a, b, c, d] = [ids[10], ids[1500], ids[2000], ids[42]];
  w.emu.zoho.update('Accounts', a, { Industry: 'Banking' });
  w.emu.zoho.update('Accounts', b, { Account_Name: 'Renamed Inc' });
  w.emu.zoho.delete('Accounts', c);
  const created = w.emu.zoho.create('Accounts', { Account_Name: 'Brand New Ltd', Industry: 'Retail' });
  settle(w.emu);
  let mark = markOf(w.emu);

  const second = await w.cli(['sync', '--json']);
  assert.equal(second.exitCode, 0, second.stdout + second.stderr);
  const [s] = second.json().syncs;
  assert.deepEqual([s.read, s.sent, s.deleted, s.failed], [3, 3, 1, 0]);
  assert.deepEqual(
    new Set(inletPosts(w.emu, mark).map((e) => String((e.body as { id: string }).id))),
    new Set([a, b, String(created.id)]),
  );
  const latest = (id: string) =>
    w.emu.state
      .recordsOf(w.dataSetId)
      .filter((r) => (r.raw as { id: string }).id === id)
      .at(-1)!;
  assert.equal((latest(a).data[w.tenant] as { industry: string }).industry, 'Banking');
  assert.equal((latest(b).data[w.tenant] as { name: string }).name, 'Renamed Inc');
  assert.equal(instant(s.cursor), instant(created.Modified_Time));

  // An edit stamped with the cursor's own second, seen only now (Zoho's clock set back for it):
  // the cursor's ids keep the others of that second from being resent, and this one goes.
  w.emu.advanceClock(-(LIVE_EDGE_SECONDS + 1) * 1000);
  w.emu.zoho.update('Accounts', d, { Industry: 'Energy' });
  settle(w.emu);
  mark = markOf(w.emu);
  const third = await w.cli(['sync', '--json']);
  assert.equal(third.exitCode, 0, third.stdout + third.stderr);
  assert.deepEqual(
    third.json().syncs.map((x: any) => [x.read, x.sent, x.deleted]),
    [[1, 1, 0]],
  );
  assert.deepEqual(
    inletPosts(w.emu, mark).map((e) => (e.body as { id: string }).id),
    [d],
  );

  mark = markOf(w.emu);
  const zohoBefore = w.emu.exchanges.filter((e) => e.path.startsWith('/crm/v8/')).length;
  const quiet = await w.cli(['sync']);
  assert.equal(quiet.exitCode, 0, quiet.stderr);
  assert.equal(inletPosts(w.emu, mark).length, 0, 'nothing sent');
  assert.match(quiet.stdout, /^accounts: nothing new in Accounts; cursor \S+\.$/m);
  assert.match(quiet.stderr, /Next: data moves only when sync runs: run this again, or aep-zoho sync --every 15m/);
  assert.equal(
    w.emu.exchanges.filter((e) => e.path.startsWith('/crm/v8/')).length - zohoBefore,
    3,
    'a quiet pass: the field metadata, one COQL page (the cursor second) and one deleted call',
  );

  // Every record Zoho holds is in the dataset, at its latest version.
  const streamed = new Set(w.streamedIds());
  for (const id of zohoIds(w.emu)) assert.ok(streamed.has(id), `record ${id} arrived`);
});

test('--full reads every record again and sends it; the cursor does not move back', async (t) => {
  const w = await syncWorld(t);
  assert.equal((await w.cli(['sync', '--json'])).exitCode, 0);
  const before = await w.entry();
  const mark = markOf(w.emu);
  const full = await w.cli(['sync', 'accounts', '--full', '--json']);
  assert.equal(full.exitCode, 0, full.stderr);
  const rows = w.emu.zoho.rows('Accounts').length;
  assert.deepEqual(
    full.json().syncs.map((x: any) => [x.read, x.sent, x.deleted]),
    [[rows, rows, 0]],
    'deletes are still counted once',
  );
  assert.equal(inletPosts(w.emu, mark).length, rows);
  const after = await w.entry();
  assert.deepEqual([after.cursor, new Set(after.cursorIds)], [before.cursor, new Set(before.cursorIds)]);
});

test('dataflows are picked by template, flow id or flow name; an unknown one is exit 2 with a suggestion; none at all is exit 1 naming dataflow create --via http-api', async (t) => {
  const w = await syncWorld(t);
  for (const pick of [w.flowId, 'Zoho CRM Accounts (aep-zoho default/accounts)']) {
    const r = await w.cli(['sync', pick, '--json'], { AEP_ZOHO_INLET_IN_FLIGHT: '8' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(
      r.json().syncs.map((x: any) => x.template),
      ['accounts'],
    );
    assert.ok(r.json().inletPeakInFlight <= 8);
  }
  const unknown = await w.cli(['sync', 'acounts', '--json']);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.json().error.message, /No http-api dataflow 'acounts'/);
  assert.match(unknown.json().error.hint, /Did you mean 'accounts'\?/);
  const none = await w.cli(['sync', '--json'], { AEP_ZOHO_HOME: `${w.home}/elsewhere` });
  assert.equal(none.exitCode, 1);
  assert.match(none.json().error.hint, /aep-zoho dataflow create --template <name> --via http-api/);
  assert.equal(none.json().error.code, 'NO_SYNCS');
});
