import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { SECRETS, cliEnv, runCli, tempHome } from '../helpers/cli.js';

const ZOHO_SPEC = '929e4450-0237-4ed2-9404-b7e1e0a00309';
type Emu = Emulator & { env: Record<string, string> };

const posts = (emu: Emu, path: string) => emu.exchanges.filter((e) => e.method === 'POST' && e.path === path);

describe('connect', () => {
  let emu: Emu;
  before(async () => (emu = await emulator()));
  after(() => emu.close());

  test('creates the base connection with exactly the documented body, then reuses it', async () => {
    const home = await tempHome();
    const env = cliEnv(emu.env, home);
    const first = await runCli(['connect', '--json'], env);
    assert.equal(first.exitCode, 0, first.stderr);
    const result = first.json();
    assert.equal(result.created, true);
    assert.equal(result.name, 'aep-zoho default');
    assert.match(result.connectionId, /^[0-9a-f-]{36}$/);

    const creates = posts(emu, '/data/foundation/flowservice/connections');
    assert.equal(creates.length, 1);
    assert.deepEqual(creates[0].body, {
      name: 'aep-zoho default',
      description: 'Zoho CRM base connection (managed by aep-zoho default)',
      auth: {
        specName: 'Basic Authentication',
        params: {
          endpoint: 'https://www.zohoapis.com',
          accountsUrl: emu.url,
          clientId: '1000.ZOHOCLIENTID',
          clientSecret: SECRETS.ZOHO_CLIENT_SECRET,
          accessToken: SECRETS.ZOHO_ACCESS_TOKEN,
          refreshToken: SECRETS.ZOHO_REFRESH_TOKEN,
        },
      },
      connectionSpec: { id: ZOHO_SPEC, version: '1.0' },
    });
    const stored = emu.state.connections.get(result.connectionId)!;
    assert.equal(stored.sandboxName, 'prod');
    assert.equal(stored.auth.params.refreshToken, SECRETS.ZOHO_REFRESH_TOKEN);
    // connect never talks to Zoho's token endpoint: Adobe refreshes the tokens itself.
    assert.equal(posts(emu, '/oauth/v2/token').length, 0);

    const again = await runCli(['connect', '--json'], env);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual({ ...again.json(), tested: undefined }, { ...result, created: false, tested: undefined });
    assert.equal(posts(emu, '/data/foundation/flowservice/connections').length, 1, 'no second connection');
    assert.equal(posts(emu, '/ims/token/v2').length, 1, 'the cached IMS token is reused');

    // No local state at all: the connection is found by its deterministic name.
    const fresh = await runCli(['connect', '--json'], cliEnv(emu.env, await tempHome()));
    assert.equal(fresh.exitCode, 0, fresh.stderr);
    assert.equal(fresh.json().connectionId, result.connectionId);
    assert.equal(fresh.json().created, false);
    assert.equal(emu.state.connections.size, 1);
  });

  test('--name and --profile give separate connections; --update-credentials PATCHes with If-Match', async () => {
    const home = await tempHome();
    const made = await runCli(['connect', '--name', 'Zoho EU', '--json'], cliEnv(emu.env, home));
    assert.equal(made.exitCode, 0, made.stderr);
    const id = made.json().connectionId;
    const etag = emu.state.connections.get(id)!.etag;

    const rotated = await runCli(
      ['connect', '--name', 'Zoho EU', '--update-credentials', '--json'],
      cliEnv(emu.env, home, { ZOHO_ACCESS_TOKEN: 'new-access-token-xyz' }),
    );
    assert.equal(rotated.exitCode, 0, rotated.stderr);
    assert.equal(rotated.json().created, false);
    assert.equal(rotated.json().updatedCredentials, true);
    const patch = emu.exchanges.find(
      (e) => e.method === 'PATCH' && e.path === `/data/foundation/flowservice/connections/${id}`,
    )!;
    assert.equal(patch.headers['if-match'], etag);
    assert.deepEqual((patch.body as any[])[0].op, 'replace');
    assert.equal(emu.state.connections.get(id)!.auth.params.accessToken, 'new-access-token-xyz');
  });

  test('--dry-run plans a create and sends no write', async () => {
    const before = emu.exchanges.length;
    const r = await runCli(
      ['connect', '--name', 'never made', '--dry-run', '--json'],
      cliEnv(emu.env, await tempHome()),
    );
    assert.equal(r.exitCode, 0, r.stderr);
    const { plan } = r.json();
    assert.equal(plan.length, 1);
    assert.equal(plan[0].action, 'create');
    assert.equal(plan[0].request.method, 'POST');
    assert.equal(plan[0].request.body.auth.params.clientSecret, '***');
    assert.equal(plan[0].request.body.auth.params.clientId, '1000.ZOHOCLIENTID');
    const writes = emu.exchanges.slice(before).filter((e) => e.method !== 'GET' && !e.path.startsWith('/ims/'));
    assert.deepEqual(writes, []);
    assert.ok(!r.stdout.includes(SECRETS.ZOHO_REFRESH_TOKEN));
  });
});

describe('connect: failures are one paragraph with a hint, and create nothing', () => {
  test('missing credentials', async () => {
    const emu = await emulator();
    try {
      const r = await runCli(
        ['connect', '--json'],
        cliEnv(emu.env, await tempHome(), { AEP_CLIENT_SECRET: undefined, ZOHO_REFRESH_TOKEN: '  ' }),
      );
      assert.equal(r.exitCode, 1);
      const { error } = r.json();
      assert.match(error.message, /Adobe credentials are missing for profile 'default': AEP_CLIENT_SECRET/);
      assert.match(error.hint, /aep-zoho init/);
      // A code a script can test, not the catch-all FAILED: both sides missing here, then each alone.
      assert.equal(error.code, 'CREDENTIALS_MISSING');
      const adobe = await runCli(
        ['dataflow', 'list', '--json'],
        cliEnv(emu.env, await tempHome(), { AEP_CLIENT_SECRET: undefined }),
      );
      assert.equal(adobe.exitCode, 1);
      assert.equal(adobe.json().error.code, 'AEP_CREDENTIALS_MISSING');
      assert.equal(emu.exchanges.length, 0);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --debug');

      const zoho = await runCli(['connect'], cliEnv(emu.env, await tempHome(), { ZOHO_REFRESH_TOKEN: '  ' }));
      assert.equal(zoho.exitCode, 1);
      assert.match(zoho.stderr, /Zoho credentials are missing for profile 'default': ZOHO_REFRESH_TOKEN/);
      assert.match(zoho.stderr, /Hint: .*zoho token --grant-token/);
      assert.equal(zoho.stdout, '');
      const zohoJson = await runCli(
        ['connect', '--json'],
        cliEnv(emu.env, await tempHome(), { ZOHO_REFRESH_TOKEN: '  ' }),
      );
      assert.equal(zohoJson.json().error.code, 'ZOHO_CREDENTIALS_MISSING');
    } finally {
      await emu.close();
    }
  });

  test('a wrong IMS secret', async () => {
    const emu = await emulator({ imsClients: { 'test-client-id': 'the-right-secret' } });
    try {
      const r = await runCli(['connect', '--json'], cliEnv(emu.env, await tempHome()));
      assert.equal(r.exitCode, 1);
      const { error } = r.json();
      assert.match(
        error.message,
        /Adobe IMS refused the OAuth Server-to-Server credentials \(HTTP 401 invalid_client\)/,
      );
      assert.match(error.hint, /AEP_CLIENT_SECRET/);
      assert.equal(error.status, 401);
      assert.equal(emu.state.connections.size, 0);
    } finally {
      await emu.close();
    }
  });

  test('an unknown sandbox', async () => {
    const emu = await emulator();
    try {
      const r = await runCli(['connect', '--sandbox', 'nosuch', '--json'], cliEnv(emu.env, await tempHome()));
      assert.equal(r.exitCode, 1);
      const { error } = r.json();
      assert.equal(error.message, "Sandbox 'nosuch' not found in this organization.");
      assert.equal(error.code, 'FLOW-2100-404');
      assert.match(error.hint, /--sandbox \(or set AEP_SANDBOX\)/);
      assert.equal(error.status, 404);
      assert.ok(error.requestId);
      assert.equal(emu.state.connections.size, 0);
    } finally {
      await emu.close();
    }
  });

  test('a retired Zoho connection spec', async () => {
    const emu = await emulator({ retiredConnectionSpecs: [ZOHO_SPEC] });
    try {
      const r = await runCli(['connect', '--json'], cliEnv(emu.env, await tempHome()));
      assert.equal(r.exitCode, 1);
      const { error } = r.json();
      assert.match(error.message, /Zoho CRM source .* is no longer available/);
      assert.match(
        error.hint,
        /retired the Zoho CRM source at the end of June 2025.*run 'aep-zoho connect --via http-api'/,
      );
      assert.equal(emu.state.connections.size, 0);
    } finally {
      await emu.close();
    }
  });

  test('a connection whose test fails explains how to rotate the tokens', async () => {
    const emu = await emulator();
    try {
      const r = await runCli(
        ['connect', '--json'],
        cliEnv(emu.env, await tempHome(), { ZOHO_ENDPOINT: 'ftp://nowhere' }),
      );
      assert.equal(r.exitCode, 2);
      assert.match(r.json().error.message, /ZOHO_ENDPOINT must be an http\(s\) URL/);
    } finally {
      await emu.close();
    }
  });
});
