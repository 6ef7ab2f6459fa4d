// Flow Service client (aep-api.md §2–§4, §6, §8): connection specs, base connections, explore,
// source and target connections, flow specs, flows and runs. Paths and payload types live here.
import { unlessNotFound } from '../core/errors.js';
import { pageGuard } from '../http/pages.js';
import type { Platform, Query } from '../http/platform.js';

export const FLOW = '/data/foundation/flowservice';
export const ZOHO_CONNECTION_SPEC = { id: '929e4450-0237-4ed2-9404-b7e1e0a00309', version: '1.0' } as const;
export const DATA_LAKE_CONNECTION_SPEC = { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' } as const;
export const CRM_FLOW_SPEC_NAME = 'CRMToAEP';
export const CRM_FLOW_SPEC_ID = '14518937-270c-4525-bdec-c2ba7cce3860';

export interface Created {
  id: string;
  etag: string;
}

export interface FlowResource {
  id: string;
  name: string;
  etag: string;
  [key: string]: any;
}

export interface ZohoAuthParams {
  endpoint: string;
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
}

export interface ExploreTable {
  type: string;
  name: string;
  path: string;
  canPreview: boolean;
  canFetchSchema: boolean;
}

export interface ExploreColumn {
  name: string;
  type: string;
  xdm?: { type: string; format?: string };
  'meta:xdmType'?: string;
  [key: string]: unknown;
}

export interface ExploreTableDetail {
  format: string;
  schema: { columns: ExploreColumn[] };
  data?: Array<Record<string, unknown>>;
}

/** A PATCH body: RFC 6902 operations, lowercase as in Adobe's tutorials (ruling 10). */
export type JsonPatch = Array<{ op: 'add' | 'replace' | 'remove'; path: string; value?: unknown }>;

export class FlowService {
  constructor(private readonly platform: Platform) {}

  /** The spec, or undefined when Adobe no longer offers it (404). */
  async connectionSpec(id: string): Promise<FlowResource | undefined> {
    return (await unlessNotFound(this.platform.get<{ items: FlowResource[] }>(`${FLOW}/connectionSpecs/${id}`)))?.items?.[0];
  }

  /** Every item of a list endpoint matching the filters, following `_links.next` page by page. */
  async listAll(collection: string, query: Query = {}): Promise<FlowResource[]> {
    const items: FlowResource[] = [];
    let next: Query | undefined = query;
    const guard = pageGuard(`GET ${FLOW}/${collection}`);
    while (next) {
      const page: { items?: FlowResource[]; _links?: { next?: { href?: string } } } = await this.platform.get(`${FLOW}/${collection}`, next);
      items.push(...(page.items ?? []));
      const href = page._links?.next?.href;
      const token = href ? new URL(href, 'http://x').searchParams.get('continuationToken') : null;
      next = token ? (guard(token), { ...query, continuationToken: token }) : undefined;
    }
    return items;
  }

  /** Resources of a collection with exactly this name (Adobe allows duplicates; we never make them). */
  findByName(collection: string, name: string, extra: string[] = []): Promise<FlowResource[]> {
    return this.listAll(collection, { property: [`name==${name}`, ...extra] }).then((items) => items.filter((item) => item.name === name));
  }

  async get(collection: string, id: string): Promise<FlowResource | undefined> {
    return (await unlessNotFound(this.platform.get<{ items: FlowResource[] }>(`${FLOW}/${collection}/${id}`)))?.items?.[0];
  }

  async create(collection: string, body: Record<string, unknown>): Promise<Created> {
    return (await this.platform.request<Created>({ method: 'POST', path: `${FLOW}/${collection}`, body })).body;
  }

  async patch(collection: string, id: string, etag: string, ops: JsonPatch): Promise<Created> {
    return (await this.platform.request<Created>({ method: 'PATCH', path: `${FLOW}/${collection}/${id}`, body: ops, headers: { 'if-match': etag } })).body;
  }

  /** Deletes; a resource already gone counts as deleted. */
  async delete(collection: string, id: string): Promise<void> {
    await unlessNotFound(this.platform.request({ method: 'DELETE', path: `${FLOW}/${collection}/${id}` }));
  }

  /** The CRMToAEP flow spec as Adobe answers it (ruling 2: look it up, never trust a documented id). */
  async crmFlowSpec(): Promise<FlowResource | undefined> {
    const specs = await this.listAll('flowSpecs', { property: `name==${CRM_FLOW_SPEC_NAME}` });
    return specs.find((spec) => spec.name === CRM_FLOW_SPEC_NAME);
  }

  async testConnection(id: string): Promise<boolean> {
    return (await this.platform.get<{ result?: boolean }>(`${FLOW}/connections/${id}/test`)).result === true;
  }

  exploreRoot(connectionId: string): Promise<ExploreTable[]> {
    return this.platform.get<ExploreTable[]>(`${FLOW}/connections/${connectionId}/explore`, { objectType: 'root' });
  }

  exploreTable(connectionId: string, path: string, preview: boolean): Promise<ExploreTableDetail> {
    return this.platform.get<ExploreTableDetail>(`${FLOW}/connections/${connectionId}/explore`, {
      objectType: 'table',
      object: path,
      ...(preview ? { preview: true } : {}),
    });
  }
}
