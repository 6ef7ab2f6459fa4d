// --quiet means "no progress and no notes": off a terminal, a run that goes well writes nothing to
// stderr (issue 24.1). Through the real binary against the emulator.
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';
import { syncWorld } from '../sync/setup.js';

test('connect --quiet and dataflow create --template accounts --quiet write nothing to stderr', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = cliEnv(emu.env, home);
  for (const args of [
    ['connect', '--quiet'],
    ['dataflow', 'create', '--template', 'accounts', '--quiet'],
    ['dataflow', 'create', '--template', 'accounts', '--quiet', '--json'],
  ]) {
    const r = await spawnCli(args, env);
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, '', `${args.join(' ')} wrote to stderr`);
    assert.notEqual(r.stdout, '', 'the result is still printed');
  }
  // Without --quiet the progress is there (the test can fail).
  const loud = await spawnCli(['dataflow', 'create', '--template', 'accounts'], env);
  assert.match(loud.stderr, /Dataflow 'accounts'/);
});

test('sync --quiet writes nothing to stderr when all goes well', async (t) => {
  const world = await syncWorld(t);
  t.after(() => rm(world.home, { recursive: true, force: true }));
  const r = await world.cli(['sync', '--quiet']);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /accounts/);
});
