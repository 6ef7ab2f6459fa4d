// A create that Adobe refuses outright (a 4xx: no retry, no lookup) fails the command; the other
// creates running alongside must not carry on after the command has returned (they would race a
// re-run and duplicate resources), and a re-run must converge to one of each.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

const FLOW = '/data/foundation/flowservice';

describe('a refused create in the middle of dataflow create', () => {
  for (const path of [
    `${FLOW}/sourceConnections`,
    '/data/foundation/schemaregistry/tenant/fieldgroups',
    '/data/foundation/conversion/mappingSets',
  ]) {
    test(`400 on POST ${path.split('/').pop()}: nothing happens after the command returns; a re-run converges`, async () => {
      const emu = await emulator();
      try {
        const env = cliEnv(emu.env, await tempHome());
        assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
        emu.faults.add({ method: 'POST', path, fault: { kind: 'status', status: 400 } });
        const failed = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
        assert.equal(failed.exitCode, 1);
        const settled = emu.exchanges.length;
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(
          emu.exchanges.slice(settled).map((e) => `${e.method} ${e.path}`),
          [],
          'no request after the command returned',
        );

        const again = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
        assert.equal(again.exitCode, 0, again.stderr);
        const counts = emu.state.counts();
        for (const kind of [
          'connections',
          'sourceConnections',
          'targetConnections',
          'flows',
          'dataSets',
          'schemas',
          'fieldGroups',
          'mappingSets',
        ])
          assert.equal(counts[kind], 1, kind);
      } finally {
        await emu.close();
      }
    });
  }
});
