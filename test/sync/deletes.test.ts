// Deletes that reach AEP (issue 23, point 3), through the real binary: `connect --via http-api`,
// `dataflow create` with the built-in templates (`deletes: soft`) and `sync`. A record deleted in
// Zoho arrives as a tombstone that the flow's mapping set maps to isDeleted: true (checked in what
// the emulator's Data Prep made of it for the dataset, not only the raw post); a refused tombstone
// is named and sent again next pass; `deletes: report` posts none.
import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { emulator, TEST_ORG } from '../helpers/emulator.js';
import { settle } from './setup.js';

const COLUMN = '_aep_zoho_deleted';

async function world(t: { after: (fn: () => unknown) => void }, options: Parameters<typeof emulator>[0] = {}) {
  const emu = await emulator(options);
  t.after(() => emu.close());
  const home = await tempHome();
  const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home);
  const cli = async (args: string[]) => {
    const r = await runCli([...args, '--json'], env);
    return r;
  };
  const connect = await cli(['connect', '--via', 'http-api']);
  assert.equal(connect.exitCode, 0, connect.stdout + connect.stderr);
  const tenant = `_${emu.state.tenantId(TEST_ORG)}`;
  const state = async () => JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8')).sandboxes.prod;
  /** What the dataset received from a flow: the raw post and the XDM Data Prep made of it. */
  const received = (flowId: string) => emu.state.streamed.filter((r) => r.flowId === flowId);
  return { emu, home, env, cli, tenant, state, received };
}

test('soft deletes: three records deleted in Zoho arrive as tombstones mapped to isDeleted: true (Record Status on Business Accounts, a tenant field on Profiles); records say isDeleted: false', async (t) => {
  const w = await world(t);
  const made = await w.cli(['dataflow', 'create', '--template', 'accounts,contacts']);
  assert.equal(made.exitCode, 0, made.stdout + made.stderr);
  const [accounts, contacts] = made.json().dataflows;

  // The mapping sets map the tombstone column: to the class's Record Status field, or to the tenant field.
  const mappingOf = (id: string) =>
    (w.emu.state.mappingSets.get(id)!.mappings as any[]).find((m) => m.source === COLUMN)?.destination;
  const accountsDeleted = mappingOf(accounts.mappingSetId);
  const fallback = accountsDeleted !== 'isDeleted'; // an org without the B2B classes: every path under the tenant
  assert.equal(accountsDeleted, fallback ? `${w.tenant}.isDeleted` : 'isDeleted');
  assert.equal(mappingOf(contacts.mappingSetId), `${w.tenant}.zoho.contacts.isDeleted`);
  // The contacts field group gained the field, a boolean.
  const group = w.emu.state.fieldGroups
    .all()
    .find((g: any) => g.title === 'Zoho CRM Contact fields (aep-zoho default/contacts)');
  const zoho = group!.definitions.zoho.properties[w.tenant].properties.zoho.properties.contacts.properties;
  assert.deepEqual(zoho.isDeleted, { title: 'Deleted in Zoho CRM', type: 'boolean' });
  const entries = (await w.state()).syncs;
  assert.deepEqual([entries.accounts.deletes, entries.contacts.deletes], ['soft', 'soft']);

  const first = await w.cli(['sync']);
  assert.equal(first.exitCode, 0, first.stdout + first.stderr);
  const isDeleted = (data: any, module: 'accounts' | 'contacts') =>
    module === 'contacts'
      ? data[w.tenant]?.zoho?.contacts?.isDeleted
      : fallback
        ? data[w.tenant]?.isDeleted
        : data.isDeleted;
  const records = w.received(accounts.flowId);
  const before = w.emu.zoho.deleted('Accounts').length; // the synthetic CRM starts with some deletes
  assert.ok(records.length > 3);
  const plain = records.filter((r: any) => r.raw[COLUMN] === false);
  assert.equal(plain.length, w.emu.zoho.rows('Accounts').length, 'every record says it is not deleted');
  assert.ok(plain.every((r: any) => isDeleted(r.data, 'accounts') === false && !r.errors));
  assert.equal(records.length - plain.length, before, 'the deletes Zoho already listed went as tombstones');

  // Three accounts and a contact deleted in Zoho.
  const gone = w.emu.zoho
    .rows('Accounts')
    .slice(0, 3)
    .map((row) => String(row.id));
  const deletedAt = gone.map((id) => w.emu.zoho.delete('Accounts', id).deleted_time);
  const contactId = String(w.emu.zoho.rows('Contacts')[0].id);
  w.emu.zoho.delete('Contacts', contactId, 'permanent');
  settle(w.emu);
  const seen = w.emu.state.streamed.length;

  const second = await w.cli(['sync']);
  assert.equal(second.exitCode, 0, second.stdout + second.stderr);
  const [a, c] = second.json().syncs;
  assert.deepEqual([a.template, a.read, a.sent, a.deleted, a.tombstones], ['accounts', 0, 0, 3, 3]);
  assert.deepEqual([c.template, c.deleted, c.tombstones], ['contacts', 1, 1]);
  const posted = w.emu.state.streamed.slice(seen);
  const tombstones = posted.filter((r: any) => r.flowId === accounts.flowId);
  assert.deepEqual(
    tombstones.map((r: any) => r.raw),
    gone.map((id, i) => ({ id, Modified_Time: deletedAt[i], [COLUMN]: true })),
  );
  // What Data Prep made of them: the account id in accountID, isDeleted true, the deletion time.
  for (const [i, r] of tombstones.entries()) {
    assert.equal(r.errors, null, JSON.stringify(r.errors));
    assert.equal(isDeleted(r.data, 'accounts'), true);
    const root: any = fallback ? r.data[w.tenant] : r.data;
    assert.equal(root.accountID, gone[i]);
    assert.equal(root.extSourceSystemAudit.lastUpdatedDate, deletedAt[i]);
  }
  const [contact] = posted.filter((r: any) => r.flowId === contacts.flowId);
  assert.equal(isDeleted(contact.data, 'contacts'), true);
  assert.equal(contact.data.personID, contactId);

  // The delete cursor moved past them: a quiet pass posts nothing again.
  const quiet = await w.cli(['sync']);
  assert.equal(quiet.exitCode, 0, quiet.stdout);
  assert.deepEqual(
    quiet.json().syncs.map((s: any) => [s.deleted, s.tombstones]),
    [
      [0, 0],
      [0, 0],
    ],
  );
  assert.equal(w.emu.state.streamed.length, seen + 4);
});

test('every built-in template with deletes: soft makes its http-api dataflow: the classes that carry Record Status (Business Account, Opportunity) take isDeleted as their own', async (t) => {
  const w = await world(t);
  const made = await w.cli(['dataflow', 'create', '--template', 'accounts,contacts,leads,deals']);
  assert.equal(made.exitCode, 0, made.stdout + made.stderr);
  const destinations = made
    .json()
    .dataflows.map(
      (d: any) =>
        (w.emu.state.mappingSets.get(d.mappingSetId)!.mappings as any[]).find((m) => m.source === COLUMN)?.destination,
    );
  assert.deepEqual(destinations, [
    'isDeleted',
    `${w.tenant}.zoho.contacts.isDeleted`,
    `${w.tenant}.zoho.leads.isDeleted`,
    'isDeleted',
  ]);
});

test('a tombstone AEP refuses is named, exit 1, the delete cursor stays before it, and the next pass sends it', async (t) => {
  const w = await world(t);
  const made = await w.cli(['dataflow', 'create', '--template', 'accounts']);
  assert.equal(made.exitCode, 0, made.stdout + made.stderr);
  const { flowId } = made.json().dataflows[0];
  assert.equal((await w.cli(['sync'])).exitCode, 0);
  const cursorBefore = (await w.state()).syncs.accounts.deletedCursor;

  const [one, two] = w.emu.zoho
    .rows('Accounts')
    .slice(0, 2)
    .map((row) => String(row.id));
  w.emu.zoho.delete('Accounts', one);
  w.emu.zoho.delete('Accounts', two);
  settle(w.emu);
  // The first tombstone to reach the inlet is refused (nothing else is posted in the pass: no
  // record changed). Both are in flight at once, so the other may be acknowledged meanwhile.
  w.emu.faults.add({ method: 'POST', path: '/collection/', fault: { kind: 'status', status: 400 } });
  const refused = await w.cli(['sync']);
  assert.equal(refused.exitCode, 1, refused.stdout);
  const { error } = refused.json();
  assert.equal(error.code, 'SYNC_INCOMPLETE');
  const named = /(\d) delete\(s\) not delivered to AEP as tombstones: (\d+) \(HTTP 400: /.exec(error.message);
  assert.ok(named, error.message);
  const refusedId = named[2];
  assert.ok([one, two].includes(refusedId));
  assert.equal((await w.state()).syncs.accounts.deletedCursor, cursorBefore, 'the delete cursor did not move');
  const tombstoneIds = () =>
    w.emu.state.streamed.filter((r: any) => r.flowId === flowId && r.raw[COLUMN] === true).map((r: any) => r.raw.id);
  assert.ok(!tombstoneIds().includes(refusedId));

  const retried = await w.cli(['sync']);
  assert.equal(retried.exitCode, 0, retried.stdout);
  // Sent again from the delete cursor: the refused one, and the other (maybe a second time).
  assert.deepEqual(
    retried.json().syncs.map((s: any) => [s.deleted, s.tombstones]),
    [[2, 2]],
  );
  assert.ok(tombstoneIds().includes(refusedId));
  assert.deepEqual(new Set(tombstoneIds().filter((id: string) => id === one || id === two)), new Set([one, two]));
  assert.notEqual((await w.state()).syncs.accounts.deletedCursor, cursorBefore);
});

test('deletes: report posts no tombstone and maps no isDeleted: the deletes are counted only', async (t) => {
  const w = await world(t);
  const file = join(w.home, 'accounts-report.json');
  const accounts = JSON.parse(await readFile(new URL('../../templates/accounts.json', import.meta.url), 'utf8'));
  await writeFile(
    file,
    JSON.stringify({ ...accounts, $schema: undefined, name: 'accounts-report', deletes: 'report' }),
  );
  const made = await w.cli(['dataflow', 'create', '--template', file]);
  assert.equal(made.exitCode, 0, made.stdout + made.stderr);
  const { flowId, mappingSetId } = made.json().dataflows[0];
  const mappings = w.emu.state.mappingSets.get(mappingSetId)!.mappings as any[];
  assert.ok(!mappings.some((m) => m.source === COLUMN || /isDeleted$/.test(m.destination)));
  assert.equal((await w.state()).syncs['accounts-report'].deletes, undefined);
  assert.equal((await w.cli(['sync'])).exitCode, 0);
  const ids = w.emu.zoho
    .rows('Accounts')
    .slice(0, 3)
    .map((row) => String(row.id));
  for (const id of ids) w.emu.zoho.delete('Accounts', id);
  settle(w.emu);
  const seen = w.emu.state.streamed.length;
  const r = await w.cli(['sync']);
  assert.equal(r.exitCode, 0, r.stdout);
  assert.deepEqual(
    r.json().syncs.map((s: any) => [s.deleted, s.tombstones]),
    [[3, 0]],
  );
  assert.equal(w.emu.state.streamed.length, seen, 'nothing posted');
  assert.ok(w.emu.state.streamed.every((x: any) => x.flowId !== flowId || !(COLUMN in x.raw)));
});

test('turning soft on where data already landed: the tenant field group gains isDeleted (additive) and the mapping set maps it, in place; the next sync sends a tombstone for every delete Zoho still lists', async (t) => {
  const w = await world(t);
  const file = join(w.home, 'contacts.json');
  const contacts = JSON.parse(await readFile(new URL('../../templates/contacts.json', import.meta.url), 'utf8'));
  await writeFile(file, JSON.stringify({ ...contacts, $schema: undefined, deletes: 'report' }));
  const made = await w.cli(['dataflow', 'create', '--template', file]);
  assert.equal(made.exitCode, 0, made.stdout + made.stderr);
  for (const row of w.emu.zoho.rows('Contacts').slice(0, 2)) w.emu.zoho.delete('Contacts', String(row.id));
  settle(w.emu);
  const first = await w.cli(['sync']);
  assert.equal(first.exitCode, 0, first.stdout);
  const listed = w.emu.zoho.deleted('Contacts').length;
  assert.deepEqual(
    first.json().syncs.map((s: any) => [s.deleted, s.tombstones]),
    [[listed, 0]],
  );

  const soft = await w.cli(['dataflow', 'create', '--template', 'contacts']);
  assert.equal(soft.exitCode, 0, soft.stdout + soft.stderr);
  const [flow] = soft.json().dataflows;
  assert.deepEqual(flow.replaced, []);
  assert.ok(flow.updated.includes('fieldGroup') && flow.updated.includes('mappingSet'), flow.updated.join(','));
  assert.equal(flow.datasetId, made.json().dataflows[0].datasetId, 'the same dataset');

  const seen = w.emu.state.streamed.length;
  const next = await w.cli(['sync']);
  assert.equal(next.exitCode, 0, next.stdout + next.stderr);
  assert.deepEqual(
    next.json().syncs.map((s: any) => [s.read, s.deleted, s.tombstones]),
    [[0, listed, listed]],
  );
  const tombstones = w.emu.state.streamed.slice(seen);
  assert.equal(tombstones.length, listed);
  assert.ok(tombstones.every((r: any) => r.data[w.tenant].zoho.contacts.isDeleted === true && !r.errors));
});

test('a soft template that maps something to its isDeleted field itself is exit 2, naming the mapping', async () => {
  const home = await tempHome();
  const file = join(home, 'accounts-mine.json');
  const accounts = JSON.parse(await readFile(new URL('../../templates/accounts.json', import.meta.url), 'utf8'));
  accounts.name = 'accounts-mine';
  delete accounts.$schema;
  accounts.mappings.push({ source: 'Rating', destination: 'isDeleted' });
  await writeFile(file, JSON.stringify(accounts));
  const r = await runCli(['templates', 'validate', file, '--json'], cliEnv({}, home));
  assert.equal(r.exitCode, 2, r.stdout);
  assert.match(
    r.json().error.message,
    /\/mappings\/\d+\/destination "isDeleted" is where "deletes": "soft" marks deleted records: remove this mapping, or set "deletes" to "report"/,
  );
});

test('soft deletes in an org without the B2B classes: the fallback class has no Record Status, so isDeleted is a boolean tenant field beside the others', async (t) => {
  const w = await world(t, { hasB2BClasses: false });
  const made = await w.cli(['dataflow', 'create', '--template', 'accounts']);
  assert.equal(made.exitCode, 0, made.stdout + made.stderr);
  const { flowId, mappingSetId } = made.json().dataflows[0];
  const mapped = (w.emu.state.mappingSets.get(mappingSetId)!.mappings as any[]).find((m) => m.source === COLUMN);
  assert.equal(mapped.destination, `${w.tenant}.isDeleted`);
  const group = w.emu.state.fieldGroups
    .all()
    .find((g: any) => g.title === 'Zoho CRM Account fields (aep-zoho default/accounts)');
  assert.deepEqual(group!.definitions.zoho.properties[w.tenant].properties.isDeleted, {
    title: 'Deleted in Zoho CRM',
    type: 'boolean',
  });
  assert.equal((await w.cli(['sync'])).exitCode, 0);
  const id = String(w.emu.zoho.rows('Accounts')[0].id);
  w.emu.zoho.delete('Accounts', id);
  settle(w.emu);
  const seen = w.emu.state.streamed.length;
  const r = await w.cli(['sync']);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const [tombstone] = w.emu.state.streamed.slice(seen).filter((x: any) => x.flowId === flowId);
  assert.equal(tombstone.errors, null);
  assert.equal(tombstone.data[w.tenant].isDeleted, true);
  assert.equal(tombstone.data[w.tenant].accountID, id);
});
