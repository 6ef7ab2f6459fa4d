// One finder per kind: what carries our deterministic name (and, where Adobe's lists show it, our
// marker), on both paths, oldest first. observe, adoption after a lost answer, destroy, and
// `dataflow list`/`status` all ask here, so a resource one of them finds the others find too.
//
// The rule every machine agrees on when two carry one name (two machines created at once): the
// oldest wins, by Adobe's own creation time, then by id. The others are duplicates, retired.
//
// Cost: one list per kind and filter per run (memoized in Shared), never one per resource.
import { datasetsNamed } from '../aep/catalog.js';
import {
  CRM_FLOW_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC,
  HTTP_API_CONNECTION_SPEC,
  STREAMING_FLOW_SPEC_ID,
  ZOHO_CONNECTION_SPEC,
  type FlowResource,
} from '../aep/flow-service.js';
import type { Platform } from '../http/platform.js';
import { marker } from './desire.js';
import type { Shared } from './observe.js';
import type { Actual, Kind } from './types.js';

/** Both paths' base connection specs: a resource of ours is found whichever path made it. */
export const CONNECTION_SPEC_IDS = [ZOHO_CONNECTION_SPEC.id, HTTP_API_CONNECTION_SPEC.id];

/** Both paths' flow specs: the CRM one as Adobe answers it (ruling 2), and the streaming one. */
export async function flowSpecIds(shared: Shared): Promise<string[]> {
  const crm = await shared.flow.crmFlowSpec().catch(() => undefined);
  return [...new Set([crm?.id ?? CRM_FLOW_SPEC_ID, STREAMING_FLOW_SPEC_ID])];
}

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

/** The template a resource of this profile belongs to, from our name suffix and marker; undefined if not ours. */
export function ownerOf(resource: { name?: string; title?: string; description?: string }, profile: string) {
  const name = resource.name ?? resource.title ?? '';
  const m = /\(aep-zoho ([^/()]+)\/([^()]+)\)(?: \(replaced [^)]*\))*$/.exec(name);
  if (!m || m[1] !== profile) return undefined;
  return String(resource.description ?? '').includes(marker(profile, m[2])) ? m[2] : undefined;
}

/** Carries our marker (for a template, or the profile's base connection). */
export const marked = (resource: Record<string, any>, profile: string, template?: string) =>
  String(resource.description ?? '').includes(marker(profile, template));

const flowActual = (item: FlowResource): Actual => ({
  id: item.id,
  name: item.name,
  etag: item.etag,
  resource: item,
});

/**
 * Every resource of `kind` named `name`, oldest first (ruling 15: lists, never a name filter).
 * `scope`: for source connections the base connections to look under; for connections and flows
 * the specs (default: both paths'). Registry kinds answer ids and titles only.
 */
export async function findByName(
  shared: Shared,
  platform: Platform,
  kind: Kind,
  name: string,
  scope: { baseConnectionIds?: string[]; specIds?: string[] } = {},
): Promise<Actual[]> {
  const lists = async (
    collection: 'connections' | 'sourceConnections' | 'targetConnections' | 'flows',
    filters: string[],
  ) =>
    oldestFirst(
      (await Promise.all(filters.map((f) => shared.flowList(collection, f))))
        .flat()
        .filter((item) => item.name === name)
        .map(flowActual),
    );
  switch (kind) {
    case 'connection':
      return lists(
        'connections',
        (scope.specIds ?? CONNECTION_SPEC_IDS).map((id) => `connectionSpec.id==${id}`),
      );
    case 'sourceConnection':
      return lists(
        'sourceConnections',
        (scope.baseConnectionIds ?? []).map((id) => `baseConnectionId==${id}`),
      );
    case 'targetConnection':
      return lists('targetConnections', [`connectionSpec.id==${DATA_LAKE_CONNECTION_SPEC.id}`]);
    case 'flow':
      return lists(
        'flows',
        (scope.specIds ?? (await flowSpecIds(shared))).map((id) => `flowSpec.id==${id}`),
      );
    case 'class':
    case 'fieldGroup':
    case 'schema': {
      const registryKind = kind === 'class' ? 'classes' : kind === 'fieldGroup' ? 'fieldgroups' : 'schemas';
      return oldestFirst(
        (await shared.tenantList(registryKind))
          .filter((r) => r.title === name)
          .map((r) => ({ id: r.$id, name: r.title, resource: r as Record<string, any> })),
      );
    }
    case 'dataset':
      return oldestFirst(
        (await datasetsNamed(platform, name))
          .filter((d) => d.name === name)
          .map((d) => ({ id: d.id, name: d.name, resource: d as Record<string, any> })),
      );
    default:
      return []; // descriptors and mapping sets have no name of ours: found through their schema
  }
}

/** Flows of this profile on both paths, by name and marker: template → flows, oldest first. */
export async function ourFlows(
  shared: Shared,
  profile: string,
): Promise<{ mine: Map<string, FlowResource[]>; all: FlowResource[] }> {
  const ids = await flowSpecIds(shared);
  const all = (await Promise.all(ids.map((id) => shared.flowList('flows', `flowSpec.id==${id}`)))).flat();
  const mine = new Map<string, FlowResource[]>();
  for (const flow of oldestFirst(all.map((f) => ({ id: f.id, resource: f })))) {
    const template = ownerOf(flow.resource, profile);
    if (template) mine.set(template, [...(mine.get(template) ?? []), flow.resource as FlowResource]);
  }
  return { mine, all };
}
