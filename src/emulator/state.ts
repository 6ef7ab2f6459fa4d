// The emulator's memory: one collection per Adobe resource type, shared by the service modules so
// that each can check the references Adobe checks (a flow's connections exist, a dataset's schema…).
import { randomUUID, randomBytes } from 'node:crypto';
import type { Caller } from './router.js';

export type Resource = Record<string, any> & { id: string };

export class Collection<T extends Resource = Resource> {
  readonly items = new Map<string, T>();
  add(item: T): T {
    this.items.set(item.id, item);
    return item;
  }
  get(id: string): T | undefined {
    return this.items.get(id);
  }
  delete(id: string): boolean {
    return this.items.delete(id);
  }
  all(): T[] {
    return [...this.items.values()];
  }
  get size(): number {
    return this.items.size;
  }
}

/** A Zoho token the emulated accounts server issued: an access token names the refresh token it came from. */
export interface ZohoToken {
  kind: 'access' | 'refresh';
  clientId: string;
  refreshToken?: string;
  revoked?: boolean;
  /** An access token deleted because its refresh token minted 15 newer ones (Zoho's active-token cap). */
  superseded?: boolean;
  /** Access tokens: when issued and when they stop working (ms, on the emulator's clock). */
  issuedAt?: number;
  expiresAt?: number;
  /** Refresh tokens: the scopes the grant asked for (comma-separated, as the authorization URL gave them). */
  scope?: string;
}

/** A record the HTTP API inlet received, and what Data Prep made of it for the dataset. */
export interface StreamedRecord {
  inletId: string;
  flowId: string;
  dataSetId: string;
  xactionId: string;
  receivedTimeMs: number;
  /** The raw record as posted. */
  raw: unknown;
  /** The XDM the flow's mapping set made of it (empty when the mapping failed). */
  data: Record<string, unknown>;
  /** Mapping errors: the record lands in a failed batch (asynchronous validation). */
  errors: Array<Record<string, unknown>> | null;
}

export class EmulatorState {
  /** Every record the streaming inlets received, in order (see recordsOf). */
  readonly streamed: StreamedRecord[] = [];
  /** Records an inlet answered 200 inside Adobe's ingestion pause after their flow changed: dropped, never in the dataset. */
  readonly dropped: StreamedRecord[] = [];
  /** The records a dataset received through streaming flows, mapped (failed ones excluded unless asked). */
  recordsOf(dataSetId: string, options: { failed?: boolean } = {}): StreamedRecord[] {
    return this.streamed.filter((record) => record.dataSetId === dataSetId && (options.failed || !record.errors));
  }

  /** Zoho grant codes already exchanged (single use), and the grant codes issued. */
  readonly usedGrantCodes = new Set<string>();
  readonly grantCodes = new Map<string, { clientId: string; redirectUri?: string; scope: string }>();
  /** Every Zoho access and refresh token the accounts server issued, by token. */
  readonly zohoTokens = new Map<string, ZohoToken>();
  readonly connections = new Collection();
  readonly sourceConnections = new Collection();
  readonly targetConnections = new Collection();
  readonly flows = new Collection();
  readonly runs = new Collection();
  readonly schemas = new Collection();
  readonly fieldGroups = new Collection();
  readonly classes = new Collection();
  readonly descriptors = new Collection();
  readonly dataSets = new Collection();
  readonly mappingSets = new Collection();

  /** Each org's Schema Registry tenant id (custom fields live under `_<tenantId>`). */
  tenantId(orgId: string): string {
    let hash = 0;
    for (const ch of orgId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    return `tenant${hash.toString(36)}`;
  }

  /** Counts of each kind of resource, for tests that assert nothing was created or duplicated. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Collection) counts[key] = value.size;
    }
    return counts;
  }
}

/** Gives a stored resource exactly the fields of `next`, in place (an update, or an undone one). */
export function restore(resource: Resource, next: Resource): void {
  for (const key of Object.keys(resource)) delete resource[key];
  Object.assign(resource, next);
}

export const newId = () => randomUUID();
/** Adobe's etags carry literal double quotes: "\"10033e77-0000-0200-0000-5e96785b0000\"". */
export const newEtag = () => `"${randomBytes(4).toString('hex')}-0000-0200-0000-${randomBytes(6).toString('hex')}"`;
/** Catalog and Data Prep ids are 24/32 hex characters, not UUIDs. */
export const hexId = (bytes: number) => randomBytes(bytes).toString('hex');

/** Adobe keeps every resource in one org and sandbox; other callers cannot see it. */
export function visible(resource: Resource | undefined, caller: Caller): boolean {
  return !!resource && resource.imsOrgId === caller.orgId && resource.sandboxName === caller.sandbox;
}
