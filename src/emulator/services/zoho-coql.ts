// Zoho CRM's Query API (COQL) v8, `POST /crm/v8/coql {"select_query": "…"}`, over the emulator's one
// Zoho model (LiveCrm, zoho-live.ts). What it follows:
// - The body and answers of zoho/crm-oas v8.0 coql (operation executeCOQLQuery): `{data, info:
//   {count, more_records}}`, 204 when nothing matches; errors SYNTAX_ERROR (`details.near`),
//   INVALID_QUERY (`details.column_name`, `details.limit`, `details.offset`), LIMIT_EXCEEDED,
//   INVALID_MODULE, each `{code, details, message, status: "error"}`.
// - Zoho's COQL pages (https://www.zoho.com/crm/developer/docs/api/v8/COQL-Overview.html,
//   …/v8/COQL-Limitations.html): SELECT … FROM … [WHERE] [ORDER BY] [LIMIT [OFFSET]]; LIMIT
//   default 200, at most 2,000; LIMIT with OFFSET reaches at most 100,000 records; at most 25
//   criteria; more than two criteria must be paired with brackets ((A and B) and C); ORDER BY
//   at most 10 fields; records sorted by id ascending without ORDER BY; keywords in any case.
// - Records carry `id` (…/v8/COQL-Joins.html answers have it unasked); a lookup selected whole
//   comes back as `{name, id}` (its display value and id, v8 COQL-Joins.html), a dotted column
//   (`Owner.email`, `Account_Name.Account_Name`) as a flat key holding that value.
// Not modelled: aggregates, GROUP BY, joins in WHERE beyond one dot, subqueries, aliases.
import type { EmuRequest, EmuResponse } from '../router.js';
import type { CrmTable } from '../zoho-crm.js';
import type { LiveCrm } from '../zoho-live.js';

/** "The default value for LIMIT is 200 … the max value is 2000" (COQL-Overview). */
export const COQL_MAX_LIMIT = 2000;
const COQL_DEFAULT_LIMIT = 200;
/** "You can fetch up to 1,00,000 records using pagination with LIMIT and OFFSET" (v8 COQL-Limitations). */
export const COQL_OFFSET_REACH = 100_000;
const MAX_CRITERIA = 25;
const MAX_ORDER_BY = 10;
/** From v7, "up to 500 fields in a single query" (Kaizen #183). */
const MAX_COLUMNS = 500;

type Row = Record<string, unknown>;
type Value = string | number | null;
type Cond =
  | { kind: 'cmp'; column: string; op: string; value: Value }
  | { kind: 'null'; column: string; not: boolean }
  | { kind: 'in'; column: string; not: boolean; values: Value[] }
  | { kind: 'between'; column: string; low: Value; high: Value }
  | { kind: 'bool'; op: 'and' | 'or'; left: Cond; right: Cond };

interface Query {
  columns: string[];
  module: string;
  where?: Cond;
  order: Array<{ column: string; desc: boolean }>;
  limit: number;
  offset: number;
}

const error = (code: string, message: string, details: Record<string, unknown> = {}): EmuResponse => ({
  status: 400,
  body: { code, details, message, status: 'error' },
});
const syntax = (near: string) => error('SYNTAX_ERROR', 'error occured while parsing the query', { near });

class Fail {
  constructor(readonly response: EmuResponse) {}
}

// ---------------------------------------------------------------- tokens

interface Token {
  kind: 'word' | 'string' | 'number' | 'symbol';
  text: string;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
      }
      if (j >= text.length) throw new Fail(syntax(text.slice(i, i + 20)));
      tokens.push({ kind: 'string', text: value });
      i = j + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (number && !/[A-Za-z_]/.test(text[i + number[0].length] ?? '')) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_$!][\w$.]*/.exec(text.slice(i));
    if (word) {
      tokens.push({ kind: 'word', text: word[0] });
      i += word[0].length;
      continue;
    }
    const symbol = /^(!=|>=|<=|<>|[=<>(),*])/.exec(text.slice(i));
    if (!symbol) throw new Fail(syntax(text.slice(i, i + 20)));
    tokens.push({ kind: 'symbol', text: symbol[0] });
    i += symbol[0].length;
  }
  return tokens;
}

class Parser {
  private i = 0;
  criteria = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  near(): string {
    return this.peek()?.text ?? this.tokens[this.tokens.length - 1]?.text ?? '';
  }
  isWord(word: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t?.kind === 'word' && t.text.toLowerCase() === word;
  }
  word(word: string): void {
    if (!this.isWord(word)) throw new Fail(syntax(this.near()));
    this.i++;
  }
  symbol(text: string): boolean {
    const t = this.peek();
    if (t?.kind === 'symbol' && t.text === text) {
      this.i++;
      return true;
    }
    return false;
  }
  column(): string {
    const t = this.peek();
    // Column names may be quoted: select 'Account_Name', 'Account_Name.Account_Name' (COQL-Joins).
    if (t?.kind === 'word' || (t?.kind === 'string' && /^[A-Za-z_][\w.]*$/.test(t.text))) {
      this.i++;
      return t.text;
    }
    throw new Fail(syntax(this.near()));
  }
  value(): Value {
    const t = this.peek();
    if (!t) throw new Fail(syntax(this.near()));
    const lower = t.text.toLowerCase();
    const value: Value | undefined =
      t.kind === 'string' || t.kind === 'number'
        ? t.text
        : t.kind === 'word' && lower === 'null'
          ? null
          : t.kind === 'word' && (lower === 'true' || lower === 'false')
            ? lower
            : undefined;
    if (value === undefined) throw new Fail(syntax(t.text));
    this.i++;
    return value;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }

  query(): Query {
    this.word('select');
    const columns = [this.column()];
    while (this.symbol(',')) columns.push(this.column());
    this.word('from');
    const module = this.column();
    let where: Cond | undefined;
    if (this.isWord('where')) {
      this.i++;
      where = this.condition();
    }
    const order: Query['order'] = [];
    if (this.isWord('order')) {
      this.i++;
      this.word('by');
      do {
        const column = this.column();
        let desc = false;
        if (this.isWord('asc')) this.i++;
        else if (this.isWord('desc')) {
          this.i++;
          desc = true;
        }
        order.push({ column, desc });
      } while (this.symbol(','));
    }
    let limit = COQL_DEFAULT_LIMIT;
    let offset = 0;
    if (this.isWord('limit')) {
      this.i++;
      const first = this.limitValue('limit');
      if (this.symbol(',')) {
        // LIMIT offset, count
        offset = first;
        limit = this.limitValue('limit');
      } else {
        limit = first;
        if (this.isWord('offset')) {
          this.i++;
          offset = this.limitValue('offset');
        }
      }
    }
    if (!this.done()) throw new Fail(syntax(this.near()));
    return { columns, module, where, order, limit, offset };
  }

  limitValue(name: 'limit' | 'offset'): number {
    const t = this.peek();
    if (!t) throw new Fail(syntax(this.near()));
    this.i++;
    if (t.kind !== 'number' || !/^\d+$/.test(t.text))
      throw new Fail(error('INVALID_QUERY', `${name} given seems to be invalid`, { [name]: t.text }));
    return Number(t.text);
  }

  /** One criterion, or two joined by and/or; a third at the same level needs brackets (Zoho's rule). */
  condition(): Cond {
    const left = this.primary();
    if (this.isWord('and') || this.isWord('or')) {
      const op = this.peek()!.text.toLowerCase() as 'and' | 'or';
      this.i++;
      const right = this.primary();
      if (this.isWord('and') || this.isWord('or')) throw new Fail(syntax(this.near()));
      return { kind: 'bool', op, left, right };
    }
    return left;
  }

  primary(): Cond {
    if (this.symbol('(')) {
      const inner = this.condition();
      if (!this.symbol(')')) throw new Fail(syntax(this.near()));
      return inner;
    }
    const column = this.column();
    this.criteria++;
    if (this.isWord('is')) {
      this.i++;
      const not = this.isWord('not');
      if (not) this.i++;
      this.word('null');
      return { kind: 'null', column, not };
    }
    const not = this.isWord('not');
    if (not) this.i++;
    if (this.isWord('in')) {
      this.i++;
      if (!this.symbol('(')) throw new Fail(syntax(this.near()));
      const values = [this.value()];
      while (this.symbol(',')) values.push(this.value());
      if (!this.symbol(')')) throw new Fail(syntax(this.near()));
      return { kind: 'in', column, not, values };
    }
    if (this.isWord('like')) {
      this.i++;
      return { kind: 'cmp', column, op: not ? 'not like' : 'like', value: this.value() };
    }
    if (not) throw new Fail(syntax(this.near()));
    if (this.isWord('between')) {
      this.i++;
      const low = this.value();
      this.word('and');
      return { kind: 'between', column, low, high: this.value() };
    }
    const t = this.peek();
    if (t?.kind !== 'symbol' || !['=', '!=', '<>', '>', '<', '>=', '<='].includes(t.text))
      throw new Fail(syntax(this.near()));
    this.i++;
    return { kind: 'cmp', column, op: t.text === '<>' ? '!=' : t.text, value: this.value() };
  }
}

// ---------------------------------------------------------------- evaluation

const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
const instants = new Map<string, number>();
function instant(text: string): number {
  let ms = instants.get(text);
  if (ms === undefined) {
    if (instants.size > 200_000) instants.clear();
    ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/.test(text) ? Date.parse(text) : Number.NaN;
    instants.set(text, ms);
  }
  return ms;
}

type Kind = 'id' | 'datetime' | 'number' | 'boolean' | 'text';

function kindOf(table: CrmTable, column: string): Kind {
  if (column === 'id' || column.endsWith('.id')) return 'id';
  const type = table.fieldTypes[column.split('.')[0]];
  if (column.includes('.')) return 'text';
  if (type === 'datetime') return 'datetime';
  if (type === 'integer' || type === 'double' || type === 'currency') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'lookup' || type === 'ownerlookup') return 'id';
  return 'text';
}

/** Compares a stored value with a literal by the column's kind; NaN when they cannot be compared. */
function compare(kind: Kind, stored: unknown, literal: Value): number {
  if (stored === null || stored === undefined || literal === null) return Number.NaN;
  if (kind === 'id') {
    const id = typeof stored === 'object' ? String((stored as { id?: unknown }).id) : String(stored);
    return compareIds(id, String(literal));
  }
  if (kind === 'datetime') return instant(String(stored)) - instant(String(literal));
  if (kind === 'number') return Number(stored) - Number(literal);
  const [a, b] = [String(stored), String(literal)];
  return a < b ? -1 : a > b ? 1 : 0;
}

function matches(cond: Cond, get: (column: string) => unknown, kinds: (column: string) => Kind): boolean {
  switch (cond.kind) {
    case 'bool':
      return cond.op === 'and'
        ? matches(cond.left, get, kinds) && matches(cond.right, get, kinds)
        : matches(cond.left, get, kinds) || matches(cond.right, get, kinds);
    case 'null': {
      const v = get(cond.column);
      return (v === null || v === undefined) !== cond.not;
    }
    case 'in': {
      const kind = kinds(cond.column);
      const found = cond.values.some((value) => compare(kind, get(cond.column), value) === 0);
      return found !== cond.not;
    }
    case 'between': {
      const kind = kinds(cond.column);
      const v = get(cond.column);
      return compare(kind, v, cond.low) >= 0 && compare(kind, v, cond.high) <= 0;
    }
    case 'cmp': {
      const v = get(cond.column);
      if (cond.op === 'like' || cond.op === 'not like') {
        const pattern = new RegExp(
          `^${String(cond.value)
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
            .replace(/%/g, '.*')}$`,
          'i',
        );
        const hit = v !== null && v !== undefined && pattern.test(String(v));
        return cond.op === 'like' ? hit : !hit;
      }
      const c = compare(kinds(cond.column), v, cond.value);
      if (Number.isNaN(c)) return cond.op === '!=' && v !== null && v !== undefined;
      return { '=': c === 0, '!=': c !== 0, '>': c > 0, '<': c < 0, '>=': c >= 0, '<=': c <= 0 }[cond.op] ?? false;
    }
  }
}

type Leaf = Exclude<Cond, { kind: 'bool' }>;

function conditions(cond: Cond | undefined): Leaf[] {
  if (!cond) return [];
  return cond.kind === 'bool' ? [...conditions(cond.left), ...conditions(cond.right)] : [cond];
}

// ---------------------------------------------------------------- the route

/** Answers one COQL query over the CRM; `lookupTargets` names the module each lookup field points to. */
export function answerCoql(
  req: EmuRequest,
  crm: LiveCrm,
  lookupTargets: Record<string, string>,
  /** The token's scope check for the FROM module: an answer refuses it. */
  refuseModule: (module: string) => EmuResponse | undefined = () => undefined,
): EmuResponse {
  const body = req.body as { select_query?: unknown } | undefined;
  const text = body && typeof body === 'object' ? body.select_query : undefined;
  if (typeof text !== 'string' || !text.trim())
    return error('REQUIRED_PARAM_MISSING', 'required param is missing', { api_name: 'select_query' });
  let query: Query;
  const parser = new Parser([]);
  try {
    const p = new Parser(tokenize(text));
    query = p.query();
    parser.criteria = p.criteria;
  } catch (caught) {
    if (caught instanceof Fail) return caught.response;
    throw caught;
  }
  const refused = refuseModule(query.module);
  if (refused) return refused;
  const table = crm.table(query.module);
  if (!table) return error('INVALID_MODULE', 'the module name given seems to be invalid', { module: query.module });
  if (query.columns.length > MAX_COLUMNS)
    return error('LIMIT_EXCEEDED', `a query can select at most ${MAX_COLUMNS} columns`, { limit: MAX_COLUMNS });
  if (parser.criteria > MAX_CRITERIA)
    return error('LIMIT_EXCEEDED', `a query can have at most ${MAX_CRITERIA} criteria`, { limit: MAX_CRITERIA });
  if (query.order.length > MAX_ORDER_BY)
    return error('LIMIT_EXCEEDED', `ORDER BY takes at most ${MAX_ORDER_BY} fields`, { limit: MAX_ORDER_BY });
  if (query.limit < 1 || query.limit > COQL_MAX_LIMIT)
    return error('INVALID_QUERY', 'limit given seems to be invalid', { limit: String(query.limit) });
  if (query.offset + query.limit > COQL_OFFSET_REACH)
    return error('INVALID_QUERY', 'offset given seems to be invalid', { offset: String(query.offset) });

  const known = new Set(table.columns.map((c) => c.name));
  const userLookup = (name: string) => table.fieldTypes[name] === 'ownerlookup';
  /** A column's value getter, or undefined when the column does not exist. */
  const resolve = (column: string): ((row: Row) => unknown) | undefined => {
    const [field, sub, ...rest] = column.split('.');
    if (rest.length) return undefined;
    if (!sub) return field === 'id' ? (row) => row.id : known.has(field) ? (row) => row[field] : undefined;
    const type = table.fieldTypes[field];
    if (type !== 'lookup' && type !== 'ownerlookup') return undefined;
    if (sub === 'id') return (row) => (row[field] as { id?: unknown } | null)?.id ?? null;
    if (userLookup(field)) {
      const key = sub === 'full_name' ? 'name' : sub === 'email' ? 'email' : undefined;
      return key ? (row) => (row[field] as Record<string, unknown> | null)?.[key] ?? null : undefined;
    }
    const target = crm.table(lookupTargets[field] ?? '');
    if (!target?.columns.some((c) => c.name === sub)) return undefined;
    return (row) => {
      const id = (row[field] as { id?: unknown } | null)?.id;
      return id === undefined || id === null ? null : (crm.record(target.name, String(id))?.[sub] ?? null);
    };
  };
  const getters = new Map<string, (row: Row) => unknown>();
  const check = (column: string, clause: string): EmuResponse | undefined => {
    if (getters.has(column)) return undefined;
    const getter = resolve(column);
    if (!getter) return error('INVALID_QUERY', 'column given seems to be invalid', { column_name: column, clause });
    getters.set(column, getter);
    return undefined;
  };
  for (const column of query.columns) {
    const bad = check(column, 'select');
    if (bad) return bad;
  }
  const kindCache = new Map<string, Kind>();
  const kinds = (column: string) => {
    const known = kindCache.get(column);
    if (known !== undefined) return known;
    const kind = kindOf(table, column);
    kindCache.set(column, kind);
    return kind;
  };
  for (const cond of conditions(query.where)) {
    const bad = check(cond.column, 'where');
    if (bad) return bad;
    const values = cond.kind === 'cmp' ? [cond.value] : cond.kind === 'between' ? [cond.low, cond.high] : [];
    if (kinds(cond.column) === 'datetime' && values.some((v) => v === null || Number.isNaN(instant(String(v)))))
      return error('INVALID_QUERY', 'value given seems to be invalid for the column', {
        column_name: cond.column,
      });
  }
  for (const { column } of query.order) {
    const bad = check(column, 'order by');
    if (bad) return bad;
  }

  // Rows in the asked order: the module's (Modified_Time, id) view when that is the order, else a sort.
  const order = query.order.length ? query.order : [{ column: 'id', desc: false }];
  let rows: readonly Row[];
  const plain = order.map((o) => `${o.column}${o.desc ? ' desc' : ''}`).join(',');
  if (plain === 'Modified_Time,id' || plain === 'Modified_Time') rows = crm.sortedBy(table.name, 'Modified_Time').rows;
  else {
    rows = [...crm.rows(table.name)].sort((a, b) => {
      for (const { column, desc } of order) {
        const get = getters.get(column)!;
        const [x, y] = [get(a), get(b)];
        if (x === y) continue;
        if (x === null || x === undefined) return desc ? 1 : -1;
        if (y === null || y === undefined) return desc ? -1 : 1;
        const c = compare(kinds(column), x, y as Value);
        if (c) return desc ? -c : c;
      }
      return compareIds(String(a.id), String(b.id));
    });
  }
  const where = query.where;
  const get = (row: Row) => (column: string) => getters.get(column)!(row);
  const picked: Row[] = [];
  let skipped = 0;
  let more = false;
  for (const row of rows) {
    if (where && !matches(where, get(row), kinds)) continue;
    if (skipped < query.offset) {
      skipped++;
      continue;
    }
    if (picked.length === query.limit) {
      more = true;
      break;
    }
    picked.push(row);
  }
  if (!picked.length) return { status: 204 };
  const data = picked.map((row) => {
    const record: Row = {};
    for (const column of query.columns) {
      const value = getters.get(column)!(row);
      // A lookup selected whole: its display value and id.
      record[column] =
        !column.includes('.') && value && typeof value === 'object'
          ? { name: (value as { name?: unknown }).name ?? null, id: (value as { id?: unknown }).id }
          : value;
    }
    record.id = row.id;
    return record;
  });
  return { status: 200, body: { data, info: { count: data.length, more_records: more } } };
}
