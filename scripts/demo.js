#!/usr/bin/env node
// `npm run demo`: the whole job against the bundled emulator, with the CLI's real output.
// Starts the emulator in this process, points the CLI at it with a throw-away AEP_ZOHO_HOME and
// demo credentials, and runs each command as a user would, through bin/aep-zoho.js.
// `npm run demo -- --via http-api`: an org where Adobe retired the Zoho source; aep-zoho reads
// Zoho itself and posts the records to an HTTP API streaming source (`sync`).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../dist/emulator/server.js';
import { DEFAULT_ZOHO_SCOPES } from '../dist/zoho/accounts.js';

const bin = fileURLToPath(new URL('../bin/aep-zoho.js', import.meta.url));
const viaAt = process.argv.indexOf('--via');
const via =
  viaAt > 0 ? process.argv[viaAt + 1] : (process.argv.find((a) => a.startsWith('--via='))?.slice(6) ?? 'zoho-source');
if (!['zoho-source', 'http-api'].includes(via)) {
  process.stderr.write(`demo: --via must be zoho-source or http-api, got '${via}'\n`);
  process.exit(2);
}
const streaming = via === 'http-api';
// Adobe drops records posted within five minutes of a streaming flow's create or update; the demo's
// emulator shortens that pause so the wait shows without taking five minutes (sync is told through
// AEP_ZOHO_INGESTION_PAUSE, which only an emulator honours).
const PAUSE_MS = 3000;
const emu = await startEmulator({
  runDurationMs: 4000,
  ...(streaming
    ? { retiredConnectionSpecs: ['929e4450-0237-4ed2-9404-b7e1e0a00309'], ingestionPauseMs: PAUSE_MS }
    : {}),
});
const home = mkdtempSync(join(tmpdir(), 'aep-zoho-demo-'));
const env = {
  ...process.env,
  AEP_ZOHO_HOME: home,
  AEP_PLATFORM_URL: emu.url,
  AEP_IMS_URL: emu.url,
  ZOHO_ACCOUNTS_URL: emu.url,
  // The emulator serves Zoho CRM's REST API too (what --via http-api reads).
  ZOHO_ENDPOINT: emu.url,
  AEP_CLIENT_ID: 'demo-client-id',
  AEP_CLIENT_SECRET: 'demo-client-secret',
  AEP_ORG_ID: 'DEMO0000000000000000000A@AdobeOrg',
  ZOHO_CLIENT_ID: '1000.DEMOCLIENT',
  ZOHO_CLIENT_SECRET: 'demo-zoho-secret',
  ...(streaming ? { AEP_ZOHO_INGESTION_PAUSE: `${PAUSE_MS}ms` } : {}),
};

const bold = (text) => (process.stderr.isTTY && !process.env.NO_COLOR ? `\x1b[1m${text}\x1b[0m` : text);
// Async spawn: the emulator answers from this process's event loop meanwhile.
const step = async (title, args, expected = 0) => {
  const shown = args.map((arg) => (/^1000\.[0-9a-f]{8,}/.test(arg) ? '1000.…' : arg)).join(' ');
  process.stderr.write(`\n${bold(`$ aep-zoho ${shown}`)}   # ${title}\n`);
  const status = await new Promise((resolve) =>
    spawn(process.execPath, [bin, ...args], { env, stdio: 'inherit' }).on('close', resolve),
  );
  if (![expected].flat().includes(status)) {
    process.stderr.write(`\ndemo: 'aep-zoho ${shown}' exited ${status}\n`);
    await cleanup();
    process.exit(status ?? 1);
  }
};
const cleanup = () => {
  rmSync(home, { recursive: true, force: true });
  return emu.close();
};

process.stderr.write(`aep-zoho demo: emulator on ${emu.url}, throw-away home ${home}\n`);
// What a browser does with 'zoho authorize-url': consent to its scopes, then Zoho redirects back with ?code=…
const consent = await fetch(
  `${emu.url}/oauth/v2/auth?response_type=code&client_id=1000.DEMOCLIENT&scope=${DEFAULT_ZOHO_SCOPES.join(',')}&access_type=offline&prompt=consent&redirect_uri=https://example.com/callback`,
  { redirect: 'manual' },
);
const code = new URL(consent.headers.get('location')).searchParams.get('code');

await step('exchange the Zoho grant token', [
  'zoho',
  'token',
  '--grant-token',
  code,
  '--redirect-uri',
  'https://example.com/callback',
]);
if (streaming) {
  await step('Adobe retired the Zoho CRM source in this org: connect says so, and what to run', ['connect'], 1);
  await step('an HTTP API streaming source that aep-zoho feeds itself', ['connect', '--via', 'http-api']);
  await step("list the CRM's modules, read from Zoho's own API", ['explore']);
  await step('preview Accounts', ['explore', 'Accounts', '--limit', '5']);
  await step('create the Accounts streaming dataflow', ['dataflow', 'create', '--template', 'accounts']);
  process.stderr.write(
    `\n# Adobe pauses ingestion for five minutes after a streaming flow is created or updated; this demo's emulator shortens it to ${PAUSE_MS / 1000} s.\n`,
  );
  await step(
    "inside Adobe's ingestion pause: --no-wait exits 75 at once and posts nothing",
    ['sync', '--no-wait'],
    [75, 0],
  ); // 0 only on a machine so slow that the pause ended first
  await step('wait out the pause, then carry every Accounts record to AEP', ['sync']);
  await step('run it again: only what changed moves', ['sync']);
} else {
  await step('create the Zoho CRM base connection', ['connect']);
  await step('run it again: nothing new is created', ['connect']);
  await step("list the CRM's tables", ['explore']);
  await step('preview Accounts', ['explore', 'Accounts', '--limit', '5']);
  await step('plan the Accounts dataflow (sends no write)', [
    'dataflow',
    'create',
    '--template',
    'accounts',
    '--dry-run',
  ]);
  await step('create the Accounts dataflow', ['dataflow', 'create', '--template', 'accounts']);
  await step('watch its first run to the end', ['dataflow', 'runs', 'accounts', '--watch']);
}
await cleanup();
process.stderr.write('\nDemo finished. Point the same commands at your real org with the steps in README.md.\n');
