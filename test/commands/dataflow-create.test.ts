import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

type Emu = Emulator & { env: Record<string, string> };
const ACCOUNTS_PATH = crmTables().find((t) => t.name === 'Accounts')!.path;
/** Resource counts, without runs (the emulator makes those as time passes). */
const resources = (emu: Emu) => ({ ...emu.state.counts(), runs: 0 });
const writes = (emu: Emu, from = 0) =>
  emu.exchanges.slice(from).filter((e) => e.method !== 'GET' && !e.path.startsWith('/ims/'));

async function connected(): Promise<{ emu: Emu; env: Record<string, string | undefined>; connectionId: string }> {
  const emu = await emulator();
  const env = cliEnv(emu.env, await tempHome());
  const r = await runCli(['connect', '--json'], env);
  assert.equal(r.exitCode, 0, r.stderr);
  return { emu, env, connectionId: r.json().connectionId };
}

describe('dataflow create --template accounts', () => {
  let emu: Emu;
  let env: Record<string, string | undefined>;
  let connectionId: string;
  let first: any;
  let raw: any;
  before(async () => {
    ({ emu, env, connectionId } = await connected());
    const r = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
    assert.equal(r.exitCode, 0, r.stderr);
    raw = r.json();
    first = raw.dataflows[0];
  });
  after(() => emu.close());

  test('prints the contract object and every id exists with the right links', () => {
    for (const key of ['flowId', 'sourceConnectionId', 'targetConnectionId', 'datasetId', 'schemaId', 'mappingSetId'])
      assert.equal(typeof first[key], 'string', key);
    assert.ok(first.created.includes('flow') && first.created.includes('schema') && first.created.includes('dataset'));
    assert.deepEqual(first.reused, []);
    const s = emu.state;
    const flow = s.flows.get(first.flowId)!;
    assert.deepEqual(flow.sourceConnectionIds, [first.sourceConnectionId]);
    assert.deepEqual(flow.targetConnectionIds, [first.targetConnectionId]);
    assert.equal(flow.flowSpec.id, '14518937-270c-4525-bdec-c2ba7cce3860');
    const source = s.sourceConnections.get(first.sourceConnectionId)!;
    assert.equal(source.baseConnectionId, connectionId);
    assert.equal(source.params.tableName, ACCOUNTS_PATH);
    const target = s.targetConnections.get(first.targetConnectionId)!;
    assert.equal(target.params.dataSetId, first.datasetId);
    assert.equal(target.data.schema.id, first.schemaId);
    assert.equal(s.dataSets.get(first.datasetId)!.schemaRef.id, first.schemaId);
    const mapping = flow.transformations.find((t: any) => t.name === 'Mapping');
    assert.equal(mapping.params.mappingId, first.mappingSetId);
    assert.equal(s.mappingSets.get(first.mappingSetId)!.outputSchema.schemaRef.id, first.schemaId);
    assert.ok(s.schemas.get(first.schemaId), 'the schema exists');
  });

  test('one shape for one template or several: { dataflows: [...] }, the old top-level fields kept for one release', () => {
    assert.equal(raw.dataflows.length, 1);
    assert.equal(Object.keys(raw)[0], 'dataflows');
    const { dataflows, ...topLevel } = raw;
    assert.deepEqual(topLevel, dataflows[0], 'deprecated: the one dataflow at the top level too (README)');
  });

  test('sends the types Adobe ruled on', () => {
    const post = emu.exchanges.find((e) => e.method === 'POST' && e.path === '/data/foundation/flowservice/flows')!;
    const body = post.body as any;
    assert.equal(typeof body.scheduleParams.startTime, 'number');
    assert.ok(Number.isInteger(body.scheduleParams.startTime) && body.scheduleParams.startTime < 1e11, 'epoch seconds');
    assert.equal(typeof body.scheduleParams.interval, 'string');
    assert.equal(typeof body.scheduleParams.backfill, 'boolean');
    assert.equal(body.transformations[1].params.mappingVersion, '0');
    assert.equal(body.transformations[0].params.deltaColumn.name, 'Modified_Time');
    assert.deepEqual(body.flowSpec, { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' });
    const mappingPost = emu.exchanges.find(
      (e) => e.method === 'POST' && e.path === '/data/foundation/conversion/mappingSets',
    )!;
    assert.ok(!('id' in (mappingPost.body as object)), 'no id on a new mapping set');
    const dataset = emu.exchanges.find((e) => e.method === 'POST' && e.path === '/data/foundation/catalog/dataSets')!;
    assert.equal(dataset.query.requestDataSource, 'true');
  });

  test('a re-run creates nothing and reuses everything, also with an empty AEP_ZOHO_HOME', async () => {
    const counts = resources(emu);
    const mark = emu.exchanges.length;
    const again = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
    assert.equal(again.exitCode, 0, again.stderr);
    const out = again.json().dataflows[0];
    assert.deepEqual(out.created, []);
    assert.deepEqual([...out.reused].sort(), [...first.created].sort());
    assert.equal(out.flowId, first.flowId);
    assert.deepEqual(writes(emu, mark), []);

    const fresh = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], {
      ...env,
      AEP_ZOHO_HOME: await tempHome(),
    });
    assert.equal(fresh.exitCode, 0, fresh.stderr);
    assert.deepEqual(fresh.json().dataflows[0].created, []);
    assert.equal(fresh.json().dataflows[0].flowId, first.flowId);
    assert.deepEqual(resources(emu), counts);
  });

  test('--dry-run after a create plans only reuse and sends no write', async () => {
    const mark = emu.exchanges.length;
    const r = await runCli(['dataflow', 'create', '--template', 'accounts', '--dry-run', '--json'], env);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(r.json().plan.length >= 7);
    assert.deepEqual(
      r.json().plan.filter((s: any) => s.action !== 'reuse'),
      [],
    );
    assert.deepEqual(writes(emu, mark), []);
  });
});

describe('dataflow create: several templates, and bad input that creates nothing', () => {
  test('accounts,contacts,leads,deals builds four dataflows in one run', async () => {
    const { emu, env } = await connected();
    try {
      const r = await runCli(['dataflow', 'create', '--template', 'accounts,contacts,leads,deals', '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      const { dataflows } = r.json();
      assert.deepEqual(
        dataflows.map((d: any) => d.template),
        ['accounts', 'contacts', 'leads', 'deals'],
      );
      assert.equal(new Set(dataflows.map((d: any) => d.flowId)).size, 4);
      assert.equal(emu.state.flows.size, 4);
      // contacts and leads carry an Email identity descriptor on their schema
      const identities = emu.state.descriptors.all().filter((d) => d['@type'] === 'xdm:descriptorIdentity');
      assert.equal(identities.length, 2);
      assert.ok(identities.every((d) => d['xdm:namespace'] === 'Email' && d['xdm:isPrimary'] === true));
    } finally {
      await emu.close();
    }
  });

  test('bad templates, names and schedules exit 2 and leave the emulator unchanged', async () => {
    const { emu, env } = await connected();
    try {
      const dir = await tempHome();
      const accounts = JSON.parse((await runCli(['templates', 'show', 'accounts', '--json'], env)).stdout);
      const variant = async (name: string, change: (t: any) => void) => {
        const t = structuredClone(accounts);
        change(t);
        const file = join(dir, `${name}.json`);
        await writeFile(file, JSON.stringify(t));
        return file;
      };
      const noDelta = await variant('nodelta', (t) => (t.source.deltaColumn = 'Last_Synced_Time'));
      const noIdentity = await variant('noidentity', (t) => {
        t.identity = {
          source: 'Primary_Email',
          destination: '_{TENANT_ID}.zoho.primaryEmail',
          namespace: 'Email',
          primary: true,
        };
        t.mappings.push({ source: 'Primary_Email', destination: '_{TENANT_ID}.zoho.primaryEmail' });
      });
      const broken = join(dir, 'broken.json');
      await writeFile(broken, '{ "name": "broken", ');
      const copy = join(dir, 'copy.json'); // a copy of a built-in, its name unchanged
      await writeFile(copy, await readFile(new URL('../../templates/accounts.json', import.meta.url), 'utf8'));
      const upper = join(dir, 'upper.json'); // its name differs only in case: found as the same dataflow
      await writeFile(
        upper,
        JSON.stringify({ ...JSON.parse(await readFile(copy, 'utf8')), name: 'Accounts', $schema: undefined }),
      );
      const builtIn = fileURLToPath(new URL('../../templates/accounts.json', import.meta.url)); // 'accounts' by path
      const before = resources(emu);
      const mark = emu.exchanges.length;
      const cases: Array<[string[], RegExp]> = [
        [['--template', noDelta], /delta column 'Last_Synced_Time' is not a column of table Accounts/],
        [['--template', noIdentity], /identity column 'Primary_Email' is not a column of table Accounts/],
        [['--template', broken], /broken\.json/],
        [['--template', 'acounts'], /acounts/],
        [['--template', 'accounts', '--frequency', 'minute', '--interval', '5'], /at least 15/],
        [['--template', 'accounts', '--frequency', 'once', '--interval', '2'], /'once' schedule takes no interval/],
        [['--template', 'accounts', '--start', 'tomorrow'], /Invalid --start 'tomorrow'/],
        [['--template', 'accounts,Accounts'], /names a template twice/],
        [['--template', `accounts,${copy}`], /Two templates are named 'accounts': .*accounts\.json and .*copy\.json/],
        [
          ['--template', `${copy},${upper}`],
          /Two templates are named 'accounts' \(and 'Accounts': case does not count\): .*copy\.json and .*upper\.json/,
        ],
        [['--template', `accounts,${builtIn}`], /names the file .*accounts\.json twice/],
      ];
      for (const [args, message] of cases) {
        const r = await runCli(['dataflow', 'create', ...args, '--json'], env);
        assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.json().error.message, message, args.join(' '));
        assert.doesNotMatch(r.stderr, /\n\s+at /);
      }
      assert.deepEqual(resources(emu), before);
      assert.deepEqual(writes(emu, mark), []);
    } finally {
      await emu.close();
    }
  });

  test('a column the table lacks is exit 2 naming the file line and the closest column; --allow-missing-columns skips it', async () => {
    const { emu, env } = await connected();
    try {
      const accounts = JSON.parse((await runCli(['templates', 'show', 'accounts', '--json'], env)).stdout);
      accounts.mappings.push({ source: 'Favourite_Colour', destination: '_{TENANT_ID}.zoho.favouriteColour' });
      accounts.mappings.push({ source: 'Industri', destination: '_{TENANT_ID}.zoho.industri' });
      const file = join(await tempHome(), 'extra.json');
      await writeFile(file, JSON.stringify(accounts, null, 2));
      const before = emu.state.counts();
      const refused = await runCli(['dataflow', 'create', '--template', file, '--json'], env);
      assert.equal(refused.exitCode, 2, refused.stderr);
      const line = (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.includes('"Industri"')) + 1;
      assert.match(
        refused.json().error.message,
        new RegExp(`extra\\.json:${line}: column Industri is not in table Accounts \\(did you mean Industry\\?\\)`),
      );
      assert.match(refused.json().error.hint, /--allow-missing-columns/);
      assert.deepEqual(emu.state.counts(), before, 'nothing sent');
      accounts.mappings.pop();
      await writeFile(file, JSON.stringify(accounts, null, 2));
      const r = await runCli(['dataflow', 'create', '--template', file, '--allow-missing-columns', '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.deepEqual(r.json().dataflows[0].skippedColumns, ['Favourite_Colour']);
      assert.match(r.stderr, /column Favourite_Colour is not in table Accounts; its mapping is skipped/);
      const mappingSet = emu.state.mappingSets.get(r.json().dataflows[0].mappingSetId)!;
      assert.ok(!JSON.stringify(mappingSet.mappings).includes('Favourite_Colour'));
    } finally {
      await emu.close();
    }
  });
});

describe('dataflow create: destinations checked before the first write', () => {
  test('a destination the class and its field groups lack is exit 2 naming the file line and the closest field, in a dry run too; nothing is sent', async () => {
    const { emu, env } = await connected();
    try {
      const accounts = JSON.parse((await runCli(['templates', 'show', 'accounts', '--json'], env)).stdout);
      accounts.mappings.find((m: any) => m.source === 'Website').destination = 'accountOrganization.websight';
      const file = join(await tempHome(), 'typo.json');
      await writeFile(file, JSON.stringify(accounts, null, 2));
      const line = (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.includes('websight')) + 1;
      const mark = emu.exchanges.length;
      for (const extra of [['--dry-run'], []]) {
        const r = await runCli(['dataflow', 'create', '--template', file, ...extra, '--json'], env);
        assert.equal(r.exitCode, 2, r.stderr);
        assert.match(
          r.json().error.message,
          new RegExp(
            `typo\\.json:${line}: accountOrganization\\.websight \\(did you mean accountOrganization\\.website\\?\\)`,
          ),
        );
      }
      assert.deepEqual(writes(emu, mark), [], 'nothing sent');
    } finally {
      await emu.close();
    }
  });
});

describe('dataflow create --dry-run on an empty org', () => {
  test('plans every resource as create, sends no write, and shows the preview rows as XDM records', async () => {
    const { emu, env, connectionId } = await connected();
    try {
      const mark = emu.exchanges.length;
      const r = await runCli(['dataflow', 'create', '--template', 'contacts', '--dry-run', '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      const { plan, preview } = r.json();
      assert.deepEqual(plan[0], {
        action: 'reuse',
        resource: 'base connection',
        name: 'aep-zoho default',
        id: connectionId,
      });
      // Every resource is created; the new schema is then enabled for Profile, after its identity (ruling 16).
      assert.deepEqual(
        plan.slice(1).map((s: any) => `${s.action} ${s.resource}`),
        [
          'create field group',
          'create schema',
          'create identity descriptor',
          'update schema',
          'create dataset',
          'create source connection',
          'create target connection',
          'create mapping set',
          'create dataflow',
        ],
      );
      const creates = plan.filter((s: any) => s.action === 'create');
      assert.ok(
        creates.every((s: any) => s.request?.method === 'POST' && s.request.path.startsWith('/data/foundation/')),
      );
      const profile = plan.find((s: any) => s.action === 'update');
      assert.deepEqual(profile.changes, [{ field: 'meta:immutableTags', from: [], to: ['union'] }]);
      assert.equal(profile.request.method, 'PATCH');
      assert.deepEqual(profile.request.body, [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }]);
      // Only reads, and Data Prep's read-only endpoints, may be sent.
      assert.deepEqual(
        writes(emu, mark).filter((e) => !/\/mappingSets\/(preview|validate)$/.test(e.path)),
        [],
      );
      const contacts = crmTables().find((t) => t.name === 'Contacts')!;
      assert.equal(preview[0].template, 'contacts');
      const [first] = preview[0].records;
      assert.equal(first.person.name.firstName, contacts.rows[0].First_Name);
      assert.equal(first.personalEmail.address, contacts.rows[0].Email);
      assert.equal(first.personID, contacts.rows[0].id);
      const human = await runCli(['dataflow', 'create', '--template', 'contacts', '--dry-run'], env);
      assert.match(human.stdout, /contacts: the first 3 preview row\(s\) as XDM records/);
      assert.match(human.stdout, /Plan: 8 to create, 1 to update\. Dry run: nothing was sent\./);
    } finally {
      await emu.close();
    }
  });
});

describe('dataflow create after destroy', () => {
  test('a re-run keeps what it reuses marked as ours: destroy still deletes all of it', async () => {
    const { emu, env } = await connected();
    try {
      for (let run = 0; run < 2; run++)
        assert.equal((await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env)).exitCode, 0);
      await runCli(['connect', '--json'], env); // connect again too: the connection stays ours
      const destroyed = await runCli(['destroy', '--yes', '--json'], env);
      assert.equal(destroyed.exitCode, 0, destroyed.stdout + destroyed.stderr);
      const left = { ...emu.state.counts(), runs: 0, mappingSets: 0 };
      assert.deepEqual(
        Object.values(left).reduce((a, b) => a + b, 0),
        0,
        JSON.stringify(left),
      );
    } finally {
      await emu.close();
    }
  });

  test('builds again: a kept mapping set for the deleted schema is not reused', async () => {
    const { emu, env } = await connected();
    try {
      const first = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
      assert.equal(first.exitCode, 0, first.stderr);
      const destroyed = await runCli(['destroy', '--yes', '--json'], env);
      assert.equal(destroyed.exitCode, 0, destroyed.stderr);
      assert.equal(emu.state.mappingSets.size, 1, 'Data Prep cannot delete mapping sets');
      await runCli(['connect', '--json'], env);
      const again = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
      assert.equal(again.exitCode, 0, again.stderr);
      const out = again.json().dataflows[0];
      assert.ok(out.created.includes('mappingSet'));
      assert.notEqual(out.mappingSetId, first.json().dataflows[0].mappingSetId);
      assert.equal(emu.state.mappingSets.get(out.mappingSetId)!.outputSchema.schemaRef.id, out.schemaId);
    } finally {
      await emu.close();
    }
  });
});

describe('dataflow create in an org without the B2B classes', () => {
  test('accounts creates its fallback tenant class and maps every field under the tenant namespace', async () => {
    const emu = await emulator({ hasB2BClasses: false });
    try {
      const env = cliEnv(emu.env, await tempHome());
      assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
      const r = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      const out = r.json().dataflows[0];
      assert.ok(out.created.includes('class'));
      const schema = emu.state.schemas.get(out.schemaId)!;
      const tenantClass = emu.state.classes.all()[0];
      assert.equal(schema['meta:class'], tenantClass.$id);
      assert.match(tenantClass.title, /\(aep-zoho default\/accounts\)$/);
      const tenant = `_${emu.state.tenantId('5C1328435BF324E90A49402A@AdobeOrg')}`;
      const destinations = emu.state.mappingSets
        .get(out.mappingSetId)!
        .mappings.map((m: any) => m.destination as string);
      assert.ok(destinations.length > 10);
      assert.deepEqual(
        destinations.filter((d) => !d.startsWith(`${tenant}.`)),
        [],
      );
      assert.ok(destinations.includes(`${tenant}.accountName`), 'a standard path moved under the tenant');
      // A re-run reuses the class too.
      const again = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
      assert.ok(again.json().dataflows[0].reused.includes('class'));
      assert.equal(emu.state.classes.size, 1);
    } finally {
      await emu.close();
    }
  });
});
