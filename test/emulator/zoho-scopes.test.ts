// Zoho CRM checks the scopes a token was granted (v8 scopes.html, select-api-scopes.html): records need
// ZohoCRM.modules.{module}.READ (or a broader one: modules.READ, modules.ALL, modules.custom.* for custom
// modules), metadata ZohoCRM.settings.{modules,fields}.READ (or settings.ALL), COQL ZohoCRM.coql.READ and the
// FROM module's scope. Anything else is 401 OAUTH_SCOPE_MISMATCH; tokens no grant made here are not checked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { emulator, type Emulator } from '../helpers/emulator.js';

const CLIENT = '1000.ZOHOCLIENT';
const MISMATCH = {
  code: 'OAUTH_SCOPE_MISMATCH',
  details: {},
  message: 'invalid oauth scope to access this URL',
  status: 'error',
};

let emu: Emulator;
before(async () => {
  emu = await emulator();
});
after(() => emu?.close());

/** An access token granted exactly `scopes` (comma-separated): grant code, exchanged. */
async function granted(scopes: string): Promise<string> {
  const page = await fetch(
    `${emu.url}/oauth/v2/auth?${new URLSearchParams({ response_type: 'code', client_id: CLIENT, scope: scopes })}`,
  );
  const code = /Grant code: (\S+?)</.exec(await page.text())![1];
  const params = { grant_type: 'authorization_code', client_id: CLIENT, client_secret: 's', code };
  const res = await fetch(`${emu.url}/oauth/v2/token?${new URLSearchParams(params)}`, { method: 'POST' });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** An access token minted from a refresh token no grant made here (the CLI contract's "any non-empty tokens"). */
async function ungranted(): Promise<string> {
  const params = {
    grant_type: 'refresh_token',
    client_id: CLIENT,
    client_secret: 's',
    refresh_token: '1000.any.refresh',
  };
  const res = await fetch(`${emu.url}/oauth/v2/token?${new URLSearchParams(params)}`, { method: 'POST' });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function status(token: string, path: string, coql?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${emu.url}/crm/v8${path}`, {
    method: coql ? 'POST' : 'GET',
    headers: { authorization: `Zoho-oauthtoken ${token}`, ...(coql ? { 'content-type': 'application/json' } : {}) },
    body: coql ? JSON.stringify({ select_query: coql }) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const RECORDS = '/Accounts?fields=Account_Name';
const FIELDS = '/settings/fields?module=Accounts';
const MODULES = '/settings/modules';
const QUERY = 'select Account_Name from Accounts where id is not null limit 5';

test('each route needs its scope: records, field and module metadata, COQL', async () => {
  const records = await granted('ZohoCRM.modules.READ');
  assert.equal((await status(records, RECORDS)).status, 200);
  assert.equal((await status(records, '/Accounts/deleted')).status, 200);
  assert.equal((await status(records, '/Accounts/actions/count')).status, 200);
  for (const path of [FIELDS, MODULES, '/settings/modules/Accounts'])
    assert.deepEqual(await status(records, path), { status: 401, body: MISMATCH }, path);
  assert.deepEqual(await status(records, '/coql', QUERY), { status: 401, body: MISMATCH }, 'COQL needs coql.READ');

  const fields = await granted('ZohoCRM.settings.fields.READ');
  assert.equal((await status(fields, FIELDS)).status, 200);
  assert.equal((await status(fields, MODULES)).status, 401);
  assert.equal((await status(fields, RECORDS)).status, 401);

  const coqlOnly = await granted('ZohoCRM.coql.READ');
  assert.deepEqual(await status(coqlOnly, '/coql', QUERY), { status: 401, body: MISMATCH }, 'and the module scope');
  const coql = await granted('ZohoCRM.coql.READ,ZohoCRM.modules.accounts.READ');
  assert.equal((await status(coql, '/coql', QUERY)).status, 200);
  assert.equal((await status(coql, '/coql', QUERY.replace('Accounts', 'Contacts'))).status, 401);
});

test('broader scopes cover narrower ones: ALL covers READ, a scope name its sub-scopes; WRITE and other modules do not', async () => {
  const all = await granted('ZohoCRM.modules.ALL,ZohoCRM.settings.ALL');
  for (const path of [RECORDS, FIELDS, MODULES]) assert.equal((await status(all, path)).status, 200, path);
  const lower = await granted('zohocrm.modules.accounts.all zohocrm.settings.modules.all');
  assert.equal((await status(lower, RECORDS)).status, 200, 'case-insensitive, space-separated');
  assert.equal((await status(lower, MODULES)).status, 200);
  assert.equal((await status(lower, FIELDS)).status, 401, 'settings.modules is not settings.fields');
  assert.equal((await status(lower, '/Contacts?fields=Last_Name')).status, 401, 'another module');
  const custom = await granted('ZohoCRM.modules.custom.READ');
  assert.equal((await status(custom, '/Subscriptions?fields=Name')).status, 200, 'custom covers a custom module');
  assert.equal((await status(custom, RECORDS)).status, 401, 'and no standard one');
  const write = await granted('ZohoCRM.modules.WRITE,ZohoCRM.modules.CREATE');
  assert.equal((await status(write, RECORDS)).status, 401, 'WRITE is not READ');
});

test('tokens minted from a refresh token no grant made here keep every read', async () => {
  const token = await ungranted();
  for (const path of [RECORDS, FIELDS, MODULES]) assert.equal((await status(token, path)).status, 200, path);
  assert.equal((await status(token, '/coql', QUERY)).status, 200);
});
