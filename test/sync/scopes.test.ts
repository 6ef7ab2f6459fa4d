// Zoho's scopes reach sync: tokens granted without ZohoCRM.coql.READ cannot run the COQL walk, and sync
// stops with Zoho's OAUTH_SCOPE_MISMATCH explained (the scope named, how to grant it); nothing is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator } from '../helpers/emulator.js';
import { inletPosts, mark, syncWorld } from './setup.js';

/** A refresh token from the emulated accounts server, granted exactly `scopes` (a self-client's grant code, exchanged). */
async function grantedRefreshToken(
  emu: Emulator,
  env: Record<string, string | undefined>,
  scopes: string,
): Promise<string> {
  const auth = await fetch(
    `${emu.url}/oauth/v2/auth?${new URLSearchParams({ response_type: 'code', client_id: env.ZOHO_CLIENT_ID!, scope: scopes })}`,
  );
  const code = /Grant code: (\S+?)</.exec(await auth.text())![1];
  const params = {
    grant_type: 'authorization_code',
    client_id: env.ZOHO_CLIENT_ID!,
    client_secret: env.ZOHO_CLIENT_SECRET!,
    code,
  };
  const res = await fetch(`${emu.url}/oauth/v2/token?${new URLSearchParams(params)}`, { method: 'POST' });
  return ((await res.json()) as { refresh_token: string }).refresh_token;
}

test('tokens granted without ZohoCRM.coql.READ: sync fails with OAUTH_SCOPE_MISMATCH naming the scope; with it, sync works', async (t) => {
  const w = await syncWorld(t);
  const without = await grantedRefreshToken(
    w.emu,
    w.env,
    'ZohoCRM.modules.READ,ZohoCRM.settings.modules.READ,ZohoCRM.settings.fields.READ',
  );
  const from = mark(w.emu);
  const refused = await w.cli(['sync', '--json'], { ZOHO_REFRESH_TOKEN: without, ZOHO_ACCESS_TOKEN: undefined });
  assert.equal(refused.exitCode, 1, refused.stdout);
  const error = refused.json().error;
  assert.equal(error.code, 'OAUTH_SCOPE_MISMATCH');
  assert.match(error.message, /POST \/crm\/v8\/coql failed with HTTP 401 \(OAUTH_SCOPE_MISMATCH\)/);
  assert.match(error.hint, /ZohoCRM\.coql\.READ/);
  assert.equal(inletPosts(w.emu, from).length, 0, 'nothing posted');
  const coql = w.emu.exchanges.slice(from).filter((e) => e.path === '/crm/v8/coql');
  assert.ok(coql.length > 0 && coql.every((e) => e.status === 401));
  assert.deepEqual(coql[0].response, {
    code: 'OAUTH_SCOPE_MISMATCH',
    details: {},
    message: 'invalid oauth scope to access this URL',
    status: 'error',
  });

  // The hint's way out: a new grant with the scopes, exchanged by `zoho token`, which stores the new tokens.
  // ZohoCRM.modules.ALL covers the records (ALL is "full access"), settings.ALL the metadata.
  const auth = await fetch(
    `${w.emu.url}/oauth/v2/auth?${new URLSearchParams({ response_type: 'code', client_id: w.env.ZOHO_CLIENT_ID!, scope: 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.coql.READ' })}`,
  );
  const code = /Grant code: (\S+?)</.exec(await auth.text())![1];
  const stored = { ZOHO_REFRESH_TOKEN: undefined, ZOHO_ACCESS_TOKEN: undefined };
  const exchanged = await w.cli(['zoho', 'token', '--grant-token', code, '--json'], stored);
  assert.equal(exchanged.exitCode, 0, exchanged.stdout + exchanged.stderr);
  const ok = await w.cli(['sync', '--json'], stored);
  assert.equal(ok.exitCode, 0, ok.stdout);
  assert.ok(ok.json().syncs[0].sent > 0);
});
