// Long work says how long: sync on a terminal shows, per dataflow, records read and sent of the
// total (Zoho's GET /{module}/actions/count), the rate and an ETA; off a terminal one line per
// page; nothing with --quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plain, ptyRun } from '../helpers/pty.js';
import { syncWorld } from './setup.js';

test('on a terminal: read and sent of the total from Zoho actions/count, rate and ETA', async (t) => {
  // A little latency, so the pass lasts long enough for the terminal to draw it.
  const w = await syncWorld(t, { emulator: { latencyMs: 5 } });
  const total = w.emu.zoho.rows('Accounts').length;
  const r = await ptyRun(['sync'], w.env, { cols: 160 });
  const out = plain(r.output);
  assert.equal(r.exitCode, 0, out);
  // One count (a first call refused for an expired access token is resent once, as every Zoho call).
  const counts = w.emu.exchanges.filter((e) => e.path === '/crm/v8/Accounts/actions/count' && e.status === 200);
  assert.equal(counts.length, 1, 'one count answered');
  assert.deepEqual(counts[0].response, { count: total });
  assert.match(
    out,
    new RegExp(
      `accounts: [\\d,]+ of ${total.toLocaleString('en-US')} read, [\\d,]+ sent \\([\\d,]+/s, ETA \\d+(s|m \\d\\ds); page \\d+\\)`,
    ),
  );
});

test('off a terminal: one line per page and no count call; --quiet: nothing on stderr', async (t) => {
  const w = await syncWorld(t);
  const total = w.emu.zoho.rows('Accounts').length;
  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const pages = r.json().syncs[0].pages;
  const lines = r.stderr
    .split('\n')
    .filter((line) => /^accounts: page \d+: [\d,]+ read, [\d,]+ sent \([\d,]+\/s\)$/.test(line));
  assert.equal(lines.length, pages, r.stderr);
  assert.match(
    lines.at(-1)!,
    new RegExp(`: ${total.toLocaleString('en-US')} read, ${total.toLocaleString('en-US')} sent`),
  );
  assert.equal(
    w.emu.exchanges.filter((e) => e.path.endsWith('/actions/count')).length,
    0,
    'no Zoho credit spent on a count',
  );

  w.emu.zoho.update('Accounts', String(w.emu.zoho.rows('Accounts')[0].id), { Industry: 'Banking' });
  const quiet = await w.cli(['sync', '--quiet']);
  assert.equal(quiet.exitCode, 0, quiet.stderr);
  assert.equal(quiet.stderr, '', 'nothing on stderr');
  assert.match(quiet.stdout, /accounts: 1 record read from Accounts, 1 sent to AEP/);
});
