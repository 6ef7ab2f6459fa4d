// Pieces every Flow Service resource shares: scoping to the caller's org and sandbox, Adobe's
// error answers, list responses with filters and paging, and If-Match + JSON Patch updates.
import { flowError } from '../adobe-errors.js';
import { header } from '../gateway.js';
import { applyPatch, isFailure, pointerTokens, readPatch, type PatchFailure } from '../json-patch.js';
import { MULTIPLE_VALUES, parsePropertyFilters, pageByContinuation } from '../query.js';
import { objectBody, type Caller, type EmuRequest, type EmuResponse } from '../router.js';
import { newEtag, newId, restore, visible, type Collection, type Resource } from '../state.js';

export const FLOW = '/data/foundation/flowservice';

export const badRequest = (req: EmuRequest, message: string, code = '1100') =>
  flowError(400, code, 'Bad Request', message, req.requestId);

export const notFound = (req: EmuRequest, type: string, id: string) =>
  flowError(
    404,
    '1439',
    'Resource not found',
    `The requested ${type} resource ${id} is not found. Verify the resource ID before trying again.`,
    req.requestId,
    { id, type },
  );

export { visible } from '../state.js';

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
  return {
    status: 201,
    body: { id: resource.id, etag: resource.etag },
    headers: { location: `${FLOW}${path}/${resource.id}` },
  };
}

/** GET list: property filters, orderby, count=true, limit + continuationToken. */
export function list(
  req: EmuRequest,
  items: Resource[],
  path: string,
  present: (item: Resource) => unknown = (item) => item,
): EmuResponse {
  const predicates = parsePropertyFilters(req.query, { alternatives: true });
  if (typeof predicates === 'string')
    return badRequest(req, predicates, MULTIPLE_VALUES.test(predicates) ? '1443' : '1100');
  let matched = items.filter((item) => visible(item, req.caller!) && predicates.every((p) => p(item)));
  const orderby = req.query.get('orderby');
  if (orderby) {
    const field = orderby.replace(/^[-+]/, '');
    const sign = orderby.startsWith('-') ? -1 : 1;
    matched = [...matched].sort((a, b) => (a[field] > b[field] ? sign : a[field] < b[field] ? -sign : 0));
  }
  if (req.query.get('count') === 'true') {
    if (req.query.has('limit'))
      return badRequest(req, 'The parameters limit and count cannot be used together.', '1401');
    return { status: 200, body: { count: matched.length } };
  }
  const paged = pageByContinuation(matched, req.query, `${path}`);
  if (typeof paged === 'string') return badRequest(req, paged);
  return {
    status: 200,
    body: { items: paged.page.map(present), _links: paged.next ? { next: { href: paged.next } } : {} },
  };
}

/** The resource with this id if the caller may see it. */
export function find(req: EmuRequest, collection: Collection, id = req.params.id): Resource | undefined {
  const resource = collection.get(id);
  return visible(resource, req.caller!) ? resource : undefined;
}

/**
 * If-Match as Flow Service checks it: missing → FLOW-1403-400 (when required), stale → FLOW-1404-412.
 * The docs send the etag with its quotes on flows and without them on connections
 * (aep-updates.md §1.2), so the quotes are not compared.
 */
export function checkIfMatch(req: EmuRequest, resource: Resource, required: boolean): EmuResponse | undefined {
  const ifMatch = header(req, 'if-match');
  if (!ifMatch) {
    return required
      ? flowError(
          400,
          '1403',
          'Header is missing',
          "The header 'If-Match' is missing in the request. Please provide the header and try again.",
          req.requestId,
        )
      : undefined;
  }
  if (ifMatch.replace(/"/g, '') === String(resource.etag).replace(/"/g, '')) return undefined;
  const message = `The supplied version '${ifMatch}' does not match the current version on entity '${resource.id}'. Please ensure that the supplied version matches the current version on entity and try again.`;
  return flowError(412, '1404', 'Version not matching', message, req.requestId);
}

/**
 * PATCH with If-Match and an RFC 6902 array (aep-updates.md §1.2). Paths outside `allowed` are
 * refused: a field the resource has cannot be updated (`immutable` gives Adobe's code and words for
 * some top-level fields), one it lacks is FLOW-1455-400 "Missing field". Returns the new
 * `{id, etag}` on success.
 */
export function patch(
  req: EmuRequest,
  resource: Resource,
  allowed: RegExp,
  now: number,
  immutable: Record<string, { code: string; message: string }> = {},
): EmuResponse {
  const stale = checkIfMatch(req, resource, true);
  if (stale) return stale;
  const ops = readPatch(req.body);
  if (isFailure(ops)) return patchRefused(req, ops);
  for (const { path } of ops) {
    if (allowed.test(path)) continue;
    const field = pointerTokens(path)[0];
    if (!(field in resource)) return patchRefused(req, { kind: 'missing', message: '', subject: field });
    const refusal = immutable[field] ?? { code: '1100', message: `The field '${field}' cannot be updated.` };
    return badRequest(req, refusal.message, refusal.code);
  }
  const patched = applyPatch(resource, ops);
  if (isFailure(patched)) return patchRefused(req, patched);
  const etag = newEtag();
  restore(resource, {
    ...patched,
    etag,
    version: etag,
    updatedAt: now,
    updatedBy: `${req.caller!.clientId}@AdobeID`,
    updatedClient: req.caller!.clientId,
  });
  return { status: 200, body: { id: resource.id, etag } };
}

/** A JSON Patch that cannot apply, in Flow Service's words (flow-service-errors.md: 1405, 1434, 1455). */
function patchRefused(req: EmuRequest, failure: PatchFailure): EmuResponse {
  switch (failure.kind) {
    case 'empty':
      return badRequest(
        req,
        'The request body cannot be null or empty. Please provide a request body and try again.',
        '1405',
      );
    case 'op':
      return badRequest(
        req,
        `Unsupported operation '${failure.subject}' received. Please use one of the supported operation types and try again.`,
        '1434',
      );
    case 'missing':
      return badRequest(
        req,
        `An error has occurred while validating patch instructions: Missing field "${failure.subject}".`,
        '1455',
      );
    default:
      return badRequest(req, `An error has occurred while validating patch instructions: ${failure.message}`, '1455');
  }
}

/** The body when it is a JSON object (router.ts's objectBody, under the name the Flow Service files use). */
export const jsonObject = objectBody;

/** Checks `{ id, version }` of a connectionSpec or flowSpec reference. */
export function specRef(value: unknown): { id: string; version: string } | undefined {
  const ref = value as { id?: unknown; version?: unknown } | undefined;
  return ref && typeof ref.id === 'string' && typeof ref.version === 'string'
    ? { id: ref.id, version: ref.version }
    : undefined;
}
