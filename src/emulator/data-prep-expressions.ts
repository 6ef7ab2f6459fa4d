// A small subset of Data Prep's expression language, enough for /mappingSets/preview to compute
// calculated fields the way a CRM mapping uses them. Supported:
//   literals     "text" (backslash escapes), 12, 1.5, true, false, null
//   fields       First_Name, Account_Name.id (dotted path), street\.name (escaped dot), ${Field Name}
//   operators    == != < > <= >= && || ! + - * / % and parentheses ("+" adds numbers, else joins text)
//   functions    concat, lower/lcase, upper/ucase, trim, ltrim, rtrim, substr, left, right, length,
//                replacestr, split, join, iif, coalesce, decode, is_empty, is_null, is_set,
//                contains_key, nullify, equals, equalsIgnoreCase, to_integer, to_bigint, to_float,
//                to_decimal, now, current_timestamp
// Anything else is a syntax error (at create/validate) or an unknown function (at preview time,
// since Adobe has many more functions than this). null propagates as Adobe documents: string
// functions on null give null; concat skips nulls and gives null only when every part is null.

export class ExpressionError extends Error {}

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'field'; path: string }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'unary'; op: string; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

type Token = { type: 'string' | 'number' | 'name' | 'field' | 'op' | 'end'; value: string; at: number };

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', ','];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      let value = '';
      let j = i + 1;
      while (j < text.length && text[j] !== ch) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j++];
      }
      if (j >= text.length) throw new ExpressionError(`Unterminated string starting at position ${i}.`);
      tokens.push({ type: 'string', value, at: i });
      i = j + 1;
    } else if (/\d/.test(ch)) {
      const m = /^\d+(\.\d+)?/.exec(text.slice(i))!;
      tokens.push({ type: 'number', value: m[0], at: i });
      i += m[0].length;
    } else if (ch === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i);
      if (end < 0) throw new ExpressionError(`Unterminated \${...} at position ${i}.`);
      tokens.push({ type: 'field', value: text.slice(i + 2, end), at: i });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^(?:[A-Za-z0-9_]|\\\.|\.(?=[A-Za-z0-9_]))+/.exec(text.slice(i))!;
      tokens.push({ type: 'name', value: m[0], at: i });
      i += m[0].length;
    } else {
      const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
      if (!op) throw new ExpressionError(`Unexpected character '${ch}' at position ${i}.`);
      tokens.push({ type: 'op', value: op, at: i });
      i += op.length;
    }
  }
  tokens.push({ type: 'end', value: '', at: text.length });
  return tokens;
}

/** Parses an expression; throws ExpressionError with a position on a syntax error. */
export function parseExpression(text: string): Node {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (...ops: string[]) => peek().type === 'op' && ops.includes(peek().value);
  const expect = (op: string) => {
    if (!isOp(op)) throw new ExpressionError(`Expected '${op}' at position ${peek().at}.`);
    pos++;
  };
  const binary = (next: () => Node, ops: string[]) => (): Node => {
    let left = next();
    while (isOp(...ops)) {
      const op = tokens[pos++].value;
      left = { kind: 'binary', op, left, right: next() };
    }
    return left;
  };
  const primary = (): Node => {
    const token = tokens[pos++];
    if (token.type === 'string') return { kind: 'literal', value: token.value };
    if (token.type === 'number') return { kind: 'literal', value: Number(token.value) };
    if (token.type === 'field') return { kind: 'field', path: token.value };
    if (token.type === 'name') {
      if (isOp('(')) {
        pos++;
        const args: Node[] = [];
        if (!isOp(')')) {
          do args.push(or());
          while (isOp(',') && ++pos);
        }
        expect(')');
        return { kind: 'call', name: token.value, args };
      }
      if (token.value === 'true' || token.value === 'false') return { kind: 'literal', value: token.value === 'true' };
      if (token.value === 'null') return { kind: 'literal', value: null };
      return { kind: 'field', path: token.value };
    }
    if (token.type === 'op' && token.value === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    throw new ExpressionError(
      token.type === 'end' ? 'Unexpected end of expression.' : `Unexpected '${token.value}' at position ${token.at}.`,
    );
  };
  const unary = (): Node => (isOp('!', '-') ? { kind: 'unary', op: tokens[pos++].value, arg: unary() } : primary());
  const mul = binary(unary, ['*', '/', '%']);
  const add = binary(mul, ['+', '-']);
  const cmp = binary(add, ['==', '!=', '<=', '>=', '<', '>']);
  const and = binary(cmp, ['&&']);
  const or = binary(and, ['||']);
  const tree = or();
  if (peek().type !== 'end') throw new ExpressionError(`Unexpected '${peek().value}' at position ${peek().at}.`);
  return tree;
}

/** Reads a source attribute from a row: an exact key first (flattened columns), else a dotted path. */
export function readSource(row: unknown, path: string): unknown {
  if (row && typeof row === 'object' && Object.hasOwn(row, path)) return (row as Record<string, unknown>)[path];
  let value: unknown = row;
  for (const key of path.split(/(?<!\\)\./).map((part) => part.replace(/\\\./g, '.'))) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const isNil = (value: unknown) => value === null || value === undefined;
const text = (value: unknown) =>
  isNil(value) ? null : typeof value === 'object' ? JSON.stringify(value) : String(value);
const onText =
  (fn: (s: string, ...rest: unknown[]) => unknown) =>
  (value: unknown, ...rest: unknown[]) =>
    isNil(value) ? null : fn(text(value)!, ...rest);
const toNumber = (integer: boolean) => (value: unknown) => {
  if (isNil(value) || value === '') return null;
  const n = Number(value);
  if (Number.isNaN(n)) throw new ExpressionError(`Cannot convert '${value}' to a number.`);
  return integer ? Math.trunc(n) : n;
};

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  concat: (...args) => (args.every(isNil) ? null : args.map((a) => text(a) ?? '').join('')),
  lower: onText((s) => s.toLowerCase()),
  upper: onText((s) => s.toUpperCase()),
  trim: onText((s) => s.trim()),
  ltrim: onText((s) => s.trimStart()),
  rtrim: onText((s) => s.trimEnd()),
  substr: onText((s, start, length) =>
    isNil(length) ? s.substring(Number(start)) : s.substring(Number(start), Number(start) + Number(length)),
  ),
  left: onText((s, n) => s.slice(0, Number(n))),
  right: onText((s, n) => (Number(n) <= 0 ? '' : s.slice(-Number(n)))),
  length: (value) => (isNil(value) ? 0 : Array.isArray(value) ? value.length : text(value)!.length),
  replacestr: onText((s, find, replacement) => s.split(String(find)).join(String(replacement ?? ''))),
  split: onText((s, separator) => s.split(String(separator))),
  join: (separator, ...values) =>
    values
      .flat()
      .filter((v) => !isNil(v))
      .map(text)
      .join(String(separator)),
  iif: (condition, whenTrue, whenFalse) => (condition === true || condition === 'true' ? whenTrue : whenFalse),
  coalesce: (...args) => args.find((a) => !isNil(a)) ?? null,
  decode: (value, ...pairs) => {
    for (let i = 0; i + 1 < pairs.length; i += 2) if (text(pairs[i]) === text(value)) return pairs[i + 1];
    return pairs.length % 2 ? pairs[pairs.length - 1] : null;
  },
  is_empty: (value) =>
    isNil(value) ||
    value === '' ||
    (Array.isArray(value) && !value.length) ||
    (typeof value === 'object' && !Object.keys(value as object).length),
  is_null: (value) => isNil(value),
  is_set: (value) => !isNil(value),
  contains_key: (value) => !isNil(value),
  nullify: () => null,
  equals: (a, b) => text(a) === text(b),
  equalsIgnoreCase: (a, b) => text(a)?.toLowerCase() === text(b)?.toLowerCase(),
  to_integer: toNumber(true),
  to_bigint: toNumber(true),
  to_float: toNumber(false),
  to_decimal: toNumber(false),
  now: () => new Date().toISOString(),
  current_timestamp: () => Date.now(),
};
FUNCTIONS.lcase = FUNCTIONS.lower;
FUNCTIONS.ucase = FUNCTIONS.upper;

export const SUPPORTED_FUNCTIONS = Object.keys(FUNCTIONS).sort();

/** Evaluates a parsed expression against one source row. */
export function evaluate(node: Node, row: unknown): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'field':
      return readSource(row, node.path) ?? null;
    case 'call': {
      const fn = FUNCTIONS[node.name];
      if (!fn)
        throw new ExpressionError(
          `Function '${node.name}' is not supported by the emulator (supported: ${SUPPORTED_FUNCTIONS.join(', ')}).`,
        );
      // iif evaluates only the branch it returns, so a failing branch does not fail the row.
      if (node.name === 'iif') {
        const condition = evaluate(node.args[0], row);
        return evaluate(condition === true || condition === 'true' ? node.args[1] : node.args[2], row);
      }
      return fn(...node.args.map((arg) => evaluate(arg, row)));
    }
    case 'unary': {
      const value = evaluate(node.arg, row);
      return node.op === '!' ? !(value === true || value === 'true') : isNil(value) ? null : -Number(value);
    }
    case 'binary':
      return binaryOp(node.op, evaluate(node.left, row), evaluate(node.right, row));
  }
}

function binaryOp(op: string, a: unknown, b: unknown): unknown {
  const truthy = (v: unknown) => v === true || v === 'true';
  switch (op) {
    case '&&':
      return truthy(a) && truthy(b);
    case '||':
      return truthy(a) || truthy(b);
    case '==':
      return text(a) === text(b);
    case '!=':
      return text(a) !== text(b);
  }
  if (isNil(a) || isNil(b)) return op === '+' ? (isNil(a) ? (b ?? null) : a) : null;
  const numeric =
    typeof a === 'number' || typeof b === 'number' ? !Number.isNaN(Number(a)) && !Number.isNaN(Number(b)) : false;
  const x = numeric ? Number(a) : String(a);
  const y = numeric ? Number(b) : String(b);
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    case '+':
      return numeric ? (x as number) + (y as number) : `${a}${b}`;
  }
  if (!numeric) throw new ExpressionError(`Operator '${op}' needs numbers; got '${a}' and '${b}'.`);
  const m = x as number;
  const n = y as number;
  return op === '-' ? m - n : op === '*' ? m * n : op === '/' ? m / n : m % n;
}
