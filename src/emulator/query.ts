// Adobe's list-query conventions shared by the services: `property=` filters (`==`, `!=`, `<`,
// `>`, `<=`, `>=`, `~`; several are AND-ed; values may be quoted; in Flow Service a comma separates
// alternatives) and paging.

export type Predicate = (item: Record<string, unknown>) => boolean;

const OPERATORS = ['==', '!=', '>=', '<=', '>', '<', '~'] as const;

export interface FilterOptions {
  /**
   * Flow Service: a `,` in a value separates alternatives, as in sort-and-filter.md's
   * `GET /flows?property=sourceConnectionIds[]==9874984,6980696`. `==` matches any of them, `!=`
   * none; another operator with several values is refused, as Flow Service refuses it
   * (FLOW-1443-400 "Operator '<=' is not allowed for multiple values.").
   */
  alternatives?: boolean;
}

/** Parses every `property` query parameter; returns an error message for an unparsable one. */
export function parsePropertyFilters(query: URLSearchParams, options: FilterOptions = {}): Predicate[] | string {
  const predicates: Predicate[] = [];
  for (const expression of query.getAll('property')) {
    const op = OPERATORS.find((candidate) => expression.includes(candidate));
    if (!op) {
      // A bare property name means "the property exists".
      if (!/^[\w.[\]]+$/.test(expression)) return `Invalid property filter '${expression}'.`;
      predicates.push((item) => lookup(item, expression) !== undefined);
      continue;
    }
    const at = expression.indexOf(op);
    const path = expression.slice(0, at).trim();
    const raw = expression.slice(at + op.length).trim();
    if (!path) return `Invalid property filter '${expression}'.`;
    const values = (options.alternatives ? raw.split(',') : [raw]).map(unquote);
    if (values.length > 1 && op !== '==' && op !== '!=') return multipleValues(op);
    predicates.push(
      op === '!='
        ? (item) => values.every((value) => compare(lookup(item, path), op, value))
        : (item) => values.some((value) => compare(lookup(item, path), op, value)),
    );
  }
  return predicates;
}

/** Flow Service's words for an operator that takes one value (flow-service-errors.md, 1443-400), and how to tell them. */
const multipleValues = (op: string) => `Operator '${op}' is not allowed for multiple values.`;
export const MULTIPLE_VALUES = / is not allowed for multiple values\.$/;

const unquote = (value: string) => value.trim().replace(/^"(.*)"$/, '$1');

function lookup(item: unknown, path: string): unknown {
  let value: unknown = item;
  for (const key of path.replace(/\[\]/g, '').split('.')) {
    if (Array.isArray(value)) return value.map((entry) => (entry as Record<string, unknown>)?.[key]);
    value = (value as Record<string, unknown> | undefined)?.[key];
  }
  return value;
}

function compare(actual: unknown, op: (typeof OPERATORS)[number], expected: string): boolean {
  if (Array.isArray(actual)) return actual.some((entry) => compare(entry, op, expected));
  if (actual === undefined || actual === null) return op === '!=';
  const text = String(actual);
  const numeric = typeof actual === 'number' && expected !== '' && !Number.isNaN(Number(expected));
  switch (op) {
    case '==':
      return text === expected;
    case '!=':
      return text !== expected;
    case '~':
      return text.includes(expected);
    default: {
      const a = numeric ? (actual as number) : text;
      const b = numeric ? Number(expected) : expected;
      return op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b;
    }
  }
}

/** Flow Service paging: `limit` and an opaque `continuationToken`, with `_links.next.href`. */
export function pageByContinuation<T>(
  items: T[],
  query: URLSearchParams,
  basePath: string,
): { page: T[]; next?: string } | string {
  const limitText = query.get('limit');
  const limit = limitText === null ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    return `Invalid limit '${limitText}'. Provide an integer from 1 to 1000.`;
  const token = query.get('continuationToken');
  const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0) return `Invalid continuationToken '${token}'.`;
  const page = items.slice(offset, offset + limit);
  if (offset + limit >= items.length) return { page };
  const next = new URLSearchParams(query);
  next.set('continuationToken', Buffer.from(String(offset + limit)).toString('base64url'));
  return { page, next: `${basePath}?${next.toString()}` };
}
