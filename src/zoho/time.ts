// Times as Zoho CRM takes them in an If-Modified-Since header (get-records.html: "ISO 8601 format
// with the time zone offset"), for the REST reads of crm.ts; COQL criteria use the same form (coql.ts).
import { UserError } from '../core/errors.js';

/**
 * A time as Zoho's If-Modified-Since wants it: ISO 8601 with seconds and an offset
 * (2019-07-25T15:26:49+05:30). A value already in that form is sent as given (the org's offset);
 * others are converted to UTC (+00:00), milliseconds dropped (the filter is inclusive, so
 * rounding down never skips a record).
 */
export function zohoTime(value: string | number | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/.test(value.trim()))
    return value.trim();
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms))
    throw new UserError(`'${String(value)}' is not a date-time Zoho can filter by.`, {
      hint: 'Give an ISO 8601 date-time with an offset, e.g. 2025-07-14T10:00:00-05:00.',
    });
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/** The If-Modified-Since header of a read from `since` (none without it). */
export const modifiedSince = (since?: string): Record<string, string> =>
  since ? { 'if-modified-since': zohoTime(since) } : {};
