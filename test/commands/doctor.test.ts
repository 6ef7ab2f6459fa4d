import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { emulator } from '../helpers/emulator.js';
import { assertNoSecrets, cliEnv, runCli, tempHome } from '../helpers/cli.js';

const ZOHO_SPEC = '929e4450-0237-4ed2-9404-b7e1e0a00309';
type Env = Record<string, string | undefined>;

async function doctor(env: Env, extra: string[] = []) {
  const r = await runCli(['doctor', ...extra, '--json'], env);
  const out = r.json();
  const check = (name: string) => {
    const found = out.checks.find((c: any) => c.name === name);
    assert.ok(found, `no check named ${name}: ${JSON.stringify(out.checks)}`);
    return found;
  };
  assertNoSecrets(r.stdout + r.stderr);
  return { r, out, check };
}

describe('doctor', () => {
  test('all pass after connect: exit 0, one screen with every check', async () => {
    const emu = await emulator();
    try {
      const env = cliEnv(emu.env, await tempHome());
      const before = await doctor(env);
      assert.equal(before.r.exitCode, 0, before.r.stderr);
      assert.equal(before.check('Base connection').status, 'warn', 'no connection yet is a warning');
      assert.match(before.check('Base connection').fix, /aep-zoho connect/);

      assert.equal((await runCli(['connect'], env)).exitCode, 0);
      const { r, out, check } = await doctor(env);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(out.ok, true);
      for (const name of [
        'Adobe credentials',
        'Zoho credentials',
        'Adobe IMS token',
        'Org and sandbox',
        'Zoho CRM source',
        'Clock',
        'Base connection',
        'Debug logging',
      ]) {
        assert.equal(check(name).status, 'pass', `${name}: ${check(name).detail}`);
      }
      assert.ok(out.checks.every((c: any) => typeof c.detail === 'string'));

      const human = await runCli(['doctor'], env);
      assert.equal(human.exitCode, 0);
      assert.match(human.stdout, /✔ pass +Org and sandbox/);
      assert.match(human.stdout, /All checks passed/);
    } finally {
      await emu.close();
    }
  });

  test('a wrong secret fails the IMS check and skips what needs a token', async () => {
    const emu = await emulator({ imsClients: { 'test-client-id': 'other' } });
    try {
      const { r, out, check } = await doctor(cliEnv(emu.env, await tempHome()));
      assert.equal(r.exitCode, 1);
      assert.equal(out.ok, false);
      // A failure carries the contract's error object, and the exit code is not part of the output.
      assert.match(out.error.message, /^1 check\(s\) failed: Adobe IMS token\.$/);
      assert.match(out.error.hint, /AEP_CLIENT_SECRET/);
      assert.equal('exitCode' in out, false);
      assert.equal(check('Adobe credentials').status, 'pass');
      assert.equal(check('Adobe IMS token').status, 'fail');
      assert.match(check('Adobe IMS token').detail, /refused/);
      assert.match(check('Adobe IMS token').fix, /AEP_CLIENT_SECRET/);
      for (const name of ['Org and sandbox', 'Zoho CRM source', 'Clock', 'Base connection'])
        assert.equal(check(name).status, 'skip', name);
      assert.equal(check('Debug logging').status, 'pass', 'later independent checks still run');
    } finally {
      await emu.close();
    }
  });

  test('an unknown sandbox fails the org-and-sandbox check', async () => {
    const emu = await emulator();
    try {
      const { r, check } = await doctor(cliEnv(emu.env, await tempHome()), ['--sandbox', 'nosuch']);
      assert.equal(r.exitCode, 1);
      assert.equal(check('Adobe IMS token').status, 'pass');
      assert.equal(check('Org and sandbox').status, 'fail');
      assert.match(check('Org and sandbox').detail, /FLOW-2100-404/);
      assert.match(check('Org and sandbox').fix, /--sandbox/);
      assert.equal(check('Zoho CRM source').status, 'skip');
    } finally {
      await emu.close();
    }
  });

  test('a retired Zoho connection spec fails with the deprecation explained', async () => {
    const emu = await emulator({ retiredConnectionSpecs: [ZOHO_SPEC] });
    try {
      const { r, check } = await doctor(cliEnv(emu.env, await tempHome()));
      assert.equal(r.exitCode, 1);
      assert.equal(check('Org and sandbox').status, 'pass');
      assert.equal(check('Zoho CRM source').status, 'fail');
      assert.match(check('Zoho CRM source').detail, /deprecated at the end of June 2025/);
      assert.match(check('Zoho CRM source').fix, /run 'aep-zoho connect --via http-api'/);
      assert.equal(check('Clock').status, 'pass');
    } finally {
      await emu.close();
    }
  });

  test('DEBUG=* fails, missing Zoho credentials are a warning, missing Adobe credentials fail', async () => {
    const emu = await emulator();
    try {
      const home = await tempHome();
      const warned = await doctor(
        cliEnv(emu.env, home, { DEBUG: '*', NODE_DEBUG: 'http', ZOHO_REFRESH_TOKEN: undefined }),
      );
      assert.equal(warned.r.exitCode, 1, warned.r.stderr);
      const debug = warned.check('Debug logging');
      assert.equal(debug.status, 'fail');
      assert.match(debug.detail, /DEBUG=\*, NODE_DEBUG=http/);
      assert.match(debug.detail, /other tools/);
      assert.match(debug.fix, /unset DEBUG NODE_DEBUG/);
      assert.equal(warned.check('Zoho credentials').status, 'warn');
      assert.match(warned.check('Zoho credentials').detail, /ZOHO_REFRESH_TOKEN/);

      const missing = await doctor(cliEnv(emu.env, home, { AEP_CLIENT_SECRET: undefined }));
      assert.equal(missing.r.exitCode, 1);
      assert.equal(missing.check('Adobe credentials').status, 'fail');
      assert.match(missing.check('Adobe credentials').fix, /aep-zoho init/);
      assert.equal(missing.check('Adobe IMS token').status, 'skip');
    } finally {
      await emu.close();
    }
  });

  test('a base connection whose test fails, and one deleted outside aep-zoho, fail with a fix', async () => {
    const emu = await emulator();
    try {
      const env = cliEnv(emu.env, await tempHome());
      const made = await runCli(['connect', '--json'], env);
      // Its credentials went bad since: Adobe's connection test now fails.
      emu.state.connections.get(made.json().connectionId)!.auth.params.refreshToken = '';
      const { r, check } = await doctor(env);
      assert.equal(r.exitCode, 1);
      assert.equal(check('Base connection').status, 'fail');
      assert.match(check('Base connection').fix, /connect --update-credentials/);

      for (const connection of emu.state.connections.all()) emu.state.connections.delete(connection.id);
      const gone = await doctor(env);
      assert.equal(gone.check('Base connection').status, 'fail');
      assert.match(gone.check('Base connection').detail, /deleted outside aep-zoho/);
    } finally {
      await emu.close();
    }
  });
});
