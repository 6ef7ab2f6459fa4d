// The CLI's whole job, checked against Adobe's OpenAPI files: every request aep-zoho sends and every
// answer the emulator gives, from connect to destroy, must pass the specs (§9 exceptions aside).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateExchanges } from '../helpers/openapi.js';
import { emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

test('connect, explore, dataflow create (with an identity), list, runs, destroy: every exchange follows the specs', async () => {
  const emu = await emulator({ runDurationMs: 50 });
  try {
    const env = cliEnv(emu.env, await tempHome());
    const steps: string[][] = [
      ['connect'],
      ['connect', '--update-credentials'],
      ['explore'],
      ['explore', 'Contacts'],
      ['dataflow', 'create', '--template', 'contacts', '--dry-run'],
      ['dataflow', 'create', '--template', 'contacts,accounts'],
      ['dataflow', 'list', '--all'],
      ['dataflow', 'status', 'contacts'],
      ['dataflow', 'runs', 'contacts', '--watch'],
      ['doctor'],
      ['destroy', '--yes'],
    ];
    for (const argv of steps) {
      const r = await runCli([...argv, '--json'], env);
      assert.equal(r.exitCode, 0, `${argv.join(' ')}: ${r.stdout}${r.stderr}`);
    }
    const platformCalls = emu.exchanges.filter((e) => e.path.startsWith('/data/foundation/'));
    for (const service of ['flowservice', 'catalog', 'schemaregistry', 'conversion']) {
      assert.ok(
        platformCalls.some((e) => e.path.includes(`/${service}/`)),
        `the run used ${service}`,
      );
    }
    assert.deepEqual(await validateExchanges(emu.exchanges), []);
  } finally {
    await emu.close();
  }
});
