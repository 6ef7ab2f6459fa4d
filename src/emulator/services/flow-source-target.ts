// Flow Service: source connections (a base connection plus the table to read, aep-api.md §4) and
// target connections (the Data Lake dataset and its schema, §6). Rejects what Adobe rejects: a
// table given by display name instead of path, unknown columns, a dataset of another schema, and
// deleting a connection a flow still uses.
import type { EmuRequest, EmuResponse, Router } from '../router.js';
import { CONNECTION_SPECS, DATA_LAKE_SPEC_ID, HTTP_API_SPEC_ID, ZOHO_SPEC_ID } from '../specs-data.js';
import { restore, type Resource } from '../state.js';
import { crmTables, findTable } from '../zoho-crm.js';
import type { ServiceContext } from './context.js';
import { FLOW, badRequest, created, find, jsonObject, list, notFound, patch, specRef, stamp } from './flow-common.js';

const SOURCE_FORMATS = new Set(['tabular', 'delimited', 'json', 'parquet']);

export function registerSourceTargetConnections(router: Router, ctx: ServiceContext): void {
  const { state } = ctx;
  const retired = new Set(ctx.options.retiredConnectionSpecs ?? []);
  const offered = (id: string) => (retired.has(id) ? undefined : CONNECTION_SPECS.find((spec) => spec.id === id));

  /** Adobe refuses to delete a connection that a flow references (FLOW-1447-400). */
  const inUse = (
    req: EmuRequest,
    id: string,
    key: 'sourceConnectionIds' | 'targetConnectionIds',
  ): EmuResponse | undefined => {
    const flows = state.flows.all().filter((flow) => (flow[key] ?? []).includes(id));
    if (!flows.length) return undefined;
    return badRequest(
      req,
      `Found active flows containing id ${id}. Delete the flows ${flows.map((flow) => flow.id).join(', ')} first.`,
      '1447',
    );
  };

  // ---- source connections ----

  /** Checks a source connection body (create, or the record after a PATCH); returns a message. */
  const checkSource = (req: EmuRequest, body: Record<string, any>): string | undefined => {
    const spec = specRef(body.connectionSpec);
    if (!spec) return 'connectionSpec with id and version is required.';
    const connectionSpec = offered(spec.id);
    if (!connectionSpec || !(connectionSpec.sourceSpec || connectionSpec.attributes?.isSource)) {
      return `Connection spec ${spec.id} was not found or is not a source. Verify the connection spec id and try again.`;
    }
    if (spec.version !== connectionSpec.version) return `Connection spec ${spec.id} has no version ${spec.version}.`;
    if (typeof body.baseConnectionId !== 'string' || !body.baseConnectionId) return 'baseConnectionId is required.';
    const base = find(req, state.connections, body.baseConnectionId);
    if (!base)
      return `The base connection ${body.baseConnectionId} was not found. Verify the base connection id and try again.`;
    if (base.connectionSpec?.id !== spec.id) {
      return `The base connection ${base.id} uses connection spec ${base.connectionSpec?.id}, not ${spec.id}. A source connection must use its base connection's connection spec.`;
    }
    // The HTTP API source connection has no params and no data (http.md@c3aba92; aep-api.md §9).
    if (spec.id === HTTP_API_SPEC_ID) {
      if (
        body.params !== undefined &&
        (typeof body.params !== 'object' || body.params === null || Object.keys(body.params).length)
      ) {
        return "An HTTP API source connection takes no params: records arrive at the base connection's inlet.";
      }
      if (body.data === undefined) return undefined;
    }
    const format = body.data?.format;
    if (typeof format !== 'string' || !format) return 'data.format is required.';
    if (!SOURCE_FORMATS.has(format))
      return `data.format '${format}' is not supported; use one of ${[...SOURCE_FORMATS].join(', ')}.`;
    if (connectionSpec.attributes?.category === 'CRM' && format !== 'tabular')
      return `data.format must be 'tabular' for ${connectionSpec.attributes.connectorName} tables, not '${format}'.`;
    return spec.id === ZOHO_SPEC_ID ? checkTable(body.params) : undefined;
  };

  const presentSource = (source: Resource): Resource => {
    const base = state.connections.get(source.baseConnectionId);
    return {
      ...source,
      inheritedAttributes: {
        baseConnection: { id: source.baseConnectionId, connectionSpec: base?.connectionSpec ?? source.connectionSpec },
      },
    };
  };

  router.on('POST', `${FLOW}/sourceConnections`, (req) => {
    const body = jsonObject(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const problem = checkName(body) ?? checkSource(req, body);
    if (problem) return badRequest(req, problem);
    const source = {
      ...stamp(req.caller!, ctx.now()),
      name: body.name,
      description: body.description ?? '',
      baseConnectionId: body.baseConnectionId,
      state: 'enabled',
      data: body.data,
      params: body.params ?? {},
      connectionSpec: specRef(body.connectionSpec),
    };
    state.sourceConnections.add(source);
    return created(source, '/sourceConnections');
  });

  router.on('GET', `${FLOW}/sourceConnections`, (req) =>
    list(req, state.sourceConnections.all(), `${FLOW}/sourceConnections`, presentSource),
  );
  router.on('GET', `${FLOW}/sourceConnections/:id`, (req) => {
    const source = find(req, state.sourceConnections);
    return source
      ? { status: 200, body: { items: [presentSource(source)] } }
      : notFound(req, 'sourceConnections', req.params.id);
  });

  router.on('PATCH', `${FLOW}/sourceConnections/:id`, (req) => {
    const source = find(req, state.sourceConnections);
    if (!source) return notFound(req, 'sourceConnections', req.params.id);
    // Only what a PATCH can change is re-checked: the name and the table params.
    const check = (after: Resource) =>
      checkName(after) ?? (after.connectionSpec?.id === ZOHO_SPEC_ID ? checkTable(after.params) : undefined);
    return patchChecked(req, source, /^\/(name|description|params(\/\w+)?)$/, check);
  });

  router.on('DELETE', `${FLOW}/sourceConnections/:id`, (req) => {
    const source = find(req, state.sourceConnections);
    if (!source) return notFound(req, 'sourceConnections', req.params.id);
    const refused = inUse(req, source.id, 'sourceConnectionIds');
    if (refused) return refused;
    state.sourceConnections.delete(source.id);
    return { status: 204 };
  });

  // ---- target connections ----

  const checkTarget = (req: EmuRequest, body: Record<string, any>): string | undefined => {
    const spec = specRef(body.connectionSpec);
    if (!spec) return 'connectionSpec with id and version is required.';
    const connectionSpec = offered(spec.id);
    if (!connectionSpec?.targetSpec)
      return `Connection spec ${spec.id} was not found or is not a target. Use the Data Lake connection spec ${DATA_LAKE_SPEC_ID}.`;
    if (spec.version !== connectionSpec.version) return `Connection spec ${spec.id} has no version ${spec.version}.`;
    const schemaRef = body.data?.schema;
    if (!schemaRef || typeof schemaRef.id !== 'string' || !schemaRef.id)
      return 'data.schema.id is required: the $id of the target XDM schema.';
    if (typeof schemaRef.version !== 'string' || !schemaRef.version)
      return 'data.schema.version is required, e.g. application/vnd.adobe.xed-full+json;version=1.';
    if (!find(req, state.schemas, schemaRef.id))
      return `The schema ${schemaRef.id} was not found in sandbox ${req.caller!.sandbox}. Verify the schema id and try again.`;
    const dataSetId = body.params?.dataSetId;
    if (typeof dataSetId !== 'string' || !dataSetId) return 'params.dataSetId is required.';
    const dataSet = find(req, state.dataSets, dataSetId);
    if (!dataSet) return `The dataset ${dataSetId} was not found. You must provide a valid dataset ID.`;
    if (dataSet.schemaRef?.id !== schemaRef.id) {
      return `The dataset ${dataSetId} uses schema ${dataSet.schemaRef?.id}, not ${schemaRef.id}. The target connection's schema must be the dataset's schema.`;
    }
    return undefined;
  };

  router.on('POST', `${FLOW}/targetConnections`, (req) => {
    const body = jsonObject(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const problem = checkName(body) ?? checkTarget(req, body);
    if (problem) return badRequest(req, problem);
    const target = {
      ...stamp(req.caller!, ctx.now()),
      name: body.name,
      description: body.description ?? '',
      state: 'enabled',
      data: { ...body.data, schema: { id: body.data.schema.id, version: body.data.schema.version } },
      params: body.params,
      connectionSpec: specRef(body.connectionSpec),
    };
    state.targetConnections.add(target);
    return created(target, '/targetConnections');
  });

  router.on('GET', `${FLOW}/targetConnections`, (req) =>
    list(req, state.targetConnections.all(), `${FLOW}/targetConnections`),
  );
  router.on('GET', `${FLOW}/targetConnections/:id`, (req) => {
    const target = find(req, state.targetConnections);
    return target ? { status: 200, body: { items: [target] } } : notFound(req, 'targetConnections', req.params.id);
  });

  router.on('PATCH', `${FLOW}/targetConnections/:id`, (req) => {
    const target = find(req, state.targetConnections);
    if (!target) return notFound(req, 'targetConnections', req.params.id);
    return patchChecked(req, target, /^\/(name|description)$/, checkName);
  });

  router.on('DELETE', `${FLOW}/targetConnections/:id`, (req) => {
    const target = find(req, state.targetConnections);
    if (!target) return notFound(req, 'targetConnections', req.params.id);
    const refused = inUse(req, target.id, 'targetConnectionIds');
    if (refused) return refused;
    state.targetConnections.delete(target.id);
    return { status: 204 };
  });

  /** PATCH, then re-check the whole record; an invalid result is undone and rejected. */
  function patchChecked(
    req: EmuRequest,
    resource: Resource,
    allowed: RegExp,
    check: (after: Resource) => string | undefined,
  ): EmuResponse {
    const before = structuredClone(resource);
    const answer = patch(req, resource, allowed, ctx.now());
    const problem = answer.status === 200 ? check(resource) : undefined;
    if (!problem) return answer;
    restore(resource, before);
    return badRequest(req, problem);
  }
}

/** Ruling 7: every create carries a name (lookups by name are how re-runs converge). */
const checkName = (body: Record<string, any>): string | undefined =>
  typeof body.name === 'string' && body.name.trim() ? undefined : 'name is required and must be a non-empty string.';

/** Zoho: `params.tableName` is a table path from explore, and listed columns exist in it (ruling 3). */
export function checkTable(params: unknown): string | undefined {
  const { tableName, columns } = (params ?? {}) as { tableName?: unknown; columns?: unknown };
  if (typeof tableName !== 'string' || !tableName) return 'params.tableName is required: the table path from explore.';
  const table = findTable(tableName);
  if (!table) {
    const byName = crmTables().find((candidate) => candidate.name === tableName);
    return byName
      ? `params.tableName '${tableName}' is a table's display name; use its path '${byName.path}' (from explore's root listing).`
      : `The table '${tableName}' was not found. Use a table path from explore's root listing.`;
  }
  if (columns === undefined) return undefined;
  if (!Array.isArray(columns)) return 'params.columns must be an array of columns from explore.';
  const known = new Set(table.columns.map((column) => column.name));
  const names = columns.map((column) => (typeof column === 'string' ? column : (column as { name?: unknown })?.name));
  if (names.some((name) => typeof name !== 'string')) return 'Each entry of params.columns must have a name.';
  const unknown = (names as string[]).filter((name) => !known.has(name));
  return unknown.length ? `Columns not found in table '${tableName}': ${unknown.join(', ')}.` : undefined;
}
