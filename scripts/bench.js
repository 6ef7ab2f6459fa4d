#!/usr/bin/env node
// `npm run bench`: prints aep-zoho's speed figures on this machine (a benchmark, not a test).
//   start-up     median wall time of --help, --version and each command's --help, as a ratio to
//                `node -e 0` timed in turns with it, and the same of CPU time (BENCH_ONLY=startup:
//                these figures alone)
//   round trips  `dataflow create --template accounts` at 0 ms and 300 ms of added latency per
//                request; (slow - fast) / 300 ms = the sequential round trips it waits for
//   scale        `dataflow create` with 1 and with 10 templates at 300 ms latency
//   memory       peak RSS of each command
//   throttled    46 templates against a gateway allowing 8 requests in flight (time, peak in flight, 429s)
//   huge answer  peak RSS while a 100 MB answer is refused
//   sync         --via http-api: all Accounts (~2,500) at 50 ms latency: Zoho calls, inlet peak in flight, records/s, RSS
//   sync scaling 25,000 to 250,000 records, 0 and 50 ms, with and without a mass update (scripts/bench-sync.js;
//                BENCH_SYNC=small|default|full|off), and the estimate of a first load of 1,000,000 records
// Every CLI run is the real binary (bin/aep-zoho.js, compiled JavaScript) against the emulator.
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../dist/emulator/server.js';
import { accountsCopies, throttlingFront } from './fixtures.js';
import { estimate, syncTable } from './bench-sync.js';
import { benchEnv as envFor } from './fixtures.js';
import { DEFAULT_INLET_IN_FLIGHT } from '../dist/aep/inlet.js';

// Temp homes and template copies go when the benchmark ends.
const temps = [];
process.once('exit', () => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

const bin = fileURLToPath(new URL('../bin/aep-zoho.js', import.meta.url));
const templatesDir = fileURLToPath(new URL('../templates/', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS) || 15;
const LATENCY = 300;
// Reports the child's peak RSS on fd 3 at exit (loaded only for the memory runs).
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; " +
    "process.on('exit', () => { try { writeSync(3, String(process.resourceUsage().maxRSS)); } catch {} });",
)}`;

// Reports the child's CPU time (user + system, ms) on fd 3 at exit, for the start-up runs: on a shared
// machine wall time swings with the load, CPU time much less. A CommonJS preload, so that `node -e 0`
// pays no ES module loader for it.
let cpuHook;
function cpuHookFile() {
  cpuHook ??= join(tempDir('aep-zoho-bench-cpu-'), 'cpu.cjs');
  writeFileSync(
    cpuHook,
    "process.on('exit', () => { try { const u = process.cpuUsage(); " +
      "require('node:fs').writeSync(3, String((u.user + u.system) / 1000)); } catch {} });",
  );
  return cpuHook;
}

function run(args, env = {}, { rss = false, cpu = false, fails = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const hook = rss ? ['--import', RSS_HOOK] : cpu ? ['--require', cpuHookFile()] : [];
    const child = spawn(process.execPath, [...hook, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let rssKb = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdio[3].on('data', (chunk) => (rssKb += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if ((code !== 0) !== fails) reject(new Error(`${args.join(' ')} exited ${code}\n${stderr}`));
      else
        resolve({
          ms,
          stdout,
          rssMb: rss && rssKb ? Number(rssKb) / 1024 : undefined,
          cpuMs: cpu && rssKb ? Number(rssKb) : undefined,
        });
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** A connected profile on a fresh emulator (token cached), ready for `dataflow create`. */
async function connected({ explore = false } = {}) {
  const emu = await startEmulator({ runDurationMs: 60_000 });
  const home = tempDir('aep-zoho-bench-');
  const env = envFor(emu, home);
  await run([bin, 'connect', '--json'], env);
  if (explore) await run([bin, 'explore', '--json'], env);
  return { emu, env };
}

/** `dataflow create` on a fresh connected emulator with `latency` ms per request. */
async function create(templates, latency, options = {}) {
  const { emu, env } = await connected(options);
  emu.options.latencyMs = latency;
  const before = emu.exchanges.length;
  const result = await run([bin, 'dataflow', 'create', '--template', templates, '--json'], env, { rss: !!options.rss });
  const requests = emu.exchanges.length - before;
  await emu.close();
  return { ...result, requests };
}

const rows = [];
const line = (label, value, note = '') => {
  rows.push([label, value, note]);
  process.stdout.write(`${label.padEnd(52)} ${String(value).padEnd(12)} ${note}\n`);
};

process.stdout.write(`aep-zoho benchmark (node ${process.version}, ${RUNS} runs per start-up figure)\n\n`);

// Start-up: each command timed in turns with `node -e 0` (one run of each, again and again), so that
// a load that changes while the benchmark runs (a shared machine) moves both; the ratio is of the
// two medians.
async function startup(args, runs = RUNS) {
  const node = [];
  const times = [];
  for (let i = 0; i < runs; i++) {
    node.push(await run(['-e', '0'], {}, { cpu: true }));
    times.push(await run([bin, ...args], {}, { cpu: true }));
  }
  const [ms, nodeMs] = [median(times.map((t) => t.ms)), median(node.map((t) => t.ms))];
  const cpu = median(times.map((t) => t.cpuMs)) / median(node.map((t) => t.cpuMs));
  return { ms, ratio: ms / nodeMs, node: nodeMs, cpu };
}
const ratio = (r, goal = '') => `${r.ratio.toFixed(2)}x node -e 0${goal}; CPU time ${r.cpu.toFixed(2)}x`;
const help = await startup(['--help']);
const version = await startup(['--version']);
line('node -e 0 (median)', fmt(help.node));
line('aep-zoho --help (median)', fmt(help.ms), ratio(help, ' (goal <= 1.5x)'));
line('aep-zoho --version (median)', fmt(version.ms), ratio(version));
// Each command's start-up: its --help (parsing, the command list, its own options), and the
// commands that run offline end to end. A command loads its own module only, and its heavy
// modules only inside run().
const { registry } = await import('../dist/cli/registry.js');
const words = registry.flatMap((entry) =>
  'subcommands' in entry
    ? entry.subcommands.map((sub) => [entry.command.split(' ')[0], sub.command.split(' ')[0]])
    : [[entry.command.split(' ')[0]]],
);
const offline = [
  ['templates', 'list'],
  ['templates', 'show', 'accounts'],
  ['templates', 'validate', join(templatesDir, 'accounts.json')],
  ['allowlist'],
  ['completion', 'bash'],
];
for (const args of [...words.map((w) => [...w, '--help']), ...offline]) {
  const r = await startup(args, Math.max(5, Math.floor(RUNS / 3)));
  const shown = args.map((a) => (a.startsWith('/') ? 'templates/accounts.json' : a)).join(' ');
  line(`  aep-zoho ${shown}`, fmt(r.ms), ratio(r));
}
// BENCH_ONLY=startup npm run bench: the start-up figures alone (a minute, not half an hour).
if (process.env.BENCH_ONLY === 'startup') process.exit(0);

// Round trips, with a cached IMS token (connect ran first).
const fast = await create('accounts', 0);
const slow = await create('accounts', LATENCY);
line('dataflow create --template accounts, 0 ms latency', fmt(fast.ms), `${fast.requests} requests`);
line(`dataflow create --template accounts, ${LATENCY} ms latency`, fmt(slow.ms));
line('  sequential round trips ((slow - fast) / 300 ms)', ((slow.ms - fast.ms) / LATENCY).toFixed(1), 'goal <= 7');
const fastCached = await create('accounts', 0, { explore: true });
const slowCached = await create('accounts', LATENCY, { explore: true });
line(
  '  ... with the table listing cached by explore',
  ((slowCached.ms - fastCached.ms) / LATENCY).toFixed(1),
  'goal 6',
);
{
  const emu = await startEmulator();
  const env = envFor(emu, tempDir('aep-zoho-bench-'));
  await run([bin, 'connect', '--json'], env);
  const afterConnect = emu.exchanges.length;
  await run([bin, 'dataflow', 'create', '--template', 'accounts', '--json'], env);
  line(
    'requests: connect + dataflow create (a fresh org)',
    emu.exchanges.length,
    `connect ${afterConnect}, create ${emu.exchanges.length - afterConnect}`,
  );
  await emu.close();
}

// Day two: a converged re-run (with the state file, and from an empty home), and applying an edit.
/** `dataflow create` of a built accounts template again, after `change` (edit the file, empty the home). */
async function again(latency, change = {}) {
  const { emu, env } = await connected();
  const file = join(tempDir('aep-zoho-bench-edit-'), 'accounts.json');
  const template = JSON.parse(readFileSync(join(templatesDir, 'accounts.json'), 'utf8'));
  delete template.$schema;
  writeFileSync(file, JSON.stringify(template));
  await run([bin, 'dataflow', 'create', '--template', file, '--json'], env);
  if (change.edit) {
    template.mappings.push({ source: 'Description', destination: '_{TENANT_ID}.zoho.accounts.notes' });
    template.schedule = { frequency: 'day', interval: 1, backfill: true };
    writeFileSync(file, JSON.stringify(template));
  }
  const runEnv = change.emptyHome ? { ...env, AEP_ZOHO_HOME: tempDir('aep-zoho-bench-') } : env;
  if (change.emptyHome) await run([bin, 'auth', 'status', '--json'], runEnv); // the IMS token cached, as in any later run
  emu.options.latencyMs = latency;
  const before = emu.exchanges.length;
  const result = await run([bin, 'dataflow', 'create', '--template', file, '--json'], runEnv);
  const requests = emu.exchanges.length - before;
  await emu.close();
  return { ...result, requests };
}
for (const [label, change, goal] of [
  ['converged re-run, with the state file', {}, 'goal <= 2'],
  ['converged re-run, from an empty home', { emptyHome: true }, 'goal <= 3'],
  ['applying a mapping + schedule edit', { edit: true }, 'goal <= 5'],
]) {
  const [quick, slowed] = [await again(0, change), await again(LATENCY, change)];
  line(
    `  ${label}: sequential round trips`,
    ((slowed.ms - quick.ms) / LATENCY).toFixed(1),
    `${goal}; ${quick.requests} requests (before the core: 7.0 for a first create)`,
  );
}

// Scale: 1 against 10 templates at 300 ms.
const ten = ['accounts', ...accountsCopies(9)].join(',');
const one = await create('accounts', LATENCY, { rss: true });
const many = await create(ten, LATENCY, { rss: true });
line(`dataflow create, 1 template, ${LATENCY} ms`, fmt(one.ms), `${one.requests} requests`);
line(
  `dataflow create, 10 templates, ${LATENCY} ms`,
  fmt(many.ms),
  `${many.requests} requests, ${(many.ms / one.ms).toFixed(2)}x (goal <= 2x)`,
);

// Peak memory: every command, in the order a user runs them.
{
  const emu = await startEmulator({ runDurationMs: 1000 });
  const env = envFor(emu, tempDir('aep-zoho-bench-'));
  const measured = [
    ['--help', ['--help']],
    ['allowlist', ['allowlist', '--json']],
    ['auth status', ['auth', 'status', '--json']],
    ['connect', ['connect', '--json']],
    ['explore', ['explore', '--json']],
    ['explore Accounts', ['explore', 'Accounts', '--json']],
    ['templates list', ['templates', 'list', '--json']],
    ['dataflow create --dry-run', ['dataflow', 'create', '--template', 'accounts', '--dry-run', '--json']],
    ['dataflow create (4 templates)', ['dataflow', 'create', '--template', 'accounts,contacts,leads,deals', '--json']],
    ['dataflow list', ['dataflow', 'list', '--json']],
    ['dataflow status', ['dataflow', 'status', 'accounts', '--json']],
    ['dataflow runs --watch', ['dataflow', 'runs', 'accounts', '--watch', '--json']],
    ['doctor', ['doctor', '--json']],
    ['destroy', ['destroy', '--yes', '--json']],
  ];
  for (const [label, args] of measured)
    line(
      `peak RSS: ${label}`,
      `${(await run([bin, ...args], env, { rss: true })).rssMb.toFixed(0)} MB`,
      'goal <= 120 MB',
    );
  await emu.close();
}
line('peak RSS: dataflow create (1 template)', `${one.rssMb.toFixed(0)} MB`, 'goal <= 120 MB');
line('peak RSS: dataflow create (10 templates)', `${many.rssMb.toFixed(0)} MB`, 'goal <= 120 MB');

// Throttled: 46 templates against a gateway that allows 8 requests in flight (20 ms each).
{
  const templates = ['accounts', ...accountsCopies(45)].join(',');
  for (const limit of [undefined, 8]) {
    const emu = await startEmulator();
    const front = await throttlingFront(emu.url, { maxInFlight: 8, latencyMs: 20 });
    const env = {
      ...envFor(emu, tempDir('aep-zoho-bench-')),
      AEP_PLATFORM_URL: front.url,
      ...(limit ? { AEP_ZOHO_MAX_IN_FLIGHT: String(limit) } : {}),
    };
    await run([bin, 'connect', '--json'], env);
    const result = await run([bin, 'dataflow', 'create', '--template', templates, '--json'], env);
    const flows = JSON.parse(result.stdout).dataflows.length;
    const label = `46 templates, gateway allows 8 in flight, limiter ${limit ?? '16 (default)'}`;
    line(
      label,
      fmt(result.ms),
      `${flows} dataflows, ${front.served} requests, peak ${front.peak} sent at once (goal <= limiter), ${front.refused} answered 429`,
    );
    await front.close();
    await emu.close();
  }
}

// A 100 MB answer (to the Zoho spec lookup of connect): refused, and how much memory that took.
{
  const emu = await startEmulator();
  const hundredMb = 100 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  const server = createServer((req, res) => {
    if (!req.url.startsWith('/data/foundation/flowservice/connectionSpecs/')) {
      const upstream = request(`${emu.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }); // no Content-Length: it must be read to be refused
    let sent = 0;
    const pump = () => {
      while (sent < hundredMb && res.write(chunk)) sent += chunk.length;
      if (sent >= hundredMb) res.end();
    };
    res.on('drain', pump);
    pump();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = {
    ...envFor(emu, tempDir('aep-zoho-bench-')),
    AEP_PLATFORM_URL: `http://127.0.0.1:${server.address().port}`,
  };
  const refused = await run([bin, 'connect', '--json'], env, { rss: true, fails: true });
  const message = JSON.parse(refused.stdout).error.message;
  line(
    'peak RSS: connect refusing a 100 MB answer',
    `${refused.rssMb.toFixed(0)} MB`,
    `goal < 150 MB; "${message.slice(0, 90)}…"`,
  );
  server.closeAllConnections();
  server.close();
  await emu.close();
}

// sync (--via http-api): every Accounts record (about 2,500) from Zoho (COQL keyset pages of 2,000)
// to the streaming inlet, at 50 ms added latency per request. Zoho calls: goal ceil(n/2000) pages
// plus one field-metadata and one deleted call (a call refused for its token and resent is counted
// apart); credits as Zoho prices them (docs/zoho-rules.md). Peak in flight:
// what the run's inlet limiter let out at once (goal <= its bound, DEFAULT_INLET_IN_FLIGHT).
{
  const SYNC_LATENCY = 50;
  // No ingestion pause here (its own figure below): the records are timed, not the five-minute wait.
  const emu = await startEmulator({
    retiredConnectionSpecs: ['929e4450-0237-4ed2-9404-b7e1e0a00309'],
    ingestionPauseMs: 0,
  });
  const env = {
    ...envFor(emu, tempDir('aep-zoho-bench-')),
    ZOHO_ENDPOINT: emu.url,
    AEP_ZOHO_INGESTION_PAUSE: '0',
  };
  await run([bin, 'connect', '--via', 'http-api', '--json'], env);
  await run([bin, 'dataflow', 'create', '--template', 'accounts', '--via', 'http-api', '--json'], env);
  emu.options.latencyMs = SYNC_LATENCY;
  const before = emu.exchanges.length;
  const result = await run([bin, 'sync', '--json'], env, { rss: true });
  const out = JSON.parse(result.stdout);
  const [s] = out.syncs;
  const exchanges = emu.exchanges.slice(before);
  const zoho = exchanges.filter((e) => e.path.startsWith('/crm/v8/'));
  const refused = zoho.filter((e) => e.status === 401).length;
  const posts = exchanges.filter((e) => e.path.startsWith('/collection/')).length;
  const goal = Math.ceil(s.read / 2000) + 2;
  line(
    `sync, ${s.read} records, ${SYNC_LATENCY} ms latency`,
    fmt(result.ms),
    `${s.sent} sent, ${posts} inlet requests, ${s.deleted} deletes counted`,
  );
  line(
    '  Zoho calls',
    zoho.length,
    `${zoho.length - refused} answered + ${refused} refused token (goal ${goal}: ceil(n/2000) COQL pages + ` +
      `1 field-metadata + 1 deleted call); ${out.zohoMints} token minted`,
  );
  line(
    '  Zoho credits',
    s.zohoCredits,
    `${((s.zohoCredits / Math.max(1, s.read)) * 1000).toFixed(1)} per 1,000 records (a REST walk of 200 a call: 5)`,
  );
  line('  inlet requests in flight, peak', out.inletPeakInFlight, `goal <= ${DEFAULT_INLET_IN_FLIGHT} (the bound)`);
  line(
    '  records per second',
    (s.sent / (result.ms / 1000)).toFixed(0),
    'goal >= 200 (whole run: start-up, IMS, Zoho and inlet)',
  );
  line('peak RSS: sync', `${result.rssMb.toFixed(0)} MB`, 'goal <= 120 MB');
  const quiet = await run([bin, 'sync', '--json'], env);
  const [q] = JSON.parse(quiet.stdout).syncs;
  line('sync again, nothing new', fmt(quiet.ms), `${q.sent} sent, ${q.zohoCalls} Zoho calls (goal <= 3)`);
  await emu.close();
}

// sync --no-wait inside Adobe's ingestion pause (five minutes after the flow was created): exit 75
// at once, no inlet post. Goal: under 2 s, 0 posts.
{
  const emu = await startEmulator({ retiredConnectionSpecs: ['929e4450-0237-4ed2-9404-b7e1e0a00309'] });
  const env = { ...envFor(emu, tempDir('aep-zoho-bench-')), ZOHO_ENDPOINT: emu.url };
  await run([bin, 'connect', '--via', 'http-api', '--json'], env);
  await run([bin, 'dataflow', 'create', '--template', 'accounts', '--via', 'http-api', '--json'], env);
  const before = emu.exchanges.length;
  const held = await new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, 'sync', '--no-wait', '--json'], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
  const posts = emu.exchanges.slice(before).filter((e) => e.path.startsWith('/collection/')).length;
  const notBefore = JSON.parse(held.stdout).syncs?.[0]?.notBefore;
  line(
    'sync --no-wait inside the ingestion pause',
    fmt(held.ms),
    `exit ${held.code}, ${posts} posts, notBefore ${notBefore} (goal: exit 75, 0 posts, < 2 s)`,
  );
  await emu.close();
}

// The sync scaling table (issue 23.5) and the estimate of a first load of 1,000,000 records.
estimate(await syncTable(), DEFAULT_INLET_IN_FLIGHT);
