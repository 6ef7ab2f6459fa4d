// Zoho's query language (COQL) as a sync's walk uses it: one query per page on a keyset of
// Modified_Time and id (docs/zoho-rules.md), what a query costs, and its rows back in the shape
// of the REST reads (`id` first, a lookup `{name, id}`, a user lookup with its `email`).
import { UserError } from '../core/errors.js';
import { zohoTime } from './time.js';

/** "LIMIT … the max value is 2000" (COQL-Overview); one query of 1,001-2,000 costs 3 credits. */
export const COQL_LIMIT = 2000;
/** "retrieve up to 500 fields in a single query" from v7 (Kaizen #183). */
export const COQL_MAX_COLUMNS = 500;
/** The sort key of every records read; also the field that tells two reads of a record apart. */
export const SORT_FIELD = 'Modified_Time';

/**
 * Credits of one COQL query by its LIMIT: 1-200 one credit, 201-1,000 two, 1,001-2,000 three
 * (https://www.zoho.com/crm/developer/docs/api/v8/COQL-Overview.html, "API Credits based on the
 * value of LIMIT"). Every other call here costs one (…/v8/api-limits.html: "Each API call made
 * will result in a reduction of 1 credit").
 */
export const coqlCredits = (limit: number) => (limit <= 200 ? 1 : limit <= 1000 ? 2 : 3);

/** Where a walk page starts: the module's start; a second, inclusive; or after one (Modified_Time, id) key. */
export type WalkFrom = { at?: undefined } | { at: string; id?: undefined } | { at: string; id: string };

/** A string literal inside a COQL query's quotes. */
const coqlText = (text: string) => text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
/** A record id in a COQL criterion: Zoho ids are digits; anything else is quoted. */
const coqlId = (id: string) => (/^\d+$/.test(id) ? id : `'${coqlText(id)}'`);

/** The fields a walk reads: trimmed, once each, without `id` (it always comes), with the sort key. */
export function walkFields(asked: string[]): string[] {
  const fields = [...new Set(asked.map((f) => f.trim()).filter((f) => f && f !== 'id'))];
  if (!fields.includes(SORT_FIELD)) fields.push(SORT_FIELD);
  return fields;
}

/** The criterion of a walk page: everything, from a second (inclusive), or after one key. */
function walkWhere(from: WalkFrom): string {
  if (from.at === undefined) return 'id is not null';
  const at = coqlText(zohoTime(from.at));
  if (from.id === undefined) return `${SORT_FIELD} >= '${at}'`;
  // More than two criteria must be paired with brackets (COQL-Overview).
  return `(${SORT_FIELD} > '${at}' or (${SORT_FIELD} = '${at}' and id > ${coqlId(from.id)}))`;
}

/**
 * The query of one walk page: `id`, the fields, and `X.email` for each user lookup, ordered by
 * Modified_Time then id. More columns than one query takes is the template's to fix.
 */
export function walkQuery(module: string, fields: string[], users: Set<string>, from: WalkFrom, limit: number): string {
  const columns = ['id', ...fields, ...fields.filter((f) => users.has(f)).map((f) => `${f}.email`)];
  if (columns.length > COQL_MAX_COLUMNS)
    throw new UserError(
      `Module ${module}: the template reads ${fields.length} fields, more than the ${COQL_MAX_COLUMNS} one Zoho CRM query (COQL) takes.`,
      { hint: 'Map fewer Zoho fields in the template (each field of its mapping is read).' },
    );
  const order = `order by ${SORT_FIELD} asc, id asc limit ${limit}`;
  return `select ${columns.join(', ')} from ${module} where ${walkWhere(from)} ${order}`;
}

/** A COQL row in the REST shape: `id` first, then the fields; a user lookup gets its `email` back. */
export function walkRecord(row: any, fields: string[], users: Set<string>): Record<string, unknown> {
  const record: Record<string, unknown> = { id: row.id === undefined ? undefined : String(row.id) };
  for (const field of fields) {
    const value = row[field];
    record[field] =
      users.has(field) && value && typeof value === 'object'
        ? { name: value.name ?? null, id: value.id, email: row[`${field}.email`] ?? null }
        : (value ?? null);
  }
  return record;
}
