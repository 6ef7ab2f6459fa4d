import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

type Emu = Emulator & { env: Record<string, string> };

describe('explore', () => {
  let emu: Emu;
  let env: Record<string, string | undefined>;
  let connectionId: string;
  before(async () => {
    emu = await emulator();
    env = cliEnv(emu.env, await tempHome());
    const connected = await runCli(['connect', '--json'], env);
    assert.equal(connected.exitCode, 0, connected.stderr);
    connectionId = connected.json().connectionId;
  });
  after(() => emu.close());

  test('lists every table with name, path and flags, sorted by name', async () => {
    const r = await runCli(['explore', '--json'], env);
    assert.equal(r.exitCode, 0, r.stderr);
    const expected = crmTables()
      .map((t) => ({ name: t.name, path: t.path, canPreview: true, canFetchSchema: true }))
      .sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(r.json(), { connectionId, tables: expected });
    assert.ok(
      expected.some((t) => t.name !== t.path),
      'names and paths differ in the emulator',
    );
  });

  test('a table: columns and preview rows exactly as the emulator holds them', async () => {
    const accounts = crmTables().find((t) => t.name === 'Accounts')!;
    const r = await runCli(['explore', 'Accounts', '--limit', '5', '--json'], env);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = r.json();
    assert.equal(out.connectionId, connectionId);
    assert.deepEqual(out.table, { name: 'Accounts', path: accounts.path });
    assert.deepEqual(
      out.columns.map((c: any) => [c.name, c.type]),
      accounts.columns.map((c) => [c.name, c.type]),
    );
    assert.deepEqual(out.rows, accounts.rows.slice(0, 5));
    const call = emu.exchanges.findLast((e) => e.path.endsWith('/explore'))!;
    assert.deepEqual(call.query, { objectType: 'table', object: accounts.path, preview: 'true' });
  });

  test('the name in any case, or the path, resolves to the same table', async () => {
    const byLower = await runCli(['explore', 'accounts', '--json'], env);
    const byPath = await runCli(['explore', crmTables().find((t) => t.name === 'Accounts')!.path, '--json'], env);
    assert.equal(byLower.exitCode, 0, byLower.stderr);
    assert.equal(byPath.exitCode, 0, byPath.stderr);
    assert.deepEqual(byLower.json(), byPath.json());
    assert.equal(byLower.json().rows.length, 10);
  });

  test('an unknown table exits 2 and suggests the closest name', async () => {
    const r = await runCli(['explore', 'Acounts', '--json'], env);
    assert.equal(r.exitCode, 2);
    const { error } = r.json();
    assert.match(error.message, /Unknown table 'Acounts'/);
    assert.match(error.hint, /Did you mean 'Accounts'\?/);
  });

  test('a wide preview stays within 80 columns on a terminal', async () => {
    const r = await runCli(['explore', 'Contacts', '--limit', '3'], env, { columns: 80, tty: true });
    assert.equal(r.exitCode, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const width = (line: string) => [...line.replace(/\u001b\[[0-9;]*m/g, '')].length;
    for (const line of lines) assert.ok(width(line) <= 80, `too wide (${width(line)}): ${line}`);
    const contacts = crmTables().find((t) => t.name === 'Contacts')!;
    const firstId = String(contacts.rows[0].id);
    assert.ok(
      lines.some((line) => line.includes(firstId)),
      'the first row is shown',
    );
    assert.match(r.stdout, /more column\(s\) not shown at this width: choose with --columns/);
    const chosen = await runCli(['explore', 'Contacts', '--limit', '2', '--columns', 'Full_Name,Email'], env, {
      columns: 80,
      tty: true,
    });
    assert.ok(chosen.stdout.includes(String(contacts.rows[1].Full_Name)));
  });

  test('bad input: --limit out of range, no connection', async () => {
    const limit = await runCli(['explore', 'Accounts', '--limit', '0'], env);
    assert.equal(limit.exitCode, 2);
    assert.match(limit.stderr, /--limit must be a whole number from 1 to 100/);
    const other = await runCli(['explore', '--json', '--profile', 'nobody'], {
      ...env,
      AEP_ZOHO_HOME: await tempHome(),
    });
    assert.equal(other.exitCode, 1);
    assert.match(other.json().error.message, /Profile 'nobody' has no Zoho CRM base connection in sandbox 'prod'/);
    assert.match(other.json().error.hint, /aep-zoho connect/);
  });
});
