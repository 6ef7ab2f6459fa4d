// The emulated Zoho accounts server (grant code → tokens, refresh, revoke) and what a Zoho base
// connection's /test makes of the tokens: any non-empty ones by default, as CLI-CONTRACT.md says,
// only issued and unrevoked ones with `strictCredentials` (issue 12).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { call, emulator, zohoConnectionBody, type Emulator } from '../helpers/emulator.js';

const FLOW = '/data/foundation/flowservice';
const CLIENT = '1000.ZOHOCLIENT';
const SECRET = 'zoho-secret';

async function start(t: TestContext, options: Parameters<typeof emulator>[0] = {}): Promise<Emulator> {
  const emu = await emulator(options);
  t.after(() => emu.close());
  return emu;
}

/** POST to the accounts server with a form body, as Zoho's docs send it. */
async function accounts(
  emu: Emulator,
  path: string,
  form: Record<string, string> = {},
  query = '',
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}${path}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: await res.json() };
}

/** A grant code from the authorization page, exchanged for tokens. */
async function issueTokens(emu: Emulator, clientId = CLIENT): Promise<{ access_token: string; refresh_token: string }> {
  const auth = await fetch(
    `${emu.url}/oauth/v2/auth?response_type=code&client_id=${clientId}&scope=ZohoCRM.modules.READ&access_type=offline&redirect_uri=${encodeURIComponent('http://localhost/cb')}`,
    { redirect: 'manual' },
  );
  const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
  const exchanged = await accounts(emu, '/oauth/v2/token', {
    grant_type: 'authorization_code',
    client_id: clientId,
    client_secret: SECRET,
    redirect_uri: 'http://localhost/cb',
    code,
  });
  assert.ok(exchanged.body.refresh_token, JSON.stringify(exchanged.body));
  return exchanged.body;
}

const refresh = (emu: Emulator, refreshToken: string, clientId = CLIENT) =>
  accounts(
    emu,
    '/oauth/v2/token',
    {},
    `?${new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, client_secret: SECRET, refresh_token: refreshToken })}`,
  );

/** Creates a Zoho base connection with these tokens and returns its /test result. */
async function testConnection(
  emu: Emulator,
  tokens: { accessToken: string; refreshToken: string },
  clientId = CLIENT,
): Promise<boolean> {
  const body = zohoConnectionBody(`Zoho ${Math.random()}`);
  Object.assign(body.auth.params, { clientId, ...tokens });
  const created = await call(emu, 'POST', `${FLOW}/connections`, body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const tested = await call(emu, 'GET', `${FLOW}/connections/${created.body.id}/test`);
  assert.equal(tested.status, 200);
  return tested.body.result;
}

test('by default (the CLI contract) any non-empty tokens pass /test and refresh; revoked ones do not', async (t) => {
  const emu = await start(t);
  assert.equal(await testConnection(emu, { accessToken: 'made-up-access', refreshToken: 'made-up-refresh' }), true);
  assert.equal((await refresh(emu, 'made-up-refresh')).body.token_type, 'Bearer');
  const issued = await issueTokens(emu);
  assert.equal(
    await testConnection(emu, { accessToken: issued.access_token, refreshToken: issued.refresh_token }),
    true,
  );
  assert.deepEqual((await accounts(emu, '/oauth/v2/token/revoke', {}, `?token=${issued.refresh_token}`)).body, {
    status: 'success',
  });
  assert.equal(
    await testConnection(emu, { accessToken: issued.access_token, refreshToken: issued.refresh_token }),
    false,
  );
  assert.deepEqual((await refresh(emu, issued.refresh_token)).body, { error: 'invalid_code' });
});

test('strictCredentials: only tokens the accounts server issued to this client and has not revoked', async (t) => {
  const emu = await start(t, { strictCredentials: true });
  assert.equal(await testConnection(emu, { accessToken: 'made-up-access', refreshToken: 'made-up-refresh' }), false);
  assert.deepEqual((await refresh(emu, 'made-up-refresh')).body, { error: 'invalid_code' });

  const issued = await issueTokens(emu);
  assert.equal(
    await testConnection(emu, { accessToken: issued.access_token, refreshToken: issued.refresh_token }),
    true,
  );
  assert.equal(
    await testConnection(emu, { accessToken: issued.access_token, refreshToken: 'made-up-refresh' }),
    false,
    'both tokens must be issued ones',
  );
  assert.equal(
    await testConnection(
      emu,
      { accessToken: issued.access_token, refreshToken: issued.refresh_token },
      '1000.OTHERCLIENT',
    ),
    false,
    'issued to another client',
  );
  // A refreshed access token counts as issued; the refresh token is not handed out again.
  const refreshed = await refresh(emu, issued.refresh_token);
  assert.equal(refreshed.status, 200);
  assert.equal(refreshed.body.refresh_token, undefined);
  assert.equal(
    await testConnection(emu, { accessToken: refreshed.body.access_token, refreshToken: issued.refresh_token }),
    true,
  );
  assert.deepEqual((await refresh(emu, issued.refresh_token, '1000.OTHERCLIENT')).body, { error: 'invalid_code' });

  // Revoking the refresh token revokes every access token made from it (Zoho's revoke-tokens page).
  assert.equal((await accounts(emu, '/oauth/v2/token/revoke', {}, `?token=${issued.refresh_token}`)).status, 200);
  assert.equal(
    await testConnection(emu, { accessToken: refreshed.body.access_token, refreshToken: issued.refresh_token }),
    false,
  );
  assert.equal(
    await testConnection(emu, { accessToken: issued.access_token, refreshToken: issued.refresh_token }),
    false,
  );
  assert.deepEqual((await refresh(emu, issued.refresh_token)).body, { error: 'invalid_code' });
  // A token it cannot revoke (unknown, or already revoked) is HTTP 400.
  assert.equal((await accounts(emu, '/oauth/v2/token/revoke', {}, `?token=${issued.refresh_token}`)).status, 400);
  assert.equal((await accounts(emu, '/oauth/v2/token/revoke', {}, '?token=made-up-refresh')).status, 400);

  // Another grant gives tokens that work again.
  const again = await issueTokens(emu);
  assert.equal(await testConnection(emu, { accessToken: again.access_token, refreshToken: again.refresh_token }), true);
});

test('refresh_token grant: a short-lived access token on the emulator clock, the refresh token unchanged', async (t) => {
  let now = Date.UTC(2026, 0, 5, 9);
  const emu = await start(t, { now: () => now, zohoTokenLifetimeMs: 120_000 });
  const issued = await issueTokens(emu);
  const refreshed = await refresh(emu, issued.refresh_token);
  assert.equal(refreshed.status, 200);
  assert.deepEqual(Object.keys(refreshed.body).sort(), [
    'access_token',
    'api_domain',
    'expires_in',
    'scope',
    'token_type',
  ]);
  assert.equal(refreshed.body.expires_in, 120);
  assert.equal(refreshed.body.token_type, 'Bearer');
  const record = emu.state.zohoTokens.get(refreshed.body.access_token)!;
  assert.deepEqual(
    [record.kind, record.refreshToken, record.expiresAt],
    ['access', issued.refresh_token, now + 120_000],
  );
  now += 120_000;
  assert.ok(record.expiresAt! <= now, 'expired on the injected clock');
});

test('the mint throttle: 10 access tokens per refresh token per 10 minutes, then HTTP 200 "Access Denied"', async (t) => {
  let now = Date.UTC(2026, 0, 5, 9);
  const emu = await start(t, { now: () => now });
  const issued = await issueTokens(emu); // the code exchange is the first mint
  for (let i = 0; i < 9; i++) {
    now += 1000;
    assert.ok((await refresh(emu, issued.refresh_token)).body.access_token, `mint ${i + 2}`);
  }
  const refused = await refresh(emu, issued.refresh_token);
  assert.equal(refused.status, 200);
  assert.deepEqual(refused.body, {
    error_description: 'Token creation throttle limit reached. Please reuse the valid tokens you currently have.',
    error: 'Access Denied',
  });
  // Another refresh token of the same client has its own budget.
  assert.ok((await issueTokens(emu)).access_token);
  // Ten minutes after the first mint, one slot is free again.
  now = Date.UTC(2026, 0, 5, 9) + 10 * 60_000 + 1;
  assert.ok((await refresh(emu, issued.refresh_token)).body.access_token);
  assert.equal((await refresh(emu, issued.refresh_token)).body.error, 'Access Denied');
});
