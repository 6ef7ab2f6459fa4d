// desire and plan are pure: these tests send no request. An "actual" here is what Adobe would
// answer after a converged apply (ids filled in, schedule values as strings, mappings stored as
// media types), so each test edits one thing and checks exactly what the plan does about it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { desireTemplate, type TemplateFacts } from '../../src/converge/desire.js';
import { plan, resolveRefs } from '../../src/converge/plan.js';
import { Ref, type Actual, type Desired, type Step } from '../../src/converge/types.js';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import { PATHS } from '../../src/paths/index.js';
import type { Template } from '../../src/template/types.js';

const load = (name: string): Template =>
  JSON.parse(readFileSync(new URL(`../../templates/${name}.json`, import.meta.url), 'utf8'));
const table = (name: string) => crmTables().find((t) => t.name === name)!;

function facts(template: Template, overrides: Partial<TemplateFacts> = {}): TemplateFacts {
  const t = table(template.source.table);
  const have = new Set(t.columns.map((c) => c.name));
  return {
    profile: 'default',
    tenantId: 'acme',
    fallback: false,
    table: { name: t.name, path: t.path },
    tableNames: Object.fromEntries(crmTables().map((x) => [x.path, x.name])),
    columns: t.columns as never,
    mappings: template.mappings.filter((m) => !m.source || have.has(m.source.split('.')[0])),
    schedule: {
      frequency: template.schedule.frequency,
      interval: template.schedule.interval,
      backfill: template.schedule.backfill,
      startTime: 1_800_000_000,
    },
    explicitStart: false,
    flowSpecId: 'crm-spec',
    path: PATHS['zoho-source'],
    ...overrides,
  };
}

/** What Adobe holds after a converged apply of these desired resources. */
function converged(desired: Desired[]): Map<string, Actual> {
  const ids = new Map(desired.map((d) => [d.key, `id-of-${d.key}`]));
  const actual = new Map<string, Actual>();
  for (const d of desired) {
    const body = resolveRefs(d.body, (ref: Ref) => (ref.field === 'id' ? ids.get(ref.key) : '0')) as Record<
      string,
      any
    >;
    const resource: Record<string, any> = { ...body, id: ids.get(d.key) };
    if (d.kind === 'flow')
      resource.scheduleParams = Object.fromEntries(Object.entries(body.scheduleParams).map(([k, v]) => [k, String(v)]));
    if (d.kind === 'mappingSet') {
      resource.version = 0;
      resource.mappings = body.mappings.map((m: any) => ({
        sourceType: m.sourceType === 'EXPRESSION' ? 'text/x.aep-xl' : 'text/x.schema-path',
        source: m.source,
        sourceAttribute: m.source,
        destination: m.destination,
        destinationXdmPath: m.destination,
      }));
    }
    if (d.kind === 'schema' && desired.some((x) => x.kind === 'dataset' && x.facts?.profileEnabled))
      resource['meta:immutableTags'] = ['union'];
    actual.set(d.key, { id: ids.get(d.key)!, name: d.name, etag: '"e1"', resource });
  }
  return actual;
}

const TODAY = '2026-12-01';
const byKey = (steps: Step[]) => new Map(steps.map((s) => [s.key, s]));
const actions = (steps: Step[]) => steps.filter((s) => s.action !== 'reuse').map((s) => `${s.action} ${s.key}`);

describe('plan against what a converged apply left', () => {
  for (const name of ['accounts', 'contacts', 'leads', 'deals']) {
    test(`${name}: nothing to do (Adobe's strings for numbers and booleans compare equal)`, () => {
      const template = load(name);
      const desired = desireTemplate(template, facts(template), 'conn-1');
      const steps = plan({ desired, actual: converged(desired), today: TODAY });
      assert.deepEqual(actions(steps), []);
      assert.ok(steps.every((s) => s.requests.length === 0));
    });
  }

  test('an empty org: every resource is a create, with Refs for ids made in the same run', () => {
    const template = load('contacts');
    const steps = plan({
      desired: desireTemplate(template, facts(template), 'conn-1'),
      actual: new Map(),
      today: TODAY,
    });
    assert.deepEqual(actions(steps), [
      'create contacts/fieldGroup',
      'create contacts/schema',
      'create contacts/descriptor',
      'create contacts/dataset',
      'update contacts/schema#profile',
      'create contacts/sourceConnection',
      'create contacts/targetConnection',
      'create contacts/mappingSet',
      'create contacts/flow',
    ]);
    const flow = byKey(steps).get('contacts/flow')!;
    const body = flow.requests[0].body as any;
    assert.ok(body.sourceConnectionIds[0] instanceof Ref);
    assert.equal(
      JSON.stringify(body.transformations[1].params),
      '{"mappingId":"<new contacts/mappingSet id>","mappingVersion":"<next contacts/mappingSet version>"}',
    );
    // The dataset waits for Profile, which waits for the primary identity (ruling 16).
    assert.deepEqual(byKey(steps).get('contacts/schema#profile')!.dependsOn, [
      'contacts/schema',
      'contacts/descriptor',
    ]);
    assert.ok(byKey(steps).get('contacts/dataset')!.dependsOn.includes('contacts/schema#profile'));
    // Ruling 17: only the delta column's name.
    assert.deepEqual(body.transformations[0].params.deltaColumn, { name: 'Modified_Time' });
  });
});

describe('template edits', () => {
  const template = load('accounts');
  const before = desireTemplate(template, facts(template), 'conn-1');
  const actual = converged(before);

  test('a mapping added to a new tenant field, one dropped, the schedule to daily: in place, with field-level changes', () => {
    const edited: Template = structuredClone(template);
    edited.mappings = edited.mappings.filter((m) => m.source !== 'Fax');
    edited.mappings.push({ source: 'Description', destination: '_{TENANT_ID}.zoho.accounts.notes' });
    const schedule = { frequency: 'day' as const, interval: 1, backfill: true, startTime: 1_900_000_000 };
    const steps = byKey(
      plan({ desired: desireTemplate(edited, facts(edited, { schedule }), 'conn-1'), actual, today: TODAY }),
    );
    assert.deepEqual(actions([...steps.values()]), [
      'update accounts/fieldGroup',
      'update accounts/mappingSet',
      'update accounts/flow',
    ]);

    const fieldGroup = steps.get('accounts/fieldGroup')!;
    assert.deepEqual(
      fieldGroup.requests.map((r) => [r.method, r.path]),
      [
        [
          'PATCH',
          `/data/foundation/schemaregistry/tenant/fieldgroups/${encodeURIComponent('id-of-accounts/fieldGroup')}`,
        ],
      ],
    );
    assert.deepEqual(fieldGroup.requests[0].body, [
      {
        op: 'add',
        path: '/definitions/zoho/properties/_acme/properties/zoho/properties/accounts/properties/notes',
        value: { title: 'Description', type: 'string' },
      },
    ]);

    const mapping = steps.get('accounts/mappingSet')!;
    assert.equal(mapping.requests[0].method, 'PUT');
    assert.deepEqual(mapping.changes, [
      { field: 'mappings', to: 'ATTRIBUTE Description → _acme.zoho.accounts.notes' },
      { field: 'mappings', from: 'ATTRIBUTE Fax → accountFax.number' },
    ]);

    const flow = steps.get('accounts/flow')!;
    assert.equal(flow.requests[0].headers?.['if-match'], '"e1"');
    assert.deepEqual(
      flow.changes?.map((c) => c.field),
      ['transformations.Mapping', 'scheduleParams.frequency'],
    );
    const ops = flow.requests[0].body as any[];
    // The Mapping transformation by its index (1), never index 0 (Copy); the version the PUT returns.
    assert.equal(ops[0].path, '/transformations/1');
    assert.ok(ops[0].value.params.mappingVersion instanceof Ref);
    assert.deepEqual(ops[1], { op: 'replace', path: '/scheduleParams/frequency', value: 'day' });
    // The start time is never sent unless --start asks for it.
    assert.ok(!ops.some((op) => op.path.includes('startTime')));
  });

  test('another class and no tenant mapping left: the old field group stays out of the new schema (it extends the old class)', () => {
    const deals = load('deals');
    const edited: Template = {
      ...template,
      source: deals.source,
      target: {
        ...template.target,
        schema: { ...template.target.schema, ...deals.target.schema, title: template.target.schema.title },
      },
      mappings: deals.mappings.filter((m) => !m.destination.startsWith('_{TENANT_ID}')),
    };
    const steps = byKey(plan({ desired: desireTemplate(edited, facts(edited), 'conn-1'), actual, today: TODAY }));
    const schema = steps.get('accounts/schema')!;
    assert.equal(schema.action, 'replace');
    const body = schema.requests.at(-1)!.body as { allOf: Array<{ $ref: unknown }> };
    assert.ok(!body.allOf.some((e) => e.$ref === 'id-of-accounts/fieldGroup'), JSON.stringify(body.allOf));
  });

  test('a dropped tenant mapping leaves the field in the field group, and says so', () => {
    const edited: Template = structuredClone(template);
    edited.mappings = edited.mappings.filter((m) => m.source !== 'Rating');
    const steps = byKey(plan({ desired: desireTemplate(edited, facts(edited), 'conn-1'), actual, today: TODAY }));
    const fieldGroup = steps.get('accounts/fieldGroup')!;
    assert.equal(fieldGroup.action, 'reuse');
    assert.match(fieldGroup.notes![0], /_acme\.zoho\.accounts\.rating stays in the field group/);
    assert.equal(steps.get('accounts/mappingSet')!.action, 'update');
  });

  test('another table forces a new source connection, target connection and flow; the old ones are retired after it', () => {
    const edited: Template = structuredClone(template);
    edited.source.table = 'Products';
    const products = table('Products');
    const steps = byKey(
      plan({
        desired: desireTemplate(
          edited,
          facts(edited, { table: { name: products.name, path: products.path } }),
          'conn-1',
        ),
        actual,
        today: TODAY,
      }),
    );
    const source = steps.get('accounts/sourceConnection')!;
    assert.equal(source.action, 'replace');
    assert.equal(source.reason, 'forces replacement: source.table Accounts → Products');
    const flow = steps.get('accounts/flow')!;
    assert.equal(flow.action, 'replace');
    assert.match(flow.reason!, /forces replacement: source connection/);
    // The old flow is disabled before the new one is created (it starts enabled), deleted after it.
    const shown = (r: { method: string; path: string; query?: Record<string, unknown> }) =>
      `${r.method} ${r.path}${r.query?.op ? `?op=${r.query.op}` : ''}`;
    assert.deepEqual(flow.requests.map(shown), [
      'POST /data/foundation/flowservice/flows/id-of-accounts/flow/action?op=disable',
      'POST /data/foundation/flowservice/flows',
    ]);
    assert.deepEqual(flow.retire!.requests.map(shown), [
      'DELETE /data/foundation/flowservice/flows/id-of-accounts/flow',
    ]);
    assert.deepEqual(source.retire!.after, ['accounts/flow', 'accounts/flow#retire']);
    // A new flow, a new pair of connections (update-dataflows.md): the dataset stays.
    const target = steps.get('accounts/targetConnection')!;
    assert.equal(target.action, 'replace');
    assert.match(target.reason!, /new pair of source and target connections/);
    assert.deepEqual(target.retire!.after, ['accounts/flow', 'accounts/flow#retire']);
    assert.equal(steps.get('accounts/dataset')!.action, 'reuse');
  });

  test('another delta column replaces the flow and its pair of connections only', () => {
    const edited: Template = structuredClone(template);
    edited.source.deltaColumn = 'Created_Time';
    const steps = plan({ desired: desireTemplate(edited, facts(edited), 'conn-1'), actual, today: TODAY });
    assert.deepEqual(actions(steps), [
      'replace accounts/sourceConnection',
      'replace accounts/targetConnection',
      'replace accounts/flow',
    ]);
    assert.equal(
      byKey(steps).get('accounts/flow')!.reason,
      'forces replacement: source.deltaColumn Modified_Time → Created_Time',
    );
  });

  test('a source connection the old flow does not use (left by a run that stopped) is taken, not replaced', () => {
    const edited: Template = structuredClone(template);
    edited.source.deltaColumn = 'Created_Time';
    const stopped = new Map(actual);
    const flow = structuredClone(stopped.get('accounts/flow')!);
    flow.resource.sourceConnectionIds = ['the-old-source'];
    stopped.set('accounts/flow', flow);
    const steps = plan({ desired: desireTemplate(edited, facts(edited), 'conn-1'), actual: stopped, today: TODAY });
    assert.deepEqual(actions(steps), ['replace accounts/targetConnection', 'replace accounts/flow']);
    const body = byKey(steps).get('accounts/flow')!.requests.at(-1)!.body as any;
    assert.deepEqual(body.sourceConnectionIds, ['id-of-accounts/sourceConnection']);
  });

  test('a retyped tenant field forces a new field group, schema and everything on them', () => {
    const edited: Template = structuredClone(template);
    edited.mappings = edited.mappings.map((m) => (m.source === 'Rating' ? { ...m, source: 'Employees' } : m));
    const steps = plan({ desired: desireTemplate(edited, facts(edited), 'conn-1'), actual, today: TODAY });
    const fieldGroup = byKey(steps).get('accounts/fieldGroup')!;
    assert.equal(fieldGroup.action, 'replace');
    assert.match(fieldGroup.reason!, /retyped field zoho\.accounts\.rating \(string → integer\)/);
    // Titles are unique: the old one is renamed aside first, then kept (its dataset holds data).
    assert.deepEqual(fieldGroup.requests[0].body, [
      { op: 'replace', path: '/title', value: `${fieldGroup.name} (replaced ${TODAY})` },
    ]);
    assert.deepEqual(
      actions(steps).map((a) => a.split(' ')[0]),
      ['replace', 'replace', 'replace', 'replace', 'replace', 'replace', 'replace'],
    );
  });

  test('drift: a flow renamed and rescheduled in the UI is put back', () => {
    const drifted = new Map(actual);
    const flow = structuredClone(drifted.get('accounts/flow')!);
    flow.resource.name = 'renamed in the UI';
    flow.resource.scheduleParams.interval = '6';
    drifted.set('accounts/flow', flow);
    const step = byKey(plan({ desired: before, actual: drifted, today: TODAY })).get('accounts/flow')!;
    assert.equal(step.action, 'update');
    assert.deepEqual(step.changes, [
      { field: 'name', from: 'renamed in the UI', to: before.find((d) => d.kind === 'flow')!.name },
      { field: 'scheduleParams.interval', from: '6', to: '1' },
    ]);
  });

  test('a second resource with our name is reported on the step, never used', () => {
    const twice = new Map(actual);
    twice.set('accounts/flow', { ...twice.get('accounts/flow')!, duplicates: ['other-flow'] });
    const step = byKey(plan({ desired: before, actual: twice, today: TODAY })).get('accounts/flow')!;
    assert.equal(step.action, 'reuse');
    assert.equal(step.id, 'id-of-accounts/flow');
    assert.deepEqual(step.duplicates, ['other-flow']);
  });

  test('a flow made with a dateFormat, and a template without one: no replace', () => {
    const made = new Map(actual);
    const flow = structuredClone(made.get('accounts/flow')!);
    flow.resource.transformations[0].params.deltaColumn = {
      name: 'Modified_Time',
      dateFormat: 'YYYY-MM-DD',
      timezone: 'UTC',
    };
    made.set('accounts/flow', flow);
    assert.equal(byKey(plan({ desired: before, actual: made, today: TODAY })).get('accounts/flow')!.action, 'reuse');
  });

  test('the first tenant field of a template without any: the new field group is added to the schema in place', () => {
    const plain: Template = structuredClone(template);
    plain.mappings = plain.mappings.filter((m) => !m.destination.startsWith('_{TENANT_ID}'));
    const desiredPlain = desireTemplate(plain, facts(plain), 'conn-1');
    const steps = byKey(plan({ desired: before, actual: converged(desiredPlain), today: TODAY }));
    assert.equal(steps.get('accounts/fieldGroup')!.action, 'create');
    const schema = steps.get('accounts/schema')!;
    assert.equal(schema.action, 'update');
    assert.ok((schema.requests[0].body as any[])[0].value.$ref instanceof Ref);
    assert.equal(steps.get('accounts/dataset')!.action, 'reuse');
    assert.equal(steps.get('accounts/flow')!.action, 'update', 'only its mapping moves');
  });

  test('a dataset renamed in the template is a Catalog PATCH; its target connection is renamed too', () => {
    const edited: Template = structuredClone(template);
    edited.target.dataset.name = 'Zoho Accounts';
    const steps = byKey(plan({ desired: desireTemplate(edited, facts(edited), 'conn-1'), actual, today: TODAY }));
    const dataset = steps.get('accounts/dataset')!;
    assert.equal(dataset.action, 'update');
    assert.equal(dataset.requests[0].method, 'PATCH');
    assert.deepEqual(dataset.requests[0].body, { name: 'Zoho Accounts (aep-zoho default/accounts)' });
    assert.equal(steps.get('accounts/targetConnection')!.action, 'update');
    assert.equal(steps.get('accounts/flow')!.action, 'update', 'the flow description names the dataset');
  });
});

describe('the primary identity of a Profile schema (composition.md)', () => {
  const contacts = load('contacts');
  const edited: Template = {
    ...contacts,
    identity: { source: 'Mobile', destination: 'mobilePhone.number', namespace: 'Phone', primary: true },
  };
  const desired = desireTemplate(edited, facts(edited), 'conn-1');

  test('another primary field on a Profile schema with a dataset: a new schema and all on it, never a descriptor PUT', () => {
    const steps = plan({
      desired,
      actual: converged(desireTemplate(contacts, facts(contacts), 'conn-1')),
      today: TODAY,
    });
    assert.deepEqual(actions(steps), [
      'replace contacts/schema',
      'replace contacts/descriptor',
      'replace contacts/dataset',
      'update contacts/schema#profile',
      'replace contacts/sourceConnection',
      'replace contacts/targetConnection',
      'replace contacts/mappingSet',
      'replace contacts/flow',
    ]);
    const schema = byKey(steps).get('contacts/schema')!;
    assert.ok(
      schema.reason?.startsWith(
        'forces replacement: primary identity personalEmail.address → mobilePhone.number (Adobe does not change the primary identity field of a schema enabled for Profile that has data); the old schema is kept',
      ),
      schema.reason,
    );
    assert.ok(!steps.some((s) => s.requests.some((r) => r.method === 'PUT' && r.path.includes('/descriptors/'))));
    // The new schema is enabled for Profile once its descriptor exists; the old dataset keeps its data.
    assert.ok(byKey(steps).get('contacts/schema#profile')!.dependsOn.includes('contacts/descriptor'));
    assert.match(byKey(steps).get('contacts/dataset')!.notes![0], /kept with its data/);
  });

  test('the same edit before Profile is enabled: the descriptor is rewritten in place', () => {
    const actual = converged(desireTemplate(contacts, facts(contacts), 'conn-1'));
    const schema = structuredClone(actual.get('contacts/schema')!);
    delete schema.resource['meta:immutableTags'];
    actual.set('contacts/schema', schema);
    const steps = byKey(plan({ desired, actual, today: TODAY }));
    assert.equal(steps.get('contacts/schema')!.action, 'reuse');
    const descriptor = steps.get('contacts/descriptor')!;
    assert.equal(descriptor.action, 'update');
    assert.equal(descriptor.requests[0].method, 'PUT');
  });
});
