// Flow Service (aep-api.md §2–§4, §6, §8): connection specs, base connections, explore, source
// and target connections, flow specs, flows and runs. Each endpoint once, as a request builder
// (a value that a plan can show and apply can send); the FlowService class sends them for the
// read-only commands. Paths and payload types live here.
import { unlessNotFound } from '../core/errors.js';
import { readPages } from '../http/pages.js';
import type { Platform, PlatformRequest, Query } from '../http/platform.js';

export const FLOW = '/data/foundation/flowservice';
export const ZOHO_CONNECTION_SPEC = { id: '929e4450-0237-4ed2-9404-b7e1e0a00309', version: '1.0' } as const;
export const DATA_LAKE_CONNECTION_SPEC = { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' } as const;
export const CRM_FLOW_SPEC_NAME = 'CRMToAEP';
export const CRM_FLOW_SPEC_ID = '14518937-270c-4525-bdec-c2ba7cce3860';
/**
 * The HTTP API streaming source (ruling 19, aep-fallback.md §1): its connection spec, and the flow spec that takes a
 * Mapping.
 */
export const HTTP_API_CONNECTION_SPEC = { id: 'bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb', version: '1.0' } as const;
export const STREAMING_FLOW_SPEC_ID = 'c1a19761-d2c7-4702-b9fa-fe91f0613e81';
/** Flow Service, Catalog and Data Prep answer JSON; the Postman collections and aepp ask for it. */
const JSON_ACCEPT = { accept: 'application/json' };

export type Collection = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows';

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

interface Page {
  items?: FlowResource[];
  _links?: { next?: { href?: string } };
}

/** The request builders: one per endpoint. */
export const flowService = {
  list: (collection: Collection | 'flowSpecs' | 'connectionSpecs', query: Query = {}): PlatformRequest<Page> => ({
    method: 'GET',
    path: `${FLOW}/${collection}`,
    query,
    headers: JSON_ACCEPT,
  }),
  get: (collection: Collection, id: string): PlatformRequest<{ items: FlowResource[] }> => ({
    method: 'GET',
    path: `${FLOW}/${collection}/${id}`,
    headers: JSON_ACCEPT,
  }),
  create: (collection: Collection, body: Record<string, unknown>): PlatformRequest<Created> => ({
    method: 'POST',
    path: `${FLOW}/${collection}`,
    body,
    headers: JSON_ACCEPT,
  }),
  /** If-Match exactly as the GET returned the etag (ruling 12). */
  patch: (collection: Collection, id: string, etag: string, ops: JsonPatch): PlatformRequest<Created> => ({
    method: 'PATCH',
    path: `${FLOW}/${collection}/${id}`,
    body: ops,
    headers: { ...JSON_ACCEPT, 'if-match': etag },
  }),
  delete: (collection: Collection, id: string): PlatformRequest<void> => ({
    method: 'DELETE',
    path: `${FLOW}/${collection}/${id}`,
    headers: JSON_ACCEPT,
  }),
  /** Ruling 18: lowercase op, no subOp, no body. */
  action: (id: string, op: 'enable' | 'disable'): PlatformRequest<Created> => ({
    method: 'POST',
    path: `${FLOW}/flows/${id}/action`,
    query: { op },
    headers: JSON_ACCEPT,
  }),
  connectionSpec: (id: string): PlatformRequest<{ items?: FlowResource[] } | FlowResource> => ({
    method: 'GET',
    path: `${FLOW}/connectionSpecs/${id}`,
    headers: JSON_ACCEPT,
  }),
  flowSpec: (id: string): PlatformRequest<{ items?: FlowResource[] } | FlowResource> => ({
    method: 'GET',
    path: `${FLOW}/flowSpecs/${id}`,
    headers: JSON_ACCEPT,
  }),
  test: (id: string): PlatformRequest<{ result?: boolean }> => ({
    method: 'GET',
    path: `${FLOW}/connections/${id}/test`,
    headers: JSON_ACCEPT,
  }),
  exploreRoot: (connectionId: string): PlatformRequest<ExploreTable[]> => ({
    method: 'GET',
    path: `${FLOW}/connections/${connectionId}/explore`,
    query: { objectType: 'root' },
    headers: JSON_ACCEPT,
  }),
  exploreTable: (connectionId: string, path: string, preview: boolean): PlatformRequest<ExploreTableDetail> => ({
    method: 'GET',
    path: `${FLOW}/connections/${connectionId}/explore`,
    query: { objectType: 'table', object: path, ...(preview ? { preview: true } : {}) },
    headers: JSON_ACCEPT,
  }),
  /**
   * An on-demand run (help/sources/tutorials/api/on-demand-ingestion.md): times in unix seconds, as
   * integers (flow-service.yaml CreateFlowRunRequest; the docs' examples give seconds). The docs
   * answer `{ items: [{ id, etag }] }`, the spec `{ id, etag }`: createdRunId reads both.
   */
  createRun: (
    flowId: string,
    params: { startTime: number; windowStartTime: number; windowEndTime: number },
  ): PlatformRequest<{ id?: string; etag?: string; items?: Created[] }> => ({
    method: 'POST',
    path: `${FLOW}/runs`,
    body: { flowId, params },
    headers: JSON_ACCEPT,
  }),
  run: (id: string): PlatformRequest<{ items?: Array<Record<string, any>> }> => ({
    method: 'GET',
    path: `${FLOW}/runs/${id}`,
    headers: JSON_ACCEPT,
  }),
  runs: (flowId: string, limit: number): PlatformRequest<{ items?: Array<Record<string, any>> }> => ({
    method: 'GET',
    path: `${FLOW}/runs`,
    query: { property: `flowId==${flowId}`, orderby: '-createdAt', limit },
    headers: JSON_ACCEPT,
  }),
};

/** One spec from a GET: Adobe answers `{ items: [spec] }`, and one page shows the bare object. */
export function oneItem(body: { items?: FlowResource[] } | FlowResource | undefined): FlowResource | undefined {
  if (!body) return undefined;
  if (Array.isArray((body as { items?: unknown }).items)) return (body as { items: FlowResource[] }).items[0];
  return typeof (body as FlowResource).id === 'string' ? (body as FlowResource) : undefined;
}

/** The continuation token of a list page, read raw from `_links.next.href` (a `+` stays a `+`). */
export function continuationToken(page: Page): string | undefined {
  const href = page._links?.next?.href;
  const raw = href ? /[?&]continuationToken=([^&]*)/.exec(href)?.[1] : undefined;
  return raw ? decodeURIComponent(raw) : undefined;
}

export class FlowService {
  constructor(private readonly platform: Platform) {}

  /** The spec, or undefined when Adobe no longer offers it (404). */
  async connectionSpec(id: string): Promise<FlowResource | undefined> {
    return oneItem(await unlessNotFound(this.platform.send(flowService.connectionSpec(id))));
  }

  /** Every item of a list endpoint matching the filters, following `_links.next` page by page. */
  listAll(collection: Collection | 'flowSpecs', query: Query = {}): Promise<FlowResource[]> {
    return readPages(
      `GET ${FLOW}/${collection}`,
      async (token) => {
        const page: Page = await this.platform.send(
          flowService.list(collection, token === undefined ? query : { ...query, continuationToken: token }),
        );
        // One Adobe page shows a flow spec answered bare, not as { items: [...] }.
        const items = Array.isArray(page.items)
          ? page.items
          : typeof (page as FlowResource).id === 'string'
            ? [page as FlowResource]
            : [];
        return { items, next: continuationToken(page) };
      },
      { key: (item) => item.id },
    );
  }

  /**
   * Resources with exactly this name, oldest first. The filter is on token-safe keys only (ruling
   * 15: how `name==` treats spaces, parentheses and commas is not documented); names are compared here.
   */
  async findByName(collection: Collection, name: string, filters: string[]): Promise<FlowResource[]> {
    const items = await this.listAll(collection, { property: filters });
    return items.filter((item) => item.name === name).sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  }

  async get(collection: Collection, id: string): Promise<FlowResource | undefined> {
    return oneItem(await unlessNotFound(this.platform.send(flowService.get(collection, id))));
  }

  /** The CRMToAEP flow spec as Adobe answers it (ruling 2: look it up, never trust a documented id). */
  async crmFlowSpec(): Promise<FlowResource | undefined> {
    const specs = await this.listAll('flowSpecs', { property: `name==${CRM_FLOW_SPEC_NAME}` });
    return specs.find((spec) => spec.name === CRM_FLOW_SPEC_NAME);
  }

  /** The streaming flow spec by its documented id (its name is not documented: aep-fallback.md §1.5). */
  async streamingFlowSpec(): Promise<FlowResource | undefined> {
    return oneItem(await unlessNotFound(this.platform.send(flowService.flowSpec(STREAMING_FLOW_SPEC_ID))));
  }

  async testConnection(id: string): Promise<boolean> {
    return (await this.platform.send(flowService.test(id))).result === true;
  }

  exploreRoot(connectionId: string): Promise<ExploreTable[]> {
    return this.platform.send(flowService.exploreRoot(connectionId));
  }

  exploreTable(connectionId: string, path: string, preview: boolean): Promise<ExploreTableDetail> {
    return this.platform.send(flowService.exploreTable(connectionId, path, preview));
  }
}
