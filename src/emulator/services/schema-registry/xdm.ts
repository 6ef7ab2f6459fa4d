// The Schema Registry's shared pieces, written once: its error body, Accept forms, list paging and
// how resources are presented. Pure: nothing here reads the emulator's state.
import { header } from '../../gateway.js';
import { parsePropertyFilters } from '../../query.js';
import type { Caller, EmuRequest, EmuResponse } from '../../router.js';
import { hexId, type Resource } from '../../state.js';
import { TIME_SERIES_BEHAVIOR, treeToProperties, type StandardResource } from '../../xdm-classes.js';

export const SR = '/data/foundation/schemaregistry';
export const HOST = 'https://platform.adobe.io';
/**
 * "When listing resources, the Schema Registry limits result sets to 300 items": the most one page
 * holds, with or without `limit` (which may ask for up to 500, as a hint).
 * https://github.com/AdobeDocs/experience-platform.en/blob/main/help/xdm/api/schemas.md#list
 */
export const LIST_CAP = 300;

export type Kind = 'classes' | 'mixins' | 'schemas';

/** Adobe's registry error body: type XDM-<code>-<status>, report with registryRequestId. */
export function xdmError(req: EmuRequest, status: number, code: string, title: string, message: string): EmuResponse {
  return {
    status,
    body: {
      type: `http://ns.adobe.com/aep/errors/XDM-${code}-${status}`,
      title,
      status,
      report: {
        registryRequestId: req.requestId,
        timestamp: new Date().toISOString(),
        'detailed-message': message,
        'sub-errors': [],
      },
      detail: message,
    },
    headers: { 'x-request-id': req.requestId },
  };
}

export const badRequest = (req: EmuRequest, message: string) => xdmError(req, 400, '1000', 'Bad Request', message);

/** A tenant resource or descriptor that is not there (or not in the caller's org and sandbox). */
export const notFound = (req: EmuRequest, what: string) =>
  xdmError(req, 404, '1010', 'Resource Not Found', `${what} is not found.`);

/**
 * Paging per the registry: orderby (required for limit/start), `_page.next` = the page's last
 * primary sort value (null on the last page), `start` = entries strictly after it; `limit` is a
 * hint from 0 to 500, "smaller or larger as constrained by the need to provide the reliable
 * operation of the start parameter": a page never ends inside a run of equal sort values, which
 * `start` would skip. `_links.next` is a plain URI string (the spec's linksBasic), or null.
 * https://github.com/AdobeDocs/experience-platform.en/blob/main/help/xdm/api/appendix.md#paging
 */
export function listResponse(
  req: EmuRequest,
  items: Resource[],
  form: (item: Resource) => unknown,
  path: string,
  schemaLinks: boolean,
): EmuResponse {
  const predicates = parsePropertyFilters(req.query);
  if (typeof predicates === 'string') return badRequest(req, predicates);
  let matched = items.filter((item) => predicates.every((p) => p(item)));
  const orderby = req.query.get('orderby');
  const limitText = req.query.get('limit');
  const start = req.query.get('start');
  if ((limitText !== null || start !== null) && !orderby)
    return badRequest(req, "The 'limit' and 'start' parameters can only be used together with 'orderby'.");
  const limit = limitText === null ? LIST_CAP : Number(limitText);
  if (!Number.isInteger(limit) || limit < 0 || limit > 500)
    return badRequest(req, `Invalid limit '${limitText}'. Provide an integer from 0 to 500.`);
  const keys = (orderby ?? '')
    .split(',')
    .filter(Boolean)
    .map((key) => ({ field: key.replace(/^[-+]/, ''), sign: key.startsWith('-') ? -1 : 1 }));
  if (keys.length) {
    matched = [...matched].sort((a, b) => {
      for (const { field, sign } of keys) {
        const x = sortValue(a, field);
        const y = sortValue(b, field);
        if (x !== y) return x > y ? sign : -sign;
      }
      return 0;
    });
    if (start !== null) {
      const { field, sign } = keys[0];
      matched = matched.filter((item) => (sign > 0 ? sortValue(item, field) > start : sortValue(item, field) < start));
    }
  }
  let size = Math.min(limit, LIST_CAP);
  if (keys.length && size > 0) {
    const last = (n: number) => sortValue(matched[n - 1], keys[0].field);
    while (size < matched.length && sortValue(matched[size], keys[0].field) === last(size)) size++;
  }
  const page = matched.slice(0, size);
  const more = matched.length > page.length && page.length > 0;
  const nextStart = more && keys.length ? sortValue(page[page.length - 1], keys[0].field) : null;
  let next: string | null = null;
  if (nextStart !== null) {
    const query = new URLSearchParams(req.query);
    query.set('start', String(nextStart));
    next = `${HOST}${path}?${query.toString()}`;
  }
  const links: Record<string, unknown> = { next };
  if (schemaLinks) links.global_schemas = { href: `${HOST}${SR}/global/schemas` };
  return {
    status: 200,
    body: {
      results: page.map(form),
      _page: { ...(orderby ? { orderby } : {}), next: nextStart, count: page.length },
      _links: links,
    },
  };
}

// ---- pure helpers ---------------------------------------------------------------------------------

/** The stored resource without the emulator's own fields (scoping, built-in field trees). */
export function present(resource: Resource): Resource {
  const { id: _id, imsOrgId: _o, sandboxName: _s, fields: _f, ...rest } = resource;
  return rest as Resource;
}

export function presentDescriptor(descriptor: Resource): Resource {
  const { id: _id, imsOrgId: _o, sandboxName: _s, ...rest } = descriptor;
  return rest as Resource;
}

/** A standard class or field group as the global container returns it. */
export function presentStandard(resource: StandardResource, caller: Caller): Resource {
  const dotted = resource.$id.replace(/^https:\/\/ns\.adobe\.com\//, '').replace(/\//g, '.');
  const definitionName = resource.$id.split('/').pop()!;
  const isClass = resource.kind === 'classes';
  return {
    id: resource.$id,
    $id: resource.$id,
    'meta:altId': `_${dotted}`,
    'meta:resourceType': resource.kind,
    version: '1.48.2',
    title: resource.title,
    type: 'object',
    description: resource.description,
    definitions: { [definitionName]: { properties: treeToProperties(resource.fields) } },
    allOf: [...(isClass ? [resource.behavior!] : []), `#/definitions/${definitionName}`].map(allOfEntry),
    'meta:extensible': true,
    'meta:abstract': true,
    ...(isClass
      ? { 'meta:extends': [resource.behavior!, 'https://ns.adobe.com/xdm/common/extensible'] }
      : { 'meta:intendedToExtend': resource.intendedToExtend }),
    ...(isClass && resource.behavior === TIME_SERIES_BEHAVIOR ? { 'meta:timeSeries': true } : {}),
    'meta:xdmType': 'object',
    'meta:status': 'stable',
    $schema: 'http://json-schema.org/draft-06/schema#',
    'meta:registryMetadata': {
      'repo:createdDate': 1635361816945,
      'repo:lastModifiedDate': 1635361816945,
      eTag: 'global',
      'meta:globalLibVersion': '1.48.2',
    },
    'meta:containerId': 'global',
    'meta:sandboxId': sandboxId(caller),
    // Kept internally for xed-full rendering; stripped by render().
    fields: resource.fields,
  };
}

export function summary(item: Resource): Record<string, unknown> {
  return { $id: item.$id, 'meta:altId': item['meta:altId'], version: item.version, title: item.title };
}

export function registryMetadata(caller: Caller, now: number): Record<string, unknown> {
  return {
    'repo:createdDate': now,
    'repo:lastModifiedDate': now,
    'xdm:createdClientId': caller.clientId,
    'xdm:lastModifiedClientId': caller.clientId,
    'xdm:createdUserId': `${caller.clientId}@AdobeID`,
    'xdm:lastModifiedUserId': `${caller.clientId}@AdobeID`,
    eTag: hexId(32),
    'meta:globalLibVersion': '1.48.2',
  };
}

export const sandboxId = (caller: Caller) => `sandbox-${caller.sandbox}`;

export function allOfEntry(ref: string): Record<string, string> {
  return { $ref: ref, type: 'object', 'meta:xdmType': 'object' };
}

/** The `$ref`s of `allOf` (Adobe's own examples sometimes spell the key "$ref " with a space). */
export function refsOf(body: Record<string, any>): string[] {
  return (Array.isArray(body.allOf) ? body.allOf : [])
    .map((part: any) => part?.$ref ?? part?.['$ref '])
    .filter((ref: unknown): ref is string => typeof ref === 'string');
}

/** "1.0" → "1.1" → "1.2": each update of a schema or field group (schemas.md, field-groups.md examples). */
export function nextMinor(version: unknown): string {
  const [major = '1', minor = '0'] = String(version ?? '1.0').split('.');
  return `${major}.${Number(minor) + 1}`;
}

/** Enabled for Profile: `meta:immutableTags` holds `union` (schemas.md). */
export const isUnion = (schema: Record<string, any>) =>
  Array.isArray(schema['meta:immutableTags']) && schema['meta:immutableTags'].includes('union');

/** A check's refusal, as opposed to the fields it would store. */
export const isAnswer = (value: EmuResponse | Record<string, unknown>): value is EmuResponse =>
  typeof value.status === 'number';

export { objectBody } from '../../router.js';

export function sortValue(item: Resource, field: string): string {
  const value =
    field === 'updated'
      ? item['meta:registryMetadata']?.['repo:lastModifiedDate']
      : field === 'created'
        ? item['meta:registryMetadata']?.['repo:createdDate']
        : item[field];
  return typeof value === 'number' ? String(value).padStart(16, '0') : String(value ?? '');
}

/**
 * Lists take `application/vnd.adobe.xed-id+json` or `application/vnd.adobe.xed+json`, no version;
 * `xdm` in place of `xed` alike, as the registry's own error text allows ("application/vnd.adobe.
 * '{xed|xdm'}+json") and clients send (aepp's schema.py: xdm-id+json, xdm-full+json; version=1).
 * Adobe's Accept table: help/xdm/api/getting-started.md#accept.
 */
export function listAccept(req: EmuRequest): 'xed-id' | 'xed' | EmuResponse {
  const accept = (header(req, 'accept') ?? '').replace(/\s/g, '').toLowerCase();
  if (accept === 'application/vnd.adobe.xed-id+json' || accept === 'application/vnd.adobe.xdm-id+json') return 'xed-id';
  if (accept === 'application/vnd.adobe.xed+json' || accept === 'application/vnd.adobe.xdm+json') return 'xed';
  return xdmError(
    req,
    400,
    '1006',
    'Accept header invalid',
    `The supplied Accept header is not valid: ${header(req, 'accept') ?? '(none)'} - A valid Accept value should look like application/vnd.adobe.'{xed|xdm'}+json`,
  );
}

/** Lookups need a format (xed or xdm, see listAccept) and `version=<major>`; a version the resource lacks is 406. */
export function lookupAccept(req: EmuRequest): string | EmuResponse {
  const raw = header(req, 'accept') ?? '';
  const match =
    /^application\/vnd\.adobe\.(?:xed|xdm)((?:-full|-notext|-full-notext|-full-desc)?)\+json(?:;version=([^;]+))?$/i.exec(
      raw.replace(/\s/g, ''),
    );
  if (!match?.[2]) {
    return xdmError(
      req,
      400,
      '1007',
      'Accept header invalid',
      `The supplied Accept header is not valid: ${raw || '(none)'} - A valid Accept value should look like application/vnd.adobe.'{xed|xdm'}+json; version=1 (Version should be specified)`,
    );
  }
  if (!/^1(\.\d+)?$/.test(match[2]))
    return xdmError(
      req,
      406,
      '1013',
      'Not Acceptable',
      `The requested version ${match[2]} is not available for this resource; its major version is 1.`,
    );
  return `xed${match[1].toLowerCase()}`;
}

export function stripText(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripText);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'title' && key !== 'description')
      .map(([key, v]) => [key, stripText(v)]),
  );
}

export function stripTitles(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTitles);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'title')
      .map(([key, v]) => [key, stripTitles(v)]),
  );
}

/**
 * Descriptor lists: `application/vnd.adobe.xdm[-v2][-id|-link]+json`; `-v2` pages like the other lists,
 * without it the answer groups the descriptors by `@type`.
 */
export function descriptorListAccept(req: EmuRequest): { paged: boolean; form: string } | EmuResponse {
  const accept = header(req, 'accept') ?? '';
  const match = /^application\/vnd\.adobe\.xdm(-v2)?(-id|-link)?\+json$/i.exec(accept.replace(/\s/g, ''));
  if (!match)
    return xdmError(
      req,
      400,
      '1008',
      'Accept header invalid',
      `The supplied Accept header is not valid: ${accept || '(none)'} - A valid Accept value should look like application/vnd.adobe.xdm-id+json`,
    );
  return { paged: !!match[1], form: match[2] ?? '' };
}

/** Descriptors are not versioned: a lookup needs no Accept, but an xed (schema) Accept is refused. */
export function descriptorLookupAccept(req: EmuRequest): EmuResponse | undefined {
  const accept = header(req, 'accept') ?? '';
  if (!/vnd\.adobe\.xed/i.test(accept)) return undefined;
  return xdmError(
    req,
    400,
    '1009',
    'Accept header invalid',
    `The supplied Accept header is not valid: ${accept} - A valid Accept value should look like application/vnd.adobe.xdm+json`,
  );
}
