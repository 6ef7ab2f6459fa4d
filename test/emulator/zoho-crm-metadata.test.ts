// Zoho CRM v8 as the emulator serves it, the parts issue 22 (point 10) adds, over plain HTTP: the
// token answer's api_domain, one module's metadata, field metadata as Zoho's carries it, one record
// by id, the record count, the current user, the org, and Zoho-shaped errors under /crm/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { emulator, type Emulator } from '../helpers/emulator.js';

const CLIENT = '1000.ZOHOCLIENT';
const SECRET = 'zoho-secret';
const SCOPES = 'ZohoCRM.modules.READ,ZohoCRM.settings.modules.READ,ZohoCRM.settings.fields.READ';

let emu: Emulator;
let token: string;
let tokenAnswer: Record<string, unknown>;

before(async () => {
  emu = await emulator();
  const page = await fetch(`${emu.url}/oauth/v2/auth?response_type=code&client_id=${CLIENT}&scope=${SCOPES}`);
  const code = /Grant code: (\S+?)</.exec(await page.text())![1];
  const res = await fetch(
    `${emu.url}/oauth/v2/token?${new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT, client_secret: SECRET, code })}`,
    { method: 'POST' },
  );
  tokenAnswer = (await res.json()) as Record<string, unknown>;
  token = String(tokenAnswer.access_token);
});
after(() => emu?.close());

async function zoho(path: string, init: RequestInit = {}, auth = true): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}${path}`, {
    ...init,
    headers: auth ? { authorization: `Zoho-oauthtoken ${token}` } : {},
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const zohoShaped = (body: any, code: string) => {
  assert.deepEqual(Object.keys(body).sort(), ['code', 'details', 'message', 'status']);
  assert.equal(body.status, 'error');
  assert.equal(body.code, code);
};

test("the token answer's api_domain is the emulator itself, with the scopes granted", () => {
  assert.equal(tokenAnswer.api_domain, emu.url);
  assert.equal(tokenAnswer.scope, SCOPES.replaceAll(',', ' '));
});

test('field metadata carries data_type, json_type, length, decimal_place, pick_list_values and lookup', async () => {
  const { status, body } = await zoho('/crm/v8/settings/fields?module=Accounts');
  assert.equal(status, 200);
  const fields = new Map<string, any>(body.fields.map((f: any) => [f.api_name, f]));
  for (const field of fields.values()) {
    for (const key of ['data_type', 'json_type', 'length', 'decimal_place', 'pick_list_values', 'lookup'])
      assert.ok(key in field, `${field.api_name} has ${key}`);
    assert.ok(Number.isInteger(field.length) && field.length > 0, field.api_name);
    assert.ok(Array.isArray(field.pick_list_values));
  }
  assert.equal(fields.get('Annual_Revenue').data_type, 'currency');
  assert.equal(fields.get('Annual_Revenue').json_type, 'double');
  assert.equal(fields.get('Annual_Revenue').decimal_place, 2);
  assert.equal(fields.get('Account_Name').decimal_place, null);
  assert.deepEqual(fields.get('Account_Name').pick_list_values, []);
  assert.deepEqual(fields.get('Account_Name').lookup, {});

  const industry = fields.get('Industry');
  const values = industry.pick_list_values.map((v: any) => v.actual_value);
  assert.equal(values[0], '-None-');
  const used = new Set(
    emu.zoho
      .rows('Accounts')
      .map((row) => row.Industry)
      .filter(Boolean),
  );
  for (const value of used) assert.ok(values.includes(value), `${value} is a pick list value`);
  for (const value of industry.pick_list_values)
    assert.deepEqual(Object.keys(value).sort(), [
      'actual_value',
      'display_value',
      'id',
      'reference_value',
      'sequence_number',
      'type',
    ]);

  const parent = fields.get('Parent_Account').lookup;
  assert.equal(parent.module.api_name, 'Accounts');
  assert.equal(parent.api_name, 'Parent_Account');
  assert.match(parent.id, /^\d+$/);
});

test('one module by API name; an unknown one is INVALID_MODULE', async () => {
  const one = await zoho('/crm/v8/settings/modules/Accounts');
  assert.equal(one.status, 200);
  assert.equal(one.body.modules.length, 1);
  assert.equal(one.body.modules[0].api_name, 'Accounts');
  assert.equal(one.body.modules[0].api_supported, true);
  const unknown = await zoho('/crm/v8/settings/modules/Nope');
  assert.equal(unknown.status, 400);
  zohoShaped(unknown.body, 'INVALID_MODULE');
});

test('one record by id: every field without `fields`, the ones asked for with it; 204 for no such record', async () => {
  const row = emu.zoho.rows('Accounts')[3];
  const all = await zoho(`/crm/v8/Accounts/${row.id}`);
  assert.equal(all.status, 200);
  assert.equal(all.body.data.length, 1);
  assert.equal(all.body.data[0].id, row.id);
  assert.equal(all.body.data[0].Account_Name, row.Account_Name);
  assert.deepEqual(all.body.data[0].Owner, row.Owner);
  const some = await zoho(`/crm/v8/Accounts/${row.id}?fields=Account_Name,Industry`);
  assert.deepEqual(Object.keys(some.body.data[0]).sort(), ['Account_Name', 'Industry', 'id']);
  assert.equal((await zoho('/crm/v8/Accounts/4876876000999999999')).status, 204);
  const bad = await zoho('/crm/v8/Accounts/not-an-id');
  assert.equal(bad.status, 400);
  zohoShaped(bad.body, 'INVALID_DATA');
  const badField = await zoho(`/crm/v8/Accounts/${row.id}?fields=Nope`);
  assert.equal(badField.status, 400);
  zohoShaped(badField.body, 'INVALID_DATA');
});

test('the record count follows creates and deletes', async () => {
  const before = (await zoho('/crm/v8/Contacts/actions/count')).body.count;
  assert.equal(before, emu.zoho.rows('Contacts').length);
  emu.zoho.delete('Contacts', String(emu.zoho.rows('Contacts')[0].id));
  assert.equal((await zoho('/crm/v8/Contacts/actions/count')).body.count, before - 1);
  const unknown = await zoho('/crm/v8/Nope/actions/count');
  assert.equal(unknown.status, 400);
  zohoShaped(unknown.body, 'INVALID_MODULE');
});

test('the current user, all users, and the org', async () => {
  const me = await zoho('/crm/v8/users?type=CurrentUser');
  assert.equal(me.status, 200);
  assert.equal(me.body.users.length, 1);
  assert.match(me.body.users[0].email, /@/);
  assert.equal(me.body.info.count, 1);
  const all = await zoho('/crm/v8/users?type=AllUsers');
  assert.ok(all.body.users.length > 1);
  assert.equal(all.body.users[0].id, me.body.users[0].id);
  const bad = await zoho('/crm/v8/users?type=Everyone');
  assert.equal(bad.status, 400);
  zohoShaped(bad.body, 'INVALID_DATA');
  const org = await zoho('/crm/v8/org');
  assert.equal(org.status, 200);
  assert.match(org.body.org[0].zgid, /^\d+$/);
});

test("errors under /crm/ are Zoho's, never Adobe's", async () => {
  const missing = await zoho('/crm/v8/settings/nothing/here');
  assert.equal(missing.status, 404);
  zohoShaped(missing.body, 'INVALID_URL_PATTERN');
  const method = await zoho('/crm/v8/Accounts/actions/count', { method: 'DELETE' });
  assert.equal(method.status, 400);
  zohoShaped(method.body, 'INVALID_REQUEST_METHOD');
  const anonymous = await zoho('/crm/v8/users?type=CurrentUser', {}, false);
  assert.equal(anonymous.status, 401);
  zohoShaped(anonymous.body, 'AUTHENTICATION_FAILURE');
  // Outside /crm/ the emulator still answers as Adobe does.
  const adobe = await zoho('/data/foundation/nothing');
  assert.equal(adobe.status, 404);
  assert.equal(adobe.body.code, undefined);
  assert.equal(adobe.body.title, 'Not Found');
});
