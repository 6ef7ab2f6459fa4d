// Observe: what exists, in as few sequential waves as the links allow. A resource is found by our
// deterministic name (and marker) on a token-safe list (ruling 15), through its kind's finder (kinds/),
// on every run; the id in the state file (a cache, not the truth) only when nothing carries the
// name. Everything starts at once; each lookup waits only for the id it needs.
import { CONVERSION, dataPrep, mappingSetSchema, type MappingSet } from '../aep/data-prep.js';
import {
  FlowService,
  type Collection,
  type ExploreColumn,
  type ExploreTableDetail,
  type FlowResource,
} from '../aep/flow-service.js';
import {
  SchemaRegistry,
  fieldPaths,
  schemaRegistry,
  type RegistryKind,
  type XdmResource,
} from '../aep/schema-registry.js';
import type { SandboxState, StateStore } from '../config/state.js';
import type { Logger } from '../core/context.js';
import { unlessNotFound } from '../core/errors.js';
import { readPages } from '../http/pages.js';
import type { Platform } from '../http/platform.js';
import type { SourcePath } from '../paths/index.js';
import type { Template } from '../template/types.js';
import { resourceNames } from './desire.js';
import { oldestFirst, type FindQuery } from './kind.js';
import { KINDS } from './kinds/index.js';
import type { TableRef } from './tables.js';
import type { Actual, Kind } from './types.js';

export interface Services {
  platform: Platform;
  state: StateStore;
  sandbox: string;
  profile: string;
  log: Logger;
  now: () => Date;
  /** The path (src/paths/): its base connection's and flows' specs. Only the base connection's and the flow spec's lookups need it. */
  path?: Pick<SourcePath, 'connectionSpec' | 'flowSpec'>;
}

/** The path, where a lookup needs it. */
const pathOf = (services: Services) => {
  if (!services.path) throw new Error('observe: this lookup needs the path (Services.path)');
  return services.path;
};

/** Observed once per run and shared by every template. */
export interface Shared {
  saved: SandboxState;
  flow: FlowService;
  registry: SchemaRegistry;
  tenantId: Promise<string>;
  flowSpec: Promise<FlowResource>;
  /** The tenant container per kind, listed once (titles are matched locally). */
  tenantList(kind: RegistryKind): Promise<XdmResource[]>;
  /** Every list of a Flow Service collection with this filter, once. */
  flowList(collection: Collection, filter: string): Promise<FlowResource[]>;
  mappingSets(): Promise<MappingSet[]>;
  /** Set by observeConnection: younger base connections of ours by the same name (their source connections are looked at too). */
  connectionDuplicates?: string[];
}

export function observeShared(services: Services, saved: SandboxState): Shared {
  const { platform } = services;
  const flow = new FlowService(platform);
  const registry = new SchemaRegistry(platform);
  const memo = new Map<string, Promise<any>>();
  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, later(make()));
    return memo.get(key)!;
  };
  return {
    saved,
    flow,
    registry,
    // On first use: connect, explore and destroy never need them; dataflow create asks at once.
    get tenantId() {
      return once('tenant', () => registry.tenantId());
    },
    get flowSpec() {
      return once('flowSpec', () => pathOf(services).flowSpec(flow, services.log));
    },
    tenantList: (kind) => once(`registry:${kind}`, () => registry.listTenant(kind)),
    flowList: (collection, filter) =>
      once(`${collection}:${filter}`, () => flow.listAll(collection, { property: filter })),
    mappingSets: () => once('mappingSets', () => listMappingSets(platform)),
  };
}

/** Every mapping set of the sandbox: Data Prep pages by offset (`start`) while `_links.next` names a next page. */
function listMappingSets(platform: Platform): Promise<MappingSet[]> {
  return readPages(
    `GET ${CONVERSION}/mappingSets`,
    async (start) => {
      const offset = Number(start ?? 0);
      const page = await platform.send(dataPrep.list(offset));
      const items = page.data ?? [];
      const link = page._links?.next;
      const more = items.length > 0 && (typeof link === 'string' ? link !== '' : !!link?.href);
      return { items, next: more ? offset + items.length : undefined };
    },
    { key: (set) => set.id },
  );
}

/** Observed later; a rejection before then must not crash the process as "unhandled". */
export function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * One of ours by name: the oldest (creation time, then id: every machine picks the same one).
 * Younger ones with our marker are retirable (the plan retires them); others are only reported.
 */
function pick(
  candidates: Actual[],
  log: Logger,
  what: string,
  ours: (resource: Record<string, any>) => boolean,
): Actual | undefined {
  const [found, ...others] = oldestFirst(candidates);
  if (!found) return undefined;
  const retirable = others.filter((o) => ours(o.resource));
  const duplicates = others.filter((o) => !retirable.includes(o)).map((o) => o.id);
  if (duplicates.length)
    log.warn(
      `${others.length + 1} resources are named like ${what}; using ${found.id}, not ${duplicates.join(', ')} (delete the others in the Experience Platform UI).`,
    );
  return {
    ...found,
    ...(duplicates.length ? { duplicates } : {}),
    ...(retirable.length ? { retirable } : {}),
  };
}

/** By the state's id; undefined when it is gone. */
async function byId(services: Services, kind: Kind, id: string, version?: number): Promise<Actual | undefined> {
  const spec = KINDS[kind];
  const request = kind === 'mappingSet' && version ? dataPrep.get(id, version) : spec.get(id);
  return spec.read(await unlessNotFound(services.platform.send(request)), id);
}

/** The base connection: the oldest of this path's spec by our name (ruling 15), else the state's id when it is of that spec (renamed since). */
export async function observeConnection(services: Services, shared: Shared, name: string): Promise<Actual | undefined> {
  const saved = shared.saved.connection;
  const spec = pathOf(services).connectionSpec;
  const byName = await KINDS.connection.find(
    { shared, platform: services.platform },
    { name, scope: { specIds: [spec.id] } },
  );
  const found = pick(byName, services.log, `base connection '${name}'`, (r) =>
    KINDS.connection.owned(r, services.profile),
  );
  shared.connectionDuplicates = found?.retirable?.map((r) => r.id) ?? [];
  if (found || !saved?.id) return found;
  const recorded = await byId(services, 'connection', saved.id);
  return recorded && recorded.resource.connectionSpec?.id === spec.id ? recorded : undefined;
}

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

/**
 * What exists of one template's resources. `connectionId` (the base connection found), `explored`
 * (the one to explore: the saved id, before the lookup confirms it) and `table` are promises, so the
 * lookups that need none of them start at once.
 */
/** A table's columns (and preview rows): Adobe's explore on the base connection, or Zoho's own API on the http-api path. */
export type ReadTable = (table: TableRef, preview: boolean) => Promise<ExploreTableDetail>;

export async function observeTemplate(
  services: Services,
  shared: Shared,
  template: Template,
  connectionId: Promise<string | undefined>,
  explored: Promise<string | undefined>,
  table: Promise<TableRef>,
  preview: boolean,
  readTable?: ReadTable,
): Promise<TemplateObservation> {
  const t = template.name;
  const names = resourceNames(template, services.profile);
  const saved = shared.saved.dataflows?.[t] ?? {};
  const log = services.log;

  // Made by this run's replace and not yet gone (same name, or renamed aside): never ours to use.
  const retiring = new Set((shared.saved.retired ?? []).filter((r) => r.template === t).map((r) => r.id));

  /**
   * By name on every run (`find`: a list per kind, shared by every template), so a duplicate made
   * elsewhere is seen even when the state has an id; the state's id (a cache) only when nothing
   * carries our name (a resource renamed behind our back, put back by the plan).
   */
  const lookup = (kind: Kind, find: () => Promise<Actual | undefined>): Promise<Actual | undefined> =>
    later(
      (async () => {
        const found = await find();
        const ref = saved[kind];
        if (found || !ref?.id) return found;
        return byId(services, kind, ref.id, typeof ref.version === 'number' ? ref.version : undefined);
      })(),
    );
  /** Ours by name on every run, so a duplicate made elsewhere is seen even when the state has an id. */
  type Scope = FindQuery['scope'];
  const named = async (kind: Kind, name: string, scope?: Scope) =>
    pick(
      (await KINDS[kind].find({ shared, platform: services.platform }, { name, scope })).filter(
        (r) => !retiring.has(r.id),
      ),
      log,
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

  // The standard class and field groups, resolved: which destinations exist before anything is made.
  const standard = later(
    Promise.all([
      unlessNotFound(services.platform.send(schemaRegistry.full('global', 'classes', template.target.schema.class))),
      ...(template.target.schema.fieldGroups ?? []).map((id) =>
        unlessNotFound(services.platform.send(schemaRegistry.full('global', 'fieldgroups', id))),
      ),
    ]),
  );
  const classExists = later(standard.then(([found]) => !!found));
  const tenantClass = template.target.schema.fallbackClass
    ? inRegistry('class', names.class)
    : Promise.resolve(undefined);
  const fieldGroup = inRegistry('fieldGroup', names.fieldGroup);
  const schema = inRegistry('schema', names.schema);
  const dataset = lookup('dataset', () => named('dataset', names.dataset));
  const descriptor = template.identity
    ? lookup('descriptor', async () => {
        const id = (await schema)?.id;
        if (!id) return undefined;
        const all = (await shared.registry.descriptors(id)).filter(
          (d) => d['@type'] === 'xdm:descriptorIdentity' && d['xdm:sourceSchema'] === id,
        );
        const one = all.find((d) => d['xdm:namespace'] === template.identity!.namespace) ?? all[0];
        return one ? KINDS.descriptor.read(one, String(one['@id'])) : undefined;
      })
    : Promise.resolve(undefined);
  // Source connections on our base connection, and on its younger duplicates (retired with them).
  const source = inFlowService('sourceConnection', names.sourceConnection, async () => {
    const id = await connectionId;
    return id ? { baseConnectionIds: [id, ...(shared.connectionDuplicates ?? [])] } : undefined;
  });
  const target = inFlowService('targetConnection', names.targetConnection);
  const flow = inFlowService('flow', names.flow, async () => ({ specIds: [(await shared.flowSpec).id] }));
  // Mapping sets have no name in Adobe's lists (ruling 14): ours is the state's, else the one the
  // flow uses, else one writing our schema (and named like ours where names are given).
  const listed = saved.mappingSet?.id ? undefined : shared.mappingSets(); // started now, matched later
  const mappingSet = later(
    (async () => {
      const ref = saved.mappingSet;
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
            ? await byId(services, 'mappingSet', ref.id, typeof ref.version === 'number' ? ref.version : undefined)
            : undefined;
      if (!found) {
        const s = (await schema)?.id;
        const candidates = s
          ? (await (listed ?? shared.mappingSets())).filter(
              (m) => mappingSetSchema(m) === s && (m.name === undefined || m.name === names.mappingSet),
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
      const version = Number(used?.mappingVersion);
      if (
        found &&
        used?.mappingId === found.id &&
        Number.isInteger(version) &&
        version > Number(found.resource.version ?? 0)
      )
        found = await byId(services, 'mappingSet', found.id, version);
      return found;
    })(),
  );

  const resolvedTable = await table;
  const id = readTable ? undefined : await explored;
  const [detail, exists] = await Promise.all([
    readTable
      ? readTable(resolvedTable, preview && resolvedTable.canPreview)
      : id
        ? shared.flow.exploreTable(id, resolvedTable.path, preview && resolvedTable.canPreview)
        : Promise.resolve<ExploreTableDetail>({ format: 'tabular', schema: { columns: [] } }),
    classExists,
  ]);
  const lookups: Partial<Record<Kind, Promise<Actual | undefined>>> = {
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
    classExists: exists,
    table: resolvedTable,
    standardPaths,
  };
}
