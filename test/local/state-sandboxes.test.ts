// Two sandboxes of one profile share the state file `state/<profile>.json` (issue 21.4): the lock
// is per profile and sandbox, so runs in two sandboxes work at once, and each must keep the
// other's entries. Every write re-reads the file under the state lock and changes only its own
// sandbox, so a file written by an earlier build (one file, every sandbox in it) keeps working.
import { strict as assert } from 'node:assert';
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';

const FLOWS = /^\/data\/foundation\/flowservice\/flows$/; // the create only, not POST /flows/{id}/action

const stateFile = async (home: string) => JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8'));

test('dataflow create in prod held mid-run while connect and dataflow create run in dev: both sandboxes keep their entries, and sync --sandbox dev sends', async (t) => {
  const emu = await emulator({ sandboxes: ['prod', 'dev'] });
  const home = await tempHome();
  t.after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });
  // A long request timeout: prod's flow POST is held for as long as dev's runs take.
  const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home, { AEP_ZOHO_TIMEOUT_MS: '600000' });
  const cli = async (args: string[]) => {
    const r = await spawnCli([...args, '--json'], env);
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r;
  };
  await cli(['connect', '--via', 'http-api']);

  // prod's create reads the state, then its flow POST waits until dev's connect and create are done.
  let devDone!: () => void;
  const released = new Promise<void>((resolve) => (devDone = resolve));
  let dev: Promise<void> | undefined;
  emu.faults.add({
    method: 'POST',
    path: FLOWS,
    fault: { kind: 'delay', ms: 600_000, until: released },
    onFire: () => {
      dev = (async () => {
        await cli(['connect', '--via', 'http-api', '--sandbox', 'dev']);
        await cli(['dataflow', 'create', '--template', 'accounts', '--sandbox', 'dev']);
      })().finally(devDone);
    },
  });
  const prod = cli(['dataflow', 'create', '--template', 'accounts']);
  await prod;
  assert.ok(dev, 'the prod run was held at its flow POST');
  await dev;

  const file = await stateFile(home);
  for (const sandbox of ['prod', 'dev']) {
    const state = file.sandboxes[sandbox];
    assert.equal(state?.via, 'http-api', `${sandbox}: via`);
    assert.ok(state.connection?.id, `${sandbox}: connection`);
    assert.ok(state.dataflows?.accounts?.flow?.id, `${sandbox}: flow`);
    assert.equal(state.syncs?.accounts?.flowId, state.dataflows.accounts.flow.id, `${sandbox}: sync entry`);
  }
  assert.notEqual(file.sandboxes.prod.connection.id, file.sandboxes.dev.connection.id);

  // The dev sandbox's daily job still has its dataflow: every account reaches dev's dataset.
  const sync = await cli(['sync', '--sandbox', 'dev']);
  const [entry] = sync.json().syncs;
  assert.equal(entry?.template, 'accounts', sync.stdout + sync.stderr);
  assert.equal(entry.sent, emu.zoho.rows('Accounts').length);
  // …and the tombstones of the deletes Zoho lists (the built-in template's `deletes: soft`).
  assert.equal(
    emu.state.recordsOf(file.sandboxes.dev.dataflows.accounts.dataset.id).length,
    entry.sent + entry.tombstones,
  );
  assert.equal(entry.tombstones, emu.zoho.deleted('Accounts').length);
  assert.deepEqual(await readdir(join(home, 'locks')), [], 'every lock released');
});

test("a state file written by the previous build (one file, both sandboxes) keeps working: each sandbox reads its own entries, and writes in one keep the other's", async (t) => {
  const emu = await emulator({ sandboxes: ['prod', 'dev'] });
  const home = await tempHome();
  t.after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });
  const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home);
  const cli = async (args: string[]) => {
    const r = await spawnCli([...args, '--json'], env);
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r;
  };
  // What the previous build wrote after `connect` in both sandboxes, byte for byte in its format.
  const prodConnection = (await cli(['connect', '--via', 'http-api'])).json().connectionId;
  const devConnection = (await cli(['connect', '--via', 'http-api', '--sandbox', 'dev'])).json().connectionId;
  const old = {
    version: 1,
    sandboxes: {
      prod: { via: 'http-api', connection: { id: prodConnection, name: 'aep-zoho default', created: true } },
      dev: { via: 'http-api', connection: { id: devConnection, name: 'aep-zoho default', created: true } },
    },
  };
  await mkdir(join(home, 'state'), { recursive: true });
  await writeFile(join(home, 'state', 'default.json'), `${JSON.stringify(old, null, 2)}\n`);

  // Each sandbox finds its own connection in the old file (no new one is made) and adds its dataflow.
  await cli(['dataflow', 'create', '--template', 'accounts', '--sandbox', 'dev']);
  await cli(['dataflow', 'create', '--template', 'accounts']);
  assert.equal(
    emu.exchanges.filter((e) => e.method === 'POST' && e.path === '/data/foundation/flowservice/connections').length,
    2,
    'no base connection made again',
  );
  const file = await stateFile(home);
  assert.deepEqual(Object.keys(file.sandboxes).sort(), ['dev', 'prod']);
  assert.equal(file.sandboxes.prod.connection.id, prodConnection);
  assert.equal(file.sandboxes.dev.connection.id, devConnection);
  assert.equal(file.sandboxes.prod.connection.created, true);
  for (const sandbox of ['prod', 'dev']) assert.ok(file.sandboxes[sandbox].syncs?.accounts, `${sandbox}: sync entry`);

  // destroy in dev removes dev's entries and nothing of prod's.
  await cli(['destroy', '--yes', '--sandbox', 'dev']);
  const after = await stateFile(home);
  assert.ok(after.sandboxes.prod.syncs?.accounts, 'prod kept');
  assert.equal(after.sandboxes.dev?.syncs?.accounts, undefined);
});
