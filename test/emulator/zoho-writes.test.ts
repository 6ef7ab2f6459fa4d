// Zoho CRM's record writes as the emulator serves them (record.json "Update Records", "Delete
// Records"): a CRM user's edits and deletes made from outside, so a sync's changes can be made
// against a running emulator. Scopes as Zoho checks them; aep-zoho itself only reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emulator, type Emulator } from '../helpers/emulator.js';

const CLIENT = '1000.ZOHOCLIENT';

/** An access token granted `scope` through the authorization page, as a Zoho self-client gets one. */
async function tokenFor(emu: Emulator, scope: string): Promise<string> {
  const auth = await fetch(`${emu.url}/oauth/v2/auth?response_type=code&client_id=${CLIENT}&scope=${scope}`, {
    redirect: 'manual',
  });
  const code = /Grant code: (\S+?)</.exec(await auth.text())![1];
  const params = { grant_type: 'authorization_code', client_id: CLIENT, client_secret: 'zoho-secret', code };
  const res = await fetch(`${emu.url}/oauth/v2/token?${new URLSearchParams(params)}`, { method: 'POST' });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function call(emu: Emulator, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { authorization: `Zoho-oauthtoken ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

test('PUT /crm/v8/{module} updates records (Modified_Time moves, system fields kept); DELETE moves them to /deleted; each needs its scope', async (t) => {
  let now = Date.UTC(2026, 0, 5, 9);
  const emu = await emulator({ now: () => now });
  t.after(() => emu.close());
  const writer = await tokenFor(emu, 'ZohoCRM.modules.ALL');
  const reader = await tokenFor(emu, 'ZohoCRM.modules.READ');
  const [first, second, third] = emu.zoho.rows('Accounts');
  const before = { ...first };

  now += 60_000;
  const edit = { data: [{ id: first.id, Description: 'edited', Modified_Time: '2020-01-01T00:00:00-05:00' }] };
  assert.deepEqual(await call(emu, reader, 'PUT', '/crm/v8/Accounts', edit), {
    status: 401,
    body: {
      code: 'OAUTH_SCOPE_MISMATCH',
      details: {},
      message: 'invalid oauth scope to access this URL',
      status: 'error',
    },
  });
  const updated = await call(emu, writer, 'PUT', '/crm/v8/Accounts', {
    data: [...edit.data, { id: '4876876000000000001', Description: 'x' }, { Description: 'no id' }],
  });
  assert.equal(updated.status, 200);
  assert.deepEqual(
    updated.body.data.map((d: any) => [d.status, d.code, d.details.id ?? d.details.api_name]),
    [
      ['success', 'SUCCESS', first.id],
      ['error', 'INVALID_DATA', '4876876000000000001'],
      ['error', 'MANDATORY_NOT_FOUND', 'id'],
    ],
  );
  const row = emu.zoho.record('Accounts', String(first.id))!;
  assert.equal(row.Description, 'edited');
  assert.equal(row.Modified_Time, '2026-01-05T04:01:00-05:00', 'Zoho sets Modified_Time, not the client');
  assert.equal(row.Created_Time, before.Created_Time);
  assert.equal(updated.body.data[0].details.Modified_Time, row.Modified_Time);

  const missing = await call(emu, writer, 'PUT', '/crm/v8/Accounts', { data: [{ id: 'x' }] });
  assert.equal(missing.status, 400, 'none went through');
  assert.equal((await call(emu, writer, 'PUT', '/crm/v8/Accounts', {})).body.code, 'MANDATORY_NOT_FOUND');
  const many = { data: Array.from({ length: 101 }, () => ({ id: first.id })) };
  assert.equal((await call(emu, writer, 'PUT', '/crm/v8/Accounts', many)).body.code, 'LIMIT_EXCEEDED');

  const ids = `${second.id},${third.id}`;
  assert.equal((await call(emu, reader, 'DELETE', `/crm/v8/Accounts?ids=${ids}`)).status, 401);
  const deleted = await call(emu, writer, 'DELETE', `/crm/v8/Accounts?ids=${ids}`);
  assert.equal(deleted.status, 200);
  assert.deepEqual(
    deleted.body.data.map((d: any) => [d.code, d.details.id, d.message]),
    [
      ['SUCCESS', second.id, 'record deleted'],
      ['SUCCESS', third.id, 'record deleted'],
    ],
  );
  assert.equal(emu.zoho.record('Accounts', String(second.id)), undefined);
  const bin = await call(emu, reader, 'GET', '/crm/v8/Accounts/deleted?type=recycle');
  assert.ok([second.id, third.id].every((id) => bin.body.data.some((d: any) => d.id === id)));
  assert.equal((await call(emu, writer, 'DELETE', '/crm/v8/Accounts')).body.code, 'REQUIRED_PARAM_MISSING');
  assert.equal((await call(emu, writer, 'DELETE', `/crm/v8/Accounts?ids=${second.id}`)).status, 400, 'gone already');
  assert.equal((await call(emu, writer, 'PUT', '/crm/v8/Nope', edit)).body.code, 'INVALID_MODULE');
});
