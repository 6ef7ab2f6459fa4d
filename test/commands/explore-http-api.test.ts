// `explore --via http-api` through the real binary against the emulator: the tables and columns
// come from Zoho CRM's own REST API, in the same JSON shapes as through Adobe's Zoho source, with
// the HTTP API base connection they feed as connectionId (found by name, as connect finds it).
import { strict as assert } from 'node:assert';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import { assertNoSecrets, cliEnv, runCli, SECRETS, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';

type Emu = Emulator & { env: Record<string, string> };

describe('explore --via http-api', () => {
  let emu: Emu;
  let connectionId: string;
  before(async () => {
    emu = await emulator();
    const made = await runCli(
      ['connect', '--via', 'http-api', '--json'],
      cliEnv(emu.env, await tempHome(), { ZOHO_ENDPOINT: emu.url }),
    );
    assert.equal(made.exitCode, 0, made.stdout);
    connectionId = made.json().connectionId;
  });
  after(() => emu.close());

  /** The CLI's environment on the emulator, ZOHO_ENDPOINT pointing here. */
  const env = async (extra: Record<string, string | undefined> = {}) =>
    cliEnv(emu.env, await tempHome(), { ZOHO_ENDPOINT: emu.url, ...extra });
  const mints = () => emu.exchanges.filter((e) => e.method === 'POST' && e.path === '/oauth/v2/token').length;
  const _adobeCalls = () =>
    emu.exchanges.filter((e) => e.path.startsWith('/data/') || e.path.startsWith('/ims/')).length;
  const issuedTokens = () =>
    [...emu.state.zohoTokens.entries()].filter(([, t]) => t.kind === 'access').map(([token]) => token);

  test("the tables are Zoho's api_supported modules; connectionId is the HTTP API connection, found by name", async () => {
    const r = await spawnCli(['explore', '--via', 'http-api', '--json'], await env());
    assert.equal(r.exitCode, 0, r.stderr);
    const modules = (await fetch(`${emu.url}/crm/v8/settings/modules`, {
      headers: { authorization: `Zoho-oauthtoken ${issuedTokens().at(-1)}` },
    }).then((res) => res.json())) as { modules: Array<{ api_name: string; api_supported: boolean }> };
    const expected = modules.modules
      .filter((m) => m.api_supported)
      .map((m) => ({ name: m.api_name, path: `crm/v8/${m.api_name}`, canPreview: true, canFetchSchema: true }))
      .sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(
      expected.map((t) => t.name),
      crmTables()
        .map((t) => t.name)
        .sort((a, b) => a.localeCompare(b)),
    );
    assert.deepEqual(r.json(), { connectionId, tables: expected, via: 'http-api' });
    // Without Adobe credentials the connection cannot be looked up: exit 1 naming them.
    const noAdobe = await spawnCli(
      ['explore', '--via', 'http-api', '--json'],
      await env({ AEP_CLIENT_ID: undefined, AEP_CLIENT_SECRET: undefined, AEP_ORG_ID: undefined }),
    );
    assert.equal(noAdobe.exitCode, 1);
    assert.match(noAdobe.json().error.message, /AEP_CLIENT_ID/);
  });

  test('a table: columns from settings/fields, preview rows equal to the emulator records (lookups as objects)', async () => {
    const accounts = crmTables().find((t) => t.name === 'Accounts')!;
    const r = await spawnCli(['explore', 'Accounts', '--via', 'http-api', '--limit', '5', '--json'], await env());
    assert.equal(r.exitCode, 0, r.stderr);
    const out = r.json();
    assert.equal(out.connectionId, connectionId);
    assert.deepEqual(out.table, { name: 'Accounts', path: 'crm/v8/Accounts' });
    // The same names and types as Adobe's explore shows for the table.
    assert.deepEqual(
      out.columns.map((c: any) => [c.name, c.type]),
      accounts.columns.map((c) => [c.name, c.type]),
    );
    assert.equal(out.columns.find((c: any) => c.name === 'Modified_Time').format, 'date-time');
    const oldest = emu.zoho.sortedBy('Accounts', 'Modified_Time').rows.slice(0, 5);
    assert.deepEqual(out.rows, oldest);
    assert.deepEqual(Object.keys(out.rows[0].Owner).sort(), ['email', 'id', 'name']);
    const call = emu.exchanges.findLast((e) => e.path === '/crm/v8/Accounts')!;
    assert.equal(call.query.per_page, '5');
    assert.ok(String(call.query.fields).split(',').length <= 50);
  });

  test('AEP_ZOHO_VIA=http-api, the path in any case, and a readable human preview', async () => {
    const shared = await env({ AEP_ZOHO_VIA: 'http-api' });
    const byPath = await spawnCli(['explore', 'crm/v8/contacts', '--limit', '2', '--json'], shared);
    assert.equal(byPath.exitCode, 0, byPath.stderr);
    assert.equal(byPath.json().table.name, 'Contacts');
    assert.equal(byPath.json().rows.length, 2);
    const human = await spawnCli(
      ['explore', 'Deals', '--limit', '3', '--columns', 'Deal_Name,Account_Name,Owner'],
      shared,
    );
    assert.equal(human.exitCode, 0, human.stderr);
    const deal = emu.zoho.sortedBy('Deals', 'Modified_Time').rows[0] as Record<string, any>;
    // Lookups show their name, not a JSON blob.
    assert.ok(human.stdout.includes(String(deal.Owner.name)), human.stdout);
    assert.ok(!human.stdout.includes('{"name"'), human.stdout);
    assert.match(human.stdout + human.stderr, /read directly from Zoho CRM's API/);
  });

  test('the recorded via is followed; a recorded connection that is gone gives way to the one by name', async () => {
    const home = await tempHome();
    await mkdir(join(home, 'state'), { recursive: true });
    await writeFile(
      join(home, 'state', 'default.json'),
      JSON.stringify({
        version: 1,
        sandboxes: { prod: { via: 'http-api', connection: { id: 'http-api-connection-1', name: 'aep-zoho default' } } },
      }),
    );
    const r = await spawnCli(['explore', '--json'], cliEnv(emu.env, home, { ZOHO_ENDPOINT: emu.url }));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.json().connectionId, connectionId);
    assert.equal(r.json().via, 'http-api');
  });

  test('bad usage exits 2: a bad --via or AEP_ZOHO_VIA, an unknown table (with the closest name), --connection', async () => {
    const badFlag = await spawnCli(['explore', '--via', 'carrier-pigeon', '--json'], await env());
    assert.equal(badFlag.exitCode, 2);
    assert.match(badFlag.json().error.message, /--via must be zoho-source or http-api, got 'carrier-pigeon'/);
    const badEnv = await spawnCli(['explore', '--json'], await env({ AEP_ZOHO_VIA: 'smoke' }));
    assert.equal(badEnv.exitCode, 2);
    assert.match(badEnv.json().error.message, /AEP_ZOHO_VIA must be zoho-source or http-api/);
    const unknown = await spawnCli(['explore', 'Acounts', '--via', 'http-api', '--json'], await env());
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.json().error.message, /Unknown table 'Acounts'/);
    assert.match(unknown.json().error.hint, /Did you mean 'Accounts'\?/);
    const connection = await spawnCli(['explore', '--via', 'http-api', '--connection', 'abc', '--json'], await env());
    assert.equal(connection.exitCode, 2);
    assert.match(connection.json().error.message, /--connection/);
  });

  test('one token across runs of one home; no token in stdout or stderr, even with --debug', async () => {
    const shared = await env();
    const before = mints();
    const first = await spawnCli(
      ['explore', 'Leads', '--via', 'http-api', '--limit', '2', '--json', '--debug'],
      shared,
    );
    assert.equal(first.exitCode, 0, first.stderr);
    // ZOHO_ACCESS_TOKEN is not one the emulator issued: refused once, then one mint.
    assert.equal(mints() - before, 1);
    const second = await spawnCli(['explore', 'Tasks', '--via', 'http-api', '--json', '--debug'], shared);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(mints() - before, 1, 'the second run reuses the stored token');
    assert.match(first.stderr, /GET \/crm\/v8\/Leads/, 'the debug lines are there');
    for (const r of [first, second])
      assertNoSecrets(r.stdout + r.stderr, [...Object.values(SECRETS), ...issuedTokens()]);
    // A failure prints no token either.
    const failed = await spawnCli(['explore', 'Leads', '--via', 'http-api', '--json', '--debug'], {
      ...shared,
      ZOHO_ENDPOINT: `${emu.url}/nowhere`,
    });
    assert.equal(failed.exitCode, 1);
    assertNoSecrets(failed.stdout + failed.stderr, [...Object.values(SECRETS), ...issuedTokens()]);
  });
});
