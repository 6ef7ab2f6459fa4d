// The emulator's explore API and the synthetic Zoho CRM behind it: deterministic data with Zoho's
// field names and consistent cross-references, paths distinct from names, and Adobe's error answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_ORG, call, emulator, platformHeaders, zohoConnectionBody, type Emulator } from '../helpers/emulator.js';
import { PREVIEW_ROWS } from '../../src/emulator/services/flow-explore.js';
import {
  CRM_SEED,
  crmTables,
  findTable,
  findTableByName,
  generateCrm,
  resolveTable,
  sourcePaths,
  valueAt,
  type CrmLookup,
  type CrmTable,
} from '../../src/emulator/zoho-crm.js';

const FLOW = '/data/foundation/flowservice';
const ZOHO_SPEC = { id: '929e4450-0237-4ed2-9404-b7e1e0a00309', version: '1.0' };
const MODULES = ['Accounts', 'Contacts', 'Leads', 'Campaigns', 'Products', 'Deals', 'Tasks', 'Subscriptions'];

const table = (name: string): CrmTable => findTableByName(name)!;
const byId = (name: string) => new Map(table(name).rows.map((row) => [row.id as string, row]));

describe('synthetic Zoho CRM', () => {
  test('is generated deterministically from its seed', () => {
    assert.deepEqual(generateCrm(), generateCrm());
    assert.deepEqual(generateCrm(CRM_SEED), crmTables());
    assert.notDeepEqual(generateCrm(CRM_SEED + 1)[0].rows, crmTables()[0].rows);
    assert.equal(crmTables(), crmTables(), 'generated once and shared');
  });

  test('has the standard modules plus a custom one, 40-80 records each, paths differing from names', () => {
    const tables = crmTables();
    assert.deepEqual(
      tables.map((t) => t.name),
      MODULES,
    );
    // Two path styles, as Adobe's explore pages show them (tabular.md: crm/v2/<name>; crm.md: lowercase).
    assert.deepEqual(
      tables.map((t) => t.path),
      [
        'crm/v2/Accounts',
        'contacts',
        'crm/v2/Leads',
        'crm/v2/Campaigns',
        'products',
        'deals',
        'tasks',
        'crm/v2/Subscriptions',
      ],
    );
    assert.deepEqual(
      tables.filter((t) => t.custom).map((t) => t.name),
      ['Subscriptions'],
    );
    for (const t of tables) {
      assert.ok(t.rows.length >= 40 && t.rows.length <= 80, `${t.name}: ${t.rows.length} rows`);
      assert.notEqual(t.path, t.name);
    }
    assert.equal(
      tables.reduce((sum, t) => sum + t.rows.length, 0),
      441,
    );
  });

  test('looks tables up by path only, by name only, or either', () => {
    assert.equal(findTable('crm/v2/Accounts')?.name, 'Accounts');
    assert.equal(findTable('Accounts'), undefined);
    assert.equal(findTableByName('Accounts')?.path, 'crm/v2/Accounts');
    assert.equal(findTableByName('crm/v2/Accounts'), undefined);
    assert.equal(resolveTable('Deals')?.path, 'deals');
    assert.equal(resolveTable('deals')?.name, 'Deals');
    assert.equal(findTable('Deals'), undefined, 'the name is not the path, even when they differ only in case');
  });

  test('every module has id, Created_Time and Modified_Time (the delta column), and rows match the columns', () => {
    for (const t of crmTables()) {
      const names = t.columns.map((c) => c.name);
      for (const required of ['id', 'Owner', 'Created_Time', 'Modified_Time'])
        assert.ok(names.includes(required), `${t.name}.${required}`);
      for (const row of t.rows) {
        assert.deepEqual(Object.keys(row), names, `${t.name} row keys follow the columns`);
        assert.match(row.id as string, /^\d{19}$/);
        assert.match(row.Created_Time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00$/);
        assert.ok(
          Date.parse(row.Modified_Time as string) >= Date.parse(row.Created_Time as string),
          `${t.name} ${row.id} modified after created`,
        );
      }
      const created = t.rows.map((row) => Date.parse(row.Created_Time as string));
      assert.deepEqual(
        created,
        [...created].sort((a, b) => a - b),
        `${t.name} rows in creation order`,
      );
      assert.deepEqual(
        t.rows.map((r) => r.id),
        [...t.rows.map((r) => r.id as string)].sort(),
        `${t.name} ids grow with creation`,
      );
    }
    const ids = crmTables().flatMap((t) => t.rows.map((row) => row.id));
    assert.equal(new Set(ids).size, ids.length, 'ids are unique across modules');
  });

  test('uses Zoho field names and explore column types', () => {
    const columns = (name: string) => Object.fromEntries(table(name).columns.map((c) => [c.name, c]));
    const accounts = columns('Accounts');
    for (const field of [
      'Account_Name',
      'Account_Type',
      'Account_Number',
      'Industry',
      'Annual_Revenue',
      'Employees',
      'Rating',
      'Website',
      'Phone',
      'Billing_Street',
      'Billing_City',
      'Billing_State',
      'Billing_Code',
      'Billing_Country',
      'Shipping_City',
      'Description',
      'Last_Activity_Time',
    ]) {
      assert.ok(accounts[field], `Accounts.${field}`);
    }
    assert.deepEqual(accounts.Account_Name, { name: 'Account_Name', type: 'string', xdm: { type: 'string' } });
    assert.deepEqual(accounts.Annual_Revenue, { name: 'Annual_Revenue', type: 'double', xdm: { type: 'number' } });
    assert.deepEqual(accounts.Employees, { name: 'Employees', type: 'integer', xdm: { type: 'integer' } });
    assert.deepEqual(accounts.Modified_Time, {
      name: 'Modified_Time',
      type: 'string',
      'meta:xdmType': 'date-time',
      xdm: { type: 'string', format: 'date-time' },
    });
    assert.deepEqual(accounts.Parent_Account.xdm, {
      type: 'object',
      properties: { name: { type: 'string' }, id: { type: 'string' } },
    });
    assert.deepEqual(Object.keys(accounts.Owner.xdm.properties!), ['name', 'id', 'email']);
    const contacts = columns('Contacts');
    for (const field of [
      'First_Name',
      'Last_Name',
      'Full_Name',
      'Email',
      'Secondary_Email',
      'Phone',
      'Mobile',
      'Title',
      'Department',
      'Account_Name',
      'Mailing_Street',
      'Mailing_Zip',
      'Date_of_Birth',
      'Lead_Source',
      'Email_Opt_Out',
    ]) {
      assert.ok(contacts[field], `Contacts.${field}`);
    }
    // Contacts answer as explore/crm.md shows columns: raw type and Zoho's type, no xdm block.
    assert.deepEqual(contacts.Email_Opt_Out, {
      name: 'Email_Opt_Out',
      type: 'boolean',
      meta: { originalType: 'boolean' },
    });
    assert.deepEqual(contacts.Date_of_Birth, { name: 'Date_of_Birth', type: 'date', meta: { originalType: 'date' } });
    assert.deepEqual(contacts.Modified_Time, {
      name: 'Modified_Time',
      type: 'datetime',
      meta: { originalType: 'datetime' },
    });
    assert.deepEqual(contacts.Email, { name: 'Email', type: 'string', meta: { originalType: 'email' } });
    assert.deepEqual(contacts.Account_Name, { name: 'Account_Name', type: 'object', meta: { originalType: 'lookup' } });
    const deals = columns('Deals');
    for (const field of [
      'Deal_Name',
      'Stage',
      'Amount',
      'Closing_Date',
      'Account_Name',
      'Contact_Name',
      'Probability',
      'Pipeline',
    ])
      assert.ok(deals[field], `Deals.${field}`);
    assert.ok(sourcePaths(table('Contacts')).includes('Account_Name.id'));
    assert.ok(sourcePaths(table('Deals')).includes('Owner.email'));
  });

  test('offers both of Adobe’s column forms: an xdm block (tabular.md) or meta.originalType (crm.md), never both', () => {
    const forms = new Map(
      crmTables().map((t) => [t.name, [...new Set(t.columns.map((c) => (c.xdm ? 'xdm' : c.meta ? 'meta' : 'none')))]]),
    );
    assert.deepEqual(Object.fromEntries(forms), {
      Accounts: ['xdm'],
      Contacts: ['meta'],
      Leads: ['xdm'],
      Campaigns: ['xdm'],
      Products: ['meta'],
      Deals: ['meta'],
      Tasks: ['meta'],
      Subscriptions: ['xdm'],
    });
    for (const t of crmTables()) for (const c of t.columns) assert.ok(!(c.xdm && c.meta), `${t.name}.${c.name}`);
    const rawTypes = new Set(crmTables().flatMap((t) => t.columns.filter((c) => c.meta).map((c) => c.type)));
    assert.deepEqual([...rawTypes].sort(), ['boolean', 'date', 'datetime', 'double', 'integer', 'object', 'string']);
    // Lookup parts are known whichever form the columns take.
    assert.ok(sourcePaths(table('Deals')).includes('Owner.email'));
    assert.ok(sourcePaths(table('Deals')).includes('Account_Name.id'));
    assert.ok(sourcePaths(table('Accounts')).includes('Parent_Account.name'));
  });

  test('keeps cross-references consistent: lookups carry a real id and that record’s name', () => {
    const accounts = byId('Accounts');
    const contacts = byId('Contacts');
    const checkRef = (
      value: unknown,
      target: Map<string, Record<string, unknown>>,
      nameField: string,
      what: string,
    ) => {
      const lookup = value as CrmLookup;
      const row = target.get(lookup.id);
      assert.ok(row, `${what} → ${lookup.id} exists`);
      assert.equal(lookup.name, row![nameField], `${what} name`);
      return row!;
    };
    for (const contact of table('Contacts').rows) {
      checkRef(contact.Account_Name, accounts, 'Account_Name', `contact ${contact.id}`);
      assert.equal(contact.Full_Name, `${contact.First_Name} ${contact.Last_Name}`);
      if (contact.Reporting_To) {
        const boss = checkRef(contact.Reporting_To, contacts, 'Full_Name', `contact ${contact.id} Reporting_To`);
        assert.equal(
          (boss.Account_Name as CrmLookup).id,
          (contact.Account_Name as CrmLookup).id,
          'reports within the account',
        );
      }
    }
    for (const deal of table('Deals').rows) {
      const account = checkRef(deal.Account_Name, accounts, 'Account_Name', `deal ${deal.id}`);
      if (deal.Contact_Name) {
        const contact = checkRef(deal.Contact_Name, contacts, 'Full_Name', `deal ${deal.id} contact`);
        assert.equal(
          (contact.Account_Name as CrmLookup).id,
          account.id,
          'the deal’s contact works at the deal’s account',
        );
      }
      if (deal.Campaign_Source)
        checkRef(deal.Campaign_Source, byId('Campaigns'), 'Campaign_Name', `deal ${deal.id} campaign`);
      assert.equal(deal.Expected_Revenue, Math.round((deal.Amount as number) * (deal.Probability as number)) / 100);
    }
    for (const task of table('Tasks').rows) {
      if (task.What_Id) checkRef(task.What_Id, byId('Deals'), 'Deal_Name', `task ${task.id}`);
      checkRef(task.Who_Id, contacts, 'Full_Name', `task ${task.id} who`);
      assert.equal(task.Closed_Time, task.Status === 'Completed' ? task.Modified_Time : null);
    }
    for (const sub of table('Subscriptions').rows) {
      const account = checkRef(sub.Account, accounts, 'Account_Name', `subscription ${sub.id}`);
      assert.equal(account.Account_Type, 'Customer');
      checkRef(sub.Product, byId('Products'), 'Product_Name', `subscription ${sub.id} product`);
      if (sub.Contact) assert.equal(sub.Email, checkRef(sub.Contact, contacts, 'Full_Name', 'sub contact').Email);
    }
    const owners = new Set(crmTables().flatMap((t) => t.rows.map((row) => (row.Owner as CrmLookup).id)));
    assert.equal(owners.size, 6, 'six CRM users own the records');
    const emails = [...table('Contacts').rows, ...table('Leads').rows].map((row) => row.Email);
    assert.equal(new Set(emails).size, emails.length, 'email addresses are unique');
  });

  test('the first records have fixed values (a change to the generator shows up here)', () => {
    const account = table('Accounts').rows[0];
    assert.equal(account.id, '4876876000000331010');
    assert.equal(account.Account_Name, 'Benton Motors LLC');
    const sub = table('Subscriptions').rows[3];
    assert.equal(sub.Name, 'SUB-1004');
    assert.equal(valueAt(sub, 'Account.id'), account.id);
    assert.equal(valueAt(sub, 'Account.name'), 'Benton Motors LLC');
    const unlinked = table('Deals').rows.find((deal) => deal.Campaign_Source === null)!;
    assert.equal(valueAt(unlinked, 'Campaign_Source.id'), null, 'a part of an empty lookup is null');
    assert.equal(valueAt(account, 'No_Such.id'), undefined);
  });

  test('is frozen, so nobody corrupts the shared CRM', () => {
    assert.throws(() => {
      (table('Accounts').rows[0] as Record<string, unknown>).Account_Name = 'changed';
    }, TypeError);
  });
});

describe('explore API', () => {
  let emu: Emulator;
  let connectionId: string;
  const explore = (query: string, id = connectionId, headers?: Record<string, string>) =>
    call(emu, 'GET', `${FLOW}/connections/${id}/explore?${query}`, undefined, headers);

  before(async () => {
    emu = await emulator({ sandboxes: ['prod', 'dev'] });
    const created = await call(emu, 'POST', `${FLOW}/connections`, zohoConnectionBody());
    assert.equal(created.status, 201);
    connectionId = created.body.id;
  });
  after(() => emu.close());

  test('objectType=root lists every module with its path', async () => {
    const { status, body } = await explore('objectType=root');
    assert.equal(status, 200);
    assert.equal(body.length, MODULES.length);
    assert.deepEqual(body[0], {
      type: 'table',
      name: 'Accounts',
      path: 'crm/v2/Accounts',
      canPreview: true,
      canFetchSchema: true,
    });
    assert.deepEqual(body[5], { type: 'table', name: 'Deals', path: 'deals', canPreview: true, canFetchSchema: true });
    assert.deepEqual(
      body.map((t: { name: string }) => t.name),
      MODULES,
    );
  });

  test('objectType is case-insensitive (docs lowercase, spec uppercase)', async () => {
    const upper = await explore('objectType=ROOT');
    assert.equal(upper.status, 200);
    assert.deepEqual(upper.body, (await explore('objectType=root')).body);
    const table = await explore(`objectType=TABLE&object=${encodeURIComponent('crm/v2/Leads')}`);
    assert.equal(table.status, 200);
  });

  test('objectType=table gives the columns of a path, without rows unless previewed', async () => {
    const { status, body } = await explore(`objectType=table&object=${encodeURIComponent('crm/v2/Leads')}`);
    assert.equal(status, 200);
    assert.equal(body.format, 'flat');
    assert.deepEqual(body.schema.columns, table('Leads').columns);
    assert.equal(body.data, undefined);
    // An unencoded path works too: the slashes sit in the query string.
    assert.equal((await explore('objectType=table&object=crm/v2/Leads')).status, 200);
    assert.deepEqual(
      (await explore('objectType=table&object=contacts')).body.schema.columns,
      table('Contacts').columns,
    );
  });

  test('preview=true adds the first rows', async () => {
    const { status, body } = await explore(`objectType=table&object=deals&preview=true`);
    assert.equal(status, 200);
    assert.equal(body.data.length, PREVIEW_ROWS);
    assert.deepEqual(body.data, table('Deals').rows.slice(0, PREVIEW_ROWS));
    assert.deepEqual(
      Object.keys(body.data[0]),
      body.schema.columns.map((c: { name: string }) => c.name),
    );
    assert.deepEqual(body.data[0].Account_Name, table('Deals').rows[0].Account_Name);
    assert.equal((await explore('objectType=table&object=deals&preview=false')).body.data, undefined);
  });

  test('the custom module is explored like any other', async () => {
    const { body } = await explore('objectType=table&object=crm/v2/Subscriptions&preview=true');
    assert.equal(body.data[0].Name, 'SUB-1001');
    assert.ok(body.schema.columns.some((c: { name: string }) => c.name === 'Renewal_Date'));
  });

  test('a table name is not a path: object=Accounts is not found', async () => {
    const { status, body } = await explore('objectType=table&object=Accounts');
    assert.equal(status, 404);
    assert.equal(body.type, 'https://ns.adobe.com/aep/errors/FLOW-1439-404');
    assert.equal(body.report.id, 'Accounts');
    assert.match(body.report['request-id'], /^[0-9a-f-]{36}$/);
  });

  test('bad requests get Flow Service 400s', async () => {
    for (const [query, pattern] of [
      ['objectType=table', /'object' is required/],
      ['', /'objectType' is required/],
      ['objectType=tables', /Invalid objectType 'tables'/],
      ['objectType=FILE', /not supported/],
      ['objectType=table&object=crm/v2/Leads&filters=e30%3D', /filters/],
    ] as const) {
      const { status, body } = await explore(query);
      assert.equal(status, 400, query);
      assert.equal(body.type, 'https://ns.adobe.com/aep/errors/FLOW-1100-400', query);
      assert.match(body.report['detailed-message'], pattern, query);
    }
  });

  test('an unknown connection is a 404', async () => {
    const { status, body } = await explore('objectType=root', '00000000-0000-0000-0000-000000000000');
    assert.equal(status, 404);
    assert.equal(body.report.type, 'connections');
  });

  test('a connection in prod cannot be explored from another sandbox', async () => {
    const dev = await platformHeaders(emu, 'dev');
    const { status } = await explore('objectType=root', connectionId, dev);
    assert.equal(status, 404);
    const own = await call(emu, 'POST', `${FLOW}/connections`, zohoConnectionBody('dev connection'), dev);
    assert.equal((await explore('objectType=root', own.body.id, dev)).status, 200);
    assert.equal((await explore('objectType=root', own.body.id)).status, 404, 'nor the other way round');
  });

  test('only Zoho CRM connections are explored', async () => {
    const salesforce = await call(emu, 'POST', `${FLOW}/connections`, {
      name: 'salesforce',
      auth: { specName: 'Basic Authentication', params: { username: 'u', password: 'p', securityToken: 't' } },
      connectionSpec: { id: 'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', version: '1.0' },
    });
    assert.equal(salesforce.status, 201);
    const { status, body } = await explore('objectType=root', salesforce.body.id);
    assert.equal(status, 400);
    assert.match(body.report['detailed-message'], /connection spec/);
  });

  test('the gateway still guards explore', async () => {
    const { status } = await call(
      emu,
      'GET',
      `${FLOW}/connections/${connectionId}/explore?objectType=root`,
      undefined,
      {},
    );
    assert.equal(status, 401);
  });
});

describe('explore after the Zoho source is retired', () => {
  test('refuses a connection made before retirement with a 400 naming the spec', async () => {
    const emu = await emulator({ retiredConnectionSpecs: [ZOHO_SPEC.id] });
    try {
      // Made before Adobe withdrew the spec: no POST can make one any more, so it goes straight into state.
      emu.state.connections.add({
        id: 'old-zoho',
        imsOrgId: TEST_ORG,
        sandboxName: 'prod',
        connectionSpec: ZOHO_SPEC,
        auth: zohoConnectionBody().auth,
      });
      const { status, body } = await call(emu, 'GET', `${FLOW}/connections/old-zoho/explore?objectType=root`);
      assert.equal(status, 400);
      assert.equal(body.type, 'https://ns.adobe.com/aep/errors/FLOW-1101-400');
      assert.match(body.report['detailed-message'], /929e4450-0237-4ed2-9404-b7e1e0a00309 is no longer available/);
    } finally {
      await emu.close();
    }
  });
});
