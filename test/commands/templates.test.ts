import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
// templates list|show|validate|init: the built-ins are valid and map real Zoho columns to XDM
// paths the emulated registry knows; every kind of broken template is exit 2 naming the file and
// the JSON path; init writes a starter from explore's columns that validates.
import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findTableByName, sourcePaths } from '../../src/emulator/zoho-crm.js';
import {
  RECORD_BEHAVIOR,
  STANDARD_CLASSES,
  STANDARD_FIELD_GROUPS,
  flattenFields,
} from '../../src/emulator/xdm-classes.js';
import { camelCase, listTemplates, loadTemplate, validateTemplate, xdmPathProblem } from '../../src/template/load.js';
import type { Template } from '../../src/template/types.js';
import { UsageError } from '../../src/core/errors.js';
import { cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';

const BUILT_INS = ['accounts', 'contacts', 'deals', 'leads'];
const env = { PATH: process.env.PATH };

async function contactsCopy(): Promise<any> {
  return structuredClone((await loadTemplate('contacts')).template);
}

/** Writes a template (object or raw text) to a temp file and runs `templates validate --json` on it. */
async function validateFile(
  content: unknown,
): Promise<{ exitCode: number; message: string; hint?: string; file: string; stderr: string }> {
  const file = join(await tempHome(), 'broken.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  const result = await runCli(['templates', 'validate', file, '--json'], env);
  const body = result.exitCode === 0 ? {} : result.json().error;
  return { exitCode: result.exitCode, message: body.message ?? '', hint: body.hint, file, stderr: result.stderr };
}

async function expectInvalid(content: unknown, ...patterns: RegExp[]): Promise<string> {
  const { exitCode, message, file } = await validateFile(content);
  assert.equal(exitCode, 2, message);
  assert.ok(message.startsWith(`${file}: `), `names the file: ${message}`);
  for (const pattern of patterns) assert.match(message, pattern);
  return message;
}

describe('built-in templates', () => {
  test('every built-in loads, validates, and is named after its file', async () => {
    const listed = await listTemplates();
    assert.deepEqual(
      listed.map((t) => t.name),
      BUILT_INS,
    );
    for (const summary of listed) {
      const loaded = await loadTemplate(summary.name.toUpperCase()); // names are case-insensitive
      assert.equal(loaded.builtIn, true);
      assert.equal(loaded.file, summary.file);
      assert.equal(loaded.template.name, summary.name);
      assert.equal(loaded.template.source.deltaColumn, 'Modified_Time');
      assert.deepEqual(loaded.template.schedule, { frequency: 'hour', interval: 1, backfill: true });
      assert.doesNotThrow(() => validateTemplate(loaded.template, loaded.file));
    }
  });

  test("map real Zoho columns to XDM paths that the emulated registry's class and field groups define", async () => {
    const standard = [...STANDARD_CLASSES, ...STANDARD_FIELD_GROUPS];
    for (const name of BUILT_INS) {
      const { template } = await loadTemplate(name);
      const table = findTableByName(template.source.table);
      assert.ok(table, `${name}: table ${template.source.table} exists in the synthetic CRM`);
      const columns = new Set(sourcePaths(table));
      assert.ok(columns.has(template.source.deltaColumn));
      const fields = new Set<string>();
      for (const id of [template.target.schema.class, ...(template.target.schema.fieldGroups ?? [])]) {
        const resource = standard.find((r) => r.$id === id);
        assert.ok(resource, `${name}: ${id} is a standard class or field group`);
        for (const path of flattenFields(resource.fields).keys()) fields.add(path);
      }
      for (const mapping of template.mappings) {
        for (const column of mapping.source ? [mapping.source] : (mapping.columns ?? []))
          assert.ok(columns.has(column), `${name}: column ${column}`);
        if (mapping.destination.startsWith('_{TENANT_ID}.'))
          assert.match(
            mapping.destination,
            new RegExp(`^_\\{TENANT_ID\\}\\.zoho\\.${camelCase(template.source.table)}\\.`),
          );
        else
          assert.ok(
            fields.has(mapping.destination),
            `${name}: ${mapping.destination} is a field of the schema's class or field groups`,
          );
      }
    }
  });

  test('identity on contacts and leads (Email, primary), none on accounts and deals; B2B classes carry a fallback', async () => {
    for (const name of ['contacts', 'leads']) {
      const { template } = await loadTemplate(name);
      assert.deepEqual(template.identity, {
        source: 'Email',
        destination: 'personalEmail.address',
        namespace: 'Email',
        primary: true,
      });
      assert.equal(template.target.schema.class, 'https://ns.adobe.com/xdm/context/profile');
      assert.ok(
        template.mappings.some((m) => m.expression && m.columns?.length),
        'a calculated field with its columns',
      );
    }
    for (const [name, cls] of [
      ['accounts', 'https://ns.adobe.com/xdm/context/account'],
      ['deals', 'https://ns.adobe.com/xdm/context/opportunity'],
    ]) {
      const { template } = await loadTemplate(name);
      assert.equal(template.identity, undefined);
      assert.equal(template.target.schema.class, cls);
      assert.equal(template.target.schema.fallbackClass?.behavior, 'record');
    }
  });
});

describe('templates list / show / validate', () => {
  test('list: name, table, description and file of each built-in', async () => {
    const result = await runCli(['templates', 'list', '--json'], env);
    assert.equal(result.exitCode, 0, result.stderr);
    const { templates } = result.json();
    assert.deepEqual(
      templates.map((t: any) => [t.name, t.table]),
      [
        ['accounts', 'Accounts'],
        ['contacts', 'Contacts'],
        ['deals', 'Deals'],
        ['leads', 'Leads'],
      ],
    );
    for (const t of templates) {
      assert.ok(t.description.length > 10);
      assert.match(t.file, /templates[\\/][a-z]+\.json$/);
    }
    const human = await runCli(['templates', 'list'], env);
    assert.equal(human.exitCode, 0);
    assert.match(human.stdout, /^accounts\s+Accounts\s+templates[\\/]accounts\.json$/m);
    assert.match(
      human.stderr,
      /dataflow create --template <name>/,
      'the closing note is not data: on stderr when piped',
    );
  });

  test('show: the template object with --json, and the same JSON without it (any case)', async () => {
    const json = await runCli(['templates', 'show', 'Contacts', '--json'], env);
    assert.equal(json.exitCode, 0, json.stderr);
    const expected = JSON.parse(await readFile((await loadTemplate('contacts')).file, 'utf8'));
    // The schema by absolute file URL, so a copy saved outside the repo still resolves it.
    expected.$schema = pathToFileURL(
      fileURLToPath(new URL('../../templates/template.schema.json', import.meta.url)),
    ).href;
    assert.deepEqual(json.json(), expected);
    assert.ok(existsSync(new URL(json.json().$schema)));
    const human = await runCli(['templates', 'show', 'contacts'], env);
    assert.deepEqual(JSON.parse(human.stdout), expected, 'human output is plain JSON too (redirectable into a file)');
    assert.match(
      human.stdout,
      /^ {4}\{ "source": "Email", "destination": "personalEmail\.address" \},$/m,
      'one line per mapping',
    );
  });

  test('validate: a valid file and a built-in name', async () => {
    const copy = await contactsCopy();
    copy.name = 'my-contacts';
    const { exitCode, file } = await validateFile(copy);
    assert.equal(exitCode, 0);
    const result = await runCli(['templates', 'validate', file, '--json'], env);
    assert.deepEqual(result.json(), {
      valid: true,
      name: 'my-contacts',
      file,
      table: 'Contacts',
      mappings: copy.mappings.length,
      checked: 'offline',
      offlineReason: 'no Adobe credentials',
      destinations: { checked: [copy.target.schema.class, ...copy.target.schema.fieldGroups], needsOrg: [] },
    });
    const human = await runCli(['templates', 'validate', file], env);
    assert.match(human.stdout, /^Valid: .*broken\.json — template 'my-contacts', table Contacts, \d+ mappings\.$/m);
    const builtIn = await runCli(['templates', 'validate', 'deals', '--json'], env);
    assert.equal(builtIn.json().valid, true);
  });
});

describe('rejected templates: exit 2, the file and the JSON path', () => {
  test('invalid JSON names the line and column', async () => {
    const text = '{\n  "name": "x",\n  "description": "y"\n  "source": {}\n}\n';
    const message = await expectInvalid(text, /invalid JSON at line 4, column 3/);
    assert.doesNotMatch(message, /position/);
    await expectInvalid('{\n  "name": ', /invalid JSON at line 2, column 11: unexpected end of file/);
    await expectInvalid('{\n  "name": "x",\n}', /invalid JSON at line 3, column 1: /);
  });

  test('a wrong type', async () => {
    const copy = await contactsCopy();
    copy.mappings[3].destination = 42;
    copy.schedule.interval = '1';
    await expectInvalid(
      copy,
      /\/mappings\/3\/destination must be a string \(got integer\)/,
      /\/schedule\/interval must be an integer \(got string\)/,
      /2 problems: /,
    );
  });

  test('an unknown property, with the property it probably meant', async () => {
    const copy = await contactsCopy();
    copy.target.schema.fieldgroups = copy.target.schema.fieldGroups;
    delete copy.target.schema.fieldGroups;
    copy.mappings[0].destinaton = 'x';
    await expectInvalid(
      copy,
      /\/target\/schema\/fieldgroups is not a known property \(did you mean 'fieldGroups'\?\)/,
      /\/mappings\/0\/destinaton is not a known property \(did you mean 'destination'\?\)/,
    );
  });

  test('a missing required property and a bad enum value', async () => {
    const copy = await contactsCopy();
    delete copy.source.deltaColumn;
    copy.schedule.frequency = 'hourly';
    await expectInvalid(
      copy,
      /\/source\/deltaColumn is required but missing/,
      /\/schedule\/frequency must be one of "once", "minute", "hour", "day", "week" \(got "hourly"\)/,
    );
  });

  test('a duplicate destination', async () => {
    const copy = await contactsCopy();
    copy.mappings.push({ source: 'Secondary_Email', destination: 'personalEmail.address' });
    const index = copy.mappings.length - 1;
    await expectInvalid(
      copy,
      new RegExp(`/mappings/${index}/destination "personalEmail\\.address" is already the destination of /mappings/5`),
    );
  });

  test('bad XDM paths: syntax, a literal tenant namespace, a field that is also an object', async () => {
    const copy = await contactsCopy();
    copy.mappings[2].destination = 'person..name';
    await expectInvalid(
      copy,
      /\/mappings\/2\/destination must be a dotted XDM path of identifiers/,
      /got "person\.\.name"/,
    );
    const tenant = await contactsCopy();
    tenant.mappings[16].destination = '_acme.zoho.contacts.title';
    await expectInvalid(
      tenant,
      /\/mappings\/16\/destination starts with the tenant namespace '_acme': write _\{TENANT_ID\} instead/,
    );
    const clash = await contactsCopy();
    clash.mappings.push({ source: 'Title', destination: 'person.name' });
    await expectInvalid(
      clash,
      /\/mappings\/\d+\/destination "person\.name" is a field, but \/mappings\/1\/destination "person\.name\.courtesyTitle" makes it an object/,
    );
  });

  test('a mapping needs exactly one of source and expression; the identity must be mapped', async () => {
    const copy = await contactsCopy();
    copy.mappings[1].expression = 'upper(Salutation)';
    delete copy.mappings[2].source;
    copy.identity.destination = 'workEmail.address';
    await expectInvalid(
      copy,
      /\/mappings\/1 must have exactly one of "source" \(a column\) or "expression" \(a calculated field\), not both/,
      /\/mappings\/2 must have exactly one of .* not neither/,
      /\/identity\/destination "workEmail\.address" is not the destination of any mapping/,
    );
  });

  test('bad schedules: minute under 15, an interval with once, no interval otherwise', async () => {
    const minute = await contactsCopy();
    minute.schedule = { frequency: 'minute', interval: 5 };
    await expectInvalid(minute, /\/schedule\/interval must be at least 15 when frequency is "minute" \(got 5\)/);
    const once = await contactsCopy();
    once.schedule = { frequency: 'once', interval: 1 };
    await expectInvalid(once, /\/schedule\/interval is not allowed when frequency is "once"/);
    const day = await contactsCopy();
    day.schedule = { frequency: 'day', interval: 0 };
    await expectInvalid(day, /\/schedule\/interval must be at least 1 \(got 0\)/);
    const none = await contactsCopy();
    none.schedule = { frequency: 'week' };
    await expectInvalid(none, /\/schedule\/interval is required but missing/);
    assert.equal((await validateFile({ ...(await contactsCopy()), schedule: { frequency: 'once' } })).exitCode, 0);
    assert.equal(
      (await validateFile({ ...(await contactsCopy()), schedule: { frequency: 'minute', interval: 15 } })).exitCode,
      0,
    );
  });

  test('an unknown name suggests the closest built-in; a missing file is named', async () => {
    const result = await runCli(['templates', 'show', 'contcts', '--json'], env);
    assert.equal(result.exitCode, 2);
    const { error } = result.json();
    assert.match(error.message, /Unknown template 'contcts'/);
    assert.match(error.hint, /Did you mean 'contacts'\?/);
    assert.match(error.hint, /accounts, contacts, deals, leads/);
    const missing = await runCli(['templates', 'validate', './no-such-template.json'], env);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /Template file '\.\/no-such-template\.json' does not exist/);
  });

  test('the human form prints the message and a hint on stderr', async () => {
    const copy = await contactsCopy();
    copy.mappings[0].destination = 'a b';
    const { file } = await validateFile(copy);
    const { exitCode, stderr } = await runCli(['templates', 'validate', file], env);
    assert.equal(exitCode, 2);
    assert.match(stderr, /^Error: .*broken\.json: \/mappings\/0\/destination must be a dotted XDM path/m);
    assert.match(stderr, /^Hint: The template format is described in .*template\.schema\.json/m);
  });

  test('loadTemplate and validateTemplate throw UsageError (exit 2)', async () => {
    await assert.rejects(loadTemplate('nope'), (error: unknown) => error instanceof UsageError && error.exitCode === 2);
    assert.throws(
      () => validateTemplate({}, 'x.json'),
      (error: unknown) =>
        error instanceof UsageError && /^x\.json: \d+ problems: \/name is required/.test(error.message),
    );
    assert.equal(
      xdmPathProblem('_{TENANT_ID}'),
      'must name a field under _{TENANT_ID}, e.g. "_{TENANT_ID}.zoho.<module>.<field>"',
    );
    assert.equal(xdmPathProblem('_id'), undefined);
    assert.equal(camelCase('SIC_Code'), 'sicCode');
    assert.equal(camelCase('No_of_Employees'), 'noOfEmployees');
  });
});

describe('templates init', () => {
  let emu: Emulator & { env: Record<string, string> };
  let cli: Record<string, string | undefined>;
  before(async () => {
    emu = await emulator();
    cli = cliEnv(emu.env, await tempHome());
    const connect = await runCli(['connect', '--json'], cli);
    assert.equal(connect.exitCode, 0, connect.stderr);
  });
  after(() => emu.close());

  test('writes a starter from the explored columns that validates; refuses to overwrite without --force', async () => {
    const file = join(await tempHome(), 'nested', 'subs.json');
    const result = await runCli(['templates', 'init', '--table', 'subscriptions', '--output', file, '--json'], cli);
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.json();
    assert.equal(out.file, file);
    assert.equal(out.name, 'subscriptions');
    assert.equal(out.table, 'Subscriptions');
    assert.equal(out.deltaColumn, 'Modified_Time');
    assert.equal(out.overwritten, false);

    const written = JSON.parse(await readFile(file, 'utf8')) as Template;
    assert.deepEqual(written, out.template);
    assert.equal(written.source.table, 'Subscriptions');
    assert.deepEqual(written.schedule, { frequency: 'hour', interval: 1, backfill: true });
    const bySource = new Map(written.mappings.map((m) => [m.source, m.destination]));
    assert.equal(bySource.get('id'), '_{TENANT_ID}.zoho.subscriptions.id');
    assert.equal(bySource.get('Monthly_Fee'), '_{TENANT_ID}.zoho.subscriptions.monthlyFee');
    assert.equal(bySource.get('Account.id'), '_{TENANT_ID}.zoho.subscriptions.account.id');
    assert.equal(bySource.get('Account.name'), '_{TENANT_ID}.zoho.subscriptions.account.name');
    assert.equal(bySource.get('Owner.id'), '_{TENANT_ID}.zoho.subscriptions.owner.id');
    assert.ok(!bySource.has('Account') && !bySource.has('Owner.email'), 'lookups only through .id and .name');
    // Every column of the table is mapped.
    const table = findTableByName('Subscriptions')!;
    for (const column of table.columns)
      assert.ok(
        written.mappings.some((m) => m.source === column.name || m.source?.startsWith(`${column.name}.`)),
        column.name,
      );

    const validate = await runCli(['templates', 'validate', file, '--json'], cli);
    assert.equal(validate.exitCode, 0, validate.stdout);
    assert.equal(validate.json().valid, true);

    const again = await runCli(['templates', 'init', '--table', 'Subscriptions', '--output', file, '--json'], cli);
    assert.equal(again.exitCode, 2);
    assert.match(again.json().error.message, /already exists/);
    assert.match(again.json().error.hint, /--force/);

    const forced = await runCli(
      ['templates', 'init', '--table', 'crm/v2/Subscriptions', '--output', file, '--force'],
      cli,
    );
    assert.equal(forced.exitCode, 0, forced.stderr);
    assert.match(forced.stdout, /^Replaced .*subs\.json: template 'subscriptions' for Subscriptions, \d+ mappings/m);
  });

  test("the class follows the module, through the binary: people are Profiles, Accounts and Deals the built-ins' B2B classes, the rest a tenant record class", async () => {
    const dir = await tempHome();
    const init = async (table: string): Promise<Template> => {
      const file = join(dir, `${table}.json`);
      const result = await spawnCli(['templates', 'init', '--table', table, '--output', file, '--json'], cli);
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      return JSON.parse(await readFile(file, 'utf8')) as Template;
    };
    for (const table of ['Contacts', 'Leads']) {
      const { schema } = (await init(table)).target;
      assert.equal(schema.class, 'https://ns.adobe.com/xdm/context/profile', table);
      assert.equal(schema.fallbackClass, undefined, table);
    }
    for (const [table, builtIn] of [
      ['Accounts', 'accounts'],
      ['Deals', 'deals'],
    ]) {
      const { schema } = (await init(table)).target;
      const expected = (await loadTemplate(builtIn)).template.target.schema;
      assert.deepEqual(
        { class: schema.class, fallbackClass: schema.fallbackClass },
        { class: expected.class, fallbackClass: expected.fallbackClass },
        table,
      );
    }
    for (const [table, title] of [
      ['Products', 'Zoho CRM Product'],
      ['Subscriptions', 'Zoho CRM Subscription'],
    ]) {
      const file = join(dir, `${table}.json`);
      const { schema } = (await init(table)).target;
      assert.equal(schema.class, RECORD_BEHAVIOR, table);
      assert.equal(schema.fallbackClass?.behavior, 'record', table);
      assert.equal(schema.fallbackClass?.title, title);
      assert.notEqual(schema.fallbackClass?.title, schema.title, 'the class is not named like the schema');

      const validate = await spawnCli(['templates', 'validate', file, '--json'], cli);
      assert.equal(validate.exitCode, 0, validate.stdout);
      assert.deepEqual([validate.json().valid, validate.json().checked], [true, 'online']);
      const dry = await spawnCli(['dataflow', 'create', '--template', file, '--dry-run', '--json'], cli);
      assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
      const plan = dry.json().plan as { action: string; resource: string; name: string; request?: { body?: any } }[];
      const made = plan.find((step) => step.resource === 'class');
      assert.equal(made?.action, 'create', `${table}: the tenant class is planned`);
      assert.match(made!.name, new RegExp(`^${title} `));
      assert.deepEqual(made!.request?.body?.allOf, [{ $ref: RECORD_BEHAVIOR }]);
      const schemaStep = plan.find((step) => step.resource === 'schema')!;
      assert.notEqual(
        schemaStep.request?.body?.['meta:class'],
        RECORD_BEHAVIOR,
        'the schema is of the tenant class, not the behaviour',
      );
    }

    const human = await spawnCli(
      ['templates', 'init', '--table', 'Products', '--output', join(dir, 'Products.json'), '--force'],
      cli,
    );
    assert.equal(human.exitCode, 0, human.stderr);
    assert.match(
      human.stderr,
      /Next: the schema gets its own class 'Zoho CRM Product' \(record behavior\), every field under _\{TENANT_ID\}/,
    );

    // And it is made: a tenant class with record behaviour, the schema of that class, a dataflow.
    const created = await spawnCli(['dataflow', 'create', '--template', join(dir, 'Products.json'), '--json'], cli);
    assert.equal(created.exitCode, 0, created.stdout + created.stderr);
    const schema = emu.state.schemas.get(created.json().dataflows[0].schemaId)!;
    const tenantClass = emu.state.classes.all().find((c) => c.$id === schema['meta:class'])!;
    assert.match(tenantClass.title, /^Zoho CRM Product /);
    assert.deepEqual(
      tenantClass.allOf.map((part: { $ref: string }) => part.$ref),
      [RECORD_BEHAVIOR],
    );
    assert.ok(emu.state.flows.get(created.json().dataflows[0].flowId));
  });

  test('a template whose class is the record behaviour needs a fallbackClass (exit 2)', async () => {
    const template = await contactsCopy();
    template.target.schema.class = RECORD_BEHAVIOR;
    await expectInvalid(template, /\/target\/schema\/fallbackClass is required/);
  });

  test('an unknown table is exit 2 with a suggestion', async () => {
    const file = join(await tempHome(), 'x.json');
    const result = await runCli(['templates', 'init', '--table', 'Contacs', '--output', file, '--json'], cli);
    assert.equal(result.exitCode, 2);
    assert.match(result.json().error.hint, /Contacts/);
  });
});

describe("destinations checked offline against Adobe's XDM library (data/xdm-standard.json)", () => {
  test('a misspelt standard destination: exit 2 with its JSON path, line and the closest field', async () => {
    const copy = structuredClone((await loadTemplate('accounts')).template) as any;
    const index = copy.mappings.findIndex((m: any) => m.destination === 'accountOrganization.industry');
    copy.mappings[index].destination = 'accountOrganisation.industry';
    const message = await expectInvalid(
      copy,
      new RegExp(`/mappings/${index}/destination \\(line \\d+\\): accountOrganisation\\.industry is in neither`),
      /did you mean accountOrganization\.industry\?/,
    );
    assert.match(message, /https:\/\/ns\.adobe\.com\/xdm\/context\/account/);
  });

  test('a field group meant for another class: exit 2 naming it', async () => {
    const copy = structuredClone((await loadTemplate('deals')).template) as any;
    copy.target.schema.fieldGroups.push('https://ns.adobe.com/xdm/mixins/account-details');
    await expectInvalid(
      copy,
      /\/target\/schema\/fieldGroups: https:\/\/ns\.adobe\.com\/xdm\/mixins\/account-details does not extend https:\/\/ns\.adobe\.com\/xdm\/context\/opportunity/,
    );
  });

  test('an ExperienceEvent field group on a Profile schema: exit 2 naming it', async () => {
    const copy = await contactsCopy();
    copy.target.schema.fieldGroups.push('https://ns.adobe.com/xdm/context/experienceevent-environment-details');
    await expectInvalid(
      copy,
      /experienceevent-environment-details does not extend https:\/\/ns\.adobe\.com\/xdm\/context\/profile/,
    );
  });

  test("a class or field group of the org's own: valid offline, and says those destinations need the org", async () => {
    const copy = structuredClone((await loadTemplate('accounts')).template) as any;
    copy.target.schema.fieldGroups.push('https://ns.adobe.com/acme/mixins/0123456789abcdef');
    copy.mappings.push({ source: 'Rating', destination: 'acmeRating' });
    const { exitCode, file } = await validateFile(copy);
    assert.equal(exitCode, 0);
    const json = (await runCli(['templates', 'validate', file, '--json'], env)).json();
    assert.deepEqual(json.destinations.needsOrg, ['https://ns.adobe.com/acme/mixins/0123456789abcdef']);
    const human = await runCli(['templates', 'validate', file], env);
    assert.match(
      human.stderr,
      /Destinations need the org: https:\/\/ns\.adobe\.com\/acme\/mixins\/0123456789abcdef is not in/,
    );
    assert.match(human.stderr, /dataflow create --template [^ ]+ --dry-run' checks them/);
  });

  test("every field the emulator's Schema Registry offers is a real XDM field (the bundle is the source)", async () => {
    const bundle = JSON.parse(await readFile(new URL('../../data/xdm-standard.json', import.meta.url), 'utf8'));
    const invented: string[] = [];
    for (const resource of [...STANDARD_CLASSES, ...STANDARD_FIELD_GROUPS]) {
      const real = (resource.kind === 'classes' ? bundle.classes : bundle.fieldGroups)[resource.$id];
      if (!real) {
        invented.push(resource.$id);
        continue;
      }
      for (const path of flattenFields(resource.fields).keys())
        if (!(path in real.paths)) invented.push(`${resource.$id} ${path}`);
    }
    assert.deepEqual(invented, []);
  });
});
