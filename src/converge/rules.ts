// Update rules as data, with one generic diff (terraform's `RequiresReplace` plan modifiers; wrangler's
// config diff: normalise both sides, then compare). A kind whose body is flat says which fields force a
// replacement (`replaceOn`, checked in order: the first that differs is the reason), which fields
// change in place and how (`patch`), and how one request carries them (`send`). Kinds where Adobe is
// special (the field-group tree, the schema's allOf, flow transformations, the mapping set's PUT, the
// descriptor) keep a hand-written rule built from the same pieces.
import { flowService, type Collection, type JsonPatch } from '../aep/flow-service.js';
import { schemaRegistry, type RegistryKind } from '../aep/schema-registry.js';
import type { PlatformRequest } from '../http/platform.js';
import { Ref, type Actual, type Change, type Desired } from './types.js';

/** What a kind's update rule decides for an existing resource. */
export interface Diff {
  changes: Change[];
  requests: PlatformRequest[];
  /** Set when Adobe cannot change it in place. */
  replace?: string;
  notes?: string[];
  /**
   * Fields left in a field group that no mapping writes any more: the plan says so only while the
   * current mapping set still writes them (the run that drops the mapping), not on every later run.
   */
  leftOver?: Array<{ field: string; note: string }>;
}

/** A hand-written rule: the desired body (Refs resolved where the target exists) against what Adobe has. */
export type UpdateRule = (desired: Desired, actual: Actual, body: Record<string, unknown>) => Diff;

/** One field changed in place: its changes and the value to send, or undefined when it is as wanted. */
export type FieldRule = (
  want: unknown,
  have: unknown,
  field: string,
  desired: Desired,
  body: Record<string, unknown>,
) => { changes: Change[]; value: unknown; op?: 'add' | 'replace' } | undefined;

/** A field whose change forces a replacement: where it is, and what the reason calls it. */
export interface ReplaceOn {
  path: string;
  what: string;
  /** How the reason shows the old and new value (default: as they are). */
  show?: { from?(value: unknown, desired: Desired): unknown; to?(value: unknown, desired: Desired): unknown };
}

/** What changed in place, sent as one request. */
export interface Edit {
  field: string;
  have: unknown;
  value: unknown;
  op?: 'add' | 'replace';
}

export interface UpdateRules {
  /** Both sides as compared (Adobe's shapes made comparable with ours). */
  normalise?(
    body: Record<string, unknown>,
    resource: Record<string, any>,
  ): { body: Record<string, unknown>; resource: Record<string, any> };
  replaceOn?: ReplaceOn[];
  /** Fields changed in place, by dotted path; which ones may depend on the desired resource's facts. */
  patch?: Record<string, FieldRule>;
  /** The one request that changes them. */
  send?(actual: Actual, edits: Edit[]): PlatformRequest;
}

/** Loose equality for Adobe's answers: `"15"` is 15, `"true"` is true (ruling 13). */
export const same = (a: unknown, b: unknown): boolean =>
  a === undefined || a === null
    ? b === undefined || b === null
    : b !== undefined && b !== null && String(a) === String(b);

export const unresolved = (value: unknown): value is Ref => value instanceof Ref;

/** The value at a dotted path (`params.tableName`), or undefined. */
export const at = (value: unknown, path: string): any =>
  path.split('.').reduce<any>((v, key) => (v === undefined || v === null ? undefined : v[key]), value);

/** A replacement, and why: "forces replacement: tableName crm/v2/Accounts → crm/v2/Products". */
export const replacing = (reason: string): Diff => ({ changes: [], requests: [], replace: reason });
export const forces = (what: string, from: unknown, to: unknown): Diff =>
  replacing(`forces replacement: ${what} ${show(from)} → ${unresolved(to) ? 'a new one' : show(to)}`);
const show = (value: unknown) =>
  value === undefined || value === null ? 'none' : typeof value === 'string' ? value : JSON.stringify(value);

/** Set when it differs: a name or description (`add` where Adobe has none). */
export const replaceOp: FieldRule = (want, have, field) =>
  want === undefined || same(want, have) ? undefined : { changes: [{ field, from: have, to: want }], value: want };

/** Only on a resource of ours (a connection picked with --name is someone else's). */
export const whenOurs =
  (rule: FieldRule): FieldRule =>
  (want, have, field, desired, body) =>
    desired.facts?.ours ? rule(want, have, field, desired, body) : undefined;

/** The one generic diff: replacements first (in order), then the fields changed in place, in one request. */
export function diff(rules: UpdateRules, desired: Desired, actual: Actual, body: Record<string, unknown>): Diff {
  const sides = rules.normalise?.(body, actual.resource) ?? { body, resource: actual.resource };
  for (const { path, what, show: shown } of rules.replaceOn ?? []) {
    const want = at(sides.body, path);
    const have = at(sides.resource, path);
    if (!same(want, have))
      return forces(what, shown?.from ? shown.from(have, desired) : have, shown?.to ? shown.to(want, desired) : want);
  }
  const changes: Change[] = [];
  const edits: Edit[] = [];
  for (const [field, rule] of Object.entries(rules.patch ?? {})) {
    const have = at(sides.resource, field);
    const edit = rule(at(sides.body, field), have, field, desired, sides.body);
    if (!edit) continue;
    changes.push(...edit.changes);
    edits.push({ field, have, value: edit.value, ...(edit.op ? { op: edit.op } : {}) });
  }
  return { changes, requests: edits.length && rules.send ? [rules.send(actual, edits)] : [] };
}

/** Edits as JSON Patch ops: `/auth/params` for `auth.params`, `add` where Adobe has none. */
export const jsonPatch = (edits: Edit[]): JsonPatch =>
  edits.map((e) => ({
    op: e.op ?? (e.have === undefined ? 'add' : 'replace'),
    path: `/${e.field.split('.').join('/')}`,
    value: e.value,
  }));

/** Flow Service: one JSON Patch with the etag Adobe gave. */
export const flowPatch =
  (collection: Collection) =>
  (actual: Actual, edits: Edit[]): PlatformRequest =>
    flowService.patch(collection, actual.id, actual.etag ?? '', jsonPatch(edits));

/** Schema Registry: one JSON Patch. */
export const registryPatch =
  (kind: RegistryKind) =>
  (actual: Actual, edits: Edit[]): PlatformRequest =>
    schemaRegistry.patch(kind, actual.id, jsonPatch(edits));

/** Name and description, in place, on Flow Service. */
export const nameAndDescription = { name: replaceOp, description: replaceOp };

/** A kind's rule applied: the generic diff for data, the kind's own function where Adobe is special. */
export const compare = (
  rules: UpdateRules | UpdateRule,
  desired: Desired,
  actual: Actual,
  body: Record<string, unknown>,
): Diff => (typeof rules === 'function' ? rules(desired, actual, body) : diff(rules, desired, actual, body));
