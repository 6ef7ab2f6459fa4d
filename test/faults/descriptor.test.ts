// Identity descriptors have no name, so a descriptor create whose answer is lost is looked up by
// what makes it unique (schema + property): one fault per kind on the descriptor POST of
// `dataflow create --template contacts` must still leave exactly one identity descriptor.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { emulator, MATRIX_FAULTS, type MatrixFault } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

const DESCRIPTORS = '/data/foundation/schemaregistry/tenant/descriptors';

describe('identity descriptor create under faults', () => {
  for (const kind of ['500', '503', 'reset', 'drop', 'timeout', '429'] as MatrixFault[]) {
    test(`${kind} on the descriptor POST`, async () => {
      const emu = await emulator();
      try {
        const env = cliEnv(emu.env, await tempHome(), kind === 'timeout' ? { AEP_ZOHO_TIMEOUT_MS: '300' } : {});
        assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
        emu.faults.add({ method: 'POST', path: DESCRIPTORS, fault: MATRIX_FAULTS[kind], label: kind });
        const r = await runCli(['dataflow', 'create', '--template', 'contacts', '--json'], env);
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(emu.faults.fired.length, 1);
        const identities = emu.state.descriptors.all().filter((d) => d['@type'] === 'xdm:descriptorIdentity');
        assert.equal(identities.length, 1);
        const [schema] = emu.state.schemas.all();
        assert.equal(identities[0]['xdm:sourceSchema'], schema.$id);
        assert.equal(emu.state.counts().datasets ?? emu.state.dataSets.size, 1);
      } finally {
        await emu.close();
      }
    });
  }
});
