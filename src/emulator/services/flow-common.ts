// Pieces every Flow Service resource shares: scoping to the caller's org and sandbox, Adobe's
// error answers, list responses with filters and paging, and If-Match + JSON Patch updates.
import { flowError } from '../adobe-errors.js';
import { header } from '../gateway.js';
import { parsePropertyFilters, pageByContinuation } from '../query.js';
import type { Caller, EmuRequest, EmuResponse } from '../router.js';
import { newEtag, newId, type Collection, type Resource } from '../state.js';

export const FLOW = '/data/foundation/flowservice';

export const badRequest = (req: EmuRequest, message: string, code = '1100') => flowError(400, code, 'Bad Request', message, req.requestId);

export const notFound = (req: EmuRequest, type: string, id: string) =>
  flowError(404, '1439', 'Resource not found', `The requested ${type} resource ${id} is not found. Verify the resource ID before trying again.`, req.requestId, { id, type });

/** Adobe keeps every resource in one org and sandbox; other callers cannot see it. */
export function visible(resource: Resource | undefined, caller: Caller): boolean {
  return !!resource && resource.imsOrgId === caller.orgId && resource.sandboxName === caller.sandbox;
}

/** The audit fields Adobe adds to every Flow Service resource. */
export function stamp(caller: Caller, now: number): Resource {
  const etag = newEtag();
  return {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    createdBy: `${caller.clientId}@AdobeID`,
    updatedBy: `${caller.clientId}@AdobeID`,
    createdClient: caller.clientId,
    updatedClient: caller.clientId,
    sandboxId: `sandbox-${caller.sandbox}`,
    sandboxName: caller.sandbox,
    imsOrgId: caller.orgId,
    version: etag,
    etag,
  };
}

export function created(resource: Resource, path: string): EmuResponse {
  return { status: 201, body: { id: resource.id, etag: resource.etag }, headers: { location: `${FLOW}${path}/${resource.id}` } };
}

/** GET list: property filters, orderby, count=true, limit + continuationToken. */
export function list(req: EmuRequest, items: Resource[], path: string, present: (item: Resource) => unknown = (item) => item): EmuResponse {
  const predicates = parsePropertyFilters(req.query);
  if (typeof predicates === 'string') return badRequest(req, predicates);
  let matched = items.filter((item) => visible(item, req.caller!) && predicates.every((p) => p(item)));
  const orderby = req.query.get('orderby');
  if (orderby) {
    const field = orderby.replace(/^[-+]/, '');
    const sign = orderby.startsWith('-') ? -1 : 1;
    matched = [...matched].sort((a, b) => (a[field] > b[field] ? sign : a[field] < b[field] ? -sign : 0));
  }
  if (req.query.get('count') === 'true') {
    if (req.query.has('limit')) return badRequest(req, 'The parameters limit and count cannot be used together.', '1401');
    return { status: 200, body: { count: matched.length } };
  }
  const paged = pageByContinuation(matched, req.query, `${path}`);
  if (typeof paged === 'string') return badRequest(req, paged);
  return { status: 200, body: { items: paged.page.map(present), _links: paged.next ? { next: { href: paged.next } } : {} } };
}

/** The resource with this id if the caller may see it. */
export function find(req: EmuRequest, collection: Collection, id = req.params.id): Resource | undefined {
  const resource = collection.get(id);
  return visible(resource, req.caller!) ? resource : undefined;
}

/** PATCH with If-Match and an RFC 6902 array (lowercase or uppercase ops; Adobe's docs use lowercase). */
export function patch(req: EmuRequest, resource: Resource, allowed: RegExp, now: number): EmuResponse {
  const ifMatch = header(req, 'if-match');
  if (!ifMatch) return badRequest(req, "The header 'If-Match' is missing.", '1403');
  if (ifMatch.replace(/"/g, '') !== String(resource.etag).replace(/"/g, '')) {
    return flowError(412, '1404', 'Precondition Failed', `Supplied version=[${ifMatch}] does not match the current version on entity=[${resource.id}]`, req.requestId);
  }
  const ops = Array.isArray(req.body) ? req.body : req.body && typeof req.body === 'object' ? [req.body] : undefined;
  if (!ops?.length) return badRequest(req, 'The request body must be a JSON Patch array.');
  const copy = structuredClone(resource);
  for (const op of ops as Array<{ op?: string; path?: string; value?: unknown }>) {
    const kind = String(op.op ?? '').toLowerCase();
    if (!['add', 'replace', 'remove'].includes(kind)) return badRequest(req, `Unsupported patch operation '${op.op}'.`);
    if (typeof op.path !== 'string' || !allowed.test(op.path)) return badRequest(req, `The path '${op.path}' cannot be patched.`);
    const keys = op.path.split('/').slice(1);
    const last = keys.pop()!;
    let target: any = copy;
    for (const key of keys) target = target[key] ??= {};
    if (kind === 'remove') delete target[last];
    else target[last] = op.value;
  }
  const etag = newEtag();
  Object.assign(resource, copy, { etag, version: etag, updatedAt: now, updatedBy: `${req.caller!.clientId}@AdobeID`, updatedClient: req.caller!.clientId });
  return { status: 200, body: { id: resource.id, etag } };
}

export function jsonObject(req: EmuRequest): Record<string, any> | undefined {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, any>) : undefined;
}

/** Checks `{ id, version }` of a connectionSpec or flowSpec reference. */
export function specRef(value: unknown): { id: string; version: string } | undefined {
  const ref = value as { id?: unknown; version?: unknown } | undefined;
  return ref && typeof ref.id === 'string' && typeof ref.version === 'string' ? { id: ref.id, version: ref.version } : undefined;
}
