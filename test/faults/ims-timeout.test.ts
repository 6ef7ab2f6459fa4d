// IMS through aio-lib-ims has no timeout of its own: its request goes through the one network stack,
// so a token request that hangs is abandoned after AEP_ZOHO_TIMEOUT_MS and tried again, instead of
// holding the command until Ctrl-C.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

test('a hung IMS token request is abandoned after the timeout and retried', async () => {
  const emu = await emulator();
  try {
    emu.faults.add({ method: 'POST', path: '/ims/token/v2', fault: { kind: 'delay', ms: 5_000, handle: 'before' } });
    const r = await runCli(
      ['auth', 'status', '--json', '--debug'],
      cliEnv(emu.env, await tempHome(), { AEP_ZOHO_TIMEOUT_MS: '300' }),
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /retrying POST \/ims\/token\/v2 in \d+ ms \(attempt 1: ETIMEDOUT\)/);
    assert.equal(emu.faults.fired.length, 1);
  } finally {
    await emu.close();
  }
});
