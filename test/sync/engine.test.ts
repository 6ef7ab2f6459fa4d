// The pass itself (src/sync/engine.ts) with a scripted Zoho reader and inlet: the orders and
// answers the emulator does not produce (a record changed between the field chunks of a page,
// a delete listed twice or without a time), checked against the saved cursors.
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
      post: async (_url: string, _flow: string, body: string) => (posted.push(JSON.parse(body).id), { ok: true }),
    },
  } as unknown as PassDeps;
  const pass = async () => syncDataflow(deps, 'accounts', (await state.read('prod')).syncs!.accounts, { full: false });
  return { state, posted, pass };
}

test('a record that changed between the field chunks of a page is not sent and the cursor stops before it; the next pass sends its new version', async () => {
  let round = 0;
  const reader: ZohoReader = {
    records: async (_m, { since }) => {
      round++;
      if (round === 1)
        return { records: [record('1', 1), record('2', 2), record('3', 3)], more: false, changed: ['2'] };
      // Its new version, modified later; the read starts at the cursor (record 1's second).
      assert.equal(since, record('1', 1).Modified_Time);
      return { records: [record('1', 1), record('3', 3), record('2', 9)], more: false };
    },
    deleted: async () => ({ records: [], more: false }),
  };
  const w = await world(reader);
  const first = await w.pass();
  assert.deepEqual(w.posted, ['1']);
  assert.equal(first.changed, 2, 'the changed record and what follows it wait');
  assert.equal(first.error, undefined);
  assert.equal((await w.state.read('prod')).syncs!.accounts.cursor, record('1', 1).Modified_Time);
  const second = await w.pass();
  assert.deepEqual(w.posted, ['1', '3', '2']);
  assert.equal(second.changed, 0);
  assert.equal((await w.state.read('prod')).syncs!.accounts.cursor, record('2', 9).Modified_Time);
});

test('deletes: an id listed twice counts once; an entry without a deleted_time is not counted on every pass', async () => {
  const reader: ZohoReader = {
    records: async () => ({ records: [], more: false }),
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
