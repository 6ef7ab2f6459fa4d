// Data Prep mapping sets (aep-api.md §7, ruling 1, data-prep.yaml). Accepts both documented body
// styles: the CRM tutorials' (`xdmSchema`, `xdmVersion`, `destinationXdmPath`, `sourceAttribute`)
// and the API reference's (`outputSchema.schemaRef`, `source`, `destination`, `sourceType`).
// Create answers 200 with epoch-millisecond dates; stored mappings carry both spellings and
// Adobe's stored source types (ATTRIBUTE → text/x.schema-path, EXPRESSION → text/x.aep-xl,
// STATIC → text/plain). Rejects a null id, an unknown schema, destinations the schema lacks,
// duplicate destinations and bad source types. Preview maps rows to nested XDM with the subset of
// expression functions in ../data-prep-expressions.ts. A PUT stores a new version (GET ?version=N
// reads any of them). There is no DELETE (the spec has none): it is answered 405.
import { problem } from '../adobe-errors.js';
import { ExpressionError, evaluate, parseExpression, readSource } from '../data-prep-expressions.js';
import type { Caller, EmuRequest, EmuResponse, Router } from '../router.js';
import { hexId, type EmulatorState, type Resource } from '../state.js';
import { schemaFields, schemaTree, treeToProperties, type XdmType } from '../xdm-classes.js';
import type { ServiceContext } from './context.js';

export const CONVERSION = '/data/foundation/conversion';
const DEFAULT_CONTENT_TYPE = 'application/vnd.adobe.xed-full+json;version=1';

/** Request spelling → stored spelling (the stored ones are accepted back, e.g. after a GET). */
const SOURCE_TYPES: Record<string, string> = {
  ATTRIBUTE: 'text/x.schema-path',
  EXPRESSION: 'text/x.aep-xl',
  STATIC: 'text/plain',
  'TEXT/X.SCHEMA-PATH': 'text/x.schema-path',
  'TEXT/X.AEP-XL': 'text/x.aep-xl',
  'TEXT/PLAIN': 'text/plain',
};

interface MappingIssue {
  index: number;
  destination?: string;
  source?: string;
  sourceType?: string;
  exception: string;
}

interface Checked {
  schemaId: string;
  contentType: string;
  mappings: Array<Record<string, unknown>>;
  issues: MappingIssue[];
}

const badRequest = (req: EmuRequest, message: string) => problem(400, 'Bad Request', message, req.requestId);

export function registerDataPrep(router: Router, ctx: ServiceContext): void {
  const { state } = ctx;
  const visible = (resource: Resource | undefined, caller: Caller) =>
    !!resource && resource.imsOrgId === caller.orgId && resource.sandboxName === caller.sandbox;

  /** Checks a mapping set body; a string is a whole-request problem, issues are per mapping. */
  function check(req: EmuRequest, body: Record<string, any>): Checked | string {
    if ('id' in body && typeof body.id !== 'string')
      return "'id' must be a string when present; omit it for a new mapping set (null is not accepted).";
    for (const key of ['name', 'description'])
      if (key in body && typeof body[key] !== 'string') return `'${key}' must be a string when present.`;
    const refId = body.outputSchema?.schemaRef?.id;
    const tutorialId = body.xdmSchema;
    if (refId !== undefined && typeof refId !== 'string') return 'outputSchema.schemaRef.id must be a string.';
    if (tutorialId !== undefined && tutorialId !== null && typeof tutorialId !== 'string')
      return "'xdmSchema' must be a string.";
    if (refId && tutorialId && refId !== tutorialId)
      return `outputSchema.schemaRef.id (${refId}) and xdmSchema (${tutorialId}) name different schemas.`;
    const schemaId: string | undefined = refId || tutorialId || undefined;
    if (!schemaId) return 'The output schema is required: outputSchema.schemaRef.id (or xdmSchema).';
    const schema = state.schemas.get(schemaId);
    if (!visible(schema, req.caller!)) return `Schema ${schemaId} was not found in sandbox '${req.caller!.sandbox}'.`;
    if (body.xdmVersion !== undefined && typeof body.xdmVersion !== 'string')
      return '\'xdmVersion\' must be a string such as "1.0".';
    if (!Array.isArray(body.mappings) || !body.mappings.length) return "'mappings' must be a non-empty array.";
    const fields = schemaFields(state, schemaId)!;
    const seen = new Set<string>();
    const issues: MappingIssue[] = [];
    const mappings = body.mappings.map((raw: unknown, index: number) => {
      const mapping = raw && typeof raw === 'object' ? (raw as Record<string, any>) : {};
      const destination = mapping.destination ?? mapping.destinationXdmPath;
      const source = mapping.source ?? mapping.sourceAttribute;
      const given = mapping.sourceType ?? 'ATTRIBUTE';
      const sourceType = typeof given === 'string' ? SOURCE_TYPES[given.toUpperCase()] : undefined;
      const issue = (exception: string) => issues.push({ index, destination, source, sourceType: given, exception });
      if (!raw || typeof raw !== 'object') issue(`mappings[${index}] must be an object.`);
      else if (
        mapping.destination !== undefined &&
        mapping.destinationXdmPath !== undefined &&
        mapping.destination !== mapping.destinationXdmPath
      )
        issue(`mappings[${index}]: destination and destinationXdmPath differ.`);
      else if (
        mapping.source !== undefined &&
        mapping.sourceAttribute !== undefined &&
        mapping.source !== mapping.sourceAttribute
      )
        issue(`mappings[${index}]: source and sourceAttribute differ.`);
      else if (!sourceType)
        issue(`mappings[${index}]: sourceType '${given}' is not valid; use ATTRIBUTE, EXPRESSION or STATIC.`);
      else if (typeof destination !== 'string' || !destination)
        issue(`mappings[${index}]: destination (destinationXdmPath) is required.`);
      else if (!fields.has(destination))
        issue(`mappings[${index}]: destination '${destination}' does not exist in schema ${schemaId}.`);
      else if (seen.has(destination))
        issue(`mappings[${index}]: destination '${destination}' is mapped more than once.`);
      else if (typeof source !== 'string' || (!source && sourceType !== 'text/plain'))
        issue(`mappings[${index}]: source (sourceAttribute) is required.`);
      else if (sourceType === 'text/x.aep-xl') {
        try {
          parseExpression(source);
        } catch (error) {
          issue(`mappings[${index}]: invalid expression '${source}': ${(error as Error).message}`);
        }
      }
      if (typeof destination === 'string') seen.add(destination);
      return { ...mapping, destination, source, sourceType };
    });
    return {
      schemaId,
      contentType: body.outputSchema?.schemaRef?.contentType ?? DEFAULT_CONTENT_TYPE,
      mappings,
      issues,
    };
  }

  const objectBody = (req: EmuRequest) =>
    req.body && typeof req.body === 'object' && !Array.isArray(req.body)
      ? (req.body as Record<string, any>)
      : undefined;
  const rejectIssues = (req: EmuRequest, issues: MappingIssue[]) =>
    badRequest(req, issues.map((i) => i.exception).join(' '));

  /** A new id and the audit fields Data Prep puts on a mapping set and on each of its mappings. */
  const created = (who: string, now: number) => ({
    id: hexId(16),
    version: 0,
    createdDate: now,
    modifiedDate: now,
    createdBy: who,
    modifiedBy: who,
  });

  /** The stored form of one mapping, with both spellings as Adobe returns them. */
  function storedMapping(mapping: Record<string, unknown>, who: string, now: number): Record<string, unknown> {
    const { destinationXdmPath: _d, sourceAttribute: _s, ...rest } = mapping;
    return {
      ...rest,
      ...created(who, now),
      sourceType: mapping.sourceType,
      source: mapping.source,
      destination: mapping.destination,
      identity: mapping.identity ?? false,
      primaryIdentity: mapping.primaryIdentity ?? false,
      matchScore: 0,
      functionVersion: 1,
      sourceAttribute: mapping.source,
      destinationXdmPath: mapping.destination,
    };
  }

  /** The mapping-set fields a version carries (kept per version for GET ?version=). */
  function snapshot(body: Record<string, any>, checked: Checked, who: string, now: number): Record<string, unknown> {
    const schemaRef = { id: checked.schemaId, contentType: checked.contentType };
    return {
      // The spec types name and description as strings: absent, not null, when not given.
      ...(typeof body.name === 'string' ? { name: body.name } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      supportVersion: '1.1',
      outputSchema: { schemaRef },
      ...(body.inputSchema ? { inputSchema: body.inputSchema } : {}),
      mappings: checked.mappings.map((m) => storedMapping(m, who, now)),
      status: 'PUBLISHED',
      strictMapping: false,
      allowNullValues: body.allowNullValues === true,
      xdmVersion: body.xdmVersion ?? '1.0',
      schemaRef,
      xdmSchema: checked.schemaId,
    };
  }

  /** The checks a create and an update share; the new version's snapshot when they pass. */
  const validBody = (
    req: EmuRequest,
  ): EmuResponse | { now: number; who: string; version: ReturnType<typeof snapshot> } => {
    const body = objectBody(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const checked = check(req, body);
    if (typeof checked === 'string') return badRequest(req, checked);
    if (checked.issues.length) return rejectIssues(req, checked.issues);
    const now = ctx.now();
    const who = `${req.caller!.clientId}@AdobeID`;
    return { now, who, version: snapshot(body, checked, who, now) };
  };

  router.on('POST', `${CONVERSION}/mappingSets`, (req) => {
    const valid = validBody(req);
    if ('status' in valid) return valid;
    const { now, who, version } = valid;
    const mappingSet: Resource = {
      ...created(who, now),
      ...version,
      imsOrgId: req.caller!.orgId,
      sandboxName: req.caller!.sandbox,
      versions: { 0: version },
    };
    state.mappingSets.add(mappingSet);
    return { status: 200, body: simple(mappingSet) };
  });

  router.on('PUT', `${CONVERSION}/mappingSets/:id`, (req) => {
    const mappingSet = state.mappingSets.get(req.params.id);
    if (!visible(mappingSet, req.caller!)) return notFound(req);
    const valid = validBody(req);
    if ('status' in valid) return valid;
    const { now, who, version } = valid;
    const number = (mappingSet!.version as number) + 1;
    Object.assign(mappingSet!, version, {
      version: number,
      modifiedDate: now,
      modifiedBy: who,
      versions: { ...mappingSet!.versions, [number]: version },
    });
    return { status: 200, body: present(mappingSet!) };
  });

  router.on('GET', `${CONVERSION}/mappingSets`, (req) => {
    const paging = pagingOf(req);
    if (typeof paging === 'string') return badRequest(req, paging);
    const name = req.query.get('name');
    let matched = state.mappingSets.all().filter((m) => visible(m, req.caller!) && (name === null || m.name === name));
    matched = [...matched].sort(
      (a, b) => (a[paging.field] - b[paging.field]) * paging.sign || a.id.localeCompare(b.id),
    );
    const page = matched.slice(paging.start, paging.start + paging.limit);
    const links: Record<string, { href: string }> = {};
    if (paging.start + paging.limit < matched.length) {
      const query = new URLSearchParams(req.query);
      query.set('start', String(paging.start + paging.limit));
      links.next = { href: `${CONVERSION}/mappingSets?${query.toString()}` };
    }
    const expand = req.query.get('expandSchema') === 'true';
    // Adobe's documented list response (mapping-set.md) has no `name` in its items: a client cannot
    // match list items by name (aep-api.md ruling 14). The `name` query filter is documented and kept.
    const item = (m: Resource) => {
      const { name: _name, ...rest } = present(m, expand);
      return rest;
    };
    return {
      status: 200,
      body: { data: page.map(item), _page: { count: matched.length, limit: paging.limit }, _links: links },
    };
  });

  router.on('GET', `${CONVERSION}/mappingSets/:id`, (req) => {
    const mappingSet = state.mappingSets.get(req.params.id);
    if (!visible(mappingSet, req.caller!)) return notFound(req);
    const versionText = req.query.get('version');
    // Without ?version the latest version is returned. The spec's `version` defaults to 0, and
    // Adobe's only example (a GET right after the create) cannot tell the two apart: UNVERIFIED
    // (aep-updates.md §2.2).
    if (versionText === null)
      return { status: 200, body: present(mappingSet!, req.query.get('expandSchema') === 'true') };
    // "An integer query parameter that determines which version of the mapping set to retrieve" (mapping-set.md).
    if (!/^\d+$/.test(versionText))
      return badRequest(req, `Invalid version '${versionText}': the version must be an integer.`);
    const stored = mappingSet!.versions?.[Number(versionText)];
    if (!stored)
      return problem(404, 'Not Found', `Mapping set ${mappingSet!.id} has no version ${versionText}.`, req.requestId);
    return {
      status: 200,
      body: present(
        { ...mappingSet!, ...stored, version: Number(versionText) },
        req.query.get('expandSchema') === 'true',
      ),
    };
  });

  // The spec has no DELETE for mapping sets, yet aepp sends one (issue 12); the service has no such
  // operation, so it answers 405 with the methods it has, whatever the id.
  router.on('DELETE', `${CONVERSION}/mappingSets/:id`, (req) => ({
    ...problem(
      405,
      'Method Not Allowed',
      'Mapping sets cannot be deleted: the Data Prep API has no DELETE operation for /mappingSets/{id}.',
      req.requestId,
    ),
    headers: { 'x-request-id': req.requestId, allow: 'GET, PUT' },
  }));

  router.on('GET', `${CONVERSION}/mappingSets/:id/mappings`, (req) => {
    const mappingSet = state.mappingSets.get(req.params.id);
    if (!visible(mappingSet, req.caller!)) return notFound(req);
    return { status: 200, body: mappingSet!.mappings };
  });

  router.on('GET', `${CONVERSION}/mappingSets/:id/mappings/:mappingId`, (req) => {
    const mappingSet = state.mappingSets.get(req.params.id);
    if (!visible(mappingSet, req.caller!)) return notFound(req);
    const mapping = (mappingSet!.mappings as Array<Record<string, unknown>>).find((m) => m.id === req.params.mappingId);
    return mapping
      ? { status: 200, body: mapping }
      : problem(
          404,
          'Not Found',
          `Mapping ${req.params.mappingId} is not in mapping set ${mappingSet!.id}.`,
          req.requestId,
        );
  });

  router.on('POST', `${CONVERSION}/mappingSets/validate`, (req) => {
    const body = objectBody(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const checked = check(req, body);
    if (typeof checked === 'string') return badRequest(req, checked);
    const validationResponse = checked.mappings.map((_m, index) => {
      const errors = checked.issues.filter((i) => i.index === index).map(({ index: _i, ...info }) => info);
      return { status: errors.length ? 'FAILED' : 'SUCCESS', errors: errors.length ? errors : null };
    });
    return { status: 200, body: { validationResponse } };
  });

  router.on('POST', `${CONVERSION}/mappingSets/preview`, (req) => {
    const body = objectBody(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object with data and mappingSet.');
    if (
      !Array.isArray(body.data) ||
      body.data.some((row: unknown) => !row || typeof row !== 'object' || Array.isArray(row))
    )
      return badRequest(req, "'data' must be an array of row objects.");
    const set =
      body.mappingSet && typeof body.mappingSet === 'object' ? (body.mappingSet as Record<string, any>) : undefined;
    if (!set) return badRequest(req, "'mappingSet' is required.");
    const checked = check(req, set);
    if (typeof checked === 'string') return badRequest(req, checked);
    if (checked.issues.length) return rejectIssues(req, checked.issues);
    const types = schemaFields(state, checked.schemaId)!;
    // Adobe's docs answer an array, one { data, errors } per input row (the spec shows one object).
    return {
      status: 200,
      body: body.data.map((row: Record<string, unknown>) =>
        mapRow(row, checked.mappings, types, set.allowNullValues === true),
      ),
    };
  });

  /** The mapping set as Adobe returns it: no scoping fields, no version history. */
  function present(mappingSet: Resource, expandSchema = false): Record<string, unknown> {
    const { imsOrgId: _o, sandboxName: _s, versions: _v, ...rest } = mappingSet;
    if (!expandSchema) return rest;
    const schemaId = (rest.outputSchema as any).schemaRef.id;
    const schema = state.schemas.get(schemaId);
    const jsonSchema = schema
      ? {
          title: schema.title,
          description: schema.description,
          type: 'object',
          properties: treeToProperties(schemaTree(state, schemaId) ?? {}),
          version: schema.version,
          $id: schemaId,
        }
      : undefined;
    return { ...rest, outputSchema: { ...(rest.outputSchema as object), jsonSchema } };
  }
}

/**
 * Applies a stored mapping set (at a version) to one source record, as Data Prep does for a flow:
 * what the streaming inlet writes to the dataset. Undefined when the set or its schema is gone.
 */
export function applyMappingSet(
  state: EmulatorState,
  mappingSet: Resource,
  version: number,
):
  | ((row: Record<string, unknown>) => { data: Record<string, unknown>; errors: MappingIssueInfo[] | null })
  | undefined {
  const stored = (mappingSet.versions?.[version] ??
    (Number(mappingSet.version) === version ? mappingSet : undefined)) as Record<string, any> | undefined;
  const schemaId = stored?.outputSchema?.schemaRef?.id;
  const types = schemaId ? schemaFields(state, schemaId) : undefined;
  if (!stored || !types) return undefined;
  return (row) => mapRow(row, stored.mappings, types, stored.allowNullValues === true);
}

function simple(mappingSet: Resource): Record<string, unknown> {
  const { id, version, createdDate, modifiedDate, createdBy, modifiedBy } = mappingSet;
  return { id, version, createdDate, modifiedDate, createdBy, modifiedBy };
}

const notFound = (req: EmuRequest): EmuResponse =>
  problem(
    404,
    'Not Found',
    `Mapping set ${req.params.id} was not found in sandbox '${req.caller!.sandbox}'.`,
    req.requestId,
  );

/**
 * limit and start are both required (data-prep.yaml, mapping-set.md). orderBy: Adobe's sources
 * disagree (the spec's description, its `default: lastUpdateDate` and the Postman collection give
 * three spellings, aep-api.md ruling 14); this follows the description, which mapping-set.md repeats:
 * "The only supported fields are createdDate and updatedDate. You can prepend the property with +
 * or -". An unencoded `+` arrives as a space (form decoding), so a leading space counts as `+`.
 * Without orderBy the newest update comes first.
 */
function pagingOf(req: EmuRequest): { limit: number; start: number; field: string; sign: number } | string {
  const limitText = req.query.get('limit');
  const startText = req.query.get('start');
  if (limitText === null || startText === null)
    return "The query parameters 'limit' and 'start' are both required, e.g. ?limit=10&start=0.";
  const limit = Number(limitText);
  const start = Number(startText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    return `Invalid limit '${limitText}'. Provide an integer from 1 to 1000.`;
  if (!Number.isInteger(start) || start < 0) return `Invalid start '${startText}'. Provide a non-negative integer.`;
  const orderBy = req.query.get('orderBy') ?? '-updatedDate';
  const match = /^([-+ ]?)(createdDate|updatedDate)$/.exec(orderBy);
  if (!match)
    return `Invalid orderBy '${orderBy}'. The only supported fields are createdDate and updatedDate, optionally prefixed with + (ascending) or - (descending).`;
  return {
    limit,
    start,
    field: match[2] === 'createdDate' ? 'createdDate' : 'modifiedDate',
    sign: match[1] === '-' ? -1 : 1,
  };
}

/** One preview row: each mapping's value, converted to the destination's XDM type, set at its path. */
function mapRow(
  row: Record<string, unknown>,
  mappings: Array<Record<string, unknown>>,
  types: Map<string, XdmType>,
  allowNull: boolean,
): { data: Record<string, unknown>; errors: MappingIssueInfo[] | null } {
  const data: Record<string, unknown> = {};
  const errors: MappingIssueInfo[] = [];
  for (const mapping of mappings) {
    const destination = mapping.destination as string;
    const source = mapping.source as string;
    try {
      let value: unknown;
      if (mapping.sourceType === 'text/x.schema-path') value = readSource(row, source);
      else if (mapping.sourceType === 'text/plain') value = source;
      else value = evaluate(parseExpression(source), row);
      if (value === undefined || value === null) {
        if (allowNull) setPath(data, destination, null);
        continue;
      }
      setPath(data, destination, convert(value, types.get(destination) ?? 'string'));
    } catch (error) {
      errors.push({
        destination,
        source,
        sourceType: mapping.sourceType as string,
        exception: (error as Error).message,
      });
    }
  }
  return { data, errors: errors.length ? errors : null };
}

export type MappingIssueInfo = { destination: string; source: string; sourceType: string; exception: string };

function convert(value: unknown, type: XdmType): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'int':
    case 'long': {
      const n = Number(value);
      if (value === '' || !Number.isInteger(n)) throw new ExpressionError(`Cannot convert '${value}' to ${type}.`);
      return n;
    }
    case 'number': {
      const n = Number(value);
      if (value === '' || Number.isNaN(n)) throw new ExpressionError(`Cannot convert '${value}' to number.`);
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new ExpressionError(`Cannot convert '${value}' to boolean.`);
    case 'date':
    case 'date-time':
      if (Number.isNaN(Date.parse(String(value)))) throw new ExpressionError(`Cannot convert '${value}' to ${type}.`);
      return String(value);
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) node = (node[key] ??= {}) as Record<string, unknown>;
  node[last] = value;
}
