// `sync --dry-run` (issue 23, point 2): a full pass's Zoho calls and credits estimated from each
// module's record count, through the real binary, and checked against the pass that follows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inletPosts, mark, syncWorld } from './setup.js';

test('sync --dry-run estimates a full pass from the record count (calls, credits, inlet posts), reads and sends nothing, and the real pass costs what it said', async (t) => {
  const w = await syncWorld(t);
  const from = mark(w.emu);
  const before = await w.entry();
  const dry = await w.cli(['sync', '--dry-run', '--json']);
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  const [s] = dry.json().syncs;
  const records = w.emu.zoho.rows('Accounts').length;
  const pages = Math.ceil(records / 2000);
  assert.deepEqual(s.estimate, {
    records,
    pages,
    zohoCalls: pages + 2,
    zohoCredits: pages * 3 + 2,
    inletPosts: records,
  });
  // The dry run itself: the count, one credit (a call refused for the world's starting access token
  // is a call, not a credit); no COQL, no post, no state change.
  assert.deepEqual([s.zohoCredits, s.read, s.sent], [1, 0, 0]);
  const zoho = w.emu.exchanges.slice(from).filter((e) => e.path.startsWith('/crm/'));
  assert.deepEqual([...new Set(zoho.map((e) => `${e.method} ${e.path}`))], ['GET /crm/v8/Accounts/actions/count']);
  assert.equal(inletPosts(w.emu, from).length, 0);
  assert.deepEqual(await w.entry(), before);

  const human = await w.cli(['sync', '--dry-run']);
  assert.equal(human.exitCode, 0, human.stdout + human.stderr);
  assert.match(
    human.stdout,
    new RegExp(
      `accounts: a full pass reads ${records.toLocaleString('en-US')} records of Accounts in ${pages} COQL pages?: about ${pages + 2} Zoho calls and ${pages * 3 + 2} credits`,
    ),
  );

  const real = await w.cli(['sync', '--full', '--json']);
  assert.equal(real.exitCode, 0, real.stdout + real.stderr);
  const [pass] = real.json().syncs;
  assert.deepEqual([pass.sent, pass.zohoCalls, pass.zohoCredits], [records, pages + 2, pages * 3 + 2]);

  const both = await w.cli(['sync', '--dry-run', '--every', '15m']);
  assert.equal(both.exitCode, 2, both.stdout);
});
