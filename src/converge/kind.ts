// What a kind of resource is (one file each under kinds/, registered in kinds/index.ts), and the
// pieces kinds share: Flow Service and Schema Registry reads and creates, ownership by name and
// marker, and the rule every machine agrees on when two resources carry one name (two machines
// created at once): the oldest wins, by Adobe's own creation time, then by id.
import { flowService, oneItem, type Collection, type FlowResource } from '../aep/flow-service.js';
import { schemaRegistry, type RegistryKind } from '../aep/schema-registry.js';
import { UserError } from '../core/errors.js';
import type { Platform, PlatformRequest } from '../http/platform.js';
import { marker, type NameContext } from './names.js';
import type { Shared } from './observe.js';
import type { UpdateRule, UpdateRules } from './rules.js';
import type { Actual, Kind, Outcome } from './types.js';

/** Where a finder looks: the lists of this run (memoized in Shared: one list per kind and filter, never one per resource). */
export interface FindContext {
  shared: Shared;
  platform: Platform;
}

/** Destroy's query: every resource of the kind on its lists (ownership is then read from each one). */
export const ANY: unique symbol = Symbol('any name');

export interface FindQuery {
  /** Our deterministic name, or ANY (destroy: whatever is there, ours or not). */
  name: string | typeof ANY;
  /** For source connections the base connections to look under; for connections and flows the specs (default: both paths'). */
  scope?: { baseConnectionIds?: string[]; specIds?: string[] };
  /** A create whose answer was lost: its body says where to look (the spec, base connection or schema it named). */
  made?: Record<string, any>;
  /** With ANY, for a kind found `within` another: the resources of that kind found so far. */
  within?: Actual[];
}

/**
 * How a replaced resource goes. `delete`: once the new flow exists (`flow`), or once the old flow
 * is gone (`old flow`: connections in use cannot be deleted). `rename`: renamed aside before its
 * successor is created (titles are unique; a dataset keeps its data) and kept, for destroy.
 * `keep`: left as it is (it belongs to a retired schema, or cannot be deleted). `before`: sent
 * before the successor is created (a flow: disabled, so two never run at once); `undo`: sent when
 * Adobe refuses the successor, so what `before` did is not left behind (the old flow enabled again).
 */
export type Retire =
  | {
      mode: 'delete';
      after: 'flow' | 'old flow';
      before?(actual: Actual): PlatformRequest[];
      undo?(actual: Actual): PlatformRequest[];
      requests(actual: Actual): PlatformRequest[];
    }
  | { mode: 'rename'; request(actual: Actual, name: string): PlatformRequest }
  | { mode: 'keep' };

/** Everything about one kind of resource. */
export interface KindSpec {
  label: string;
  /** `sandbox`: one per profile and sandbox (the base connection); `template`: one per template. */
  scope: 'sandbox' | 'template';
  dependsOn: Kind[];
  /** Our deterministic name for it: observe, adoption and destroy look for this name. */
  name(n: NameContext): string;
  /**
   * Every resource of this kind carrying our name, oldest first (ruling 15: lists, never a name
   * filter): the one finder observe, adoption after a lost answer and destroy use. Kinds without a
   * name of ours (descriptors, mapping sets) are found through their schema, or by the create's body.
   */
  find(ctx: FindContext, query: FindQuery): Promise<Actual[]>;
  /** Destroy finds this kind within another kind's resources (it has no list of its own to search). */
  within?: Kind;
  /** A kind without a name of ours belongs to the resource it was found within: that one's id. */
  belongsTo?(actual: Actual): unknown;
  /** Adobe gives it no name: a recorded one is checked neither for its name nor for our marker. */
  unnamed?: true;
  /** Made by this profile (for this template): carries our marker. */
  owned(resource: Record<string, any>, profile: string, template?: string): boolean;
  /** The GET by id (at a version, where the kind keeps versions), and how to read its answer (undefined: gone). */
  get(id: string, version?: number): PlatformRequest;
  read(answer: any, id: string): Actual | undefined;
  create(body: Record<string, unknown>): PlatformRequest;
  /** The new resource's id (and etag or version) from the create answer; an answer without one is an error. */
  created(answer: any): Outcome;
  /** What a found resource gives a step that made it (default: its id and etag). */
  adopted?(actual: Actual): Outcome;
  /** How the desired body is compared with what Adobe has: data (one generic diff), or a hand-written rule. */
  rules: UpdateRules | UpdateRule;
  /** What an update's answer gives the step besides the id (a mapping set: its new version). */
  updated?(answer: any, id: string): Partial<Outcome>;
  /** The DELETE; absent where Adobe offers none (then `undeletable` says why). */
  delete?(actual: { id: string }): PlatformRequest[];
  /** Why Adobe never deletes this one: destroy keeps it and says so (undefined: it can go). */
  undeletable?(actual: Actual): string | undefined;
  retire: Retire;
}

export function noId(request: string, answer: unknown): UserError {
  return new UserError(
    `Adobe answered ${request} without the new resource's id (${JSON.stringify(answer)?.slice(0, 200)}); nothing was recorded.`,
    {
      hint: 'Re-run the command: it looks the resource up by name before creating it again. If this keeps happening, check AEP_PLATFORM_URL points at Adobe.',
    },
  );
}

// ---- Ownership and the oldest-wins rule -------------------------------------------------------

/** When Adobe made it (epoch ms): Flow Service `createdAt`, Catalog `created`, Data Prep `createdDate`, Schema Registry `repo:createdDate`. */
export function createdAt(resource: Record<string, any>): number {
  const value =
    resource.createdAt ??
    resource.created ??
    resource.createdDate ??
    resource['meta:registryMetadata']?.['repo:createdDate'] ??
    resource['repo:createdDate'];
  const n = typeof value === 'string' && !/^\d+$/.test(value) ? Date.parse(value) : Number(value);
  return Number.isFinite(n) ? n : Number.POSITIVE_INFINITY;
}

/** Oldest first: creation time, then id (the tie-break both machines compute alike). */
export function oldestFirst<T extends { id: string; resource: Record<string, any> }>(items: T[]): T[] {
  return [...items].sort(
    (a, b) => createdAt(a.resource) - createdAt(b.resource) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** Carries our marker (for a template, or the profile's base connection). */
export const marked = (resource: Record<string, any>, profile: string, template?: string) =>
  String(resource.description ?? '').includes(marker(profile, template));

// ---- Flow Service kinds -----------------------------------------------------------------------

export const flowActual = (item: FlowResource): Actual => ({
  id: item.id,
  name: item.name,
  etag: item.etag,
  resource: item,
});

/** The items of these lists of a collection that carry the name, oldest first. */
export async function listedByName(
  ctx: FindContext,
  collection: 'connections' | 'sourceConnections' | 'targetConnections' | 'flows',
  filters: string[],
  name: string | typeof ANY,
): Promise<Actual[]> {
  const listed = (await Promise.all(filters.map((f) => ctx.shared.flowList(collection, f)))).flat();
  // ANY: in the lists' order (destroy reads ownership from each one).
  if (name === ANY) return listed.map(flowActual);
  return oldestFirst(listed.filter((item) => item.name === name).map(flowActual));
}

export const flowKind = (collection: Collection): Pick<KindSpec, 'get' | 'read' | 'create' | 'created' | 'owned'> => ({
  owned: marked,
  get: (id) => flowService.get(collection, id),
  read: (answer) => {
    const item = oneItem(answer);
    return item ? { id: item.id, name: item.name, etag: item.etag, resource: item } : undefined;
  },
  create: (body) => flowService.create(collection, body),
  created: (answer) => {
    if (typeof answer?.id !== 'string' || !answer.id) throw noId(`POST ${collection}`, answer);
    return { id: answer.id, etag: answer.etag };
  },
});

// ---- Schema Registry kinds --------------------------------------------------------------------

/** Reads, creates and finds a tenant class, field group or schema (lists carry ids and titles only). */
export const registryKind = (
  kind: RegistryKind,
): Pick<KindSpec, 'find' | 'owned' | 'get' | 'read' | 'create' | 'created'> => ({
  find: async (ctx, { name }) => {
    if (name === ANY) return ours(ctx, kind);
    const listed: Array<Record<string, any>> = (await ctx.shared.tenantList(kind)).filter((r) => r.title === name);
    // A list item has no creation time (xed-id): with two of the name, each is read for its
    // repo:createdDate, so every machine keeps the same one, the oldest, as for the other kinds.
    const items =
      listed.length > 1
        ? await Promise.all(
            listed.map(async (r) => (await ctx.platform.send(schemaRegistry.lookup('tenant', kind, r.$id))) ?? r),
          )
        : listed;
    return oldestFirst(items.map((r) => ({ id: r.$id, name: r.title, resource: r })));
  },
  owned: marked,
  get: (id) => schemaRegistry.lookup('tenant', kind, id),
  read: (answer) => (answer?.$id ? { id: answer.$id, name: answer.title, resource: answer } : undefined),
  create: (body) => schemaRegistry.create(kind, body),
  created: (answer) => {
    if (typeof answer?.$id !== 'string' || !answer.$id) throw noId(`POST tenant/${kind}`, answer);
    return { id: answer.$id };
  },
});

/**
 * Every tenant resource with a name of ours (any profile, any template), read whole: the lists
 * carry no description, and the marker is in it. One that cannot be read is left out.
 */
async function ours(ctx: FindContext, kind: RegistryKind): Promise<Actual[]> {
  const listed = (await ctx.shared.tenantList(kind)).filter((r) => /\(aep-zoho /.test(r.title));
  const read = await Promise.all(
    listed.map(async (r) => {
      const full = await ctx.platform.send(schemaRegistry.lookup('tenant', kind, r.$id)).catch(() => undefined);
      return full && { id: r.$id, name: r.title, resource: full as Record<string, any> };
    }),
  );
  return read.filter((a): a is Actual => !!a);
}

/** A replaced class, field group or schema: renamed aside (titles are unique) and kept. */
export function renameRegistry(kind: RegistryKind): Retire {
  return {
    mode: 'rename',
    request: (actual, name) => schemaRegistry.patch(kind, actual.id, [{ op: 'replace', path: '/title', value: name }]),
  };
}
