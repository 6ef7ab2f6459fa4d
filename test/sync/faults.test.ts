// sync when things go wrong, through the real binary: inlet 503s and resets, a record AEP refuses
// in the middle of a second shared by hundreds of records across page boundaries, a record over
// 1 MB, and a SIGKILL mid-run. Each time: no record is lost (checked id by id), and nothing is
// resent forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { MASS_UPDATE } from '../../src/emulator/zoho-live.js';
import { inletPosts, mark, syncWorld, zohoIds, type SyncWorld } from './setup.js';

const instant = (time: unknown) => Math.floor(Date.parse(String(time)) / 1000);
const postedIds = (w: SyncWorld, from: number) =>
  inletPosts(w.emu, from)
    .filter((e) => e.status === 200)
    .map((e) => String((e.body as { id: string }).id));

function assertAllArrived(w: SyncWorld): void {
  const streamed = new Set(w.streamedIds());
  const missing = zohoIds(w.emu).filter((id) => !streamed.has(id));
  assert.deepEqual(missing, [], 'every Zoho record is in the dataset');
}

test('inlet 503s and resets are retried: nothing is lost, and every record arrives once', async (t) => {
  const w = await syncWorld(t);
  w.emu.faults.add({
    method: 'POST',
    path: '/collection/',
    nth: 100,
    times: 3,
    fault: { kind: 'status', status: 503 },
  });
  w.emu.faults.add({ method: 'POST', path: '/collection/', nth: 900, fault: { kind: 'reset' } });
  w.emu.faults.add({
    method: 'POST',
    path: '/collection/',
    nth: 1700,
    times: 2,
    fault: { kind: 'status', status: 429, retryAfter: '0' },
  });
  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.equal(w.emu.faults.fired.length, 6);
  const rows = zohoIds(w.emu).length;
  assert.deepEqual(
    r.json().syncs.map((s: any) => [s.read, s.sent, s.failed]),
    [[rows, rows, 0]],
  );
  assertAllArrived(w);
  assert.equal(w.streamedIds().length, rows, 'a refused or reset post stored nothing, so none is there twice');
});

test('an inlet that keeps failing: exit 1 naming the records and the cursor left before them; the next sync delivers them', async (t) => {
  const w = await syncWorld(t);
  w.emu.faults.add({
    method: 'POST',
    path: '/collection/',
    nth: 450,
    // Every post from the 450th fails, whatever the posts in flight (the default went from 20 to 50):
    // some record runs out of its retries.
    times: 5000,
    fault: { kind: 'status', status: 503 },
  });
  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  const {
    syncs: [s],
    error,
  } = r.json();
  assert.ok(s.failed >= 1 && s.sent < s.read);
  assert.equal(error.code, 'SYNC_INCOMPLETE');
  assert.match(
    error.message,
    new RegExp(`accounts: ${s.failed} record\\(s\\) not delivered to AEP: ${s.failures[0].id} \\(HTTP 503`),
  );
  assert.match(error.message, new RegExp(`The cursor stays at ${s.cursor.replace(/[+]/g, '\\+')}, before`));
  assert.match(error.hint, /run 'aep-zoho sync' again later/);
  const entry = await w.entry();
  assert.equal(entry.cursor, s.cursor);
  assert.equal(entry.lastSyncAt, undefined, 'not a complete pass');
  for (const failure of s.failures) assert.ok(!w.streamedIds().includes(failure.id));

  w.emu.faults.clear();
  const again = await w.cli(['sync', '--json']);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  assertAllArrived(w);
});

test('hundreds of records sharing one Modified_Time second across page boundaries: a failure inside that second loses none, and the acknowledged ones of that second are not sent again', async (t) => {
  const w = await syncWorld(t);
  const sorted = [...w.emu.zoho.rows('Accounts')].sort(
    (a, b) =>
      Date.parse(String(a.Modified_Time)) - Date.parse(String(b.Modified_Time)) ||
      (String(a.id) < String(b.id) ? -1 : 1),
  );
  const first = sorted.findIndex((row) => Date.parse(String(row.Modified_Time)) === MASS_UPDATE);
  const last = sorted.findLastIndex((row) => Date.parse(String(row.Modified_Time)) === MASS_UPDATE);
  assert.ok(last - first > 400, `the mass update shares one second among ${last - first + 1} records`);
  // A page (200 records from the start) lying wholly inside that second, after at least one page of it.
  const page = Math.ceil(first / 200) + 1;
  assert.ok(page * 200 + 199 <= last, 'a whole page inside the second, after another page of it');
  w.emu.faults.add({
    method: 'POST',
    path: '/collection/',
    nth: page * 200 + 50,
    fault: { kind: 'status', status: 400 },
  });

  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  const [s] = r.json().syncs;
  assert.equal(s.failed, 1);
  assert.match(r.json().error.hint, /Adobe refused the record/);
  const entry = await w.entry();
  assert.equal(instant(entry.cursor) * 1000, MASS_UPDATE, 'the cursor is that second');
  assert.ok(entry.cursorIds!.length >= page * 200 - first, 'with the ids acknowledged at it so far');
  assert.ok(!entry.cursorIds!.includes(s.failures[0].id), 'not the failed one');

  const from = mark(w.emu);
  const again = await w.cli(['sync', '--json']);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  const resent = postedIds(w, from);
  assert.ok(resent.includes(s.failures[0].id), 'the failed record is sent');
  assert.deepEqual(
    resent.filter((id) => entry.cursorIds!.includes(id)),
    [],
    'no acknowledged record of the cursor second is sent again',
  );
  assertAllArrived(w);
  const counts = new Map<string, number>();
  for (const id of w.streamedIds()) counts.set(id, (counts.get(id) ?? 0) + 1);
  assert.ok(
    [...counts.values()].every((n) => n <= 2),
    'no record more than twice',
  );

  const quiet = mark(w.emu);
  const third = await w.cli(['sync', '--json']);
  assert.deepEqual(
    third.json().syncs.map((x: any) => [x.read, x.sent]),
    [[0, 0]],
    'nothing resent forever',
  );
  assert.equal(inletPosts(w.emu, quiet).length, 0);
});

test('a record over 1 MB is refused before sending, named, exit 1; the cursor stays before it and nothing else is sent again', async (t) => {
  const w = await syncWorld(t);
  assert.equal((await w.cli(['sync', '--json'])).exitCode, 0);
  const ids = zohoIds(w.emu);
  const big = w.emu.zoho.update('Accounts', ids[7], { Account_Name: `Big ${'x'.repeat(1024 * 1024)}` });
  const small = w.emu.zoho.update('Accounts', ids[8], { Industry: 'Banking' });
  const from = mark(w.emu);
  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  const {
    syncs: [s],
    error,
  } = r.json();
  assert.match(error.message, new RegExp(`not delivered to AEP: ${big.id} \\(1\\.00 MB, over AEP's 1 MB record limit`));
  assert.match(error.hint, new RegExp(`shorten record ${big.id} in Zoho CRM`));
  assert.ok(!postedIds(w, from).includes(String(big.id)), 'never sent');
  assert.ok(inletPosts(w.emu, from).every((e) => (e.body as { id: string }).id !== big.id));
  assert.ok(instant(s.cursor) <= instant(big.Modified_Time));
  const entry = await w.entry();
  assert.ok(
    !(instant(entry.cursor) === instant(big.Modified_Time) && entry.cursorIds!.includes(String(big.id))),
    'the cursor is before it',
  );
  // The other record changed in that second may have gone before it or not; either way it arrives, once.
  const again = mark(w.emu);
  const second = await w.cli(['sync', '--json']);
  assert.equal(second.exitCode, 1);
  const resent = postedIds(w, again);
  assert.ok(
    resent.every((id) => id === small.id),
    `only the record after it can be sent again: ${resent.join(',')}`,
  );
  assert.ok(w.streamedIds().includes(String(small.id)));
});

test('SIGKILL in the middle of a sync loses nothing: the next sync resumes from the last checkpoint and every record arrives', async (t) => {
  const w = await syncWorld(t);
  let child: ChildProcess | undefined;
  w.emu.faults.add({
    method: 'POST',
    path: '/collection/',
    // Inside the second page of 2,000: the first one is checkpointed.
    nth: 2234,
    fault: { kind: 'delay', ms: 3000 },
    onFire: () => child?.kill('SIGKILL'),
  });
  const killed = await w.cli(['sync', '--json'], {}, { onStderr: (_text, c) => (child ??= c) });
  assert.notEqual(killed.exitCode, 0);
  assert.equal(killed.stdout, '', 'killed before any output');
  const entry = await w.entry();
  assert.ok(entry.cursor, 'pages before the kill were checkpointed');
  assert.ok(w.streamedIds().length >= 2000 && w.streamedIds().length < zohoIds(w.emu).length);

  const from = mark(w.emu);
  const resumed = await w.cli(['sync', '--json']);
  assert.equal(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  assert.ok(inletPosts(w.emu, from).length < zohoIds(w.emu).length - 1500, 'resumed, not started over');
  assertAllArrived(w);
});

test('the clock jumps 25 hours mid-walk (every page token and access token Zoho gave is expired): the walk has no page token to lose, the access token is refreshed once, and every record arrives once', async (t) => {
  let offset = 0;
  const w = await syncWorld(t, { emulator: { now: () => Date.now() + offset } });
  w.emu.faults.add({
    method: 'POST',
    path: /^\/crm\/v8\/coql$/,
    nth: 2,
    fault: { kind: 'delay', ms: 0 },
    onFire: () => (offset = 25 * 3600_000),
  });
  const from = mark(w.emu);
  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const zoho = w.emu.exchanges.slice(from).filter((e) => e.path.startsWith('/crm/v8/'));
  assert.equal(zoho.filter((e) => e.status === 400).length, 0, 'no page token to expire');
  assert.equal(
    zoho.filter((e) => e.path === '/crm/v8/coql' && e.status === 401).length,
    1,
    'the expired access token is refused once, then refreshed',
  );
  assertAllArrived(w);
  assert.equal(postedIds(w, from).length, zohoIds(w.emu).length, 'each record once');
});

test('SIGKILL inside a mass update of 5,000 records stamped with one second (long over): the state file keeps a compact cursor, the resumed walk starts after its key, and every record arrives', async (t) => {
  const w = await syncWorld(t);
  const seeded = zohoIds(w.emu).length;
  const massAt = Date.now() - 2 * 86_400_000; // after every seeded record, and over for more than an hour
  w.emu.zoho.bulkCreate(
    'Accounts',
    5000,
    (i) => ({ Account_Name: `Mass ${i}` }),
    () => massAt,
  );
  let child: ChildProcess | undefined;
  w.emu.faults.add({
    method: 'POST',
    path: '/collection/',
    // The third page of the second: at least 2,000 of its records were checkpointed.
    nth: seeded + 4100,
    fault: { kind: 'delay', ms: 3000 },
    onFire: () => child?.kill('SIGKILL'),
  });
  const killed = await w.cli(['sync', '--json'], {}, { onStderr: (_text, c) => (child ??= c) });
  assert.notEqual(killed.exitCode, 0);
  const entry = await w.entry();
  assert.equal(instant(entry.cursor) * 1000, Math.floor(massAt / 1000) * 1000, 'the cursor is the mass update second');
  assert.ok(entry.cursorThrough, 'kept compact: every record of the second up to an id');
  assert.ok(entry.cursorIds!.length <= 1000, `${entry.cursorIds!.length} ids listed (at most 1,000)`);

  const from = mark(w.emu);
  const resumed = await w.cli(['sync', '--json']);
  assert.equal(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  const walk = w.emu.exchanges.slice(from).find((e) => e.path === '/crm/v8/coql' && e.status === 200);
  assert.match(
    String((walk?.body as { select_query?: string })?.select_query),
    new RegExp(`and id > ${entry.cursorThrough}\\)`),
    'the walk resumes after the saved key',
  );
  assert.ok(inletPosts(w.emu, from).length <= 5000 + seeded - 2000, 'resumed, not started over');
  assertAllArrived(w);
  const third = await w.cli(['sync', '--json']);
  assert.deepEqual(
    third.json().syncs.map((x: any) => [x.read, x.sent]),
    [[0, 0]],
    'nothing resent forever',
  );
});
