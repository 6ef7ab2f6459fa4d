// Zoho CRM's modules and fields as explore's tables and columns (explore, dataflow create and
// templates on the http-api path), typed as Adobe's explore types the same columns.
import type { ExploreColumn } from '../aep/flow-service.js';
import type { TableRef } from '../converge/tables.js';
import { UserError } from '../core/errors.js';
import { para } from '../core/text.js';
import { MAX_FIELDS_PER_CALL } from './chunks.js';
import type { ZohoCrm, ZohoField } from './crm.js';

/** The path of a module on Zoho's API, below the API domain (matchTable finds a table by it too). */
export const zohoTablePath = (module: string) => `crm/v8/${module}`;

/** The modules Zoho's API serves (api_supported), as tables: name = API name, sorted by name. */
export async function zohoTables(crm: ZohoCrm): Promise<TableRef[]> {
  return (await crm.modules()).map((m) => ({
    name: m.apiName,
    path: zohoTablePath(m.apiName),
    canPreview: true,
    canFetchSchema: true,
  }));
}

/** The parts of a lookup that names a user (the walk reads their email as its own column, coql.ts). */
export const LOOKUP_PARTS: Record<string, string[]> = {
  ownerlookup: ['name', 'id', 'email'],
  userlookup: ['name', 'id', 'email'],
};

/**
 * A Zoho field as an explore column, typed as Adobe's explore types the same columns (so templates
 * and xdmType() read both alike): lookups are objects ({name, id}, plus email for users).
 */
export function zohoColumn(field: ZohoField): ExploreColumn {
  const meta = { originalType: field.dataType, ...(field.lookupModule ? { lookupModule: field.lookupModule } : {}) };
  const name = field.apiName;
  switch (field.dataType) {
    case 'integer':
    case 'bigint':
      return { name, type: 'integer', xdm: { type: 'integer' }, meta };
    case 'double':
    case 'currency':
    case 'decimal':
    case 'percent':
      return { name, type: 'double', xdm: { type: 'number' }, meta };
    case 'boolean':
      return { name, type: 'boolean', xdm: { type: 'boolean' }, meta };
    case 'date':
      return { name, type: 'string', 'meta:xdmType': 'date', xdm: { type: 'string', format: 'date' }, meta };
    case 'datetime':
      return { name, type: 'string', 'meta:xdmType': 'date-time', xdm: { type: 'string', format: 'date-time' }, meta };
    default:
      break;
  }
  if (field.jsonType === 'jsonobject' || field.dataType === 'lookup' || field.dataType in LOOKUP_PARTS) {
    const parts = LOOKUP_PARTS[field.dataType] ?? ['name', 'id'];
    return {
      name,
      type: 'object',
      'meta:xdmType': 'object',
      xdm: {
        type: 'object',
        properties: Object.fromEntries(parts.map((p) => [p, { type: 'string' }])),
      } as ExploreColumn['xdm'],
      meta,
    };
  }
  if (field.jsonType === 'jsonarray') return { name, type: 'array', xdm: { type: 'array' }, meta };
  return { name, type: 'string', xdm: { type: 'string' }, meta };
}

/** A module's columns: `id` (every record carries it) and its fields; a UserError when Zoho gives no metadata (204). */
export async function zohoColumns(crm: ZohoCrm, module: string): Promise<ExploreColumn[]> {
  const fields = await crm.fields(module);
  if (!fields) {
    throw new UserError(
      `Zoho CRM gives no field metadata for module ${module} (HTTP 204: the metadata is inaccessible to this user).`,
      {
        hint: para`Check that the Zoho user who granted the tokens may read this module (and that the tokens have the
          ZohoCRM.settings.fields.READ scope), or choose another module.`,
      },
    );
  }
  const id: ExploreColumn = { name: 'id', type: 'string', xdm: { type: 'string' }, meta: { originalType: 'bigint' } };
  return [...(fields.some((f) => f.apiName === 'id') ? [] : [id]), ...fields.map(zohoColumn)];
}

/**
 * A module's first `limit` records for a preview: one call, the first 50 columns (Zoho's per-call
 * limit; `id` comes anyway), oldest change first.
 */
export async function zohoPreview(
  crm: ZohoCrm,
  module: string,
  columns: ExploreColumn[],
  limit: number,
): Promise<Array<Record<string, unknown>>> {
  const fields = columns
    .map((c) => c.name)
    .filter((n) => n !== 'id')
    .slice(0, MAX_FIELDS_PER_CALL);
  return (await crm.records(module, { fields, perPage: limit })).records.slice(0, limit);
}
