// RFC 6902 JSON Patch as Adobe's services take it: `add`, `replace` and `remove` only (Flow Service
// answers any other op with FLOW-1434-400 "Unsupported operation 'move' received"; the Schema
// Registry docs name the same three), RFC 6901 pointers (`~0`, `~1`, `-` to append to an array).
// Ops may be lowercase (RFC 6902, every Adobe tutorial) or uppercase (the Flow Service spec's enum),
// aep-api.md ruling 1. The patch is applied to a copy, all or nothing; each service turns a
// failure into its own error answer.

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export interface PatchFailure {
  /** empty: no operations; shape: not an array of {op, path}; op: an op other than the three; missing: the path's target (or its parent) does not exist. */
  kind: 'empty' | 'shape' | 'op' | 'missing';
  message: string;
  /** The offending op or path, for the services' messages. */
  subject?: string;
}

export const isFailure = (value: unknown): value is PatchFailure =>
  !!value && typeof value === 'object' && 'kind' in value && 'message' in value;

/** Reads a request body as JSON Patch operations (a single object counts as a one-op patch). */
export function readPatch(body: unknown): PatchOp[] | PatchFailure {
  const ops = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : [];
  if (!ops.length) return { kind: 'empty', message: 'The request body cannot be null or empty.' };
  const read: PatchOp[] = [];
  for (const raw of ops as Array<Record<string, unknown>>) {
    if (!raw || typeof raw !== 'object' || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      return { kind: 'shape', message: 'Each JSON Patch operation needs a string op and a string path.' };
    }
    const op = raw.op === raw.op.toLowerCase() || raw.op === raw.op.toUpperCase() ? raw.op.toLowerCase() : raw.op;
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      return { kind: 'op', message: `Unsupported operation '${raw.op}'.`, subject: raw.op };
    if (!raw.path.startsWith('/'))
      return { kind: 'shape', message: `The path '${raw.path}' is not a JSON pointer.`, subject: raw.path };
    if (op !== 'remove' && !('value' in raw))
      return { kind: 'shape', message: `The ${op} operation on '${raw.path}' needs a value.`, subject: raw.path };
    read.push({ op, path: raw.path, ...(op !== 'remove' ? { value: raw.value } : {}) });
  }
  return read;
}

/** The reference tokens of a JSON pointer: `/a~1b/c~0d` → ['a/b', 'c~d']. */
export function pointerTokens(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Applies the operations in order to a deep copy of `doc`; the first one that cannot apply fails the whole patch. */
export function applyPatch<T>(doc: T, ops: PatchOp[]): T | PatchFailure {
  const copy = structuredClone(doc);
  for (const { op, path, value } of ops) {
    const tokens = pointerTokens(path);
    const last = tokens.pop()!;
    let parent: any = copy;
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[arrayIndex(token, parent.length - 1) ?? -1] : parent?.[token];
      if (parent === undefined || parent === null || typeof parent !== 'object') return missing(path, token);
    }
    if (Array.isArray(parent)) {
      const index =
        last === '-' && op === 'add'
          ? parent.length
          : arrayIndex(last, op === 'add' ? parent.length : parent.length - 1);
      if (index === undefined) return missing(path, last);
      if (op === 'add') parent.splice(index, 0, structuredClone(value));
      else if (op === 'replace') parent[index] = structuredClone(value);
      else parent.splice(index, 1);
      continue;
    }
    if (op !== 'add' && !Object.hasOwn(parent, last)) return missing(path, last);
    if (op === 'remove') delete parent[last];
    else parent[last] = structuredClone(value);
  }
  return copy;
}

function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
  const index = Number(token);
  return index <= max ? index : undefined;
}

const missing = (path: string, field: string): PatchFailure => ({
  kind: 'missing',
  message: `Missing field "${field}" (path '${path}').`,
  subject: field,
});
