// The CRM's tables as explore's root listing names them: users (and templates) may give a name or
// a path, in any case; Adobe takes the path (ruling 3).
import { closest, distance } from 'fastest-levenshtein';
import { UsageError } from '../core/errors.js';

export interface TableRef {
  name: string;
  path: string;
  canPreview: boolean;
  canFetchSchema: boolean;
}

/** Finds a table by name or path: exact first, then case-insensitive; undefined when none matches. */
export function matchTable(tables: TableRef[], input: string): TableRef | undefined {
  const wanted = input.trim();
  const lower = wanted.toLowerCase();
  return (
    tables.find((t) => t.name === wanted) ??
    tables.find((t) => t.path === wanted) ??
    tables.find((t) => t.name.toLowerCase() === lower) ??
    tables.find((t) => t.path.toLowerCase() === lower)
  );
}

export function unknownTable(tables: TableRef[], input: string): UsageError {
  const names = tables.map((t) => t.name);
  const near = names.filter(
    (name) => distance(name.toLowerCase(), input.toLowerCase()) <= Math.max(2, Math.floor(name.length / 3)),
  );
  const suggestion = near.length ? near : names.length ? [closest(input, names)] : [];
  return new UsageError(`Unknown table '${input}': the Zoho CRM connection has no table with that name or path.`, {
    hint: suggestion.length
      ? `Did you mean ${suggestion.map((s) => `'${s}'`).join(' or ')}? 'aep-zoho explore' lists all ${names.length} tables.`
      : "'aep-zoho explore' lists the tables.",
  });
}
