// Catalog Service datasets (aep-api.md §5.3, catalog.yaml): create (201, `["@/dataSets/<id>"]` and
// a Location header), list (an object keyed by id, with limit/start/orderBy/properties/property
// filters), look up, PATCH (plain fields or JSON Patch), delete (200 with the same array body, as
// catalog.yaml declares). A dataset needs a name and a schemaRef to a schema of the caller's
// sandbox. `requestDataSource=true` is accepted although the spec does not declare it (§9): it
// gives the dataset a dataSourceId.
import { problem } from '../adobe-errors.js';
import { header } from '../gateway.js';
import { applyPatch, isFailure, pointerTokens, readPatch, type PatchFailure } from '../json-patch.js';
import { parsePropertyFilters, type Predicate } from '../query.js';
import { objectBody, type EmuRequest, type EmuResponse, type RouteSpec, type Router } from '../router.js';
import { hexId, restore, visible, type Resource } from '../state.js';
import type { ServiceContext } from './context.js';
import { TIME_SERIES_BEHAVIOR } from '../xdm-classes.js';

export const CATALOG = '/data/foundation/catalog';
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const CONTENT_TYPE = /^application\/vnd\.adobe\.xed(-full)?(-notext)?(-desc)?\+json; ?version=1(\.\d+)?$/;

const badRequest = (req: EmuRequest, message: string) =>
  problem(400, 'Bad Request', message, req.requestId, 'http://ns.adobe.com/aep/errors/CAT-1001-400');
const notFound = (req: EmuRequest, id: string) =>
  problem(
    404,
    'Not Found',
    `Dataset ${id} was not found in sandbox '${req.caller!.sandbox}'.`,
    req.requestId,
    'http://ns.adobe.com/aep/errors/CAT-1012-404',
  );

/** Query Service's table name for a dataset: lower case, words joined by underscores. */
const pqsTable = (name: unknown) =>
  String(name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '') || 'dataset';

/** `time-series` for a schema of a time-series class (XDM ExperienceEvent), else `record`. */
function behaviorOf(state: ServiceContext['state'], schemaId: string): 'record' | 'time-series' {
  const schema = state.schemas.all().find((s) => s.$id === schemaId);
  return schema?.['meta:extends']?.includes(TIME_SERIES_BEHAVIOR) ? 'time-series' : 'record';
}

/** Catalog's own state: the emulator's context and the next data source id. */
interface Catalog {
  ctx: ServiceContext;
  dataSourceIds: number;
}

export const CATALOG_ROUTES: readonly RouteSpec<Catalog>[] = [
  { method: 'POST', path: `${CATALOG}/dataSets`, handle: createDataSet },
  { method: 'GET', path: `${CATALOG}/dataSets`, handle: listDataSets },
  { method: 'GET', path: `${CATALOG}/dataSets/:id`, handle: getDataSet },
  { method: 'PATCH', path: `${CATALOG}/dataSets/:id`, handle: patchDataSet },
  { method: 'DELETE', path: `${CATALOG}/dataSets/:id`, handle: deleteDataSet },
];

export function registerCatalog(router: Router, ctx: ServiceContext): void {
  router.mount(CATALOG_ROUTES, { ctx, dataSourceIds: 10_000 });
}

function createDataSet(c: Catalog, req: EmuRequest): EmuResponse {
  const body = objectBody(req);
  if (!body) return badRequest(req, 'The request body must be a JSON object describing the dataset.');
  const problemText = checkDataSet(c, req, body);
  if (problemText) return badRequest(req, problemText);
  const caller = req.caller!;
  const now = c.ctx.now();
  const id = hexId(12);
  const dataSet: Resource = {
    id,
    name: body.name,
    description: body.description ?? '',
    imsOrg: caller.orgId,
    sandboxId: `sandbox-${caller.sandbox}`,
    version: '1.0.0',
    created: now,
    updated: now,
    createdClient: caller.clientId,
    createdUser: `${caller.clientId}@AdobeID`,
    updatedUser: `${caller.clientId}@AdobeID`,
    // What Catalog adds itself (catalog.yaml datasetPatchRequestV2): the Query Service table name
    // (`adobe/pqs/table`, from the dataset name) and the classification (the schema's behavior).
    tags: { 'adobe/pqs/table': [pqsTable(body.name)], ...(body.tags ?? {}) },
    classification: {
      dataBehavior: behaviorOf(c.ctx.state, body.schemaRef.id),
      managedBy: 'CUSTOMER',
    },
    enableErrorDiagnostics: body.enableErrorDiagnostics ?? false,
    viewId: hexId(12),
    files: `@/dataSetFiles?dataSetId=${id}`,
    schemaRef: {
      id: body.schemaRef.id,
      contentType: body.schemaRef.contentType ?? 'application/vnd.adobe.xed+json;version=1',
    },
    observableSchema: body.observableSchema ?? {},
    ...(req.query.get('requestDataSource') === 'true' ? { dataSourceId: c.dataSourceIds++ } : {}),
    imsOrgId: caller.orgId,
    sandboxName: caller.sandbox,
  };
  c.ctx.state.dataSets.add(dataSet);
  return { status: 201, body: [`@/dataSets/${id}`], headers: { location: `${CATALOG}/dataSets/${id}` } };
}

function listDataSets(c: Catalog, req: EmuRequest): EmuResponse {
  const paging = pagingOf(req);
  if (typeof paging === 'string') return badRequest(req, paging);
  const filters = catalogFilters(req);
  if (typeof filters === 'string') return badRequest(req, filters);
  let matched = c.ctx.state.dataSets.all().filter((ds) => visible(ds, req.caller!) && filters.every((p) => p(ds)));
  if (paging.order) matched = sortBy(matched, paging.order);
  const page = matched.slice(paging.start, paging.start + paging.limit);
  const projection = propertiesOf(req);
  return { status: 200, body: Object.fromEntries(page.map((ds) => [ds.id, present(ds, projection)])) };
}

function getDataSet(c: Catalog, req: EmuRequest): EmuResponse {
  const dataSet = c.ctx.state.dataSets.get(req.params.id);
  if (!visible(dataSet, req.caller!)) return notFound(req, req.params.id);
  return { status: 200, body: { [dataSet!.id]: present(dataSet!, propertiesOf(req)) } };
}

// Updates (update-object.md, aep-updates.md §4): plain fields with application/json ("fields left
// out are unchanged"), or a JSON Patch array with application/json-patch+json. "PATCH operations
// on an object cannot modify its expandable fields, which represent interrelated objects": the
// schema and files stay; Catalog's own fields are read-only.
function patchDataSet(c: Catalog, req: EmuRequest): EmuResponse {
  const dataSet = c.ctx.state.dataSets.get(req.params.id);
  if (!visible(dataSet, req.caller!)) return notFound(req, req.params.id);
  const jsonPatch = /^application\/json-patch\+json\s*(;|$)/i.test(header(req, 'content-type') ?? '');
  let next: Resource | PatchFailure;
  if (jsonPatch) {
    if (!Array.isArray(req.body)) return badRequest(req, 'A JSON Patch body must be an array of operations.');
    const ops = readPatch(req.body);
    if (isFailure(ops)) return badRequest(req, ops.message);
    const refused = ops.map(({ path }) => fixedField(pointerTokens(path)[0])).find(Boolean);
    if (refused) return badRequest(req, refused);
    next = applyPatch(dataSet!, ops);
  } else {
    const body = objectBody(req);
    if (!body)
      return badRequest(
        req,
        'The request body must be a JSON object of the fields to update (a JSON Patch array needs Content-Type: application/json-patch+json).',
      );
    const refused = Object.keys(body).map(fixedField).find(Boolean);
    if (refused) return badRequest(req, refused);
    next = { ...dataSet!, ...body };
  }
  if (isFailure(next)) return badRequest(req, `The JSON Patch cannot be applied: ${next.message}`);
  const problemText = checkDataSet(c, req, next);
  if (problemText) return badRequest(req, problemText);
  restore(dataSet!, { ...next, updated: c.ctx.now(), updatedUser: `${req.caller!.clientId}@AdobeID` });
  return { status: 200, body: [`@/dataSets/${dataSet!.id}`] };
}

function deleteDataSet(c: Catalog, req: EmuRequest): EmuResponse {
  const dataSet = c.ctx.state.dataSets.get(req.params.id);
  if (!visible(dataSet, req.caller!)) return notFound(req, req.params.id);
  c.ctx.state.dataSets.delete(dataSet!.id);
  return { status: 200, body: [`@/dataSets/${dataSet!.id}`] };
}

/** Name, and a schemaRef to a schema in the caller's org and sandbox. */
function checkDataSet(c: Catalog, req: EmuRequest, body: Record<string, any>): string | undefined {
  if (typeof body.name !== 'string' || !body.name.trim()) return "'name' is required and must be a non-empty string.";
  if (body.description !== undefined && typeof body.description !== 'string') return "'description' must be a string.";
  const ref = body.schemaRef;
  if (!ref || typeof ref !== 'object' || typeof ref.id !== 'string' || !ref.id)
    return "'schemaRef' with the schema's 'id' ($id) is required.";
  if (
    ref.contentType !== undefined &&
    (typeof ref.contentType !== 'string' || !CONTENT_TYPE.test(ref.contentType.trim()))
  ) {
    return `schemaRef.contentType '${ref.contentType}' is not valid; use e.g. application/vnd.adobe.xed+json;version=1.`;
  }
  const schema = c.ctx.state.schemas.get(ref.id);
  if (!visible(schema, req.caller!))
    return `Schema ${ref.id} was not found in sandbox '${req.caller!.sandbox}'. Create the schema first, and use its $id.`;
  if (body.tags !== undefined) {
    const tags = body.tags;
    const valid =
      tags &&
      typeof tags === 'object' &&
      !Array.isArray(tags) &&
      Object.values(tags).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'));
    if (!valid)
      return '\'tags\' must be an object whose values are arrays of strings, e.g. { "unifiedProfile": ["enabled:true"] }.';
    // "To enable a dataset for Profile, the schema must also be enabled for Profile"
    // (catalog/datasets/enable-for-profile.md): union in the schema's meta:immutableTags.
    const union = Array.isArray(schema!['meta:immutableTags']) && schema!['meta:immutableTags'].includes('union');
    if (enabledTag(tags.unifiedProfile) && !union) {
      return `The dataset is tagged for Profile (tags.unifiedProfile enabled) but schema ${ref.id} is not enabled for Profile; add 'union' to the schema's meta:immutableTags first.`;
    }
  }
  return undefined;
}

/** A tag list that says `enabled:true` (the docs write it with and without a space after the colon). */
const enabledTag = (values: unknown) =>
  Array.isArray(values) && values.some((value) => /^enabled:\s*true$/i.test(String(value)));

/** Fields a dataset PATCH may change (dataSetRequest in catalog.yaml, less what links to other objects). */
const PATCHABLE = new Set(['name', 'description', 'tags', 'enableErrorDiagnostics']);
/** Expandable fields: references to interrelated objects (update-object.md). */
const EXPANDABLE = new Set(['schemaRef', 'files', 'viewId', 'dataSourceId']);

/** Why a top-level field cannot be patched, or undefined when it can. */
function fixedField(field: string): string | undefined {
  if (PATCHABLE.has(field)) return undefined;
  if (EXPANDABLE.has(field))
    return `'${field}' is an expandable field: PATCH operations on an object cannot modify its expandable fields, which represent interrelated objects. Modifications to interrelated objects must be made directly.`;
  return `'${field}' cannot be updated by a PATCH; the fields a dataset PATCH takes are ${[...PATCHABLE].join(', ')}.`;
}

/** limit 1–100 (default 20; 0 is rejected), start ≥ 0, orderBy `asc:created,updated` / `desc:name`. */
function pagingOf(
  req: EmuRequest,
): { limit: number; start: number; order?: { fields: string[]; sign: number } } | string {
  const limitText = req.query.get('limit');
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return `Invalid limit '${limitText}'. The limit must be an integer from 1 to ${MAX_LIMIT}.`;
  const startText = req.query.get('start');
  const start = startText === null ? 0 : Number(startText);
  if (!Number.isInteger(start) || start < 0)
    return `Invalid start '${startText}'. The start must be a non-negative integer.`;
  const orderBy = req.query.get('orderBy');
  if (!orderBy) return { limit, start };
  const match = /^(?:(asc|desc):)?([\w.,]+)$/.exec(orderBy);
  if (!match) return `Invalid orderBy '${orderBy}'. Use e.g. asc:created or desc:updated.`;
  return { limit, start, order: { fields: match[2].split(','), sign: match[1] === 'desc' ? -1 : 1 } };
}

function sortBy(items: Resource[], order: { fields: string[]; sign: number }): Resource[] {
  return [...items].sort((a, b) => {
    for (const field of order.fields) {
      if (a[field] !== b[field]) return a[field] > b[field] ? order.sign : -order.sign;
    }
    return 0;
  });
}

/**
 * `property=` filters (Catalog's `~` is a regular expression, e.g. `name~^test`), plus the simple
 * field filters the spec declares (`name=`, `description=`, `createdClient=`…; comma = any of).
 */
function catalogFilters(req: EmuRequest): Predicate[] | string {
  const predicates: Predicate[] = [];
  const shared = new URLSearchParams();
  for (const expression of req.query.getAll('property')) {
    // `name` takes a wildcard `*` (matching empty text too), and `**` is a literal `*` (filter-data.md).
    const nameMatch = /^\s*name\s*(==|!=)(.*)$/.exec(expression);
    if (nameMatch) {
      const pattern = wildcard(nameMatch[2].trim().replace(/^"(.*)"$/, '$1'));
      predicates.push((item) =>
        nameMatch[1] === '==' ? pattern.test(String(item.name ?? '')) : !pattern.test(String(item.name ?? '')),
      );
      continue;
    }
    const at = expression.indexOf('~');
    if (at > 0 && !/[=!<>]$/.test(expression.slice(0, at))) {
      const path = expression.slice(0, at).trim();
      let pattern: RegExp;
      try {
        pattern = new RegExp(expression.slice(at + 1));
      } catch {
        return `Invalid regular expression in property filter '${expression}'.`;
      }
      predicates.push((item) => pattern.test(String(item[path] ?? '')));
    } else {
      shared.append('property', expression);
    }
  }
  const parsed = parsePropertyFilters(shared);
  if (typeof parsed === 'string') return parsed;
  predicates.push(...parsed);
  for (const field of ['name', 'description', 'createdClient', 'createdUser', 'updatedUser', 'version']) {
    const value = req.query.get(field);
    if (value !== null) predicates.push((item) => value.split(',').includes(String(item[field])));
  }
  return predicates;
}

/** Catalog's name pattern: `*` any text (empty too), `**` one literal `*`, the rest literal. */
function wildcard(text: string): RegExp {
  const source = text
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*'),
    )
    .join('\\*');
  return new RegExp(`^${source}$`, 's');
}

function propertiesOf(req: EmuRequest): string[] | undefined {
  const text = req.query.get('properties');
  return text
    ? text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
    : undefined;
}

/** A dataset as Catalog returns it: keyed by id elsewhere, without the emulator's scoping fields. */
function present(dataSet: Resource, projection?: string[]): Record<string, unknown> {
  const { id: _id, imsOrgId: _o, sandboxName: _s, ...rest } = dataSet;
  return projection ? Object.fromEntries(Object.entries(rest).filter(([key]) => projection.includes(key))) : rest;
}
