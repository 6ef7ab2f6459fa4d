// Zoho CRM's modules as the tables the rest of aep-zoho knows from Adobe's explore (the http-api
// path reads Zoho itself): one TableRef per API-readable module, its fields as explore columns
// (the same XDM types the Zoho source's tabular explore page gives), and a few records as rows.
import type { ExploreColumn } from '../aep/flow-service.js';
import type { TableRef } from '../converge/tables.js';
import { MAX_FIELDS_PER_CALL, type ZohoCrm, type ZohoField } from './crm.js';

/** A module's path in Zoho's REST API (what `explore` shows as the table path on this path). */
export const modulePath = (apiName: string) => `crm/v8/${apiName}`;

/** Zoho field data types (settings/fields `data_type`) as XDM; lookups are objects ({name, id}). */
const XDM_OF: Record<string, { type: string; format?: string }> = {
  text: { type: 'string' },
  textarea: { type: 'string' },
  email: { type: 'string' },
  phone: { type: 'string' },
  website: { type: 'string' },
  picklist: { type: 'string' },
  autonumber: { type: 'string' },
  integer: { type: 'integer' },
  bigint: { type: 'integer' },
  double: { type: 'number' },
  currency: { type: 'number' },
  decimal: { type: 'number' },
  percent: { type: 'number' },
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date' },
  datetime: { type: 'string', format: 'date-time' },
};

export function fieldColumn(field: ZohoField): ExploreColumn {
  const xdm = XDM_OF[field.dataType];
  // A lookup is an object: templates map its parts (`Owner.id`), never the object itself.
  return { name: field.apiName, type: xdm ? field.dataType : field.dataType === 'lookup' || field.dataType === 'ownerlookup' ? 'object' : field.dataType, ...(xdm ? { xdm } : {}) };
}

/** The modules Zoho's API serves, as tables sorted by name. */
export async function zohoTables(crm: ZohoCrm): Promise<TableRef[]> {
  return (await crm.modules()).map((m) => ({ name: m.apiName, path: modulePath(m.apiName), canPreview: true, canFetchSchema: true })).sort((a, b) => a.name.localeCompare(b.name));
}

/** A module's fields as columns (`id` first, as Zoho sends it with every record) and its first `limit` records. */
export async function zohoTableDetail(crm: ZohoCrm, table: TableRef, limit: number): Promise<{ columns: ExploreColumn[]; rows: Array<Record<string, unknown>> }> {
  const fields = (await crm.fields(table.name)) ?? [];
  const columns = [{ name: 'id', type: 'text', xdm: { type: 'string' } }, ...fields.filter((f) => f.apiName !== 'id').map(fieldColumn)];
  if (limit < 1) return { columns, rows: [] };
  // A preview needs no more than one call: the first 50 fields (id always comes).
  const page = await crm.records(table.name, { fields: columns.slice(1, MAX_FIELDS_PER_CALL + 1).map((c) => c.name), perPage: limit });
  return { columns, rows: page.records.slice(0, limit) };
}
