// A real client against the emulator (issue 22, point 11): Zoho's official Node SDK for CRM v8
// (@zohocrm/nodejs-sdk-8.0, https://github.com/zoho/zohocrm-nodejs-sdk-8.0) with its default SDKConfig
// (updateAPIDomain true: it follows the token answer's api_domain) reads modules, one module, fields,
// every record of a module through page tokens, one record by id, the record count and deleted records.
// Only where it keeps its files (token store, field cache) is given, in a temp folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error the SDK ships no type declarations
import * as ZOHOCRMSDK from '@zohocrm/nodejs-sdk-8.0';
import { emulator, type Emulator } from '../helpers/emulator.js';

const CLIENT = '1000.SDKCLIENT';
const SECRET = 'sdk-client-secret';

let emu: Emulator;
let dir: string;
let refreshToken: string;

before(async () => {
  emu = await emulator({ zohoClients: { [CLIENT]: SECRET } });
  dir = await mkdtemp(join(tmpdir(), 'aep-zoho-sdk-'));
  // A self-client's grant code (the authorization page shows it), exchanged for a refresh token.
  const page = await fetch(
    `${emu.url}/oauth/v2/auth?response_type=code&client_id=${CLIENT}&scope=ZohoCRM.modules.READ,ZohoCRM.settings.modules.READ,ZohoCRM.settings.fields.READ`,
  );
  const code = /Grant code: (\S+?)</.exec(await page.text())![1];
  const tokens = await fetch(
    `${emu.url}/oauth/v2/token?${new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT, client_secret: SECRET, code })}`,
    { method: 'POST' },
  );
  refreshToken = ((await tokens.json()) as { refresh_token: string }).refresh_token;

  // The SDK's documented set-up, its environment pointed at the emulator; SDKConfig is the default one.
  const environment = ZOHOCRMSDK.DataCenter.setEnvironment(emu.url, `${emu.url}/oauth/v2/token`, emu.url);
  const token = new ZOHOCRMSDK.OAuthBuilder().clientId(CLIENT).clientSecret(SECRET).refreshToken(refreshToken).build();
  // The SDK's builder constructor is asynchronous (it returns a promise of the builder).
  await (await new ZOHOCRMSDK.InitializeBuilder())
    .environment(environment)
    .token(token)
    .store(new ZOHOCRMSDK.FileStore(join(dir, 'sdk_tokens.txt')))
    .resourcePath(dir)
    .initialize();
});

after(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every request the SDK made reached a route of the emulator. */
function allServed() {
  assert.deepEqual(emu.unmatched, []);
  const failed = emu.exchanges.filter((e) => e.status >= 400 || e.status === 0);
  assert.deepEqual(
    failed.map((e) => `${e.method} ${e.path} ${e.status} ${JSON.stringify(e.response)}`),
    [],
  );
}

test('the token answer names the emulator as api_domain, and the SDK stays on it', async () => {
  const modules = await new ZOHOCRMSDK.Modules.ModulesOperations().getModules();
  assert.equal(modules.getStatusCode(), 200);
  const stored = await readFile(join(dir, 'sdk_tokens.txt'), 'utf8');
  assert.ok(stored.includes(emu.url), 'the stored token carries the emulator as its api_domain');
  assert.ok(!stored.includes('zohoapis'), stored);
  // The SDK found its user (GET /crm/v8/users?type=CurrentUser) for the token store.
  const me = emu.exchanges.find((e) => e.path === '/crm/v8/users');
  assert.equal(me?.query.type, 'CurrentUser');
  assert.equal(me?.status, 200);
  allServed();
});

test('modules, one module by API name, and its fields', async () => {
  const modulesAnswer = await new ZOHOCRMSDK.Modules.ModulesOperations().getModules();
  const names: string[] = modulesAnswer
    .getObject()
    .getModules()
    .map((m: any) => m.getAPIName());
  assert.ok(names.includes('Accounts') && names.includes('Contacts'), names.join(','));

  const one = await new ZOHOCRMSDK.Modules.ModulesOperations().getModuleByAPIName('Accounts');
  assert.equal(one.getStatusCode(), 200);
  const [accounts] = one.getObject().getModules();
  assert.equal(accounts.getAPIName(), 'Accounts');
  assert.equal(accounts.getAPISupported(), true);

  const params = new ZOHOCRMSDK.ParameterMap();
  await params.add(ZOHOCRMSDK.Fields.GetFieldsParam.MODULE, 'Accounts');
  const fieldsAnswer = await new ZOHOCRMSDK.Fields.FieldsOperations().getFields(params);
  assert.equal(fieldsAnswer.getStatusCode(), 200);
  const fields = fieldsAnswer.getObject().getFields();
  const byName = new Map<string, any>(fields.map((f: any) => [f.getAPIName(), f]));
  assert.equal(byName.get('Account_Name').getDataType(), 'text');
  assert.equal(byName.get('Account_Name').getJsonType(), 'string');
  assert.ok(byName.get('Account_Name').getLength() > 0);
  const industry = byName.get('Industry');
  assert.equal(industry.getDataType(), 'picklist');
  assert.ok(industry.getPickListValues().length > 1);
  assert.equal(byName.get('Parent_Account').getLookup().getModule().getAPIName(), 'Accounts');
  allServed();
});

test('every record of a module through page tokens, one by id, the count, and deleted records', async () => {
  const records = new ZOHOCRMSDK.Record.RecordOperations('Accounts');
  const seen: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  for (;;) {
    const params = new ZOHOCRMSDK.ParameterMap();
    await params.add(ZOHOCRMSDK.Record.GetRecordsParam.FIELDS, 'Account_Name,Owner,Modified_Time');
    await params.add(ZOHOCRMSDK.Record.GetRecordsParam.PER_PAGE, 200);
    if (pageToken) await params.add(ZOHOCRMSDK.Record.GetRecordsParam.PAGE_TOKEN, pageToken);
    const answer = await records.getRecords(params, new ZOHOCRMSDK.HeaderMap());
    assert.equal(answer.getStatusCode(), 200);
    const wrapper = answer.getObject();
    assert.ok(wrapper instanceof ZOHOCRMSDK.Record.ResponseWrapper, JSON.stringify(wrapper));
    for (const record of wrapper.getData()) seen.push(String(record.getId()));
    pages++;
    const info = wrapper.getInfo();
    if (!info.getMoreRecords()) break;
    pageToken = info.getNextPageToken();
    assert.ok(pageToken);
  }
  const expected = emu.zoho.rows('Accounts').map((row) => String(row.id));
  assert.ok(pages > 1, 'more than one page');
  assert.equal(seen.length, expected.length);
  assert.deepEqual([...seen].sort(), [...expected].sort());

  const id = expected[0];
  const oneAnswer = await records.getRecord(BigInt(id));
  assert.equal(oneAnswer.getStatusCode(), 200);
  const [one] = oneAnswer.getObject().getData();
  assert.equal(String(one.getId()), id);
  assert.equal(one.getKeyValue('Account_Name'), emu.zoho.record('Accounts', id)!.Account_Name);

  const count = await records.recordCount();
  assert.equal(count.getStatusCode(), 200);
  assert.equal(Number(count.getObject().getCount()), expected.length);

  // Every deleted record, page by page (`page`, `per_page`; more_records says when to stop).
  const deleted: string[] = [];
  for (let page = 1; ; page++) {
    const params = new ZOHOCRMSDK.ParameterMap();
    await params.add(ZOHOCRMSDK.Record.GetDeletedRecordsParam.PAGE, page);
    await params.add(ZOHOCRMSDK.Record.GetDeletedRecordsParam.PER_PAGE, 5);
    const answer = await records.getDeletedRecords(params);
    assert.equal(answer.getStatusCode(), 200);
    const wrapper = answer.getObject();
    for (const entry of wrapper.getData()) deleted.push(String(entry.getId()));
    if (!wrapper.getInfo().getMoreRecords()) break;
  }
  const expectedDeleted = emu.zoho.deleted('Accounts').map((entry) => String(entry.id));
  assert.ok(expectedDeleted.length > 5, 'more than one page of deleted records');
  assert.deepEqual(deleted, expectedDeleted);
  allServed();
});

test("errors under /crm/ are Zoho-shaped, never Adobe's", async () => {
  // A well-formed id that names no record: no content.
  const answer = await new ZOHOCRMSDK.Record.RecordOperations('Accounts').getRecord(BigInt('4876876000999999999'));
  assert.equal(answer.getStatusCode(), 204);
  const zohoShaped = async (res: Response, status: number, code: string) => {
    assert.equal(res.status, status);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'details', 'message', 'status']);
    assert.equal(body.status, 'error');
    assert.equal(body.code, code);
  };
  await zohoShaped(await fetch(`${emu.url}/crm/v8/settings/no/such/thing`), 404, 'INVALID_URL_PATTERN');
  await zohoShaped(
    await fetch(`${emu.url}/crm/v8/settings/modules`, { method: 'DELETE' }),
    400,
    'INVALID_REQUEST_METHOD',
  );
  await zohoShaped(await fetch(`${emu.url}/crm/v8/Accounts/actions/count`), 401, 'AUTHENTICATION_FAILURE');
  // The SDK reads Zoho's error as its APIException.
  const bad = await new ZOHOCRMSDK.Record.RecordOperations('NoSuchModule').recordCount();
  assert.equal(bad.getStatusCode(), 400);
  assert.equal(bad.getObject().getCode().getValue(), 'INVALID_MODULE');
});
