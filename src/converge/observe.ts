// Observe: what exists, in as few sequential waves as the links allow. A resource is found by our
// deterministic name (and marker) on a token-safe list (ruling 15), through its kind's finder (kinds/),
// on every run; the id in the state file (a cache, not the truth) only when nothing carries the
// name. Everything starts at once; each lookup waits only for the id it needs.
import { CONVERSION, dataPrep, type MappingSet } from '../aep/data-prep.js';
import { FlowService, type Collection, type FlowResource } from '../aep/flow-service.js';
import { SchemaRegistry, type RegistryKind, type XdmResource } from '../aep/schema-registry.js';
import type { SandboxState, StateStore } from '../config/state.js';
import type { Logger } from '../core/context.js';
import { UsageError, unlessNotFound } from '../core/errors.js';
import { readPages } from '../http/pages.js';
import type { Platform } from '../http/platform.js';
import type { SourcePath, TableReader } from '../paths/index.js';
import type { LoadedTemplate } from '../template/types.js';
import { oldestFirst } from './kind.js';
import { KINDS } from './kinds/index.js';
import { observeTemplate, type TemplateObservation } from './observe-template.js';
import { matchTable, unknownTable, type TableRef } from './tables.js';
import type { Actual, Kind } from './types.js';
import { para } from '../core/text.js';

export type { ReadTable, TemplateObservation } from './observe-template.js';

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
export function pick(
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
      para`${others.length + 1} resources are named like ${what}; using ${found.id}, not ${duplicates.join(', ')}
        (delete the others in the Experience Platform UI).`,
    );
  return {
    ...found,
    ...(duplicates.length ? { duplicates } : {}),
    ...(retirable.length ? { retirable } : {}),
  };
}

/** By the state's id; undefined when it is gone. */
export async function byId(services: Services, kind: Kind, id: string, version?: number): Promise<Actual | undefined> {
  const spec = KINDS[kind];
  return spec.read(await unlessNotFound(services.platform.send(spec.get(id, version))), id);
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

/** What dataflow create observed: the base connection, the tables, the tenant, the flow spec, each template's resources. */
export interface Observation {
  connection: Actual;
  tables: TableRef[];
  tenantId: string;
  flowSpecId: string;
  /** In the templates' order. */
  templates: TemplateObservation[];
}

export interface ObserveOptions {
  /** How the path reads the CRM's tables (Adobe's explore, or Zoho's own API). */
  reader: TableReader;
  /** The base connection's name (the state's, else ours). */
  connectionName: string;
  /** The error when the profile has no base connection on this path. */
  noConnection: () => Error;
  /** Read a few rows of each table too (a dry run's preview). */
  preview: boolean;
}

/**
 * Everything dataflow create needs, in one wave: the saved connection id and a cached listing let
 * every lookup, the tables' columns included, start at once; if the saved connection turns out
 * gone, it looks again.
 */
export async function observe(
  services: Services,
  shared: Shared,
  templates: LoadedTemplate[],
  o: ObserveOptions,
  trustSaved = true,
): Promise<Observation> {
  void [shared.tenantId, shared.flowSpec]; // both in the first wave of lookups
  const savedId = shared.saved.connection?.id;
  const connectionFound = later(observeConnection(services, shared, o.connectionName));
  const connectionId = later(connectionFound.then((c) => c?.id));
  // Trusting the saved connection, the listing (cached, else fetched on it) does not wait for the lookup.
  const early = trustSaved && savedId ? savedId : undefined;
  const listing = later(
    o.reader.tables(
      () => (early ? Promise.resolve(early) : connectionId.then((id) => (id ? id : Promise.reject(o.noConnection())))),
      { cached: !!early },
    ),
  );
  const tableOf = (loaded: LoadedTemplate) =>
    later(
      listing.then((list) => {
        const table = matchTable(list, loaded.template.source.table);
        if (table) return table;
        const error = unknownTable(list, loaded.template.source.table);
        throw new UsageError(`Template '${loaded.template.name}' (${loaded.file}): ${error.message}`, {
          hint: error.hint,
        });
      }),
    );
  const explored = early ? Promise.resolve(savedId) : connectionId;
  const observations = templates.map((loaded) =>
    later(
      observeTemplate(
        services,
        shared,
        loaded.template,
        connectionId,
        tableOf(loaded),
        o.preview,
        (table, preview) => o.reader.read(() => explored, table, preview, 3), // 3: a dry run's preview
      ),
    ),
  );
  const found = await connectionFound;
  if (!found) throw o.noConnection();
  if (early && found.id !== savedId) return observe(services, shared, templates, o, false); // gone: look again
  const [tables, tenantId, spec] = await Promise.all([listing, shared.tenantId, shared.flowSpec]);
  return { connection: found, tables, tenantId, flowSpecId: spec.id, templates: await Promise.all(observations) };
}
