// The pass itself (src/sync/engine.ts) with a scripted Zoho reader and inlet: the orders and
// answers the emulator does not produce (a walk page that does not move the key forward, a delete
// listed twice or without a time), checked against the saved cursors. (A record changed between
// the field chunks of a REST page no longer concerns sync: one COQL query reads all its fields.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyncState } from '../../src/config/state.js';
import { CancelledError } from '../../src/core/errors.js';
import { syncDataflow, type Checkpoints, type PassDeps, type ZohoReader } from '../../src/sync/engine.js';

const record = (id: string, second: number) => ({
  id,
  Modified_Time: `2026-11-30T10:00:${String(second).padStart(2, '0')}+05:30`,
  Account_Name: `A${id}`,
});

/** A dataflow's sync entry held in memory (the pass's checkpoints write it), and an inlet that takes everything. */
function world(
  reader: ZohoReader,
  options: { now?: () => Date; inFlight?: number; kill?: (posts: number) => boolean } = {},
) {
  const entry: SyncState = {
    flowId: 'f1',
    module: 'Accounts',
    fields: ['Account_Name'],
    inletUrl: 'http://127.0.0.1:1/collection/x',
  };
  /** Every checkpoint's bytes, as the state file would hold the entry. */
  const saves: number[] = [];
  const checkpoints: Checkpoints = {
    walked: async (cursor) => {
      entry.cursor = cursor.at;
      entry.cursorIds = [...cursor.ids];
      if (cursor.through === undefined) delete entry.cursorThrough;
      else entry.cursorThrough = cursor.through;
      saves.push(JSON.stringify(entry).length);
    },
    deleted: async (cursor) => {
      entry.deletedCursor = cursor.at;
      entry.deletedIds = [...cursor.ids];
    },
    completed: async (at) => void (entry.lastSyncAt = at.toISOString()),
  };
  const posted: string[] = [];
  const deps: PassDeps = {
    reader,
    checkpoints,
    inFlight: options.inFlight ?? 1,
    now: options.now ?? (() => new Date()),
    inlet: {
      check: () => {},
      post: async (_url, _flow, body) => {
        // A kill: the process ends here, with only what the checkpoints saved.
        if (options.kill?.(posted.length)) throw new CancelledError();
        posted.push(JSON.parse(body).id);
        return { ok: true, xactionId: `x${posted.length}` };
      },
    },
  };
  const pass = (full = false) => syncDataflow(deps, 'accounts', structuredClone(entry), { full });
  return { entry, posted, saves, pass };
}

test("the walk asks from the cursor second, then after each page's last key; a page that does not move the key forward stops the pass with a clear error, the cursor kept", async () => {
  const froms: unknown[] = [];
  const reader: ZohoReader = {
    walk: async (_m, { from }) => {
      froms.push(from);
      // A broken server: the second answer repeats the first page.
      return { records: [record('1', 1), record('2', 2)], more: true, cost: { calls: 1, credits: 3 } };
    },
    deleted: async () => ({ records: [], more: false }),
  };
  const w = world(reader);
  const report = await w.pass();
  assert.deepEqual(froms, [{}, { at: record('2', 2).Modified_Time, id: '2' }]);
  assert.deepEqual(w.posted, ['1', '2']);
  assert.equal(report.error?.code, 'ZOHO_WALK_STUCK');
  assert.match(
    report.error!.message,
    /do not come after the page before.*stopped instead of reading the same records forever/,
  );
  assert.deepEqual([report.zohoCalls, report.zohoCredits], [2, 6]);
  assert.equal(w.entry.cursor, record('2', 2).Modified_Time);
  // The next pass starts at the cursor's second, inclusive, and drops what was sent there.
  froms.length = 0;
  await w.pass();
  assert.deepEqual(froms[0], { at: record('2', 2).Modified_Time });
  assert.deepEqual(w.posted, ['1', '2', '1']);
});

test('deletes: an id listed twice counts once; an entry without a deleted_time is not counted on every pass', async () => {
  const reader: ZohoReader = {
    walk: async () => ({ records: [], more: false }),
    deleted: async (_m, { page }) =>
      page === 1
        ? {
            records: [
              { id: '1', deletedTime: '2026-11-30T10:00:00+05:30' },
              { id: '2', deletedTime: '' },
            ],
            more: true,
          }
        : { records: [{ id: '1', deletedTime: '2026-11-30T10:00:00+05:30', type: 'permanent' }], more: false },
  };
  const w = world(reader);
  assert.equal((await w.pass()).deleted, 1);
  assert.equal((await w.pass()).deleted, 0);
});

/**
 * A module in memory read on Zoho's keyset (Modified_Time then id ascending, 2,000 a page): `rows`
 * ids are 19 digits, `second(i)` gives row i's Modified_Time second.
 */
function keysetReader(count: number, second: (i: number) => number, calls: unknown[] = []): ZohoReader {
  const time = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', '+00:00');
  const rows = Array.from({ length: count }, (_, i) => ({
    id: String(4_000_000_000_000_000_000n + BigInt(i)),
    Modified_Time: time(second(i)),
    Account_Name: `A${i}`,
  })).sort((a, b) => Date.parse(a.Modified_Time) - Date.parse(b.Modified_Time) || (a.id < b.id ? -1 : 1));
  const key = (r: { id: string; Modified_Time: string }) =>
    [Math.floor(Date.parse(r.Modified_Time) / 1000), r.id] as const;
  return {
    walk: async (_m, { from = {} }) => {
      calls.push(from);
      const at = from.at === undefined ? undefined : Math.floor(Date.parse(from.at) / 1000);
      const after = rows.filter((r) => {
        const [s, id] = key(r);
        if (at === undefined) return true;
        if (from.id === undefined) return s >= at;
        return s > at || (s === at && id > from.id);
      });
      const page = after.slice(0, 2000);
      return { records: page.map((r) => ({ ...r })), more: after.length > 2000, cost: { calls: 1, credits: 3 } };
    },
    deleted: async () => ({ records: [], more: false }),
  };
}

test('a mass update of 5,000 records in one second, long over: killed at any page, every record arrives; the checkpoint stays bounded (the compact cursor) and the resumed walk starts after its key', async () => {
  const hourAgo = Math.floor(Date.now() / 1000) - 7200;
  // 1,500 records before the mass update, 5,000 in its one second, 1,500 after.
  const second = (i: number) => (i < 1500 ? hourAgo - 1000 + i : i < 6500 ? hourAgo : hourAgo + i - 6500 + 1);
  const total = 8000;
  // Kills inside each of the 4 pages, and on page edges.
  for (const killAt of [100, 1999, 2000, 2500, 3999, 4001, 5000, 6100, 7999]) {
    const calls: unknown[] = [];
    let life = 0;
    const w = world(keysetReader(total, second, calls), { inFlight: 4, kill: (n) => life === 0 && n === killAt });
    await assert.rejects(w.pass(), CancelledError);
    life++;
    const report = await w.pass();
    assert.equal(report.error, undefined);
    const arrived = new Set(w.posted);
    assert.equal(arrived.size, total, `killed at post ${killAt}: every record arrives`);
    assert.ok(w.posted.length - total <= 2000, `at most one page sent again (${w.posted.length - total})`);
    // Every checkpoint is bounded: at most MAX_CURSOR_IDS ids (about 22 KB compact), whatever the second holds.
    assert.ok(Math.max(...w.saves) < 25_000, `checkpoints of at most ${Math.max(...w.saves)} bytes`);
    const again = w.posted.length;
    assert.equal((await w.pass()).read, 0, 'nothing resent forever');
    assert.equal(w.posted.length, again);
  }
});

test('the compact cursor: resumed inside the crowded second, the walk asks from after (second, last id), not the whole second again', async () => {
  const hourAgo = Math.floor(Date.now() / 1000) - 7200;
  const calls: unknown[] = [];
  const w = world(
    keysetReader(5000, () => hourAgo, calls),
    { kill: (n) => n === 4100 },
  );
  await assert.rejects(w.pass(), CancelledError);
  assert.ok(w.entry.cursorThrough, 'a through id is kept');
  assert.ok(w.entry.cursorIds!.length <= 1000);
  calls.length = 0;
  w.posted.length = 0;
  const report = await w.pass();
  assert.equal(report.error, undefined);
  assert.deepEqual(calls[0], { at: w.entry.cursor, id: '4000000000000003999' });
  assert.equal(w.posted.length, 1000, 'only the records after the key are read and sent');
  assert.equal(report.read, 1000);
});

test('a crowded second of the last hour keeps every id (a record may still take a place in it before the last one read), and none is sent again', async () => {
  const minuteAgo = Math.floor(Date.now() / 1000) - 60;
  const w = world(keysetReader(3000, () => minuteAgo));
  assert.equal((await w.pass()).sent, 3000);
  assert.equal(w.entry.cursorThrough, undefined);
  assert.equal(w.entry.cursorIds!.length, 3000);
  assert.equal((await w.pass()).read, 0);
});

test("the live edge: a record edited in the current second after the walk passed its place is read by the next pass, though the walk's pages went on to later seconds", async () => {
  // Zoho's clock stands at second T = 1,000,000 when the walk starts; its pages hold two records each.
  const T = 1_000_000;
  const time = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', '+00:00');
  // 300 was sent by an earlier pass (the cursor is past it); 600 is made while page 1 posts.
  const rows = [
    { id: '300', s: T - 100 },
    { id: '100', s: T - 30 },
    { id: '500', s: T },
    { id: '900', s: T },
  ].map(({ id, s }) => ({ id, Modified_Time: time(s), Account_Name: `A${id}` }));
  let clock = T;
  let pages = 0;
  const reader: ZohoReader = {
    walk: async (_m, { from = {} }) => {
      pages++;
      const key = (r: (typeof rows)[number]) => [Date.parse(r.Modified_Time) / 1000, Number(r.id)] as const;
      const sorted = [...rows].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
      const at = from.at === undefined ? undefined : Date.parse(from.at) / 1000;
      const after = sorted.filter(
        (r) =>
          at === undefined ||
          (from.id === undefined
            ? key(r)[0] >= at
            : key(r)[0] > at || (key(r)[0] === at && key(r)[1] > Number(from.id))),
      );
      const answer = { records: after.slice(0, 2), more: after.length > 2, clock: clock * 1000 };
      // While page 1 posts, a user edits 300 in second T: it takes a place the walk has passed.
      if (pages === 1) {
        Object.assign(rows.find((r) => r.id === '300')!, { Modified_Time: time(T), Account_Name: 'edited' });
        rows.push({ id: '600', Modified_Time: time(T + 1), Account_Name: 'new' });
      }
      clock = T + 2;
      return answer;
    },
    deleted: async () => ({ records: [], more: false }),
  };
  const w = world(reader);
  w.entry.cursor = time(T - 40);
  await w.pass();
  assert.deepEqual(w.posted, ['100', '500', '900', '600'], 'the walk itself passes 300 by');
  assert.ok(Date.parse(w.entry.cursor!) / 1000 <= T - 10, `the cursor (${w.entry.cursor}) stays before the live edge`);
  clock = T + 60;
  await w.pass();
  assert.ok(w.posted.slice(4).includes('300'), `the edited record is read again (${w.posted.slice(4)})`);
  // Once the edge has passed them, a quiet pass sends nothing.
  const before = w.posted.length;
  clock = T + 120;
  await w.pass();
  assert.equal(w.posted.length - before, 0);
});

test('deletes at the live edge: one past it is left whole to the next pass, which counts it once; one listed late, older than the edge, is carried too', async () => {
  const T = 1_000_000;
  const time = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', '+00:00');
  let clock = T;
  const deletes = [
    { id: '1', deletedTime: time(T - 30) },
    { id: '5', deletedTime: time(T) },
  ];
  const reader: ZohoReader = {
    walk: async () => ({ records: [], more: false, clock: clock * 1000 }),
    deleted: async (_m, { since }) => ({
      records: deletes.filter((d) => since === undefined || Date.parse(d.deletedTime) >= Date.parse(since)),
      more: false,
    }),
  };
  const w = world(reader);
  assert.equal((await w.pass()).deleted, 1, 'only the delete before the edge');
  assert.equal(w.entry.deletedCursor, time(T - 30));
  deletes.push({ id: '3', deletedTime: time(T - 1) }); // shows in the listing only now
  clock = T + 60;
  assert.equal((await w.pass()).deleted, 2, 'the one past the edge, and the late one, each once');
  assert.equal((await w.pass()).deleted, 0);
});

test('soft deletes: tombstones go oldest deleted_time first whatever the listing order; the delete cursor stops before the first AEP refused, which and whatever came after it is sent next pass; records carry the column false', async () => {
  const at = (second: number) => `2026-11-30T10:00:${String(second).padStart(2, '0')}+05:30`;
  const reader: ZohoReader = {
    walk: async () => ({ records: [record('9', 1)], more: false }),
    // Zoho documents no order for this listing: newest first here, one id twice.
    deleted: async () => ({
      records: [
        { id: '30', deletedTime: at(30) },
        { id: '20', deletedTime: at(20) },
        { id: '10', deletedTime: at(10) },
        { id: '20', deletedTime: at(20), type: 'permanent' },
      ],
      more: false,
    }),
  };
  const entry: SyncState = {
    flowId: 'f1',
    module: 'Accounts',
    fields: ['Account_Name'],
    inletUrl: 'http://127.0.0.1:1/collection/x',
    deletes: 'soft',
  };
  const bodies: Array<Record<string, unknown>> = [];
  let refuse = '20';
  const deps: PassDeps = {
    reader,
    inFlight: 1,
    now: () => new Date(),
    checkpoints: {
      walked: async (cursor) => {
        entry.cursor = cursor.at;
        entry.cursorIds = [...cursor.ids];
      },
      deleted: async (cursor) => {
        entry.deletedCursor = cursor.at;
        entry.deletedIds = [...cursor.ids];
      },
      completed: async (when) => void (entry.lastSyncAt = when.toISOString()),
    },
    inlet: {
      check: () => {},
      post: async (_url, _flow, body) => {
        const parsed = JSON.parse(body);
        bodies.push(parsed);
        return parsed.id === refuse ? { ok: false, status: 400, message: 'refused' } : { ok: true, xactionId: 'x' };
      },
    },
  };
  const pass = () => syncDataflow(deps, 'accounts', structuredClone(entry), { full: false });

  const first = await pass();
  assert.deepEqual(bodies[0], { ...record('9', 1), _aep_zoho_deleted: false });
  assert.deepEqual(bodies.slice(1), [
    { id: '10', Modified_Time: at(10), _aep_zoho_deleted: true },
    { id: '20', Modified_Time: at(20), _aep_zoho_deleted: true },
  ]);
  assert.deepEqual(
    [first.deleted, first.tombstones, first.deletesFailed, first.failed],
    [3, 1, 2, 0],
    'one refused, the one after it not sent',
  );
  assert.deepEqual(first.failures, [{ id: '20', status: 400, message: 'refused', deleted: true }]);
  assert.deepEqual([entry.deletedCursor, entry.deletedIds], [at(10), ['10']]);
  assert.equal(entry.lastSyncAt, undefined, 'an incomplete pass');

  refuse = '';
  bodies.length = 0;
  const second = await pass();
  assert.deepEqual(
    bodies.map((b) => b.id),
    ['20', '30'],
    'from the refused one on; the record is not sent again',
  );
  assert.deepEqual([second.deleted, second.tombstones, second.deletesFailed], [2, 2, 0]);
  assert.deepEqual([entry.deletedCursor, entry.deletedIds], [at(30), ['30']]);
});
