// Destroy's half of the core: what is ours (discover), and the plan that deletes it (planDestroy).
// What is ours: what the state file records under the name it recorded, and, since the state is only
// a cache, whatever carries our deterministic name and our marker (found also from an empty home):
// each kind's one finder, asked for ANY name, then our suffix names the template and our marker says
// we made it. With `wanted`, only those templates' resources (and the base connection only when
// wanted(undefined)).
//
// Kept, and said so: what its kind says Adobe never deletes (`undeletable`: a schema enabled for
// Profile, ruling 16; a mapping set, Data Prep has no DELETE), what a kept schema uses, and anything
// renamed since it was recorded (forgotten).
import type { ResourceRef, SandboxState } from '../config/state.js';
import { unlessNotFound } from '../core/errors.js';
import { ANY, type FindContext } from './kind.js';
import { ownerOf } from './names.js';
import { DESTROY_ORDER, KINDS } from './kinds/index.js';
import type { Services, Shared } from './observe.js';
import { planDeletes } from './plan.js';
import type { Actual, Kind, Step } from './types.js';

export interface DestroyItem {
  resource: string;
  name: string;
  id: string;
  template?: string;
  reason?: string;
}

export interface Found {
  key: string;
  kind: Kind;
  template?: string;
  actual: Actual;
}

/** What discover learned besides what to delete. */
export interface Discovery {
  found: Found[];
  /** Already gone before destroy got to them (404): forgotten. */
  gone: DestroyItem[];
  /** Renamed or replaced since they were recorded: not deleted, forgotten. */
  skipped: DestroyItem[];
  /** Left in place: not ours. planDestroy adds what Adobe never deletes, and what a kept schema uses. */
  kept: DestroyItem[];
  /** Gone, or renamed since: the state forgets them. */
  forget: Array<{ template?: string; kind: Kind; id: string }>;
}

export const destroyItem = (
  kind: Kind,
  template: string | undefined,
  ref: { id: string; name: string },
  reason?: string,
): DestroyItem => ({
  resource: KINDS[kind].label,
  name: ref.name,
  id: ref.id,
  ...(template ? { template } : {}),
  ...(reason ? { reason } : {}),
});

/** Finds what is ours: the state's entries (checked against their recorded names), then every kind by name and marker. */
export async function discover(
  services: Services,
  shared: Shared,
  saved: SandboxState,
  wanted: (template: string | undefined) => boolean,
): Promise<Discovery> {
  const out: Discovery = { found: [], gone: [], skipped: [], kept: [], forget: [] };
  const found = new Map<string, Found>();
  const add = (f: Found) => {
    if (![...found.values()].some((x) => x.actual.id === f.actual.id)) found.set(f.key, f);
  };
  await Promise.all(recordedEntries(saved, wanted).map((entry) => checkRecorded(services, saved, entry, out, add)));
  await discoverKinds({ shared, platform: services.platform }, services.profile, saved, wanted, add, () => [
    ...found.values(),
  ]);
  out.found = [...found.values()];
  return out;
}

type Recorded = { kind: Kind; template?: string; ref: ResourceRef };

/** The state's entries of the wanted templates (and the base connection, when wanted). */
function recordedEntries(saved: SandboxState, wanted: (template: string | undefined) => boolean): Recorded[] {
  return [
    ...(saved.connection?.id && wanted(undefined) ? [{ kind: 'connection' as Kind, ref: saved.connection }] : []),
    ...Object.entries(saved.dataflows ?? {})
      .filter(([t]) => wanted(t))
      .flatMap(([template, refs]) =>
        Object.entries(refs)
          .filter(([kind, ref]) => kind in KINDS && ref?.id)
          .map(([kind, ref]) => ({ kind: kind as Kind, template, ref })),
      ),
    ...(saved.retired ?? [])
      .filter((r) => wanted(r.template))
      .map((r) => ({ kind: r.kind as Kind, template: r.template, ref: r })),
  ];
}

/** A state entry, by id: gone (404) or renamed (not ours any more) is forgotten; someone else's is kept. */
async function checkRecorded(
  services: Services,
  saved: SandboxState,
  { kind, template, ref }: Recorded,
  out: Discovery,
  add: (f: Found) => void,
): Promise<unknown> {
  const spec = KINDS[kind];
  const actual = spec.read(await unlessNotFound(services.platform.send(spec.get(ref.id))), ref.id);
  const entry = destroyItem(kind, template, ref);
  if (!actual || (!spec.unnamed && actual.name !== ref.name)) out.forget.push({ template, kind, id: ref.id });
  if (!actual) return out.gone.push(entry);
  // A kind Adobe gives no name (descriptors) is ours while it describes our schema.
  const renamed =
    !spec.unnamed && actual.name !== ref.name && !(saved.retired ?? []).some((r) => r.id === ref.id)
      ? actual.name
      : undefined;
  if (renamed !== undefined)
    return out.skipped.push({ ...entry, reason: `its name is now '${renamed}', not '${ref.name}' as recorded` });
  // Recorded but not made by us (a connection picked with --name): someone else's to delete.
  if (!ref.created && !spec.unnamed && !spec.owned(actual.resource, services.profile, template))
    return out.kept.push({ ...entry, reason: 'found by name, not created by this profile' });
  add({ key: `${template ?? ''}/${kind}/${ref.id}`, kind, template, actual: { ...actual, name: ref.name } });
}

/**
 * Every kind through its finder, each once the kind it is found within is done: a sandbox kind by
 * its name, a template's kind by ANY name with our suffix and marker, a kind without a name of ours
 * as part of what it was found within. A kind found within another also looks for a create whose
 * answer never came, by the name its intent recorded (what it is found within may never have been made).
 */
async function discoverKinds(
  ctx: FindContext,
  profile: string,
  saved: SandboxState,
  wanted: (template: string | undefined) => boolean,
  add: (f: Found) => void,
  found: () => Found[],
): Promise<void> {
  const done = new Map<Kind, Promise<void>>();
  /** Each kind once, started when first asked for: a kind found within another waits for that one. */
  const discovered = (kind: Kind): Promise<void> => {
    if (!done.has(kind)) done.set(kind, discoverKind(kind));
    return done.get(kind)!;
  };
  const discoverKind = async (kind: Kind) => {
    const spec = KINDS[kind];
    if (spec.within) await discovered(spec.within);
    if (spec.scope === 'sandbox' && !wanted(undefined)) return;
    const parents = spec.within ? found().filter((f) => f.kind === spec.within) : [];
    if (spec.within) {
      for (const intent of (saved.intents ?? []).filter((i) => i.kind === kind && wanted(i.template))) {
        const made = (await spec.find(ctx, { name: intent.name })).find(
          (d) => !found().some((f) => f.actual.id === d.id),
        );
        if (made)
          add({ key: `${intent.template ?? ''}/${kind}/${made.id}`, kind, template: intent.template, actual: made });
      }
    }
    const name = spec.scope === 'sandbox' ? spec.name({ profile }) : ANY;
    for (const actual of await spec.find(ctx, { name, within: parents.map((p) => p.actual) })) {
      const parent = spec.belongsTo && parents.find((p) => p.actual.id === spec.belongsTo!(actual));
      const template = parent ? parent.template : ownerOf(actual.resource, profile);
      const ours = parent || (spec.scope === 'sandbox' ? spec.owned(actual.resource, profile) : template);
      if (ours && wanted(template)) add({ key: `${template ?? ''}/${kind}/${actual.id}`, kind, template, actual });
    }
  };
  await Promise.all((Object.keys(KINDS) as Kind[]).map(discovered));
}

/**
 * The deletes, dependents first, and what stays: what Adobe never deletes (each kind's
 * `undeletable`), and what a kept schema uses (its class, field groups and descriptors).
 */
export function planDestroy(found: Found[], kept: DestroyItem[]): { steps: Step[]; kept: DestroyItem[] } {
  const keep = (f: Found, reason: string) => void kept.push(destroyItem(f.kind, f.template, f.actual, reason));
  const doomed = found.filter((f) => {
    const why = KINDS[f.kind].undeletable?.(f.actual);
    if (why) keep(f, why);
    return !why;
  });
  // What a kept schema uses stays with it: its class and field groups, and its descriptors.
  const keptSchemas = found.filter((f) => f.kind === 'schema' && !doomed.includes(f));
  const usedByKept = (f: Found) =>
    keptSchemas.some((s) =>
      f.kind === 'descriptor'
        ? f.actual.resource['xdm:sourceSchema'] === s.actual.id
        : JSON.stringify(s.actual.resource.allOf ?? []).includes(JSON.stringify(f.actual.id)) ||
          s.actual.resource['meta:class'] === f.actual.id,
    );
  const deletable = doomed.filter((f) => {
    if (!['class', 'fieldGroup', 'descriptor'].includes(f.kind) || !usedByKept(f)) return true;
    keep(f, 'part of a schema enabled for Profile, which stays');
    return false;
  });
  return { steps: chain(planDeletes(deletable)), kept };
}

/** Per template, one delete after another in destroy order (the reverse of `dependsOn`); the base connection after them all. */
function chain(steps: Step[]): Step[] {
  const rank = (s: Step) => DESTROY_ORDER.indexOf(s.kind);
  const sorted = [...steps].sort((a, b) => rank(a) - rank(b));
  const last = new Map<string | undefined, string>();
  for (const step of sorted) {
    const previous = last.get(step.template);
    step.dependsOn =
      step.kind === 'connection'
        ? sorted.filter((s) => s.kind !== 'connection').map((s) => s.key)
        : previous
          ? [previous]
          : [];
    last.set(step.template, step.key);
  }
  return sorted;
}
