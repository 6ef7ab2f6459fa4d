// Schema Registry (aep-api.md §5, aep-updates.md §3): tenant id, classes, field groups, schemas,
// descriptors. Lists need an `xed-id` Accept and lookups a versioned one; the builders set them.
import { unlessNotFound } from '../core/errors.js';
import { readPages } from '../http/pages.js';
import type { Platform, PlatformRequest } from '../http/platform.js';
import type { JsonPatch } from './flow-service.js';

export const SCHEMA_REGISTRY = '/data/foundation/schemaregistry';
const LIST_ACCEPT = 'application/vnd.adobe.xed-id+json';
const LOOKUP_ACCEPT = 'application/vnd.adobe.xed+json; version=1';
const FULL_ACCEPT = 'application/vnd.adobe.xed-full+json; version=1';
const DESCRIPTOR_ACCEPT = 'application/vnd.adobe.xdm+json';
/** The most a list page may hold (the registry's own cap). */
const PAGE = 300;

export interface XdmResource {
  $id: string;
  'meta:altId': string;
  title: string;
  version?: string;
  [key: string]: unknown;
}

export type Descriptor = Record<string, unknown>;

export type RegistryKind = 'classes' | 'fieldgroups' | 'schemas';

/**
 * A list page. `_page.next` is where the next page starts (null: none); `_links.next` is a plain URI
 * string in the spec (linksBasic), read only when an answer has no `_page`.
 * https://github.com/AdobeDocs/experience-platform.en/blob/main/help/xdm/api/appendix.md#paging
 */
interface ListPage {
  results?: XdmResource[];
  _page?: { next?: string | number | null };
  _links?: { next?: string | { href?: string } | null };
}

const at = (container: 'global' | 'tenant', kind: RegistryKind | 'descriptors', id?: string) =>
  `${SCHEMA_REGISTRY}/${container}/${kind}${id ? `/${encodeURIComponent(id)}` : ''}`;

export const schemaRegistry = {
  stats: (): PlatformRequest<{ tenantId: string }> => ({
    method: 'GET',
    path: `${SCHEMA_REGISTRY}/stats`,
    headers: { accept: 'application/json' },
  }),
  /** One page of the tenant container, ordered by title so `start` can continue it. */
  list: (kind: RegistryKind, start?: string): PlatformRequest<ListPage> => ({
    method: 'GET',
    path: at('tenant', kind),
    query: { orderby: 'title', limit: PAGE, ...(start !== undefined ? { start } : {}) },
    headers: { accept: LIST_ACCEPT },
  }),
  lookup: (container: 'global' | 'tenant', kind: RegistryKind, id: string): PlatformRequest<XdmResource> => ({
    method: 'GET',
    path: at(container, kind, id),
    headers: { accept: LOOKUP_ACCEPT },
  }),
  /** With the resolved `properties` (every field the resource brings), for checking destinations. */
  full: (
    container: 'global' | 'tenant',
    kind: RegistryKind,
    id: string,
  ): PlatformRequest<XdmResource & { properties?: Record<string, unknown> }> => ({
    method: 'GET',
    path: at(container, kind, id),
    headers: { accept: FULL_ACCEPT },
  }),
  create: (kind: RegistryKind, body: Record<string, unknown>): PlatformRequest<XdmResource> => ({
    method: 'POST',
    path: at('tenant', kind),
    body,
  }),
  /**
   * JSON Patch; the registry takes no If-Match (aep-updates.md §3.1). Replaces alone apply the same
   * twice; any other patch (an `add` to `/allOf/-` appends again) is resent after a failure only
   * when a re-read does not show every operation's effect already.
   */
  patch: (kind: RegistryKind, id: string, ops: JsonPatch): PlatformRequest<XdmResource> => {
    const request: PlatformRequest<XdmResource> = { method: 'PATCH', path: at('tenant', kind, id), body: ops };
    if (ops.every((op) => op.op === 'replace')) return { ...request, idempotent: true };
    return {
      ...request,
      reread: {
        request: schemaRegistry.lookup('tenant', kind, id),
        applied: (current, sent) => (sent.body as JsonPatch).every((op) => shows(current, op)),
      },
    };
  },
  delete: (kind: RegistryKind | 'descriptors', id: string): PlatformRequest<void> => ({
    method: 'DELETE',
    path: at('tenant', kind, id),
  }),
  descriptorsOf: (
    schemaId: string,
  ): PlatformRequest<{ results?: Descriptor[] } | Descriptor[] | Record<string, Descriptor[]>> => ({
    method: 'GET',
    path: at('tenant', 'descriptors'),
    query: { property: `xdm:sourceSchema==${schemaId}` },
    headers: { accept: DESCRIPTOR_ACCEPT },
  }),
  descriptor: (id: string): PlatformRequest<Descriptor> => ({
    method: 'GET',
    path: at('tenant', 'descriptors', id),
    headers: { accept: DESCRIPTOR_ACCEPT },
  }),
  createDescriptor: (body: Record<string, unknown>): PlatformRequest<Descriptor> => ({
    method: 'POST',
    path: at('tenant', 'descriptors'),
    body,
  }),
  /**
   * There is no PATCH for descriptors: PUT the whole body; Adobe answers 201 (aep-updates.md §3.4).
   * The same whole body twice leaves the same descriptor: sent again after a transient failure.
   */
  putDescriptor: (id: string, body: Record<string, unknown>): PlatformRequest<Descriptor> => ({
    method: 'PUT',
    path: at('tenant', 'descriptors', id),
    body,
    idempotent: true,
  }),
};

/** The documented descriptor list for this Accept groups them by @type; other shapes are accepted too. */
export function descriptorList(
  page: { results?: Descriptor[] } | Descriptor[] | Record<string, Descriptor[]> | undefined,
): Descriptor[] {
  if (!page) return [];
  if (Array.isArray(page)) return page;
  if (Array.isArray(page.results)) return page.results as Descriptor[];
  return Object.values(page).flatMap((group) =>
    Array.isArray(group) ? group.filter((d): d is Descriptor => !!d && typeof d === 'object') : [],
  );
}

export class SchemaRegistry {
  constructor(private readonly platform: Platform) {}

  async tenantId(): Promise<string> {
    return (await this.platform.send(schemaRegistry.stats())).tenantId;
  }

  /** A global or tenant resource by $id, or undefined when the org does not have it. */
  lookup(container: 'global' | 'tenant', kind: RegistryKind, id: string): Promise<XdmResource | undefined> {
    return unlessNotFound(this.platform.send(schemaRegistry.lookup(container, kind, id)));
  }

  /**
   * The whole tenant container of a kind (titles are matched here, ruling 15), page by page: `start`
   * is the last answer's `_page.next`, as Adobe documents it and aepp's schema.py pages.
   */
  listTenant(kind: RegistryKind): Promise<XdmResource[]> {
    return readPages(
      `GET ${at('tenant', kind)}`,
      async (start) => {
        const page = await this.platform.send(schemaRegistry.list(kind, start));
        return { items: page.results ?? [], next: nextStart(page) };
      },
      { key: (item) => item.$id },
    );
  }

  async descriptors(schemaId: string): Promise<Descriptor[]> {
    return descriptorList(await this.platform.send(schemaRegistry.descriptorsOf(schemaId)));
  }
}

/** Whether a resource shows a JSON Patch operation's effect (Adobe may add fields to a value it stores). */
function shows(resource: unknown, op: JsonPatch[number]): boolean {
  const keys = op.path
    .split('/')
    .slice(1)
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop();
  let node: unknown = resource;
  for (const key of keys) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  if (last === undefined || !node || typeof node !== 'object') return false;
  if (op.op === 'remove') return !Array.isArray(node) && !(last in node);
  if (Array.isArray(node) && last === '-') return node.some((item) => contains(item, op.value));
  return contains((node as Record<string, unknown>)[last], op.value);
}

/** `have` holds `want`: equal, or an object with every field of `want` (recursively), arrays item by item. */
function contains(have: unknown, want: unknown): boolean {
  if (want === null || typeof want !== 'object') return have === want;
  if (!have || typeof have !== 'object' || Array.isArray(have) !== Array.isArray(want)) return false;
  if (Array.isArray(want))
    return (
      want.length === (have as unknown[]).length && want.every((item, i) => contains((have as unknown[])[i], item))
    );
  return Object.entries(want).every(([key, value]) => contains((have as Record<string, unknown>)[key], value));
}

/** Where the page after this one starts: `_page.next`, else the `start` of `_links.next`. */
function nextStart(page: ListPage): string | undefined {
  if (page._page && typeof page._page === 'object') {
    const next = page._page.next;
    return next === null || next === undefined || next === '' ? undefined : String(next);
  }
  const link = page._links?.next;
  const href = typeof link === 'string' ? link : link?.href;
  return href ? (new URL(href, 'https://platform.adobe.io').searchParams.get('start') ?? undefined) : undefined;
}

/** Every field path of a resolved `properties` tree: `a`, `a.b`, … */
export function fieldPaths(properties: Record<string, unknown> | undefined, prefix = ''): string[] {
  return Object.entries(properties ?? {}).flatMap(([key, node]) => {
    const path = `${prefix}${key}`;
    const inner = (node as { properties?: Record<string, unknown> })?.properties;
    return [path, ...(inner ? fieldPaths(inner, `${path}.`) : [])];
  });
}
