// The pass itself (src/sync/engine.ts) with a scripted Zoho reader and inlet: the orders and
// answers the emulator does not produce (a walk page that does not move the key forward, a delete
// listed twice or without a time), checked against the saved cursors. (A record changed between
// the field chunks of a REST page no longer concerns sync: one COQL query reads all its fields.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StateStore, type SyncState } from '../../src/config/state.js';
import { syncDataflow, type PassDeps, type ZohoReader } from '../../src/sync/engine.js';
import { tempHome } from '../helpers/cli.js';

const record = (id: string, second: number) => ({
  id,
  Modified_Time: `2026-11-30T10:00:${String(second).padStart(2, '0')}+05:30`,
  Account_Name: `A${id}`,
});

async function world(reader: ZohoReader) {
  const state = new StateStore(await tempHome(), 'default');
  const sync: SyncState = {
    flowId: 'f1',
    module: 'Accounts',
    fields: ['Account_Name'],
    inletUrl: 'http://127.0.0.1:1/collection/x',
  };
  await state.update('prod', (s) => void (s.syncs = { accounts: { ...sync } }));
  const posted: string[] = [];
  const deps = {
    reader,
    state,
    sandbox: 'prod',
    inFlight: 1,
    now: () => new Date(),
    inlet: {
      check: () => {},
      post: async (_url: string, _flow: string, body: string) => {
        posted.push(JSON.parse(body).id);
        return { ok: true };
      },
    },
  } as unknown as PassDeps;
  const pass = async () => syncDataflow(deps, 'accounts', (await state.read('prod')).syncs!.accounts, { full: false });
  return { state, posted, pass };
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
  const w = await world(reader);
  const report = await w.pass();
  assert.deepEqual(froms, [{}, { at: record('2', 2).Modified_Time, id: '2' }]);
  assert.deepEqual(w.posted, ['1', '2']);
  assert.equal(report.error?.code, 'ZOHO_WALK_STUCK');
  assert.match(
    report.error!.message,
    /do not come after the page before.*stopped instead of reading the same records forever/,
  );
  assert.deepEqual([report.zohoCalls, report.zohoCredits], [2, 6]);
  assert.equal((await w.state.read('prod')).syncs!.accounts.cursor, record('2', 2).Modified_Time);
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
  const w = await world(reader);
  assert.equal((await w.pass()).deleted, 1);
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
  const w = await world(reader);
  await w.state.update('prod', (s) => void (s.syncs!.accounts.deletes = 'soft'));
  const bodies: Array<Record<string, unknown>> = [];
  let refuse = '20';
  const deps = {
    reader,
    state: w.state,
    sandbox: 'prod',
    inFlight: 1,
    now: () => new Date(),
    inlet: {
      check: () => {},
      post: async (_url: string, _flow: string, body: string) => {
        const parsed = JSON.parse(body);
        bodies.push(parsed);
        return parsed.id === refuse ? { ok: false, status: 400, message: 'refused' } : { ok: true };
      },
    },
  } as unknown as PassDeps;
  const pass = async () =>
    syncDataflow(deps, 'accounts', (await w.state.read('prod')).syncs!.accounts, { full: false });

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
  let entry = (await w.state.read('prod')).syncs!.accounts;
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
  entry = (await w.state.read('prod')).syncs!.accounts;
  assert.deepEqual([entry.deletedCursor, entry.deletedIds], [at(30), ['30']]);
});
