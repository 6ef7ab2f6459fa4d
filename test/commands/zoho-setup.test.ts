import { strict as assert } from 'node:assert';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

const REDIRECT = 'https://example.com/callback';

/** What a browser does with the URL: consent, then follow Zoho's redirect back with ?code=… */
async function consent(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location')!);
}

describe("the Zoho side of the setup, in the source guide's order", () => {
  test('authorize-url → grant code through the redirect → zoho token → connect with the stored tokens', async () => {
    const emu = await emulator();
    try {
      const home = await tempHome();
      // Only the Zoho client is known at first: no Zoho tokens in the environment.
      const env = cliEnv(emu.env, home, {
        ZOHO_ACCESS_TOKEN: undefined,
        ZOHO_REFRESH_TOKEN: undefined,
        ZOHO_CLIENT_SECRET: 'zoho-client-secret-0002',
      });

      const url = await runCli(['zoho', 'authorize-url', '--redirect-uri', REDIRECT, '--json'], env);
      assert.equal(url.exitCode, 0, url.stderr);
      const parsed = new URL(url.json().url);
      assert.equal(`${parsed.origin}${parsed.pathname}`, `${emu.url}/oauth/v2/auth`);
      assert.equal(parsed.searchParams.get('response_type'), 'code');
      assert.equal(parsed.searchParams.get('access_type'), 'offline');
      assert.equal(parsed.searchParams.get('prompt'), 'consent');
      assert.equal(parsed.searchParams.get('client_id'), '1000.ZOHOCLIENTID');
      assert.equal(parsed.searchParams.get('scope'), 'ZohoCRM.modules.READ,ZohoCRM.settings.READ,ZohoCRM.coql.READ');
      assert.equal(parsed.searchParams.get('redirect_uri'), REDIRECT);

      const back = await consent(url.json().url);
      assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
      const code = back.searchParams.get('code')!;
      assert.match(code, /^1000\./);

      const token = await runCli(['zoho', 'token', '--grant-token', code, '--redirect-uri', REDIRECT, '--json'], env);
      assert.equal(token.exitCode, 0, token.stderr);
      assert.equal(token.json().profile, 'default');
      const exchange = emu.exchanges.find((e) => e.path === '/oauth/v2/token')!;
      assert.equal((exchange.body as any).grant_type, 'authorization_code');
      assert.equal((exchange.body as any).redirect_uri, REDIRECT);
      const minted = exchange.response as { access_token: string; refresh_token: string };
      assert.ok(!token.stdout.includes(minted.refresh_token) && !token.stderr.includes(minted.refresh_token));
      assert.equal((await stat(join(home, 'credentials.json'))).mode & 0o777, 0o600);

      // The code is single-use: a second exchange is Zoho's invalid_code, explained.
      const again = await runCli(['zoho', 'token', '--grant-token', code, '--json'], env);
      assert.equal(again.exitCode, 1);
      assert.match(again.json().error.message, /invalid_code.*expired.*already exchanged/);
      assert.match(again.json().error.hint, /authorize-url/);

      const connected = await runCli(['connect', '--json'], env);
      assert.equal(connected.exitCode, 0, connected.stderr);
      const params = emu.state.connections.get(connected.json().connectionId)!.auth.params;
      assert.equal(params.accessToken, minted.access_token);
      assert.equal(params.refreshToken, minted.refresh_token);
      assert.equal(params.endpoint, 'https://www.zohoapis.com');
      assert.equal(params.accountsUrl, emu.url);
      // connect never mints a Zoho token: one exchange (and the failed second one) only.
      assert.equal(emu.exchanges.filter((e) => e.path === '/oauth/v2/token').length, 2);
    } finally {
      await emu.close();
    }
  });

  test('the self-client path: no redirect URI; --scopes and a wrong client', async () => {
    const emu = await emulator({ zohoClients: { '1000.ZOHOCLIENTID': 'zoho-client-secret-0002' } });
    try {
      const env = cliEnv(emu.env, await tempHome(), { ZOHO_ACCESS_TOKEN: undefined, ZOHO_REFRESH_TOKEN: undefined });
      const url = await runCli(
        ['zoho', 'authorize-url', '--scopes', 'ZohoCRM.modules.accounts.READ,ZohoCRM.settings.fields.READ', '--json'],
        env,
      );
      assert.equal(url.exitCode, 0, url.stderr);
      assert.equal(
        new URL(url.json().url).searchParams.get('scope'),
        'ZohoCRM.modules.accounts.READ,ZohoCRM.settings.fields.READ',
      );
      const page = await (await fetch(url.json().url)).text();
      const code = /Grant code: (\S+?)</.exec(page)![1];
      const token = await runCli(['zoho', 'token', '--grant-token', code, '--json'], env);
      assert.equal(token.exitCode, 0, token.stderr);

      const wrong = await runCli(['zoho', 'token', '--grant-token', '1000.abc.def', '--json'], {
        ...env,
        ZOHO_CLIENT_SECRET: 'not-the-secret',
      });
      assert.equal(wrong.exitCode, 1);
      assert.match(wrong.json().error.message, /invalid_client/);
      assert.match(wrong.json().error.hint, /--region/);

      const badScopes = await runCli(['zoho', 'authorize-url', '--scopes', 'crm:read'], env);
      assert.equal(badScopes.exitCode, 2);
      const badRegion = await runCli(['zoho', 'token', '--grant-token', 'x', '--region', 'mars', '--json'], env);
      assert.equal(badRegion.exitCode, 2);
      assert.match(badRegion.json().error.hint, /us, eu, in, au, jp, cn, ca, sa/);
    } finally {
      await emu.close();
    }
  });

  test('--region picks the accounts server; an explicit ZOHO_ACCOUNTS_URL always wins', async () => {
    const env = cliEnv({}, await tempHome(), { ZOHO_ACCOUNTS_URL: undefined });
    const eu = await runCli(['zoho', 'authorize-url', '--region', 'eu', '--json'], env);
    assert.equal(new URL(eu.json().url).origin, 'https://accounts.zoho.eu');
    const ca = await runCli(['zoho', 'authorize-url', '--region', 'ca', '--json'], env);
    assert.equal(new URL(ca.json().url).origin, 'https://accounts.zohocloud.ca');
    const pinned = await runCli(['zoho', 'authorize-url', '--region', 'eu', '--json'], {
      ...env,
      ZOHO_ACCOUNTS_URL: 'http://127.0.0.1:9/',
    });
    assert.equal(new URL(pinned.json().url).origin, 'http://127.0.0.1:9');
  });
});

describe('allowlist', () => {
  test("--region nld2 --json prints exactly Adobe's seven NLD2 ranges", async () => {
    const r = await runCli(['allowlist', '--region', 'nld2', '--json'], {});
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(r.json().regions[0].ranges, [
      '13.69.67.192/28',
      '13.69.107.112/28',
      '13.69.112.128/28',
      '40.74.24.192/26',
      '40.74.26.0/23',
      '40.113.176.232/29',
      '52.236.187.112/28',
    ]);
    assert.equal(r.json().regions.length, 1);
  });

  test('an unknown region exits 2 listing the known ones; no region lists all four', async () => {
    const bad = await runCli(['allowlist', '--region', 'fra1', '--json'], {});
    assert.equal(bad.exitCode, 2);
    assert.match(bad.json().error.hint, /va7, nld2, aus5, can2/);
    const all = await runCli(['allowlist', '--json'], {});
    assert.deepEqual(
      all.json().regions.map((r: any) => r.region),
      ['va7', 'nld2', 'aus5', 'can2'],
    );
    assert.equal(all.json().regions[0].ranges.length, 13);
  });
});

describe('connect --aep-region', () => {
  test("closes with Adobe's ranges for the region named", async () => {
    const emu = await emulator();
    try {
      const env = cliEnv(emu.env, await tempHome());
      const human = await runCli(['connect', '--aep-region', 'can2'], env);
      assert.equal(human.exitCode, 0, human.stderr);
      assert.match(
        human.stderr,
        /IP ranges for can2:\n\s+13\.71\.175\.80\/28, .*52\.246\.155\.224\/28/,
        'a note: on stderr when piped',
      );
      const json = await runCli(['connect', '--aep-region', 'can2', '--json'], env);
      assert.equal(json.json().allowlist.ranges.length, 8);
      const bad = await runCli(['connect', '--aep-region', 'xx'], env);
      assert.equal(bad.exitCode, 2);
    } finally {
      await emu.close();
    }
  });
});
