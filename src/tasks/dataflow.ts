// `dataflow create`: from a template, everything AEP needs to land a Zoho module in a dataset on a
// schedule (aep-api.md §4–§8, §13). Two stages:
//   1. look up, all at once: the connection, the table listing, the tenant id, the CRM flow spec,
//      the target class, and every resource by its deterministic name; then the table's columns,
//      checked against the template (identity and delta columns must exist; others are skipped);
//   2. create what is missing as a dependency graph: each resource waits only for what it needs,
//      so the chain (field group → schema → dataset → target connection → flow) sets the wall time.
// Every id and etag is saved in the state file the moment it exists; a re-run reuses by name.
import { closest, distance } from 'fastest-levenshtein';
import { CRM_FLOW_SPEC_ID, CRM_FLOW_SPEC_NAME, DATA_LAKE_CONNECTION_SPEC, ZOHO_CONNECTION_SPEC, type ExploreColumn, type FlowResource } from '../aep/flow-service.js';
import { Catalog, DATASET_SCHEMA_CONTENT_TYPE } from '../aep/catalog.js';
import { DataPrep, type MappingSet } from '../aep/data-prep.js';
import { SchemaRegistry, type XdmResource } from '../aep/schema-registry.js';
import type { ResourceRef } from '../config/state.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import { redactValue } from '../core/redact.js';
import type { LoadedTemplate, Template, TemplateMapping } from '../template/types.js';
import { defaultConnectionName } from './connect.js';
import { createOnce } from './converge.js';
import { fetchTables, matchTable, resolveConnectionId, unknownTable, type TableRef } from './explore.js';
import { runTasks, type Task } from './runner.js';
import { openSession, type Session } from './session.js';

import { TENANT_PLACEHOLDER } from '../template/types.js';
const SCHEMA_VERSION = 'application/vnd.adobe.xed-full+json;version=1';
const RECORD_BEHAVIOR = 'https://ns.adobe.com/xdm/data/record';
const TIME_SERIES_BEHAVIOR = 'https://ns.adobe.com/xdm/data/time-series';

export interface Schedule {
  frequency: 'once' | 'minute' | 'hour' | 'day' | 'week';
  interval?: number;
  /** Epoch seconds. */
  startTime: number;
  backfill?: boolean;
}

export interface DataflowResult {
  template: string;
  flowId: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  datasetId: string;
  schemaId: string;
  mappingSetId: string;
  created: string[];
  reused: string[];
  skippedColumns: string[];
}

export interface CreateOptions {
  dryRun: boolean;
  schedule?: Partial<Schedule>;
  concurrency?: number;
}

type Kind = 'class' | 'fieldGroup' | 'schema' | 'descriptor' | 'dataset' | 'sourceConnection' | 'targetConnection' | 'mappingSet' | 'flow';

/** Validates a schedule as the CRMToAEP flow spec does, before anything is sent. */
export function checkSchedule(schedule: Schedule, origin: string): Schedule {
  const { frequency, interval } = schedule;
  if (!['once', 'minute', 'hour', 'day', 'week'].includes(frequency)) {
    throw new UsageError(`Invalid schedule in ${origin}: frequency '${frequency}' is not one of once, minute, hour, day, week.`);
  }
  if (frequency === 'once') {
    if (interval !== undefined) throw new UsageError(`Invalid schedule in ${origin}: a 'once' schedule takes no interval.`, { hint: 'Drop --interval, or pick another --frequency.' });
    return { frequency, startTime: schedule.startTime };
  }
  const min = frequency === 'minute' ? 15 : 1;
  if (interval === undefined || !Number.isInteger(interval) || interval < min) {
    throw new UsageError(`Invalid schedule in ${origin}: a '${frequency}' schedule needs a whole-number interval of at least ${min}, got ${interval ?? 'none'}.`, {
      hint: frequency === 'minute' ? 'Adobe runs minute schedules every 15 minutes at the most often: --interval 15 or more.' : `Pass --interval ${min} or more.`,
    });
  }
  return { frequency, interval, startTime: schedule.startTime, backfill: schedule.backfill ?? true };
}

/**
 * Resource names are deterministic (a re-run finds them by name) and carry the profile and the
 * template, so two profiles, or two templates on the same table, never share a resource.
 */
export function resourceNames(template: Template, profile: string) {
  const suffix = ` (aep-zoho ${profile}/${template.name})`;
  return {
    class: `${template.target.schema.fallbackClass?.title ?? template.target.schema.title}${suffix}`,
    fieldGroup: `${template.target.fieldGroup.title}${suffix}`,
    schema: `${template.target.schema.title}${suffix}`,
    dataset: `${template.target.dataset.name}${suffix}`,
    sourceConnection: `Zoho CRM ${template.source.table} source${suffix}`,
    targetConnection: `${template.target.dataset.name} target${suffix}`,
    mappingSet: `aep_zoho_${profile}_${template.name}`.replace(/[^A-Za-z0-9_]/g, '_'),
    flow: `Zoho CRM ${template.source.table} to AEP${suffix}`,
  };
}

/** A template destination as an XDM path: the tenant filled in; with a fallback class every standard path moves under the tenant. */
function xdmDestination(path: string, tenantId: string, fallback: boolean): string {
  const tenantNs = `_${tenantId}`;
  if (path.startsWith(`${TENANT_PLACEHOLDER}.`)) return `${tenantNs}${path.slice(TENANT_PLACEHOLDER.length)}`;
  return fallback ? `${tenantNs}.${path}` : path;
}

/** What a mapping reads from the table: the column (first segment of a lookup path) or the expression's columns. */
const mappingColumns = (m: TemplateMapping) => (m.source ? [m.source.split('.')[0]] : m.columns ?? []);

interface Shared {
  /** Creates started (awaited before a failure is reported), and whether a step has failed. */
  writes: { halted: boolean; inFlight: Set<Promise<unknown>> };
  session: Session;
  connectionId: string;
  tables: TableRef[];
  tenantId: string;
  flowSpecId: string;
}

/** Stage 1 for one template: its table, columns, the mappings that apply, and what already exists. */
interface Prepared {
  loaded: LoadedTemplate;
  template: Template;
  names: ReturnType<typeof resourceNames>;
  table: TableRef;
  columns: ExploreColumn[];
  mappings: TemplateMapping[];
  skippedColumns: string[];
  /** Mapping sets with this template's name: one is reused only if it targets the schema in use. */
  mappingSets: MappingSet[];
  /** Sample rows (dry runs only), to show the XDM records the mapping would produce. */
  rows: Array<Record<string, unknown>>;
  /** True when the org lacks the template's standard class and a tenant class stands in. */
  fallback: boolean;
  existing: Partial<Record<Kind, { id: string; etag?: string; resource?: unknown }>>;
}

export interface DryRunResult {
  plan: PlanStep[];
  /** Per template, the first preview rows as the XDM records the mapping would produce. */
  preview: Array<{ template: string; records: Array<Record<string, unknown>> }>;
}

export async function createDataflows(ctx: Context, templates: LoadedTemplate[], options: CreateOptions): Promise<{ dataflows: DataflowResult[] } | DryRunResult> {
  // Schedules first: a bad one is a usage error, whatever else is missing.
  const startTime = options.schedule?.startTime ?? Math.floor(ctx.now().getTime() / 1000);
  const schedules = new Map(templates.map((t) => [t.template.name, checkSchedule({ ...t.template.schedule, ...options.schedule, startTime } as Schedule, options.schedule?.frequency ? 'the command line' : t.file)]));
  const session = await openSession(ctx);
  const registry = new SchemaRegistry(session.platform);
  const catalog = new Catalog(session.platform);
  const dataPrep = new DataPrep(session.platform);
  const { flow } = session;
  const sandbox = session.settings.sandbox;
  const profile = session.settings.profileName;

  const writes: Shared['writes'] = { halted: false, inFlight: new Set() };
  const shared = { writes } as Shared;
  const early = new Map<string, Lookups>();
  const prepared = new Map<string, Prepared>();
  const results: DataflowResult[] = [];
  const plan: PlanStep[] = [];

  const lookupTasks: Array<Task<object>> = [
    {
      title: 'Look up the connection, tables, tenant, flow spec and existing resources',
      task: async (_ctx, task) => {
        // The saved connection id lets the table listing start without waiting for the lookup, and
        // every name lookup (with a cached listing, each table's columns too) starts in this wave.
        const { connection: saved, tables: cached } = await session.state.read(sandbox);
        const cachedTables = cached && saved && cached.connectionId === saved.id ? cached.items : undefined;
        for (const loaded of templates) early.set(loaded.template.name, startLookups(session, loaded.template, { registry, catalog, dataPrep }, saved?.id, cachedTables, options.dryRun));
        const tablesPromise = cachedTables ? Promise.resolve(cachedTables) : saved ? fetchTables(session, saved.id).catch(() => undefined) : Promise.resolve(undefined);
        const [connectionId, listed, tenantId, flowSpecId] = await Promise.all([resolveConnectionId(ctx, session), tablesPromise, registry.tenantId(), crmFlowSpec(ctx, session)]);
        const tables = listed && saved?.id === connectionId ? listed : await fetchTables(session, connectionId);
        Object.assign(shared, { session, connectionId, tables, tenantId, flowSpecId });
        task.title = `Connection ${connectionId}, ${tables.length} tables, tenant ${tenantId}, flow spec ${CRM_FLOW_SPEC_NAME}`;
      },
    },
    {
      title: `Check ${templates.length === 1 ? 'the template' : `${templates.length} templates`} against the tables`,
      task: async (_ctx, task) => {
        await Promise.all(templates.map(async (loaded) => prepared.set(loaded.template.name, await prepare(shared, loaded, early.get(loaded.template.name)!, options.dryRun))));
        const skipped = [...prepared.values()].flatMap((p) =>
          p.skippedColumns.map((c) => {
            // A typo looks like a hidden field: name the closest column so the user can tell.
            const near = closest(c, p.columns.map((col) => col.name));
            return `${p.template.name}: ${c}${near && distance(near.toLowerCase(), c.toLowerCase()) <= 2 ? ` (did you mean ${near}?)` : ''}`;
          }),
        );
        for (const note of skipped) ctx.log.warn(`column ${note} is not in the table; its mapping is skipped.`);
        task.title = `Checked ${templates.map((t) => t.template.name).join(', ')}${skipped.length ? ` (${skipped.length} column(s) skipped)` : ''}`;
      },
    },
  ];

  const buildTasks: Array<Task<object>> = templates.map((loaded) => ({
    title: `${options.dryRun ? 'Plan' : 'Build'} dataflow '${loaded.template.name}'`,
    task: (_c, task) => {
      const p = prepared.get(loaded.template.name)!;
      const graph = buildGraph(ctx, shared, p, schedules.get(loaded.template.name)!, { registry, catalog, dataPrep }, options.dryRun, plan);
      return task.newListr(graph.tasks(async () => {
        if (!options.dryRun) results.push(await graph.result());
      }), { concurrent: true, exitOnError: true });
    },
  }));

  const build: Array<Task<object>> =
    buildTasks.length === 1 ? buildTasks : [{ title: `${options.dryRun ? 'Plan' : 'Build'} ${buildTasks.length} dataflows`, task: (_c, task) => task.newListr(buildTasks, { concurrent: Math.max(1, options.concurrency ?? 10), exitOnError: true }) }];
  try {
    await runTasks(ctx, [...lookupTasks, ...build], {});
  } catch (error) {
    // listr stops at the first failure but cannot stop the steps running alongside it: let those
    // finish and save their ids, and start no new create, so nothing happens after we return
    // (found by the fault tests: a refused create left the rest of the graph creating in the
    // background, racing the user's re-run into duplicates).
    writes.halted = true;
    await Promise.all(writes.inFlight);
    throw error;
  }
  if (options.dryRun) {
    const preview = templates.map(({ template }) => {
      const p = prepared.get(template.name)!;
      const mappings = p.mappings.map((m) => ({ ...m, destination: xdmDestination(m.destination, shared.tenantId, p.fallback) }));
      return { template: template.name, records: p.rows.map((row) => mapRecord(row, mappings)) };
    });
    const order = ['base connection', 'class', 'field group', 'schema', 'identity descriptor', 'dataset', 'source connection', 'target connection', 'mapping set', 'dataflow'];
    const connection = { action: 'reuse' as const, resource: 'base connection', name: (await session.state.read(sandbox)).connection?.name ?? defaultConnectionName(profile), id: shared.connectionId };
    return { plan: [connection, ...plan.sort((a, b) => order.indexOf(a.resource) - order.indexOf(b.resource))], preview };
  }
  results.sort((a, b) => templates.findIndex((t) => t.template.name === a.template) - templates.findIndex((t) => t.template.name === b.template));
  return { dataflows: results };
}

async function crmFlowSpec(ctx: Context, session: Session): Promise<string> {
  const spec = await session.flow.crmFlowSpec();
  if (!spec) throw new UserError(`Adobe offers no '${CRM_FLOW_SPEC_NAME}' flow spec in this sandbox.`, { hint: 'CRM sources may not be provisioned for your organization; check the Sources catalog in the Experience Platform UI.' });
  if (!(spec.sourceConnectionSpecIds ?? []).includes(ZOHO_CONNECTION_SPEC.id)) {
    throw new UserError(`The '${CRM_FLOW_SPEC_NAME}' flow spec (${spec.id}) no longer lists the Zoho CRM connection spec as a source.`, { hint: 'Adobe retired the Zoho CRM source at the end of June 2025; new dataflows from Zoho CRM may not be possible.' });
  }
  // Ruling 2: use the id Adobe answers with; the documented one is only a cross-check.
  if (spec.id !== CRM_FLOW_SPEC_ID) ctx.log.debug(`${CRM_FLOW_SPEC_NAME} has id ${spec.id}, not the documented ${CRM_FLOW_SPEC_ID}`);
  return spec.id;
}

/** Observed later; a rejection before then must not crash the process as "unhandled". */
function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

type Lookups = ReturnType<typeof startLookups>;

/** Starts everything a template's plan needs that does not wait for the shared lookups. */
function startLookups(session: Session, template: Template, clients: Clients, savedConnectionId: string | undefined, cachedTables: TableRef[] | undefined, preview: boolean) {
  const names = resourceNames(template, session.settings.profileName);
  const flowByName = (collection: string, name: string) => session.flow.findByName(collection, name).then((items) => items[0]);
  const cachedTable = cachedTables && matchTable(cachedTables, template.source.table);
  return {
    names,
    classExists: later(clients.registry.lookup('global', 'classes', template.target.schema.class).then((found) => !!found)),
    existing: later(
      Promise.all([
        clients.registry.findByTitle('fieldgroups', names.fieldGroup),
        template.target.schema.fallbackClass ? clients.registry.findByTitle('classes', names.class) : Promise.resolve(undefined),
        clients.registry.findByTitle('schemas', names.schema),
        clients.catalog.findByName(names.dataset),
        flowByName('sourceConnections', names.sourceConnection),
        flowByName('targetConnections', names.targetConnection),
        clients.dataPrep.findByName(names.mappingSet),
        flowByName('flows', names.flow),
      ]),
    ),
    /** The table's columns, fetched early when the saved connection and a cached listing allow it. */
    detail:
      savedConnectionId && cachedTable
        ? { connectionId: savedConnectionId, path: cachedTable.path, promise: later(session.flow.exploreTable(savedConnectionId, cachedTable.path, preview && cachedTable.canPreview)) }
        : undefined,
  };
}

async function prepare(shared: Shared, loaded: LoadedTemplate, lookups: Lookups, preview: boolean): Promise<Prepared> {
  const { template } = loaded;
  const { session } = shared;
  const { names } = lookups;
  const table = matchTable(shared.tables, template.source.table);
  if (!table) {
    const error = unknownTable(shared.tables, template.source.table);
    throw new UsageError(`Template '${template.name}' (${loaded.file}): ${error.message}`, { hint: error.hint });
  }
  const classId = template.target.schema.class;
  const fallbackWanted = !!template.target.schema.fallbackClass;
  const early = lookups.detail?.connectionId === shared.connectionId && lookups.detail.path === table.path ? lookups.detail.promise : undefined;
  const [detail, classExists, [fieldGroup, tenantClass, schema, dataset, source, target, mappingSets, existingFlow]] = await Promise.all([
    early ?? session.flow.exploreTable(shared.connectionId, table.path, preview && table.canPreview),
    lookups.classExists,
    lookups.existing,
  ]);
  const columns = detail.schema?.columns ?? [];
  const have = new Set(columns.map((c) => c.name));
  const required = [
    ['delta column', template.source.deltaColumn],
    ...(template.identity ? [['identity column', template.identity.source.split('.')[0]]] : []),
  ];
  for (const [role, column] of required) {
    if (!have.has(column)) {
      throw new UsageError(`Template '${template.name}' (${loaded.file}): the ${role} '${column}' is not a column of table ${table.name} (${table.path}).`, {
        hint: `A Zoho admin may have hidden or renamed the field; check 'aep-zoho explore ${table.name}', then fix the template's ${role === 'delta column' ? '/source/deltaColumn' : '/identity/source'}.`,
      });
    }
  }
  const skippedColumns = new Set<string>();
  const mappings = template.mappings.filter((m) => {
    const missing = mappingColumns(m).filter((c) => !have.has(c));
    missing.forEach((c) => skippedColumns.add(c));
    return missing.length === 0;
  });
  if (!classExists && !fallbackWanted) {
    throw new UserError(`This organization has no XDM class ${classId}, which template '${template.name}' needs.`, {
      hint: "Add a fallbackClass to the template (see 'aep-zoho templates show accounts'), or ask your Adobe admin about the B2B edition.",
    });
  }
  const ref = (resource: { $id?: string; id?: string; etag?: string } | undefined) => (resource ? { id: (resource.$id ?? resource.id)!, etag: resource.etag, resource } : undefined);
  return {
    loaded,
    template,
    names,
    table,
    columns,
    mappings,
    skippedColumns: [...skippedColumns],
    mappingSets,
    rows: (detail.data ?? []).slice(0, 3),
    fallback: !classExists,
    existing: {
      class: ref(tenantClass as XdmResource | undefined),
      fieldGroup: ref(fieldGroup),
      schema: ref(schema),
      dataset: dataset ? { id: dataset.id, resource: dataset } : undefined,
      sourceConnection: ref(source as FlowResource | undefined),
      targetConnection: ref(target as FlowResource | undefined),
      // Chosen in the mapping step, once the schema is known (see mappingStep).
      mappingSet: undefined,
      flow: ref(existingFlow as FlowResource | undefined),
    },
  };
}

interface Clients {
  registry: SchemaRegistry;
  catalog: Catalog;
  dataPrep: DataPrep;
}

/** Stage 2: one memoised step per resource; each awaits only what it needs. */
function buildGraph(ctx: Context, shared: Shared, p: Prepared, schedule: Schedule, clients: Clients, dryRun: boolean, plan: PlanStep[]) {
  const { session, tenantId } = shared;
  const { template, names } = p;
  const sandbox = session.settings.sandbox;
  const tenantNs = `_${tenantId}`;
  const created: string[] = [];
  const reused: string[] = [];
  const columnsByName = new Map(p.columns.map((c) => [c.name, c]));

  const destination = (path: string) => xdmDestination(path, tenantId, p.fallback);
  const mappings = p.mappings.map((m) => ({ ...m, destination: destination(m.destination) }));
  const tenantFields = mappings.filter((m) => m.destination.startsWith(`${tenantNs}.`));

  const save = (kind: Kind, value: ResourceRef) => (dryRun ? Promise.resolve() : session.state.record(sandbox, { template: template.name, kind }, value));

  /** Reuse what exists, else create once (adopting a create whose answer was lost), and record it. */
  const ensure = <T extends { id: string; etag?: string }>(kind: Kind, label: string, name: string, request: () => { method: string; path: string; body: Record<string, unknown> }, create: (body: Record<string, unknown>) => Promise<T>, lookup: () => Promise<T | undefined>) => {
    let memo: Promise<{ id: string; etag?: string; reused: boolean }> | undefined;
    return () => {
      memo ??= (async () => {
        if (shared.writes.halted) throw new UserError(`Not started: another step of this run failed (${label}).`);
        const existing = p.existing[kind];
        if (existing) {
          reused.push(kind);
          plan.push({ action: 'reuse', resource: label, name, id: existing.id });
          await save(kind, { id: existing.id, name, etag: existing.etag });
          return { id: existing.id, etag: existing.etag, reused: true };
        }
        const req = request();
        if (dryRun) {
          plan.push({ action: 'create', resource: label, name, request: redactValue(req) });
          return { id: `<new ${label}>`, reused: false };
        }
        const { value } = await createOnce(() => create(req.body), lookup);
        created.push(kind);
        await save(kind, { id: value.id, name, etag: value.etag, created: true });
        return { id: value.id, etag: value.etag, reused: false };
      })();
      shared.writes.inFlight.add(memo.catch(() => undefined));
      return memo;
    };
  };

  const fieldType = (m: TemplateMapping): Record<string, unknown> => {
    if (m.expression) return { type: 'string' };
    const column = columnsByName.get(m.source!.split('.')[0]);
    if (m.source!.includes('.')) return { type: 'string' }; // a lookup's id or name
    const xdm = column?.xdm ?? { type: column?.type === 'double' ? 'number' : column?.type ?? 'string' };
    return xdm.format ? { type: xdm.type, format: xdm.format } : { type: xdm.type === 'object' ? 'string' : xdm.type };
  };
  const fieldGroupProperties = () => {
    const root: Record<string, any> = {};
    for (const m of tenantFields) {
      const keys = m.destination.slice(tenantNs.length + 1).split('.');
      let node = root;
      keys.slice(0, -1).forEach((key) => {
        node[key] ??= { type: 'object', properties: {} };
        node = node[key].properties;
      });
      node[keys[keys.length - 1]] = { title: m.source ?? keys[keys.length - 1], ...fieldType(m) };
    }
    return root;
  };

  const tenantClass = ensure('class', 'class', names.class,
    () => ({
      method: 'POST',
      path: '/data/foundation/schemaregistry/tenant/classes',
      body: {
        type: 'object',
        title: names.class,
        description: template.target.schema.fallbackClass!.description,
        allOf: [{ $ref: template.target.schema.fallbackClass!.behavior === 'time-series' ? TIME_SERIES_BEHAVIOR : RECORD_BEHAVIOR }],
      },
    }),
    async (body) => withId(await clients.registry.create('classes', body)),
    () => clients.registry.findByTitle('classes', names.class).then((r) => (r ? withId(r) : undefined)),
  );
  const classId = async () => (p.fallback ? (await tenantClass()).id : template.target.schema.class);

  const fieldGroup = ensure('fieldGroup', 'field group', names.fieldGroup,
    () => ({
      method: 'POST',
      path: '/data/foundation/schemaregistry/tenant/fieldgroups',
      body: {
        type: 'object',
        title: names.fieldGroup,
        description: template.target.fieldGroup.description,
        'meta:intendedToExtend': [pendingClassId],
        definitions: { zoho: { properties: { [tenantNs]: { type: 'object', properties: fieldGroupProperties() } } } },
        allOf: [{ $ref: '#/definitions/zoho' }],
      },
    }),
    async (body) => withId(await clients.registry.create('fieldgroups', body)),
    () => clients.registry.findByTitle('fieldgroups', names.fieldGroup).then((r) => (r ? withId(r) : undefined)),
  );
  let pendingClassId = '';
  const fieldGroupStep = async () => {
    if (!tenantFields.length) return undefined;
    pendingClassId = await classId();
    return fieldGroup();
  };

  let schemaRefs: string[] = [];
  const schema = ensure('schema', 'schema', names.schema,
    () => ({
      method: 'POST',
      path: '/data/foundation/schemaregistry/tenant/schemas',
      body: { type: 'object', title: names.schema, description: template.target.schema.description, allOf: schemaRefs.map(($ref) => ({ $ref })), 'meta:class': schemaRefs[0] },
    }),
    async (body) => withId(await clients.registry.create('schemas', body)),
    () => clients.registry.findByTitle('schemas', names.schema).then((r) => (r ? withId(r) : undefined)),
  );
  const schemaStep = async () => {
    const [cls, group] = await Promise.all([classId(), fieldGroupStep()]);
    const standard = p.fallback ? [] : template.target.schema.fieldGroups ?? [];
    schemaRefs = [cls, ...standard, ...(group ? [group.id] : [])];
    return schema();
  };

  let identityBody: Record<string, unknown> = {};
  /** Descriptors have no name: this schema's identity descriptor is the one on the same property. */
  const findIdentity = async (schemaId: string) => {
    const found = (await clients.registry.descriptors(schemaId)).find(
      (d) => d['@type'] === 'xdm:descriptorIdentity' && d['xdm:sourceSchema'] === schemaId && d['xdm:sourceProperty'] === identityBody['xdm:sourceProperty'],
    );
    return found ? { id: String(found['@id']), etag: undefined } : undefined;
  };
  const descriptor = ensure('descriptor', 'identity descriptor', `${template.identity?.namespace} on ${template.identity?.destination}`,
    () => ({ method: 'POST', path: '/data/foundation/schemaregistry/tenant/descriptors', body: identityBody }),
    async (body) => {
      const made = await clients.registry.create('descriptors', body);
      return { id: String(made['@id'] ?? made.$id ?? ''), etag: undefined };
    },
    () => findIdentity(String(identityBody['xdm:sourceSchema'])),
  );
  const descriptorStep = async () => {
    if (!template.identity) return undefined;
    const schemaId = (await schemaStep()).id;
    identityBody = {
      '@type': 'xdm:descriptorIdentity',
      'xdm:sourceSchema': schemaId,
      'xdm:sourceVersion': 1,
      'xdm:sourceProperty': `/${destination(template.identity.destination).split('.').join('/')}`,
      'xdm:namespace': template.identity.namespace,
      'xdm:property': 'xdm:code',
      'xdm:isPrimary': template.identity.primary,
    };
    if (p.existing.schema && !dryRun) {
      // A reused schema may already carry it: never add a second identity descriptor.
      const found = await findIdentity(schemaId);
      if (found) p.existing.descriptor = { id: found.id };
    }
    return descriptor();
  };

  let datasetSchemaId = '';
  const dataset = ensure('dataset', 'dataset', names.dataset,
    () => ({
      method: 'POST',
      path: '/data/foundation/catalog/dataSets?requestDataSource=true',
      body: {
        name: names.dataset,
        description: template.target.dataset.description,
        schemaRef: { id: datasetSchemaId, contentType: DATASET_SCHEMA_CONTENT_TYPE },
        ...(template.target.dataset.profileEnabled ? { tags: { unifiedProfile: ['enabled:true'], unifiedIdentity: ['enabled:true'] } } : {}),
      },
    }),
    async (body) => ({ id: await clients.catalog.create(body) }),
    () => clients.catalog.findByName(names.dataset),
  );
  const datasetStep = async () => {
    const [s] = await Promise.all([schemaStep(), descriptorStep()]); // ruling 8: the descriptor before the dataset
    datasetSchemaId = s.id;
    return dataset();
  };

  let sourceColumns: ExploreColumn[] = [];
  const source = ensure('sourceConnection', 'source connection', names.sourceConnection,
    () => ({
      method: 'POST',
      path: '/data/foundation/flowservice/sourceConnections',
      body: {
        name: names.sourceConnection,
        description: `Zoho CRM ${p.table.name}, managed by aep-zoho`,
        baseConnectionId: shared.connectionId,
        data: { format: 'tabular' },
        params: { tableName: p.table.path, columns: sourceColumns },
        connectionSpec: ZOHO_CONNECTION_SPEC,
      },
    }),
    (body) => session.flow.create('sourceConnections', body),
    () => session.flow.findByName('sourceConnections', names.sourceConnection).then((r) => r[0]),
  );
  const sourceStep = () => {
    const used = new Set([...mappings.flatMap(mappingColumns), template.source.deltaColumn]);
    sourceColumns = p.columns.filter((c) => used.has(c.name));
    return source();
  };

  let targetBody: Record<string, unknown> = {};
  const target = ensure('targetConnection', 'target connection', names.targetConnection,
    () => ({ method: 'POST', path: '/data/foundation/flowservice/targetConnections', body: targetBody }),
    (body) => session.flow.create('targetConnections', body),
    () => session.flow.findByName('targetConnections', names.targetConnection).then((r) => r[0]),
  );
  const targetStep = async () => {
    const [s, d] = await Promise.all([schemaStep(), datasetStep()]);
    targetBody = {
      name: names.targetConnection,
      description: `Data Lake target for ${names.dataset}`,
      data: { schema: { id: s.id, version: SCHEMA_VERSION } },
      params: { dataSetId: d.id },
      connectionSpec: DATA_LAKE_CONNECTION_SPEC,
    };
    return target();
  };

  let mappingBody = {} as ReturnType<typeof mappingSetBody>;
  const mappingSet = ensure('mappingSet', 'mapping set', names.mappingSet,
    () => ({ method: 'POST', path: '/data/foundation/conversion/mappingSets', body: mappingBody }),
    async (body) => {
      const made = await clients.dataPrep.create(body);
      return { id: made.id, etag: String(made.version ?? 0) };
    },
    () => clients.dataPrep.findByName(names.mappingSet).then((all) => all.find((m) => m.outputSchema?.schemaRef?.id === mappingBody.outputSchema.schemaRef.id)).then((r) => (r ? { id: r.id, etag: String(r.version ?? 0) } : undefined)),
  );
  const mappingStep = async () => {
    const s = await schemaStep();
    // Data Prep cannot delete mapping sets, so one named like ours may target a schema that
    // `destroy` removed: reuse only a mapping set for the schema in use.
    const current = p.mappingSets.find((m) => m.outputSchema?.schemaRef?.id === s.id);
    if (current && !p.existing.mappingSet) p.existing.mappingSet = { id: current.id, resource: current };
    mappingBody = mappingSetBody(names.mappingSet, s.id, mappings);
    return mappingSet();
  };

  let flowBody: Record<string, unknown> = {};
  const flow = ensure('flow', 'dataflow', names.flow,
    () => ({ method: 'POST', path: '/data/foundation/flowservice/flows', body: flowBody }),
    (body) => session.flow.create('flows', body),
    () => session.flow.findByName('flows', names.flow).then((r) => r[0]),
  );
  const flowStep = async () => {
    const [s, t, m] = await Promise.all([sourceStep(), targetStep(), mappingStep()]);
    const mappingVersion = p.existing.mappingSet ? String((p.existing.mappingSet.resource as { version?: number })?.version ?? 0) : '0';
    flowBody = {
      name: names.flow,
      description: `Zoho CRM ${p.table.name} to ${names.dataset}, managed by aep-zoho (template ${template.name})`,
      flowSpec: { id: shared.flowSpecId, version: '1.0' },
      sourceConnectionIds: [s.id],
      targetConnectionIds: [t.id],
      transformations: [
        { name: 'Copy', params: { deltaColumn: { name: template.source.deltaColumn, dateFormat: template.source.dateFormat ?? 'YYYY-MM-DD', timezone: template.source.timezone ?? 'UTC' } } },
        { name: 'Mapping', params: { mappingId: m.id, mappingVersion } },
      ],
      scheduleParams: scheduleParams(schedule),
    };
    return flow();
  };

  const step = (title: string, run: () => Promise<{ id: string; reused: boolean } | undefined>, enabled = true): Task<object> => ({
    title,
    enabled,
    task: async (_c, task) => {
      const done = await run();
      if (done) task.title = `${title}: ${dryRun && !done.reused ? 'to create' : done.reused ? 'reused' : 'created'}${done.id.startsWith('<') ? '' : ` (${done.id})`}`;
    },
  });

  return {
    tasks: (after: () => Promise<void>): Array<Task<object>> => [
      step('Tenant class', tenantClass, p.fallback),
      step('Field group', fieldGroupStep, tenantFields.length > 0),
      step('Schema', schemaStep),
      step('Identity descriptor', descriptorStep, !!template.identity),
      step('Dataset', datasetStep),
      step('Source connection', sourceStep),
      step('Target connection', targetStep),
      step('Mapping set', mappingStep),
      { title: 'Dataflow', task: async (_c, task) => {
        const done = await flowStep();
        task.title = `Dataflow: ${done.reused ? 'reused' : dryRun ? 'to create' : 'created'}${done.id.startsWith('<') ? '' : ` (${done.id})`}`;
        await after();
      } },
    ],
    result: async (): Promise<DataflowResult> => {
      const [f, s, t, d, sc, m] = await Promise.all([flowStep(), sourceStep(), targetStep(), datasetStep(), schemaStep(), mappingStep()]);
      return {
        template: template.name,
        flowId: f.id,
        sourceConnectionId: s.id,
        targetConnectionId: t.id,
        datasetId: d.id,
        schemaId: sc.id,
        mappingSetId: m.id,
        created: inOrder(created),
        reused: inOrder(reused),
        skippedColumns: p.skippedColumns,
      };
    },
  };
}

const KIND_ORDER: Kind[] = ['class', 'fieldGroup', 'schema', 'descriptor', 'dataset', 'sourceConnection', 'targetConnection', 'mappingSet', 'flow'];
const inOrder = (kinds: string[]) => [...kinds].sort((a, b) => KIND_ORDER.indexOf(a as Kind) - KIND_ORDER.indexOf(b as Kind));

const withId = (resource: XdmResource) => ({ ...resource, id: resource.$id, etag: undefined as string | undefined });

/**
 * A row as the XDM record the mapping set would produce, computed locally for --dry-run (the
 * schema may not exist yet, and Data Prep's preview needs it). Source columns are copied to their
 * destinations; calculated fields are shown as the expression Data Prep will evaluate.
 */
export function mapRecord(row: Record<string, unknown>, mappings: TemplateMapping[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const m of mappings) {
    let value: unknown = m.expression ? `=${m.expression}` : m.source!.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), row);
    if (value === undefined || value === null) continue;
    const keys = m.destination.split('.');
    let node = record;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return record;
}

/** Data Prep mapping set in the API reference's style (ruling 1: no `id` on create). */
export function mappingSetBody(name: string, schemaId: string, mappings: TemplateMapping[]) {
  return {
    name,
    outputSchema: { schemaRef: { id: schemaId, contentType: SCHEMA_VERSION } },
    mappings: mappings.map((m) => (m.expression ? { sourceType: 'EXPRESSION', source: m.expression, destination: m.destination } : { sourceType: 'ATTRIBUTE', source: m.source, destination: m.destination })),
  };
}

/** Types as ruled (ruling 1): startTime integer seconds, interval a string, backfill a boolean. */
export function scheduleParams(schedule: Schedule): Record<string, unknown> {
  if (schedule.frequency === 'once') return { startTime: schedule.startTime, frequency: 'once' };
  return { startTime: schedule.startTime, frequency: schedule.frequency, interval: String(schedule.interval), backfill: schedule.backfill ?? true };
}

