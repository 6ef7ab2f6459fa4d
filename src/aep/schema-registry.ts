// Schema Registry client (aep-api.md §5): tenant id, classes, field groups, schemas, descriptors.
// Lists need an `xed-id` Accept and lookups a versioned one; both are set here, not by callers.
import { unlessNotFound } from '../core/errors.js';
import type { Platform } from '../http/platform.js';

export const SCHEMA_REGISTRY = '/data/foundation/schemaregistry';
const LIST_ACCEPT = 'application/vnd.adobe.xed-id+json';
const LOOKUP_ACCEPT = 'application/vnd.adobe.xed+json; version=1';

export interface XdmResource {
  $id: string;
  'meta:altId': string;
  title: string;
  version?: string;
  [key: string]: unknown;
}

export type RegistryKind = 'classes' | 'fieldgroups' | 'schemas';

export class SchemaRegistry {
  constructor(private readonly platform: Platform) {}

  async tenantId(): Promise<string> {
    const stats = await this.platform.get<{ tenantId: string }>(`${SCHEMA_REGISTRY}/stats`, undefined, { accept: 'application/json' });
    return stats.tenantId;
  }

  /** A global or tenant resource by $id, or undefined when the org does not have it. */
  async lookup(container: 'global' | 'tenant', kind: RegistryKind, id: string): Promise<XdmResource | undefined> {
    return unlessNotFound(this.platform.get<XdmResource>(`${SCHEMA_REGISTRY}/${container}/${kind}/${encodeURIComponent(id)}`, undefined, { accept: LOOKUP_ACCEPT }));
  }

  /** Tenant resources with exactly this title (titles are unique per sandbox). */
  async findByTitle(kind: RegistryKind, title: string): Promise<XdmResource | undefined> {
    const page = await this.platform.get<{ results?: XdmResource[] }>(`${SCHEMA_REGISTRY}/tenant/${kind}`, { property: `title==${title}` }, { accept: LIST_ACCEPT });
    return (page.results ?? []).find((item) => item.title === title);
  }

  async create(kind: RegistryKind | 'descriptors', body: Record<string, unknown>): Promise<XdmResource> {
    return (await this.platform.request<XdmResource>({ method: 'POST', path: `${SCHEMA_REGISTRY}/tenant/${kind}`, body })).body;
  }

  /** The schema's descriptors, full objects. */
  async descriptors(schemaId: string): Promise<Array<Record<string, unknown>>> {
    type Descriptor = Record<string, unknown>;
    const page = await this.platform.get<{ results?: Descriptor[] } | Descriptor[] | Record<string, Descriptor[]>>(
      `${SCHEMA_REGISTRY}/tenant/descriptors`,
      { property: `xdm:sourceSchema==${schemaId}` },
      { accept: 'application/vnd.adobe.xdm+json' },
    );
    if (Array.isArray(page)) return page;
    if (Array.isArray(page.results)) return page.results;
    // The documented shape for this Accept: the descriptors grouped by their @type.
    return Object.values(page ?? {}).flatMap((group) => (Array.isArray(group) ? group.filter((d): d is Descriptor => !!d && typeof d === 'object') : []));
  }

  async delete(kind: RegistryKind | 'descriptors', id: string): Promise<void> {
    await unlessNotFound(this.platform.request({ method: 'DELETE', path: `${SCHEMA_REGISTRY}/tenant/${kind}/${encodeURIComponent(id)}` }));
  }
}
