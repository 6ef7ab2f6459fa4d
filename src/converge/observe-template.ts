// What exists of one template's resources: each kind by our name through its finder (a list per
// kind, shared by every template), the state's id (a cache) only when nothing carries the name.
// Everything starts at once; each lookup waits only for the id it needs.
import { mappingSetSchema, type MappingSet } from '../aep/data-prep.js';
import type { ExploreColumn, ExploreTableDetail } from '../aep/flow-service.js';
import { fieldPaths, schemaRegistry } from '../aep/schema-registry.js';
import type { ResourceRef } from '../config/state.js';
import { unlessNotFound } from '../core/errors.js';
import type { Template } from '../template/types.js';
import { resourceNames } from './desire.js';
import type { FindQuery } from './kind.js';
import { KINDS } from './kinds/index.js';
import { byId, later, pick, type Services, type Shared } from './observe.js';
import type { TableRef } from './tables.js';
import type { Actual, Kind } from './types.js';

export interface TemplateObservation {
  /** By desired key. */
  actual: Map<string, Actual>;
  /** Every field path the standard class and field groups bring (undefined: the class is missing). */
  standardPaths?: Set<string>;
  columns: ExploreColumn[];
  rows: Array<Record<string, unknown>>;
  classExists: boolean;
  table: TableRef;
}

/** A table's columns (and preview rows): Adobe's explore on the base connection, or Zoho's own API on the http-api path. */
export type ReadTable = (table: TableRef, preview: boolean) => Promise<ExploreTableDetail>;

type Scope = FindQuery['scope'];
type Lookup = Promise<Actual | undefined>;

/**
 * What exists of one template's resources. `connectionId` (the base connection found) and `table`
 * are promises, so the lookups that need neither start at once.
 */
export async function observeTemplate(
  services: Services,
  shared: Shared,
  template: Template,
  connectionId: Promise<string | undefined>,
  table: Promise<TableRef>,
  preview: boolean,
  readTable: ReadTable,
): Promise<TemplateObservation> {
  const t = template.name;
  const names = resourceNames(template, services.profile);
  const { inRegistry, inFlowService, lookup, named } = finders(services, shared, t);
  const standard = standardOf(services, template);
  const tenantClass = template.target.schema.fallbackClass ? inRegistry('class', names.class) : undefined;
  const fieldGroup = inRegistry('fieldGroup', names.fieldGroup);
  const schema = inRegistry('schema', names.schema);
  const dataset = lookup('dataset', () => named('dataset', names.dataset));
  const descriptor = template.identity ? findDescriptor(shared, template, lookup, schema) : undefined;
  // Source connections on our base connection, and on its younger duplicates (retired with them).
  const source = inFlowService('sourceConnection', names.sourceConnection, async () => {
    const id = await connectionId;
    return id ? { baseConnectionIds: [id, ...(shared.connectionDuplicates ?? [])] } : undefined;
  });
  const target = inFlowService('targetConnection', names.targetConnection);
  const flow = inFlowService('flow', names.flow, async () => ({ specIds: [(await shared.flowSpec).id] }));
  const mappingSet = findMappingSet(services, shared, t, names.mappingSet, flow, schema);

  const resolvedTable = await table;
  const [detail, classExists] = await Promise.all([
    readTable(resolvedTable, preview && resolvedTable.canPreview),
    later(standard.then(([found]) => !!found)),
  ]);
  const lookups: Partial<Record<Kind, Lookup | undefined>> = {
    class: tenantClass,
    fieldGroup,
    schema,
    descriptor,
    dataset,
    sourceConnection: source,
    targetConnection: target,
    mappingSet,
    flow,
  };
  const actual = new Map<string, Actual>();
  for (const [kind, found] of Object.entries(lookups)) {
    const one = await found;
    if (one) actual.set(`${t}/${kind}`, one);
  }
  const resolved = await standard;
  const standardPaths = resolved[0] ? new Set(resolved.flatMap((r) => fieldPaths(r?.properties))) : undefined;
  return {
    actual,
    columns: detail.schema?.columns ?? [],
    rows: (detail.data ?? []).slice(0, 3),
    classExists,
    table: resolvedTable,
    standardPaths,
  };
}

/** How one template's kinds are looked up: by name on every run, the state's id as the fallback. */
function finders(services: Services, shared: Shared, t: string) {
  const saved: Partial<Record<string, ResourceRef>> = shared.saved.dataflows?.[t] ?? {};
  // Made by this run's replace and not yet gone (same name, or renamed aside): never ours to use.
  const retiring = new Set((shared.saved.retired ?? []).filter((r) => r.template === t).map((r) => r.id));
  /**
   * By name on every run (`find`: a list per kind, shared by every template), so a duplicate made
   * elsewhere is seen even when the state has an id; the state's id (a cache) only when nothing
   * carries our name (a resource renamed behind our back, put back by the plan).
   */
  const lookup = (kind: Kind, find: () => Lookup): Lookup =>
    later(
      (async () => {
        const found = await find();
        const ref = saved[kind];
        if (found || !ref?.id) return found;
        return byId(services, kind, ref.id, typeof ref.version === 'number' ? ref.version : undefined);
      })(),
    );
  /** Ours by name on every run, so a duplicate made elsewhere is seen even when the state has an id. */
  const named = async (kind: Kind, name: string, scope?: Scope) =>
    pick(
      (await KINDS[kind].find({ shared, platform: services.platform }, { name, scope })).filter(
        (r) => !retiring.has(r.id),
      ),
      services.log,
      `${KINDS[kind].label} '${name}'`,
      (r) => KINDS[kind].owned(r, services.profile, t),
    );
  const inRegistry = (kind: Kind, title: string) =>
    lookup(kind, async () => {
      // The registry's lists carry only ids and titles: the title gives the id, a GET the resource.
      const found = await named(kind, title);
      const full = found ? await byId(services, kind, found.id) : undefined;
      return full && { ...full, ...(found?.retirable ? { retirable: found.retirable } : {}) };
    });
  const inFlowService = (kind: Kind, name: string, scope?: () => Promise<Scope | undefined>) =>
    lookup(kind, async () => {
      const where = scope ? await scope() : undefined;
      if (scope && !where) return undefined;
      return named(kind, name, where);
    });
  return { lookup, named, inRegistry, inFlowService };
}

/** The standard class and field groups, resolved: which destinations exist before anything is made. */
function standardOf(services: Services, template: Template) {
  return later(
    Promise.all([
      unlessNotFound(services.platform.send(schemaRegistry.full('global', 'classes', template.target.schema.class))),
      ...(template.target.schema.fieldGroups ?? []).map((id) =>
        unlessNotFound(services.platform.send(schemaRegistry.full('global', 'fieldgroups', id))),
      ),
    ]),
  );
}

/** The schema's identity descriptor: the one of the template's namespace, else the first. */
function findDescriptor(
  shared: Shared,
  template: Template,
  lookup: (kind: Kind, find: () => Lookup) => Lookup,
  schema: Lookup,
): Lookup {
  return lookup('descriptor', async () => {
    const id = (await schema)?.id;
    if (!id) return undefined;
    const all = (await shared.registry.descriptors(id)).filter(
      (d) => d['@type'] === 'xdm:descriptorIdentity' && d['xdm:sourceSchema'] === id,
    );
    const one = all.find((d) => d['xdm:namespace'] === template.identity!.namespace) ?? all[0];
    return one ? KINDS.descriptor.read(one, String(one['@id'])) : undefined;
  });
}

/**
 * Mapping sets have no name in Adobe's lists (ruling 14): ours is the state's, else the one the
 * flow uses, else one writing our schema (and named like ours where names are given).
 */
function findMappingSet(services: Services, shared: Shared, t: string, name: string, flow: Lookup, schema: Lookup) {
  const ref = shared.saved.dataflows?.[t]?.mappingSet;
  const listed = ref?.id ? undefined : shared.mappingSets(); // started now, matched later
  const version = (r: ResourceRef) => (typeof r.version === 'number' ? r.version : undefined);
  return later(
    (async () => {
      const f = await flow;
      const used = f?.resource.transformations?.find((x: { name?: string }) => x.name === 'Mapping')?.params;
      // The one the kept flow runs, when it writes our schema: every machine sees the same flow, so
      // two that each made a mapping set agree (their state files name different ones).
      const running =
        used?.mappingId && used.mappingId !== ref?.id
          ? await byId(services, 'mappingSet', String(used.mappingId))
          : undefined;
      const schemaId = running ? (await schema)?.id : undefined;
      let found =
        running && schemaId && mappingSetSchema(running.resource as MappingSet) === schemaId
          ? running
          : ref?.id
            ? await byId(services, 'mappingSet', ref.id, version(ref))
            : undefined;
      if (!found) {
        const s = (await schema)?.id;
        const candidates = s
          ? (await (listed ?? shared.mappingSets())).filter(
              (m) => mappingSetSchema(m) === s && (m.name === undefined || m.name === name),
            )
          : [];
        const chosen =
          candidates.find((m) => m.id === used?.mappingId) ??
          candidates.sort(
            (a, b) => Number(b.updatedAt ?? b.createdDate ?? 0) - Number(a.updatedAt ?? a.createdDate ?? 0),
          )[0];
        found = chosen ? await byId(services, 'mappingSet', chosen.id) : undefined;
      }
      // A GET without a version may answer version 0 (Adobe leaves it open): read the one the flow runs.
      const runs = Number(used?.mappingVersion);
      if (found && used?.mappingId === found.id && Number.isInteger(runs) && runs > Number(found.resource.version ?? 0))
        found = await byId(services, 'mappingSet', found.id, runs);
      return found;
    })(),
  );
}
