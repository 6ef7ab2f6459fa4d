// `destroy`: delete what this profile made in this sandbox, dependents first (aep-api.md §8.6),
// through the same plan and executor as `dataflow create`. What is ours: what the state file
// records under the name it recorded, and, since the state is only a cache, whatever carries our
// deterministic name and our marker (found also from an empty home). With --template, only those
// templates' resources go; the base connection and the other templates stay.
//
// Kept, and said so: a schema enabled for Profile (Adobe never deletes one, ruling 16), a mapping
// set Data Prep refuses to delete, and anything renamed since it was recorded (forgotten).
import { catalog, datasetsOf } from '../aep/catalog.js';
import { mappingSetSchema } from '../aep/data-prep.js';
import { DATA_LAKE_CONNECTION_SPEC, type FlowResource } from '../aep/flow-service.js';
import type { ResourceRef, SandboxState } from '../config/state.js';
import { defaultConnectionName, marker } from '../converge/desire.js';
import { marked, ownerOf } from '../converge/kind.js';
import { flowSpecIds } from '../converge/kinds/flow.js';
import { observeShared, type Services, type Shared } from '../converge/observe.js';
import { EndlessListingError } from '../http/pages.js';
import { planDeletes } from '../converge/plan.js';
import { DESTROY_ORDER, KINDS } from '../converge/kinds/index.js';
import type { Actual, Kind, Step } from '../converge/types.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError, isUserError, unlessNotFound } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import { execute, printable } from './execute.js';
import { sessionServices, type Session } from './session.js';

export interface DestroyItem {
  resource: string;
  name: string;
  id: string;
  template?: string;
  reason?: string;
}

export interface DestroyResult {
  sandbox: string;
  deleted: DestroyItem[];
  /** Already gone before destroy got to them (404): forgotten. */
  gone: DestroyItem[];
  /** Renamed or replaced since they were recorded: not deleted, forgotten. */
  skipped: DestroyItem[];
  /** Left in place: not ours, a Profile schema, or not deletable (mapping sets). */
  kept: DestroyItem[];
}

const MAPPING_SET_KEPT = 'Data Prep has no DELETE for mapping sets; it stays, unused once its dataflow is gone';

export type DestroyPlan = { plan: PlanStep[] } & Omit<DestroyResult, 'deleted'>;

interface Found {
  key: string;
  kind: Kind;
  template?: string;
  actual: Actual;
}

export async function destroy(
  ctx: Context,
  options: { dryRun: boolean; templates?: string[] },
): Promise<DestroyResult | DestroyPlan> {
  const session = await ctx.services();
  const sandbox = session.settings.sandbox;
  const profile = session.settings.profileName;
  const saved = await session.state.read(sandbox);
  const services = sessionServices(session, ctx);
  const shared = observeShared(services, saved);
  const only = options.templates?.length ? new Set(options.templates) : undefined;
  const wanted = (template: string | undefined) => !only || (template !== undefined && only.has(template));

  const gone: DestroyItem[] = [];
  const skipped: DestroyItem[] = [];
  const kept: DestroyItem[] = [];
  const item = (
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

  const forget: Array<{ template?: string; kind: Kind; id: string }> = [];
  const found = await discover(services, shared, saved, profile, wanted, { gone, skipped, kept, forget });
  if (only) {
    const known = new Set(found.map((f) => f.template));
    const missing = [...only].filter((t) => !known.has(t) && !saved.dataflows?.[t]);
    if (missing.length)
      throw new UsageError(
        `Nothing of template${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} exists for profile '${profile}' in sandbox '${sandbox}'.`,
        { hint: "'aep-zoho dataflow list' shows this profile's dataflows." },
      );
  }
  for (const s of skipped) ctx.log.warn(`not deleting ${s.resource} ${s.id}: ${s.reason}. aep-zoho forgets it.`);

  // Adobe never deletes a schema enabled for Profile (ruling 16), nor what depends on it being there.
  const doomed = found.filter((f) => {
    if (f.kind === 'schema' && (f.actual.resource['meta:immutableTags'] ?? []).includes('union')) {
      kept.push(item('schema', f.template, f.actual, 'enabled for Profile: Adobe never lets such a schema be deleted'));
      return false;
    }
    return true;
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
    // Data Prep has no DELETE for mapping sets (aep-api.md §5; Adobe's data-prep.yaml has none, and
    // the service answers 405): never planned, so a later dry run does not plan it again, and said
    // once, as kept.
    if (f.kind === 'mappingSet') {
      kept.push(item(f.kind, f.template, f.actual, MAPPING_SET_KEPT));
      return false;
    }
    if (!['class', 'fieldGroup', 'descriptor'].includes(f.kind) || !usedByKept(f)) return true;
    kept.push(item(f.kind, f.template, f.actual, 'part of a schema enabled for Profile, which stays'));
    return false;
  });
  const keptMappingSets = found.filter((f) => f.kind === 'mappingSet').map((f) => f.actual.id);
  const steps = chain(planDeletes(deletable));
  if (options.dryRun) return { plan: printable(steps), sandbox, gone, skipped, kept };

  if (steps.length) {
    const datasets = steps.filter((s) => s.kind === 'dataset').map((s) => `'${s.name}'`);
    if (ctx.canPrompt && !ctx.flags.yes && !ctx.flags.json) {
      // The plan before the question, datasets (the data) first.
      for (const s of [...steps].sort((a, b) => Number(b.kind === 'dataset') - Number(a.kind === 'dataset')))
        ctx.log.info(`  delete ${KINDS[s.kind].label} '${s.name}' (${s.id})`);
    }
    const ok = await ctx.confirm(
      `Delete ${steps.length} resource(s) that profile '${profile}' made in sandbox '${sandbox}'${datasets.length ? `, including dataset${datasets.length > 1 ? 's' : ''} ${datasets.join(', ')} and the data in ${datasets.length > 1 ? 'them' : 'it'}` : ''}?`,
      '--yes',
    );
    if (!ok)
      throw new UserError('destroy cancelled: nothing was deleted.', {
        hint: 'Run it again and answer y, or pass --yes.',
      });
  }

  // Gone, or renamed since: not ours to delete any more, so the state forgets them.
  for (const f of forget) await session.state.forget(sandbox, { template: f.template, kind: f.kind }, f.id);
  const execution = await execute(ctx, session, steps, {
    groups: (t) => (t ? `Dataflow resources of template '${t}'` : undefined),
    keepGoing: true,
  });
  const deleted: DestroyItem[] = [];
  for (const s of steps) {
    if (execution.refused.has(s.key))
      kept.push(item(s.kind, s.template, { id: s.id!, name: s.name }, MAPPING_SET_KEPT));
    else if (execution.completed.has(s.key)) deleted.push(item(s.kind, s.template, { id: s.id!, name: s.name }));
  }
  await tidy(
    session,
    steps,
    new Set([...keptMappingSets, ...steps.filter((x) => execution.refused.has(x.key)).map((x) => x.id!)]),
  );
  if (execution.failure) throw failureError(execution.failure, deleted.length, session);
  return { sandbox, deleted, gone, skipped, kept };
}

/** Per template, one delete after another in destroy order; the base connection after them all. */
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

/**
 * Finds what is ours: the state's entries (checked against their recorded names), then, by name
 * and marker, what the state does not know (an interrupted create, an empty home).
 */
async function discover(
  services: Services,
  shared: Shared,
  saved: SandboxState,
  profile: string,
  wanted: (t: string | undefined) => boolean,
  out: {
    gone: DestroyItem[];
    skipped: DestroyItem[];
    kept: DestroyItem[];
    forget: Array<{ template?: string; kind: Kind; id: string }>;
  },
): Promise<Found[]> {
  const found = new Map<string, Found>();
  const add = (f: Found) => {
    if (![...found.values()].some((x) => x.actual.id === f.actual.id)) found.set(f.key, f);
  };
  const label = (kind: Kind) => KINDS[kind].label;

  // 1. The state's entries, by id: gone (404) or renamed (not ours any more) are forgotten.
  const recorded: Array<{ kind: Kind; template?: string; ref: ResourceRef }> = [
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
  await Promise.all(
    recorded.map(async ({ kind, template, ref }) => {
      const actual = KINDS[kind].read(await unlessNotFound(services.platform.send(KINDS[kind].get(ref.id))), ref.id);
      const entry = { resource: label(kind), name: ref.name, id: ref.id, ...(template ? { template } : {}) };
      if (!actual || (kind !== 'descriptor' && actual.name !== ref.name))
        out.forget.push({ template, kind, id: ref.id });
      if (!actual) return out.gone.push(entry);
      // Descriptors have no name: one is ours while it describes our schema.
      const renamed =
        kind === 'descriptor'
          ? undefined
          : actual.name !== ref.name && !(saved.retired ?? []).some((r) => r.id === ref.id)
            ? actual.name
            : undefined;
      if (renamed !== undefined)
        return out.skipped.push({ ...entry, reason: `its name is now '${renamed}', not '${ref.name}' as recorded` });
      // Recorded but not made by us (a connection picked with --name): someone else's to delete.
      if (
        !ref.created &&
        kind !== 'descriptor' &&
        !String(actual.resource.description ?? '').includes(marker(profile, template))
      )
        return out.kept.push({ ...entry, reason: 'found by name, not created by this profile' });
      add({ key: `${template ?? ''}/${kind}/${ref.id}`, kind, template, actual: { ...actual, name: ref.name } });
    }),
  );

  // 2. By name and marker: our suffix names the template, our marker says we made it.
  const ours = (resource: { name?: string; title?: string; description?: string }) => {
    const template = ownerOf(resource, profile);
    return template !== undefined && wanted(template) ? template : undefined;
  };
  // Without the Zoho check of dataflow create: after Adobe's retirement our flows still need to go.
  // Both paths (the finder's specs): Zoho and HTTP API connections, CRM and streaming flows.
  const [connections, targets, flows, classes, fieldGroups, schemas] = await Promise.all([
    wanted(undefined)
      ? KINDS.connection.find({ shared, platform: services.platform }, { name: defaultConnectionName(profile) })
      : Promise.resolve([]),
    shared.flowList('targetConnections', `connectionSpec.id==${DATA_LAKE_CONNECTION_SPEC.id}`),
    flowSpecIds(shared).then((ids) =>
      Promise.all(ids.map((id) => shared.flowList('flows', `flowSpec.id==${id}`))).then((lists) => lists.flat()),
    ),
    shared.tenantList('classes'),
    shared.tenantList('fieldgroups'),
    shared.tenantList('schemas'),
  ]);
  const mine = connections.map((c) => c.resource as FlowResource).filter((c) => marked(c, profile));
  for (const connection of mine)
    add({
      key: `/connection/${connection.id}`,
      kind: 'connection',
      actual: { id: connection.id, name: connection.name, etag: connection.etag, resource: connection },
    });
  const baseIds = [...new Set([saved.connection?.id, ...mine.map((c) => c.id)].filter((id): id is string => !!id))];
  const sources = (
    await Promise.all(baseIds.map((id) => shared.flowList('sourceConnections', `baseConnectionId==${id}`)))
  ).flat();
  for (const [kind, list] of [
    ['flow', flows],
    ['sourceConnection', sources],
    ['targetConnection', targets],
  ] as const) {
    for (const r of list) {
      const template = ours(r);
      if (template)
        add({
          key: `${template}/${kind}/${r.id}`,
          kind,
          template,
          actual: { id: r.id, name: r.name, etag: r.etag, resource: r },
        });
    }
  }
  for (const [kind, list] of [
    ['class', classes],
    ['fieldGroup', fieldGroups],
    ['schema', schemas],
  ] as const) {
    for (const r of list) {
      const template = ours(r);
      // Lists carry no description: the full resource says whether the marker is there.
      if (!template && !/\(aep-zoho /.test(r.title)) continue;
      const full = (template ? r : await services.platform.send(KINDS[kind].get(r.$id)).catch(() => undefined)) as
        | Record<string, any>
        | undefined;
      const owner = full ? ours(full) : undefined;
      if (owner)
        add({
          key: `${owner}/${kind}/${r.$id}`,
          kind,
          template: owner,
          actual: { id: r.$id, name: r.title, resource: full as Record<string, any> },
        });
    }
  }
  // A create that was sent but never answered: the intent recorded before it names what to look for.
  await Promise.all(
    (saved.intents ?? [])
      .filter((i) => wanted(i.template) && i.kind in KINDS)
      .map(async (intent) => {
        const kind = intent.kind as Kind;
        const made = await findByIntent(services, shared, kind, intent.name, [...found.values()]);
        if (made)
          add({ key: `${intent.template ?? ''}/${kind}/${made.id}`, kind, template: intent.template, actual: made });
      }),
  );
  // Datasets behind our target connections and schemas; descriptors and mapping sets of our schemas.
  const ourSchemas = [...found.values()].filter((f) => f.kind === 'schema');
  const datasetIds = new Set(
    [...found.values()]
      .filter((f) => f.kind === 'targetConnection')
      .map((f) => String(f.actual.resource.params?.dataSetId)),
  );
  const [datasets, descriptors, mappingSets] = await Promise.all([
    Promise.all(
      [...datasetIds].map(async (id) =>
        datasetsOf(await unlessNotFound(services.platform.send(catalog.get(id)))).find((d) => d.id === id),
      ),
    ),
    Promise.all(
      ourSchemas.map(async (s) => ({
        schema: s,
        list: await shared.registry.descriptors(s.actual.id).catch(() => []),
      })),
    ),
    ourSchemas.length
      ? shared.mappingSets().catch((error) => {
          if (error instanceof EndlessListingError) throw error; // never read as "no mapping sets"
          return [];
        })
      : Promise.resolve([]),
  ]);
  for (const d of datasets) {
    const template = d && ours(d);
    if (d && template)
      add({
        key: `${template}/dataset/${d.id}`,
        kind: 'dataset',
        template,
        actual: { id: d.id, name: d.name, resource: d },
      });
  }
  for (const { schema, list } of descriptors) {
    for (const d of list.filter(
      (x) => x['@type'] === 'xdm:descriptorIdentity' && x['xdm:sourceSchema'] === schema.actual.id,
    )) {
      const id = String(d['@id']);
      add({
        key: `${schema.template}/descriptor/${id}`,
        kind: 'descriptor',
        template: schema.template,
        actual: KINDS.descriptor.read(d, id)!,
      });
    }
  }
  for (const m of mappingSets) {
    const schema = ourSchemas.find((s) => s.actual.id === mappingSetSchema(m));
    if (schema)
      add({
        key: `${schema.template}/mappingSet/${m.id}`,
        kind: 'mappingSet',
        template: schema.template,
        actual: { id: m.id, name: m.name ?? m.id, resource: m },
      });
  }
  return [...found.values()];
}

/** What an unanswered create made, by its name, through the finder (datasets: the one kind no list above reaches). */
async function findByIntent(
  services: Services,
  shared: Shared,
  kind: Kind,
  name: string,
  found: Found[],
): Promise<Actual | undefined> {
  if (kind !== 'dataset') return undefined; // the others are found by name on the lists above
  return (await KINDS[kind].find({ shared, platform: services.platform }, { name })).find(
    (d) => !found.some((f) => f.actual.id === d.id),
  );
}

/** After the deletes: drop the entries of what is gone, mapping sets kept unused, and empty templates. */
async function tidy(session: Session, steps: Step[], keptMappingSets: Set<string>): Promise<void> {
  await session.state.update(session.settings.sandbox, (s) => {
    for (const refs of Object.values(s.dataflows ?? {}))
      if (refs.mappingSet?.id && keptMappingSets.has(refs.mappingSet.id) && !refs.schema) delete refs.mappingSet;
    for (const [template, refs] of Object.entries(s.dataflows ?? {}))
      if (!Object.keys(refs).length) delete s.dataflows![template];
    // A sync entry goes with its flow: nothing is left to post to.
    const deletedFlows = new Set(steps.filter((x) => x.kind === 'flow').map((x) => x.id));
    for (const [template, entry] of Object.entries(s.syncs ?? {}))
      if (deletedFlows.has(entry.flowId) || !s.dataflows?.[template]?.flow) delete s.syncs![template];
    if (s.syncs && !Object.keys(s.syncs).length) delete s.syncs;
  });
}

function failureError(
  { error: first, step: failed }: { error: unknown; step: Step },
  deletedCount: number,
  session: Session,
): Error {
  if (!isUserError(first)) return first as Error;
  const what = `${KINDS[failed.kind].label} '${failed.name}' (${failed.id}): `;
  const inUse = failed?.kind === 'connection' && /1418/.test(`${first.code} ${first.message}`);
  const referenced = first.status === 409 || /in use|used by|1520/i.test(first.message);
  const hint = inUse
    ? `The base connection is still used by a dataflow this profile did not create. Delete that dataflow first (Experience Platform UI: Sources > Dataflows, or with the tool that made it), then re-run 'aep-zoho destroy'; everything else is already gone.`
    : referenced
      ? `Something aep-zoho did not create still uses it (for example a dataset or schema made in the UI). Remove that first, then re-run 'aep-zoho destroy': it resumes where it stopped.`
      : `Fix the cause and re-run 'aep-zoho destroy': it resumes where it stopped (the state file ${session.state.path} lists what still exists).`;
  return new UserError(
    `destroy stopped after deleting ${deletedCount} resource(s): could not delete ${what}${first.message}`.replace(
      /\.?$/,
      '.',
    ),
    { hint, status: first.status, requestId: first.requestId, code: first.code },
  );
}
