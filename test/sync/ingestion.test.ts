// What AEP made of the records sync posted (a 200 from the inlet only means "received"): the
// emulator makes streaming batches in Catalog from what the inlet received, fails records whose
// values break the XDM type of their destination, and serves the failed rows in Data Access;
// `dataflow status`, `runs [--watch]` and the next `sync` report them, naming the Zoho record ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';
import { validateExchanges } from '../helpers/openapi.js';
import { settle } from './setup.js';

const ZOHO_SPEC = '929e4450-0237-4ed2-9404-b7e1e0a00309';

async function streamingWorld(t: import('node:test').TestContext, options: Parameters<typeof emulator>[0] = {}) {
  const emu = await emulator({ retiredConnectionSpecs: [ZOHO_SPEC], ...options });
  t.after(() => emu.close());
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home, { NO_COLOR: '1' });
  for (const args of [
    ['connect', '--via', 'http-api'],
    ['dataflow', 'create', '--template', 'accounts', '--via', 'http-api'],
  ]) {
    const r = await spawnCli([...args, '--json'], env);
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  // Two accounts whose employee count is no integer: XDM's numberOfEmployees refuses them.
  const bad = emu.zoho
    .rows('Accounts')
    .slice(0, 2)
    .map((row) => String(row.id));
  for (const id of bad) emu.zoho.update('Accounts', id, { Employees: 'many' });
  settle(emu);
  return { emu, env, home, bad };
}

test('records that fail validation: dataflow status --json reports them under ingestion.failed with the reason and the Zoho id; runs and the next sync say so too', async (t) => {
  let offset = 0;
  const { emu, env, bad } = await streamingWorld(t, { now: () => Date.now() + offset });
  const rows = emu.zoho.rows('Accounts').length;
  const synced = await spawnCli(['sync', '--json'], env);
  assert.equal(synced.exitCode, 0, synced.stdout + synced.stderr);
  assert.equal(synced.json().syncs[0].sent, rows, 'the inlet answered 200 for every record');
  // The built-in template's `deletes: soft`: the deletes Zoho lists went too, as tombstones (which validate).
  const tombstones = synced.json().syncs[0].tombstones;
  assert.equal(tombstones, emu.zoho.deleted('Accounts').length);

  // The streaming batch is still open: AEP has not said yet.
  const early = await spawnCli(['dataflow', 'status', 'accounts', '--json'], env);
  assert.equal(early.exitCode, 0, early.stdout + early.stderr);
  assert.deepEqual(
    { ...early.json().ingestion, since: undefined, items: undefined },
    { batches: 1, ingested: 0, failed: 0, processing: 1, errors: [], since: undefined, items: undefined },
  );

  // A minute later the batch is done: two records failed validation.
  offset += 60_000;
  const status = await spawnCli(['dataflow', 'status', 'accounts', '--json'], env);
  assert.equal(status.exitCode, 0, status.stdout + status.stderr);
  const ingestion = status.json().ingestion;
  assert.deepEqual(
    [ingestion.batches, ingestion.ingested, ingestion.failed, ingestion.processing],
    [1, rows - 2 + tombstones, 2, 0],
  );
  assert.deepEqual(ingestion.errors.map((e: { recordId: string }) => e.recordId).sort(), [...bad].sort());
  for (const error of ingestion.errors)
    assert.match(error.message, /numberOfEmployees: Cannot convert 'many' to (int|long)/, JSON.stringify(error));

  const human = await spawnCli(['dataflow', 'status', 'accounts'], env);
  assert.match(
    human.stdout,
    new RegExp(`ingested +1 batch: ${(rows - 2 + tombstones).toLocaleString('en-US')} ingested, 2 failed`),
  );
  assert.match(human.stdout, new RegExp(`record ${bad[0]}: .*Cannot convert 'many'`));
  assert.doesNotMatch(human.stdout, /last run +none yet/, 'a streaming flow has batches, not runs');

  const runs = await spawnCli(['dataflow', 'runs', 'accounts', '--json'], env);
  assert.equal(runs.exitCode, 0, runs.stdout + runs.stderr);
  assert.equal(runs.json().ingestion.failed, 2);

  // From a machine without the state file, by flow id: the same batches (the last day's).
  const fresh = await tempHome();
  t.after(() => rm(fresh, { recursive: true, force: true }));
  const flowId = status.json().flowId;
  const other = await spawnCli(['dataflow', 'status', flowId, '--json'], { ...env, AEP_ZOHO_HOME: fresh });
  assert.equal(other.exitCode, 0, other.stdout + other.stderr);
  assert.equal(other.json().ingestion.failed, 2);

  // The next sync reports what AEP made of the previous one.
  const next = await spawnCli(['sync', '--json'], env);
  assert.equal(next.exitCode, 0, next.stdout + next.stderr);
  assert.equal(next.json().syncs[0].ingestion.failed, 2);
  const nextHuman = await runCli(['sync'], env);
  assert.match(nextHuman.stdout, /accounts: the previous sync in AEP: 1 batch: .* 2 failed/);

  // Catalog's batch bodies as catalog.yaml declares them.
  const batchCalls = emu.exchanges.filter((e) => e.path.startsWith('/data/foundation/catalog/batches'));
  assert.ok(batchCalls.length);
  assert.deepEqual(await validateExchanges(batchCalls), []);
});

test('runs --watch follows the batches of the last sync until none is processing: exit 1 when records failed, naming them', async (t) => {
  const { emu, env, bad } = await streamingWorld(t, { ingestionBatchMs: 1500 });
  const synced = await spawnCli(['sync', '--json'], env);
  assert.equal(synced.exitCode, 0, synced.stdout + synced.stderr);
  const watched = await spawnCli(['dataflow', 'runs', 'accounts', '--watch', '--json'], env);
  assert.equal(watched.exitCode, 1, watched.stdout + watched.stderr);
  const out = watched.json();
  assert.equal(out.ingestion.processing, 0);
  assert.equal(out.ingestion.failed, 2);
  assert.equal(out.error.code, 'RECORDS_FAILED');
  for (const id of bad) assert.match(out.error.message, new RegExp(`record ${id}`));
  assert.equal(emu.unmatched.length, 0, emu.unmatched.join(', '));
});
