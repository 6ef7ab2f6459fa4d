// Plan: desired against actual, per resource `create`, `reuse`, `update` (field-level changes),
// `replace` (with the reason) or `delete`, each with exactly the requests apply will send. Pure.
import { schemaRegistry } from '../aep/schema-registry.js';
import type { PlatformRequest } from '../http/platform.js';
import { KINDS } from './kinds/index.js';
import { compare, type Diff } from './rules.js';
import { Ref, type Actual, type Desired, type Step } from './types.js';
import { para } from '../core/text.js';

export interface PlanInput {
  desired: Desired[];
  /** By desired key: what exists now. */
  actual: Map<string, Actual>;
  /** For renaming a replaced resource aside: "… (replaced 2026-12-01T10:20Z)". */
  today: string;
}

/** Replaces the Refs whose target is already known; the rest stay for apply. */
export function resolveRefs<T>(value: T, known: (ref: Ref) => unknown): T {
  if (value instanceof Ref) {
    const found = known(value);
    return (found === undefined ? value : found) as T;
  }
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, known)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, known)])) as T;
  return value;
}

/**
 * Plans every template, then again while a rule of Adobe's forces more replacements than the
 * resources' own diffs show (docs/adobe-rules.md): a replaced dataflow gets a new pair of source
 * and target connections, and another primary identity on a Profile schema with data a new schema.
 */
export function plan(input: PlanInput): Step[] {
  const force = primaryIdentityRule(input.desired, input.actual);
  for (;;) {
    const steps = planOnce(input, force);
    const more = newConnectionsRule(steps, input.actual, force);
    if (!more.size) return steps;
    for (const [key, reason] of more) force.set(key, reason);
  }
}

function planOnce({ desired, actual, today }: PlanInput, force: Map<string, string>): Step[] {
  const steps = new Map<string, Step>();
  const ordered = topological(desired);
  const known = (ref: Ref): unknown => {
    const step = steps.get(ref.key);
    if (!step || (step.action !== 'reuse' && step.action !== 'update')) return undefined;
    const found = actual.get(ref.key)!;
    if (ref.field === 'id') return found.id;
    // A mapping set's version: the one it has, unless this run PUTs a new one.
    return step.action === 'reuse' ? String(found.resource.version ?? 0) : undefined;
  };

  for (const d of ordered) {
    const spec = KINDS[d.kind];
    const body = resolveRefs(d.body, known);
    // A field group no mapping needs any more stays in the schema: Adobe takes only additive changes.
    // Not in a schema of another class: a field group goes only where its class goes.
    const keptGroup =
      d.kind === 'schema' && !desired.some((x) => x.key === `${d.template}/fieldGroup`)
        ? actual.get(`${d.template}/fieldGroup`)
        : undefined;
    if (keptGroup && (keptGroup.resource['meta:intendedToExtend'] ?? []).includes(body['meta:class']))
      body.allOf = [...(body.allOf as unknown[]), { $ref: keptGroup.id }];
    const base = { key: d.key, kind: d.kind, template: d.template, name: d.name, dependsOn: d.dependsOn };
    const found = actual.get(d.key);
    if (!found) {
      steps.set(d.key, { ...base, action: 'create', requests: [spec.create(body)] });
    } else {
      const diff = compare(spec.rules, d, found, body);
      const notes = [...(diff.notes ?? []), ...droppedNow(diff.leftOver, actual.get(`${d.template}/mappingSet`))];
      const existing = {
        id: found.id,
        etag: found.etag,
        notes: notes.length ? notes : undefined,
        ...(found.duplicates?.length ? { duplicates: found.duplicates } : {}),
      };
      const replace = force.get(d.key) ?? diff.replace;
      if (replace) {
        const aside = KINDS[d.kind].retire.mode === 'rename' ? asideName(found.name, today) : undefined;
        steps.set(d.key, {
          ...base,
          ...existing,
          action: 'replace',
          reason: withKept(replace, d.kind, aside),
          requests: replaceRequests(d, found, body, aside),
          retire: retirement(d, found),
          ...(aside ? { aside } : {}),
          ...(d.kind === 'dataset'
            ? { notes: [`the old dataset is kept with its data, renamed '${aside}' (${found.id})`] }
            : {}),
        });
      } else if (diff.requests.length)
        steps.set(d.key, { ...base, ...existing, action: 'update', changes: diff.changes, requests: diff.requests });
      else steps.set(d.key, { ...base, ...existing, action: 'reuse', requests: [] });
    }
    if (d.kind === 'dataset' && d.facts?.profileEnabled) addProfileStep(steps, d, actual);
  }
  return [...steps.values()];
}

/**
 * "Changing the primary identity field on a schema that is enabled for Profile and has ingested
 * data" is not supported (composition.md): the schema is replaced, and with it the descriptor,
 * dataset, connections, mapping set and flow. A dataset on the schema stands in for "has data".
 */
function primaryIdentityRule(desired: Desired[], actual: Map<string, Actual>): Map<string, string> {
  const force = new Map<string, string>();
  for (const d of desired.filter((x) => x.kind === 'descriptor')) {
    const schemaKey = `${d.template}/schema`;
    const schema = actual.get(schemaKey);
    const old = actual.get(d.key)?.resource;
    const dataset = actual.get(`${d.template}/dataset`);
    if (!schema || !old || old['xdm:isPrimary'] !== true || old['xdm:sourceSchema'] !== schema.id) continue;
    if (!(schema.resource['meta:immutableTags'] ?? []).includes('union')) continue;
    const from = String(old['xdm:sourceProperty']);
    const to = d.body['xdm:isPrimary'] === true ? String(d.body['xdm:sourceProperty']) : 'none';
    if (from === to) continue;
    const field = (pointer: string) => pointer.replace(/^\//, '').replace(/\//g, '.');
    // A Profile schema needs a primary identity (schemas.md): one is never taken away, data or not.
    if (to === 'none')
      force.set(
        schemaKey,
        `forces replacement: primary identity ${field(from)} → none (a schema enabled for Profile keeps a primary identity)`,
      );
    else if (dataset && dataset.resource.schemaRef?.id === schema.id)
      force.set(
        schemaKey,
        para`forces replacement: primary identity ${field(from)} → ${field(to)} (Adobe does not change the primary
          identity field of a schema enabled for Profile that has data)`,
      );
  }
  return force;
}

/**
 * "If your use case requires an update of your source and target connections, then you must
 * create a new pair of source and target connections, as well as a new dataflow"
 * (update-dataflows.md): a replaced flow never takes over a connection of the old one. Returns
 * the keys to replace that are not yet, and keeps the flow's own reason.
 */
function newConnectionsRule(
  steps: Step[],
  actual: Map<string, Actual>,
  force: Map<string, string>,
): Map<string, string> {
  const more = new Map<string, string>();
  for (const flow of steps.filter((s) => s.kind === 'flow' && s.action === 'replace')) {
    const old = actual.get(flow.key)?.resource ?? {};
    const used: unknown[] = [...(old.sourceConnectionIds ?? []), ...(old.targetConnectionIds ?? [])];
    for (const kind of ['sourceConnection', 'targetConnection'] as const) {
      const step = steps.find((s) => s.key === `${flow.template}/${kind}`);
      // One the old flow does not use (made by a run that stopped before its flow) is free to take.
      if (step && (step.action === 'reuse' || step.action === 'update') && used.includes(step.id)) {
        more.set(
          step.key,
          'forces replacement: the dataflow is replaced, and a new dataflow needs a new pair of source and target connections',
        );
        if (!force.has(flow.key)) more.set(flow.key, flow.reason!);
      }
    }
  }
  return more;
}

/**
 * A replace is not a loss: what happens to the old resource, said with the reason ("-/+ replace"
 * alone reads as the data going). Kinds deleted after the replace (connections) say nothing more.
 */
function withKept(reason: string, kind: Desired['kind'], aside: string | undefined): string {
  const { retire, label } = KINDS[kind];
  if (retire.mode === 'delete') return reason;
  const renamed = aside ? `, renamed '${aside}'` : '';
  if (kind === 'dataset')
    return `${reason}; the old dataset and its data are kept${renamed} (new records land in the new one)`;
  return `${reason}; the old ${label} is kept${renamed || ', unused'}`;
}

/**
 * A field left in the field group is said once, in the plan that drops its mapping: while the
 * mapping set Adobe has still writes it (or under it). Later runs, whose mapping set no longer
 * does, say nothing (the field staying is expected by then).
 */
function droppedNow(leftOver: Diff['leftOver'], mappingSet: Actual | undefined): string[] {
  if (!leftOver?.length) return [];
  const written: string[] = (mappingSet?.resource.mappings ?? []).map((m: { destination?: unknown }) =>
    String(m.destination ?? ''),
  );
  return leftOver
    .filter(({ field }) => written.some((d) => d === field || d.startsWith(`${field}.`)))
    .map(({ note }) => note);
}

/** "X (replaced <when>)": one suffix, however often it is replaced. */
const asideName = (name: string, when: string) => `${name.replace(/( \(replaced [^)]*\))+$/, '')} (replaced ${when})`;

/** A replace creates the successor; a title Adobe keeps unique is first moved aside. */
function replaceRequests(
  d: Desired,
  found: Actual,
  body: Record<string, unknown>,
  aside: string | undefined,
): PlatformRequest[] {
  const retire = KINDS[d.kind].retire;
  const create = KINDS[d.kind].create(body);
  if (retire.mode === 'delete') return [...(retire.before?.(found) ?? []), create];
  return retire.mode === 'rename' && aside ? [retire.request(found, aside), create] : [create];
}

function retirement(d: Desired, found: Actual): Step['retire'] {
  const retire = KINDS[d.kind].retire;
  if (retire.mode !== 'delete') return undefined;
  const flowKey = `${d.template}/flow`;
  return {
    name: found.name,
    requests: retire.requests(found),
    undo: retire.undo?.(found) ?? [],
    after: retire.after === 'flow' ? [flowKey] : [flowKey, `${flowKey}#retire`],
  };
}

/**
 * A Profile dataset needs its schema enabled for Profile, which needs the primary identity first
 * (ruling 16): a schema update between the descriptor and the dataset. `union` is never removed.
 */
function addProfileStep(steps: Map<string, Step>, dataset: Desired, actual: Map<string, Actual>): void {
  const schemaKey = `${dataset.template}/schema`;
  const schema = steps.get(schemaKey)!;
  const current = schema.action === 'reuse' || schema.action === 'update' ? actual.get(schemaKey) : undefined;
  const tags: unknown[] = current?.resource['meta:immutableTags'] ?? [];
  if (tags.includes('union')) return;
  const key = `${dataset.template}/schema#profile`;
  const descriptorKey = `${dataset.template}/descriptor`;
  // A schema made in this run: the path names it by its Ref (printed `<new accounts/schema id>`), apply puts in its id.
  const target = current ? undefined : new Ref(schemaKey);
  steps.set(key, {
    key,
    kind: 'schema',
    template: dataset.template,
    action: 'update',
    name: schema.name,
    id: current?.id,
    ...(target ? { target } : {}),
    // Enabling Profile is one-way: Adobe never lets it be disabled or the schema deleted.
    changes: [{ field: 'meta:immutableTags', from: tags, to: [...tags, 'union'] }],
    requests: [
      schemaRegistry.patch('schemas', current?.id ?? String(target), [
        { op: 'add', path: '/meta:immutableTags', value: [...tags, 'union'] },
      ]),
    ],
    dependsOn: [schemaKey, ...(steps.has(descriptorKey) ? [descriptorKey] : [])],
  });
  // The dataset waits for it (it was planned already; its own requests do not change).
  const datasetStep = steps.get(dataset.key)!;
  datasetStep.dependsOn = [...datasetStep.dependsOn, key];
}

/** Dependencies first; ties keep the desired order. */
function topological(desired: Desired[]): Desired[] {
  const byKey = new Map(desired.map((d) => [d.key, d]));
  const done = new Set<string>();
  const out: Desired[] = [];
  const visit = (d: Desired) => {
    if (done.has(d.key)) return;
    done.add(d.key);
    for (const dep of d.dependsOn) if (byKey.has(dep)) visit(byKey.get(dep)!);
    out.push(d);
  };
  desired.forEach(visit);
  return out;
}

/** Delete steps for resources of ours, dependents first (destroy, and resources a template dropped). */
export function planDeletes(
  found: Array<{ key: string; kind: Step['kind']; template?: string; actual: Actual }>,
): Step[] {
  return found.map(({ key, kind, template, actual }) => {
    const spec = KINDS[kind];
    const requests = spec.delete?.(actual) ?? [];
    return {
      key,
      kind,
      template,
      action: 'delete' as const,
      name: actual.name,
      id: actual.id,
      requests,
      dependsOn: [],
    };
  });
}

/** True when a plan changes anything (for --exit-code). */
export const changesAnything = (steps: Step[]): boolean => steps.some((step) => step.action !== 'reuse');
