// Two `dataflow create` runs of the same profile at once (real binary, same home): the lock makes
// the second wait for the first, so there is never a duplicate and no state entry is lost. Run many
// times, since a race shows only sometimes (before the lock: two of everything in 8 of 10 tries).
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { convergence, emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';

const TRIES = 8;

test(`${TRIES} pairs of concurrent dataflow create runs: one of each resource, a state file that names them`, async () => {
  const problems: string[] = [];
  let waited = 0;
  for (let i = 0; i < TRIES; i++) {
    const emu = await emulator();
    try {
      const home = await tempHome();
      // Long enough for the first run to finish on a loaded machine.
      const env = cliEnv(emu.env, home, { AEP_ZOHO_LOCK_WAIT_MS: '60000' });
      assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
      const runs = await Promise.all(
        [0, 1].map(() => spawnCli(['dataflow', 'create', '--template', 'accounts', '--json'], env)),
      );
      runs.forEach((r, n) => {
        if (r.exitCode !== 0) problems.push(`try ${i} run ${n}: exit ${r.exitCode}\n${r.stderr}`);
      });
      if (runs.some((r) => /Waiting for another aep-zoho/.test(r.stderr))) waited++;
      // One created everything; the other, after waiting, found it all.
      const created = runs.map((r) => (r.exitCode === 0 ? r.json().dataflows[0].created.length : -1)).sort();
      if (created[0] !== 0) problems.push(`try ${i}: both runs created something (${created.join(', ')})`);
      problems.push(...(await convergence(emu, home)).map((p) => `try ${i}: ${p}`));
    } finally {
      await emu.close();
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(waited > 0, 'at least one run waited for the lock (else the test did not race)');
});
