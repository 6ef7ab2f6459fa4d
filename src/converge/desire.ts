// Desire: what a template asks for, as values. Pure: no request, no clock, no file. Ids that do
// not exist yet are Refs to the resource that will have them; dependencies are explicit.
import { DATA_LAKE_CONNECTION_SPEC, type ExploreColumn } from '../aep/flow-service.js';
import type { SourcePath } from '../paths/index.js';
import { TOMBSTONE_COLUMN, type Template, type TemplateMapping } from '../template/types.js';
import { deletedDestination } from '../template/xdm-standard.js';
import { DATASET_SCHEMA_CONTENT_TYPE } from './resources.js';
import { KINDS } from './kinds/index.js';
import { described, xdmDestination } from './names.js';
import { Ref, type Desired, type Kind } from './types.js';

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

/** What observe learned that a template's desire depends on. */
export interface TemplateFacts {
  profile: string;
  tenantId: string;
  /** The org lacks the template's standard class: a tenant class stands in. */
  fallback: boolean;
  table: { name: string; path: string };
  /** Every table's path → name (for messages). */
  tableNames: Record<string, string>;
  columns: ExploreColumn[];
  /** The mappings whose columns the table has. */
  mappings: TemplateMapping[];
  schedule: Schedule;
  /** --start was given: a flow's start time is compared (and may move). */
  explicitStart: boolean;
  flowSpecId: string;
  /** The path (src/paths/): its source connection and flow bodies. */
  path: Pick<SourcePath, 'desireSource' | 'desireFlow' | 'streaming'>;
}

export { defaultConnectionName, described, marker, nameSuffix, xdmDestination } from './names.js';

/** A template's kinds that carry a name of ours in Adobe's lists (the descriptor has none). */
type Named = Exclude<Kind, 'connection' | 'descriptor'>;

/** Deterministic names (each kind's `name`, kinds/*.ts): a re-run (also from an empty home) finds them. */
export function resourceNames(template: Template, profile: string): Record<Named, string> {
  const named = (Object.keys(KINDS) as Kind[]).filter((k) => KINDS[k].scope === 'template' && !KINDS[k].unnamed);
  return Object.fromEntries(named.map((kind) => [kind, KINDS[kind].name({ profile, template })])) as Record<
    Named,
    string
  >;
}

/** What a mapping reads from the table: the column (first segment of a lookup path) or the expression's columns. */
export const mappingColumns = (m: TemplateMapping) => (m.source ? [m.source.split('.')[0]] : (m.columns ?? []));

const KNOWN_RAW_TYPES = [
  'string',
  'date',
  'date-time',
  'datetime',
  'double',
  'float',
  'decimal',
  'currency',
  'number',
  'integer',
  'long',
  'int',
  'bigint',
  'boolean',
];

/** A column whose type the allow-list below does not know (it lands as a string). */
export const unknownType = (column: ExploreColumn): string | undefined => {
  if (column.xdm && ['string', 'number', 'integer', 'boolean'].includes(column.xdm.type)) return undefined;
  const raw = String(column['meta:xdmType'] ?? column.type ?? 'string').toLowerCase();
  return KNOWN_RAW_TYPES.includes(raw) ? undefined : raw;
};

/** Explore column types as XDM (an allow-list; anything else is a string). */
export function xdmType(column: ExploreColumn | undefined): { type: string; format?: string } {
  const xdm = column?.xdm;
  const known = ['string', 'number', 'integer', 'boolean'];
  if (xdm && known.includes(xdm.type)) return xdm.format ? { type: xdm.type, format: xdm.format } : { type: xdm.type };
  const raw = String(column?.['meta:xdmType'] ?? column?.type ?? 'string').toLowerCase();
  if (raw === 'date') return { type: 'string', format: 'date' };
  if (raw === 'date-time' || raw === 'datetime') return { type: 'string', format: 'date-time' };
  if (raw === 'double' || raw === 'float' || raw === 'decimal' || raw === 'currency' || raw === 'number')
    return { type: 'number' };
  if (raw === 'integer' || raw === 'long' || raw === 'int' || raw === 'bigint') return { type: 'integer' };
  if (raw === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

/** Data Prep mapping set in the API reference's style (ruling 1: no `id` on create). */
export function mappingSetBody(name: string, schemaId: string | Ref, mappings: TemplateMapping[]) {
  return {
    name,
    outputSchema: { schemaRef: { id: schemaId, contentType: SCHEMA_VERSION } },
    mappings: mappings.map((m) =>
      m.expression
        ? { sourceType: 'EXPRESSION', source: m.expression, destination: m.destination }
        : { sourceType: 'ATTRIBUTE', source: m.source, destination: m.destination },
    ),
  };
}

/** Types as ruled (ruling 1): startTime integer seconds, interval a string, backfill a boolean. */
export function scheduleParams(schedule: Schedule): Record<string, unknown> {
  if (schedule.frequency === 'once') return { startTime: schedule.startTime, frequency: 'once' };
  return {
    startTime: schedule.startTime,
    frequency: schedule.frequency,
    interval: String(schedule.interval),
    backfill: schedule.backfill ?? true,
  };
}

/**
 * `deletes: soft` on the http-api path: the column sync sets on every post (true on a tombstone,
 * false on a record) mapped to the template's isDeleted field. Only a streaming path (sync posts the
 * records) has that column: Adobe's Zoho source reads the table itself.
 */
function tombstoneMappings(template: Template, facts: TemplateFacts): TemplateMapping[] {
  if (!facts.path.streaming || template.deletes !== 'soft') return [];
  return [{ source: TOMBSTONE_COLUMN, destination: deletedDestination(template) }];
}

/** One template's desire as it is built: its names, Refs and the resources so far. */
interface Wants {
  template: Template;
  facts: TemplateFacts;
  names: ReturnType<typeof resourceNames>;
  tenantNs: string;
  ref(kind: Kind, field?: 'id' | 'version'): Ref;
  want(kind: Kind, name: string, body: Record<string, unknown>, dependsOn: Kind[], extra?: Partial<Desired>): void;
}

/** Every resource one template asks for, in dependency order. `connection` is the base connection's key or id. */
export function desireTemplate(template: Template, facts: TemplateFacts, connection: string | Ref): Desired[] {
  const t = template.name;
  const key = (kind: Kind) => `${t}/${kind}`;
  const out: Desired[] = [];
  const w: Wants = {
    template,
    facts,
    names: resourceNames(template, facts.profile),
    tenantNs: `_${facts.tenantId}`,
    ref: (kind, field = 'id') => new Ref(key(kind), field),
    want: (kind, name, body, dependsOn, extra = {}) =>
      out.push({
        key: key(kind),
        kind,
        template: t,
        name,
        body,
        dependsOn: dependsOn.filter((k) => out.some((d) => d.key === key(k))).map(key),
        ...extra,
      }),
  };
  const mappings = [...facts.mappings, ...tombstoneMappings(template, facts)].map((m) => ({
    ...m,
    destination: xdmDestination(m.destination, facts.tenantId, facts.fallback),
  }));
  desireSchema(w, mappings);
  desireDataflow(w, mappings, connection);
  return out;
}

/** The XDM side: the fallback class, the tenant field group, the schema and its identity descriptor. */
function desireSchema(w: Wants, mappings: TemplateMapping[]): void {
  const { template, facts, names, tenantNs, ref, want } = w;
  const { profile, fallback } = facts;
  const t = template.name;
  const tenantFields = mappings.filter((m) => m.destination.startsWith(`${tenantNs}.`));
  const fallbackClass = template.target.schema.fallbackClass;
  if (fallback && fallbackClass) {
    want(
      'class',
      names.class,
      {
        type: 'object',
        title: names.class,
        description: described(fallbackClass.description, profile, t),
        allOf: [{ $ref: fallbackClass.behavior === 'time-series' ? TIME_SERIES_BEHAVIOR : RECORD_BEHAVIOR }],
      },
      [],
    );
  }
  const classId: string | Ref = fallback ? ref('class') : template.target.schema.class;
  if (tenantFields.length) {
    want(
      'fieldGroup',
      names.fieldGroup,
      {
        type: 'object',
        title: names.fieldGroup,
        description: described(template.target.fieldGroup.description, profile, t),
        'meta:intendedToExtend': [classId],
        definitions: {
          zoho: {
            properties: { [tenantNs]: { type: 'object', properties: fieldTree(tenantFields, tenantNs, facts) } },
          },
        },
        allOf: [{ $ref: '#/definitions/zoho' }],
      },
      ['class'],
      { facts: { tenantNs } },
    );
  }
  const standard = fallback ? [] : (template.target.schema.fieldGroups ?? []);
  const refs = [classId, ...standard, ...(tenantFields.length ? [ref('fieldGroup')] : [])];
  want(
    'schema',
    names.schema,
    {
      type: 'object',
      title: names.schema,
      description: described(template.target.schema.description, profile, t),
      allOf: refs.map(($ref) => ({ $ref })),
      'meta:class': classId,
    },
    ['class', 'fieldGroup'],
  );
  if (template.identity) {
    const destination = xdmDestination(template.identity.destination, facts.tenantId, fallback);
    want(
      'descriptor',
      KINDS.descriptor.name({ profile, template, tenantId: facts.tenantId, fallback }),
      {
        '@type': 'xdm:descriptorIdentity',
        'xdm:sourceSchema': ref('schema'),
        'xdm:sourceVersion': 1,
        'xdm:sourceProperty': `/${destination.split('.').join('/')}`,
        'xdm:namespace': template.identity.namespace,
        'xdm:property': 'xdm:code',
        'xdm:isPrimary': template.identity.primary,
      },
      ['schema', 'fieldGroup'],
    ); // its property may be a tenant field the field group gains in this run
  }
}

/** The tenant fields as an XDM property tree: a lookup's id or name, and a calculated field, are strings; a column keeps its type. */
function fieldTree(tenantFields: TemplateMapping[], tenantNs: string, facts: TemplateFacts): Record<string, any> {
  const columns = new Map(facts.columns.map((c) => [c.name, c]));
  const root: Record<string, any> = {};
  for (const m of tenantFields) {
    const keys = m.destination.slice(tenantNs.length + 1).split('.');
    let node = root;
    for (const k of keys.slice(0, -1)) {
      node[k] ??= { type: 'object', properties: {} };
      node = node[k].properties;
    }
    const type = m.expression || m.source!.includes('.') ? { type: 'string' } : xdmType(columns.get(m.source!));
    node[keys[keys.length - 1]] =
      m.source === TOMBSTONE_COLUMN
        ? { title: 'Deleted in Zoho CRM', type: 'boolean' }
        : { title: m.source ?? keys[keys.length - 1], ...type };
  }
  return root;
}

/** The data side: the dataset, the source and target connections, the mapping set and the flow. */
function desireDataflow(w: Wants, mappings: TemplateMapping[], connection: string | Ref): void {
  const { template, facts, names, ref, want } = w;
  const { profile } = facts;
  const t = template.name;
  const profileEnabled = !!template.target.dataset.profileEnabled;
  // Ruling 8: the descriptor before the dataset; ruling 16: a Profile dataset on a union schema.
  want(
    'dataset',
    names.dataset,
    {
      name: names.dataset,
      description: described(template.target.dataset.description, profile, t),
      schemaRef: { id: ref('schema'), contentType: DATASET_SCHEMA_CONTENT_TYPE },
      ...(profileEnabled ? { tags: { unifiedProfile: ['enabled:true'], unifiedIdentity: ['enabled:true'] } } : {}),
    },
    ['schema', 'descriptor'],
    { facts: { profileEnabled } },
  );
  const flowFacts = {
    profile,
    template,
    names,
    table: facts.table,
    connection,
    flowSpecId: facts.flowSpecId,
    schedule: facts.schedule,
    explicitStart: facts.explicitStart,
    sourceConnectionId: ref('sourceConnection'),
    targetConnectionId: ref('targetConnection'),
    mapping: {
      name: 'Mapping',
      params: { mappingId: ref('mappingSet'), mappingVersion: ref('mappingSet', 'version') },
    },
  };
  want('sourceConnection', names.sourceConnection, facts.path.desireSource(flowFacts), [], {
    dependsOn: connection instanceof Ref ? [connection.key] : [],
    facts: { table: facts.table.name, tableNames: facts.tableNames },
  });
  want(
    'targetConnection',
    names.targetConnection,
    {
      name: names.targetConnection,
      description: described(`Data Lake target for ${names.dataset}`, profile, t),
      data: { schema: { id: ref('schema'), version: SCHEMA_VERSION } },
      params: { dataSetId: ref('dataset') },
      connectionSpec: DATA_LAKE_CONNECTION_SPEC,
    },
    ['schema', 'dataset'],
  );
  want('mappingSet', names.mappingSet, mappingSetBody(names.mappingSet, ref('schema'), mappings), [
    'schema',
    'fieldGroup',
  ]);
  const flow = facts.path.desireFlow(flowFacts);
  want('flow', names.flow, flow.body, ['sourceConnection', 'targetConnection', 'mappingSet'], {
    ...(flow.facts ? { facts: flow.facts } : {}),
  });
}
