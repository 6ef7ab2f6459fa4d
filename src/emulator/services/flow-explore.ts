// Flow Service explore (aep-api.md §3): a Zoho base connection's tables, a table's columns, and
// preview rows, all from the synthetic CRM in zoho-crm.ts. `object=` takes a table's path, as
// Adobe's tutorials say; a table's display name is not a path and is answered like any unknown one.
import type { EmuRequest, EmuResponse, Router } from '../router.js';
import { ZOHO_SPEC_ID } from '../specs-data.js';
import type { Resource } from '../state.js';
import { crmTables, findTable, type CrmTable } from '../zoho-crm.js';
import type { ServiceContext } from './context.js';
import { FLOW, badRequest, find, notFound } from './flow-common.js';

/** Rows in a preview. Adobe documents no count parameter, so callers slice what they need from these. */
export const PREVIEW_ROWS = 10;

/** The spec's enum is uppercase, every tutorial lowercase: both are accepted (aep-api.md ruling 1). */
const TABULAR_TYPES = new Set(['root', 'table']);
const OTHER_SPEC_TYPES = new Set(['file', 'folder', 'rest']);

export function registerFlowExplore(router: Router, ctx: ServiceContext): void {
  const retired = new Set(ctx.options.retiredConnectionSpecs ?? []);

  router.on('GET', `${FLOW}/connections/:id/explore`, (req) => {
    const connection = find(req, ctx.state.connections);
    if (!connection) return notFound(req, 'connections', req.params.id);
    const refused = checkConnection(req, connection, retired);
    if (refused) return refused;
    const objectType = req.query.get('objectType')?.toLowerCase();
    if (!objectType) return badRequest(req, "The query parameter 'objectType' is required: root or table.");
    if (OTHER_SPEC_TYPES.has(objectType))
      return badRequest(
        req,
        `objectType '${req.query.get('objectType')}' is not supported by a tabular source; use root or table.`,
      );
    if (!TABULAR_TYPES.has(objectType))
      return badRequest(req, `Invalid objectType '${req.query.get('objectType')}'. Allowed values: root, table.`);
    return objectType === 'root' ? root() : table(req);
  });
}

/** Only a Zoho CRM connection whose spec Adobe still offers can reach the CRM. */
function checkConnection(req: EmuRequest, connection: Resource, retired: Set<string>): EmuResponse | undefined {
  const specId = connection.connectionSpec?.id;
  if (specId !== ZOHO_SPEC_ID)
    return badRequest(
      req,
      `Explore is not available for connections of connection spec ${specId} in this emulator; it serves Zoho CRM (${ZOHO_SPEC_ID}).`,
    );
  if (retired.has(specId))
    return badRequest(
      req,
      `Connection spec ${specId} is no longer available, so connection ${connection.id} cannot be explored.`,
      '1101',
    );
  return undefined;
}

function root(): EmuResponse {
  return {
    status: 200,
    body: crmTables().map(({ name, path }) => ({ type: 'table', name, path, canPreview: true, canFetchSchema: true })),
  };
}

function table(req: EmuRequest): EmuResponse {
  const object = req.query.get('object');
  if (!object)
    return badRequest(
      req,
      "The query parameter 'object' is required when objectType is table: give a table path from objectType=root.",
    );
  // Zoho is not among the sources that support row-level filtering (aep-api.md §3.3).
  if (req.query.has('filters')) return badRequest(req, 'Row-level filters are not supported for this source.');
  const found = findTable(object);
  if (!found) return notFound(req, 'table', object);
  const preview = req.query.get('preview')?.toLowerCase() === 'true';
  return { status: 200, body: describe(found, preview) };
}

/** Copies, so the shared (frozen) CRM never leaves the module by reference. */
function describe(crmTable: CrmTable, preview: boolean) {
  const schema = { columns: structuredClone(crmTable.columns) };
  return preview
    ? { format: 'flat', schema, data: structuredClone(crmTable.rows.slice(0, PREVIEW_ROWS)) }
    : { format: 'flat', schema };
}
