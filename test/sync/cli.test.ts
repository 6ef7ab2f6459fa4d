// sync as a command: the whole http-api path through the binary (connect, dataflow create, sync),
// usage errors (exit 2), credentials named together, no token in
// any output or in the state file, one Zoho token mint across runs, and --every until Ctrl-C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, SECRETS, assertNoSecrets, cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';
import { mark, inletPosts, syncWorld, zohoIds } from './setup.js';

const ZOHO_SPEC = '929e4450-0237-4ed2-9404-b7e1e0a00309';

test('the http-api path end to end: connect --via http-api, dataflow create --template accounts --via http-api, sync; every account arrives, mapped by the template', async (t) => {
  const emu = await emulator({ retiredConnectionSpecs: [ZOHO_SPEC] });
  t.after(() => emu.close());
  const home = await tempHome();
  const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home, { NO_COLOR: '1' });
  for (const args of [
    ['connect', '--via', 'http-api'],
    ['dataflow', 'create', '--template', 'accounts', '--via', 'http-api'],
  ]) {
    const r = await spawnCli([...args, '--json'], env);
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  const r = await spawnCli(['sync', '--json'], env);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const [s] = r.json().syncs;
  const rows = emu.zoho.rows('Accounts');
  assert.deepEqual([s.template, s.read, s.sent, s.failed], ['accounts', rows.length, rows.length, 0]);
  const state = JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8')).sandboxes.prod;
  const datasetId = state.dataflows.accounts.dataset.id;
  // The built-in template has `deletes: soft`: the deletes Zoho lists arrive too, as tombstones.
  const all = emu.state.recordsOf(datasetId);
  const streamed = all.filter((record) => (record.raw as Record<string, unknown>)._aep_zoho_deleted === false);
  assert.equal(streamed.length, rows.length);
  assert.equal(all.length - streamed.length, emu.zoho.deleted('Accounts').length);
  assert.equal(s.tombstones, emu.zoho.deleted('Accounts').length);
  const ids = new Set(streamed.map((record) => String((record.raw as { id: string }).id)));
  for (const row of rows) assert.ok(ids.has(String(row.id)), `record ${row.id}`);
  assert.ok(
    streamed.every((record) => !record.errors && Object.keys(record.data).length),
    'mapped without errors',
  );
  assert.equal(state.syncs.accounts.cursor, s.cursor);

  // Next week the template maps one more field: the change is made, and the user is told that the
  // records already sent keep the old mapping until a --full sync.
  const file = join(home, 'accounts.json');
  const template = JSON.parse((await spawnCli(['templates', 'show', 'accounts'], env)).stdout);
  template.mappings.push({ source: 'Industry', destination: '_{TENANT_ID}.zoho.accounts.sector' });
  await writeFile(file, JSON.stringify(template));
  const edited = await spawnCli(['dataflow', 'create', '--template', file, '--json'], env);
  assert.equal(edited.exitCode, 0, edited.stdout + edited.stderr);
  assert.deepEqual(edited.json().dataflows[0].updated.sort(), ['fieldGroup', 'flow', 'mappingSet']);
  assert.match(
    edited.stderr,
    /accounts: the mapping changed; the records sent before keep the old one .*'aep-zoho sync accounts --full'/,
  );
  const after = JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8')).sandboxes.prod.syncs.accounts;
  assert.ok(after.fields.includes('Industry'));
  assert.equal(after.cursor, s.cursor, 'the cursor stays: the dataset is the same');
});

test('--every, and --in-flight: bad values are exit 2; --every with --json is exit 2 (one document); nothing is sent', async (t) => {
  const w = await syncWorld(t);
  for (const [args, pattern] of [
    [['sync', '--every', '15x'], /Invalid --every '15x'/],
    [['sync', '--every', '0s'], /Invalid --every '0s'/],
    [['sync', '--every', '15m', '--json'], /--every cannot be combined with --json/],
    [['sync', '--in-flight', '0'], /--in-flight must be a whole number from 1 to 200/],
  ] as const) {
    const r = await runCli(
      [...args, '--json'].filter((a, i, all) => a !== '--json' || all.indexOf(a) === i),
      w.env,
    );
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.json().error.message, pattern);
  }
  const variable = await runCli(['sync', '--json'], { ...w.env, AEP_ZOHO_INLET_IN_FLIGHT: 'many' });
  assert.equal(variable.exitCode, 2);
  assert.match(variable.json().error.message, /AEP_ZOHO_INLET_IN_FLIGHT/);
  assert.equal(inletPosts(w.emu).length, 0);
});

test('missing Adobe and Zoho credentials are named together, before anything is sent; ZOHO_ACCESS_TOKEN is not needed', async (t) => {
  const w = await syncWorld(t);
  const from = mark(w.emu);
  const r = await runCli(['sync', '--json'], {
    ...w.env,
    AEP_CLIENT_SECRET: undefined,
    ZOHO_REFRESH_TOKEN: undefined,
    ZOHO_CLIENT_SECRET: undefined,
  });
  assert.equal(r.exitCode, 1);
  assert.match(
    r.json().error.message,
    /Adobe credentials are missing .*AEP_CLIENT_SECRET\. Zoho credentials are missing .*ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN\./,
  );
  assert.equal(w.emu.exchanges.length, from, 'nothing sent');
  const noAccess = await runCli(['sync', '--json'], { ...w.env, ZOHO_ACCESS_TOKEN: undefined });
  assert.equal(noAccess.exitCode, 0, noAccess.stdout);
});

test('no token is printed, even with --debug and DEBUG=*, and none is in the state file; one Zoho token mint serves two runs', async (t) => {
  const w = await syncWorld(t);
  const first = await w.cli(['sync', '--debug'], { DEBUG: '*', AIO_LOG_LEVEL: 'debug' });
  assert.equal(first.exitCode, 0, first.stderr);
  assert.match(first.stderr, /→ POST \/collection\//, 'the requests are logged');
  w.emu.zoho.update('Accounts', zohoIds(w.emu)[3], { Industry: 'Banking' });
  const second = await w.cli(['sync', '--json', '--debug'], { DEBUG: '*' });
  assert.equal(second.exitCode, 0, second.stderr);
  assert.equal(second.json().syncs[0].sent, 1);

  const zohoTokens = [...w.emu.state.zohoTokens.keys()];
  const imsTokens = w.emu.exchanges
    .filter((e) => e.path.startsWith('/ims/token'))
    .map((e) => String((e.response as { access_token?: string })?.access_token ?? ''))
    .filter(Boolean);
  assert.ok(imsTokens.length >= 1 && zohoTokens.length >= 1);
  const state = await readFile(join(w.home, 'state', 'default.json'), 'utf8');
  for (const text of [first.stdout, first.stderr, second.stdout, second.stderr, state])
    assertNoSecrets(text, [...Object.values(SECRETS), ...zohoTokens, ...imsTokens]);

  const minted = [...w.emu.state.zohoTokens.values()].filter((token) => token.kind === 'access');
  assert.equal(minted.length, 1, 'one access token for both runs');
  assert.equal(second.json().zohoMints, 0, 'the second run reuses the stored token');
  assert.equal(w.emu.exchanges.filter((e) => e.path === '/oauth/v2/token').length, 1);
});

test('--every runs a pass per interval, releases the lock between passes, picks up changes, and stops on Ctrl-C with exit 130', async (t) => {
  const w = await syncWorld(t);
  const child = spawn(process.execPath, [BIN, 'sync', '--every', '2s'], {
    env: w.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A failed assertion must not leave sync --every running (it would keep this test file alive).
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  const waitFor = (pattern: RegExp, count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => ((stderr.match(pattern) ?? []).length >= count ? resolve() : undefined);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk;
        check();
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      check();
    });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(/Next pass at/g, 1);
  assert.match(stderr, /accounts: [\d,]+ records read from Accounts, [\d,]+ sent to AEP/);
  // The lock is free between passes: another writing command gets it while sync --every runs (were
  // it held from pass to pass, this would wait its whole minute and fail).
  const other = await runCli(['dataflow', 'enable', w.flowId, '--json'], { ...w.env, AEP_ZOHO_LOCK_WAIT_MS: '60000' });
  assert.equal(other.exitCode, 0, other.stdout + other.stderr);
  const changed = zohoIds(w.emu)[5];
  w.emu.zoho.update('Accounts', changed, { Industry: 'Energy' });
  // A later pass picks the change up: on a loaded machine the pass right after may already have
  // started before the update, so wait for the pass that reads it, whichever it is.
  await waitFor(/accounts: 1 record read from Accounts, 1 sent to AEP/g, 1);
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(stderr, /Error: Stopped syncing\./);
  assert.match(stderr, /the next 'aep-zoho sync' continues from there/);
  assert.ok(w.streamedIds().filter((id) => id === changed).length === 2);
});
