// Adobe's ingestion pause (http.md: "wait for a five-minute pause" after a streaming flow is created
// or updated, "to prevent any potential instances of data loss or data drops"): the emulator drops
// what is posted inside it; sync reckons it from Adobe's timestamps on any machine, waits it out,
// or with --no-wait exits 75 having posted nothing, the cursor where it was.
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { call, emulator, platformHeaders } from '../helpers/emulator.js';
import { inletPosts, mark, syncWorld } from './setup.js';

const ZOHO_SPEC = '929e4450-0237-4ed2-9404-b7e1e0a00309';
const FIVE_MINUTES = 5 * 60_000;
/** Five minutes after a change, to the next whole second (as Adobe's Date header counts). */
const pauseEnd = (at: unknown) => new Date(Math.ceil((Number(at) + FIVE_MINUTES) / 1000) * 1000).toISOString();

test('from a fresh home, sync --no-wait within five minutes of the flow creation exits 75 having posted nothing; after the pause every record arrives; a mapping change pauses it again', async (t) => {
  // Adobe's own pause (five minutes), on a clock the test moves.
  let offset = 0;
  const emu = await emulator({
    retiredConnectionSpecs: [ZOHO_SPEC],
    ingestionPauseMs: undefined,
    now: () => Date.now() + offset,
  });
  t.after(() => emu.close());
  assert.equal(emu.env.AEP_ZOHO_INGESTION_PAUSE, undefined, "sync is told nothing: Adobe's five minutes");
  const homes = [await tempHome(), await tempHome()];
  t.after(() => Promise.all(homes.map((home) => rm(home, { recursive: true, force: true }))));
  const [made, fresh] = homes.map((home) => cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home, { NO_COLOR: '1' }));
  for (const args of [
    ['connect', '--via', 'http-api'],
    ['dataflow', 'create', '--template', 'accounts', '--via', 'http-api'],
  ]) {
    const r = await spawnCli([...args, '--json'], made);
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  const flow = emu.state.flows.all()[0];

  // A CI runner with no state: it converges (everything reused, nothing changes) and syncs.
  const converged = await spawnCli(
    ['dataflow', 'create', '--template', 'accounts', '--via', 'http-api', '--json'],
    fresh,
  );
  assert.equal(converged.exitCode, 0, converged.stdout + converged.stderr);
  const dataflow = converged.json().dataflows?.[0] ?? converged.json();
  assert.ok(dataflow.reused.includes('flow'), 'the flow is reused, not changed');
  for (const env of [fresh, made]) {
    const from = mark(emu);
    const r = await spawnCli(['sync', '--no-wait', '--json'], env);
    assert.equal(r.exitCode, 75, r.stdout + r.stderr);
    assert.equal(inletPosts(emu, from).length, 0, 'the inlet received nothing');
    const out = r.json();
    const [s] = out.syncs;
    assert.equal(s.notBefore, pauseEnd(flow.createdAt));
    assert.deepEqual([s.template, s.read, s.sent, s.cursor], ['accounts', 0, 0, null]);
    assert.equal(out.error.code, 'INGESTION_PAUSED');
    assert.match(out.error.message, /inside Adobe's ingestion pause until \d\d:\d\d:\d\d UTC.*nothing posted/);
    const state = JSON.parse(await readFile(join(env.AEP_ZOHO_HOME!, 'state', 'default.json'), 'utf8'));
    assert.equal(state.sandboxes.prod.syncs.accounts.cursor, undefined, 'the cursor stays where it was');
  }
  const human = await spawnCli(['sync', '--no-wait'], fresh);
  assert.equal(human.exitCode, 75);
  assert.match(human.stdout, /accounts: not synced: inside Adobe's ingestion pause \(the flow created at .*\) until/);
  assert.equal(emu.state.dropped.length + emu.state.streamed.length, 0);

  // Five minutes later on Adobe's clock (the Date of its answers): the pause is over.
  offset += FIVE_MINUTES;
  const after = await spawnCli(['sync', '--no-wait', '--json'], fresh);
  assert.equal(after.exitCode, 0, after.stdout + after.stderr);
  const rows = emu.zoho.rows('Accounts');
  assert.equal(after.json().syncs[0].sent, rows.length);
  assert.equal(after.json().syncs[0].notBefore, undefined);
  // …and a tombstone for each delete Zoho lists (the built-in template's `deletes: soft`).
  assert.equal(after.json().syncs[0].tombstones, emu.zoho.deleted('Accounts').length);
  assert.equal(
    emu.state.streamed.length,
    rows.length + emu.zoho.deleted('Accounts').length,
    'every record reached the dataset',
  );
  assert.equal(emu.state.dropped.length, 0, 'none was dropped');

  // The template maps one more field: the flow's new mapping version is an update, and the pause starts again.
  const file = join(homes[0], 'accounts.json');
  const template = JSON.parse((await spawnCli(['templates', 'show', 'accounts'], made)).stdout);
  template.mappings.push({ source: 'Industry', destination: '_{TENANT_ID}.zoho.accounts.sector' });
  await writeFile(file, JSON.stringify(template));
  const edited = await spawnCli(['dataflow', 'create', '--template', file, '--json'], made);
  assert.equal(edited.exitCode, 0, edited.stdout + edited.stderr);
  emu.zoho.update('Accounts', String(rows[0].id), { Industry: 'Banking' });
  const from = mark(emu);
  const again = await spawnCli(['sync', '--no-wait', '--json'], fresh);
  assert.equal(again.exitCode, 75, again.stdout + again.stderr);
  assert.equal(inletPosts(emu, from).length, 0);
  assert.equal(again.json().syncs[0].notBefore, pauseEnd(flow.updatedAt));
  assert.equal(again.json().syncs[0].cursor, after.json().syncs[0].cursor, 'the cursor stays');
});

test('the emulator drops what is posted inside the pause (answered 200) and keeps what comes after; a flow update starts it again', async (t) => {
  let offset = 0;
  const w = await syncWorld(t, { emulator: { ingestionPauseMs: 60_000, now: () => Date.now() + offset } });
  const h = await platformHeaders(w.emu);
  const post = (id: string) =>
    fetch(w.inletUrl, {
      method: 'POST',
      headers: { ...h, 'x-adobe-flow-id': w.flowId },
      body: JSON.stringify({ id, Account_Name: `Account ${id}`, Modified_Time: '2025-01-01T00:00:00+00:00' }),
    });
  assert.equal((await post('1')).status, 200, 'received');
  assert.deepEqual(w.streamedIds(), [], 'but never in the dataset');
  assert.equal(w.emu.state.dropped.length, 1);
  offset += 60_000;
  assert.equal((await post('2')).status, 200);
  assert.deepEqual(w.streamedIds(), ['2']);
  const flow = await call(w.emu, 'GET', `/data/foundation/flowservice/flows/${w.flowId}`, undefined, h);
  const patched = await call(
    w.emu,
    'PATCH',
    `/data/foundation/flowservice/flows/${w.flowId}`,
    [{ op: 'replace', path: '/name', value: 'Renamed flow' }],
    { ...h, 'if-match': flow.body.items[0].etag },
  );
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal((await post('3')).status, 200);
  assert.deepEqual(w.streamedIds(), ['2'], 'dropped again after the update');
});

test('sync waits the pause out, then posts: every record arrives, none dropped; a countdown on a terminal, one line off it, nothing with --quiet', async (t) => {
  const w = await syncWorld(t, { emulator: { ingestionPauseMs: 1500 } });
  assert.equal(w.env.AEP_ZOHO_INGESTION_PAUSE, '1500ms');
  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const rows = w.emu.zoho.rows('Accounts');
  assert.equal(r.json().syncs[0].sent, rows.length);
  assert.equal(w.emu.state.dropped.length, 0, 'nothing posted inside the pause');
  assert.equal(w.streamedIds().length, rows.length);
  assert.equal(r.stderr.match(/waiting until \d\d:\d\d:\d\d UTC before posting/g)?.length, 1, r.stderr);
  assert.match(r.stderr, /shortened by AEP_ZOHO_INGESTION_PAUSE for the emulator; Adobe's is five minutes/);
  assert.doesNotMatch(r.stderr, /left \(Ctrl-C stops\)/);

  // A terminal gets a countdown (the flow is updated, so the pause starts again).
  const h = await platformHeaders(w.emu);
  const flow = await call(w.emu, 'GET', `/data/foundation/flowservice/flows/${w.flowId}`, undefined, h);
  await call(
    w.emu,
    'PATCH',
    `/data/foundation/flowservice/flows/${w.flowId}`,
    [{ op: 'replace', path: '/name', value: 'Renamed flow' }],
    { ...h, 'if-match': flow.body.items[0].etag },
  );
  const tty = await runCli(['sync'], w.env, { tty: true });
  assert.equal(tty.exitCode, 0, tty.stderr);
  assert.match(
    tty.stderr,
    /\r\x1b\[2Kaccounts \(the flow updated at \d\d:\d\d:\d\d UTC\): posting from .* left \(Ctrl-C stops\)/,
  );
  assert.match(tty.stderr, /accounts: the ingestion pause is over, posting/);

  await call(
    w.emu,
    'PATCH',
    `/data/foundation/flowservice/flows/${w.flowId}`,
    [{ op: 'replace', path: '/name', value: 'Renamed again' }],
    {
      ...h,
      'if-match': (await call(w.emu, 'GET', `/data/foundation/flowservice/flows/${w.flowId}`, undefined, h)).body
        .items[0].etag,
    },
  );
  const quiet = await w.cli(['sync', '--quiet']);
  assert.equal(quiet.exitCode, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /pause/);
});

test('AEP_ZOHO_INGESTION_PAUSE cannot shorten the pause against Adobe; a bad value is exit 2', async () => {
  const home = await tempHome();
  try {
    const adobe = await runCli(
      ['sync', '--json'],
      cliEnv({ AEP_PLATFORM_URL: 'https://platform.adobe.io' }, home, { AEP_ZOHO_INGESTION_PAUSE: '10s' }),
    );
    assert.equal(adobe.exitCode, 2, adobe.stdout);
    assert.match(adobe.json().error.message, /would post inside Adobe's five-minute ingestion pause/);
    const bad = await runCli(['sync', '--json'], cliEnv({}, home, { AEP_ZOHO_INGESTION_PAUSE: 'soon' }));
    assert.equal(bad.exitCode, 2, bad.stdout);
    assert.match(bad.json().error.message, /AEP_ZOHO_INGESTION_PAUSE must be a duration/);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('sync --every waits the pause out too: the first pass posts only after it, nothing dropped', async (t) => {
  const w = await syncWorld(t, { emulator: { ingestionPauseMs: 4000 } });
  // However long the set-up took on a loaded machine, the whole pause is still ahead: the
  // emulator's clock (which Adobe's timestamps and Date header come from) goes back to the flow's creation.
  w.emu.advanceClock(Number(w.emu.state.flows.get(w.flowId)!.createdAt) - Date.now());
  const child = spawn(process.execPath, [BIN, 'sync', '--every', '1h'], {
    env: w.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  child.stdout.resume();
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (/Next pass at/.test(stderr)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(stderr, /accounts \(the flow created at .*\): waiting until .* before posting/);
  assert.ok(stderr.indexOf('waiting until') < stderr.indexOf('records read from Accounts'), stderr);
  assert.equal(w.emu.state.dropped.length, 0, 'nothing posted inside the pause');
  assert.equal(w.streamedIds().length, w.emu.zoho.rows('Accounts').length);
});
