// `destroy`: delete what this profile made in this sandbox, dependents first (aep-api.md §8.6),
// through the same plan and executor as `dataflow create`: discover what is ours, plan its deletes
// (converge/destroy.ts), ask, apply. With --template, only those templates' resources go; the base
// connection and the other templates stay.
import { discover, destroyItem, planDestroy, type DestroyItem } from '../converge/destroy.js';
import { KINDS } from '../converge/kinds/index.js';
import { observeShared } from '../converge/observe.js';
import type { Step } from '../converge/types.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError, isUserError } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import { para } from '../core/text.js';
import { execute, printable } from './execute.js';
import { sessionServices, type Session } from './session.js';

export type { DestroyItem } from '../converge/destroy.js';

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

export type DestroyPlan = { plan: PlanStep[] } & Omit<DestroyResult, 'deleted'>;

export async function destroy(
  ctx: Context,
  options: { dryRun: boolean; templates?: string[] },
): Promise<DestroyResult | DestroyPlan> {
  const session = await ctx.services();
  const { sandbox, profileName: profile } = session.settings;
  const saved = await session.state.read(sandbox);
  const services = sessionServices(session, ctx);
  const only = options.templates?.length ? new Set(options.templates) : undefined;
  const wanted = (template: string | undefined) => !only || (template !== undefined && only.has(template));
  const {
    found,
    gone,
    skipped,
    kept: notOurs,
    forget,
  } = await discover(services, observeShared(services, saved), saved, wanted);
  const missing = [...(only ?? [])].filter((t) => !found.some((f) => f.template === t) && !saved.dataflows?.[t]);
  if (missing.length)
    throw new UsageError(
      para`Nothing of template${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} exists
        for profile '${profile}' in sandbox '${sandbox}'.`,
      { hint: "'aep-zoho dataflow list' shows this profile's dataflows." },
    );
  for (const s of skipped) ctx.log.warn(`not deleting ${s.resource} ${s.id}: ${s.reason}. aep-zoho forgets it.`);
  const { steps, kept } = planDestroy(found, notOurs);
  if (options.dryRun) return { plan: printable(steps), sandbox, gone, skipped, kept };
  if (steps.length) await confirmDeletes(ctx, steps, profile, sandbox);

  // Gone, or renamed since: not ours to delete any more, so the state forgets them.
  for (const f of forget) await session.state.forget(sandbox, { template: f.template, kind: f.kind }, f.id);
  const execution = await execute(ctx, session, steps, {
    groups: (t) => (t ? `Dataflow resources of template '${t}'` : undefined),
    keepGoing: true,
  });
  const deleted: DestroyItem[] = [];
  for (const s of steps) {
    const item = destroyItem(s.kind, s.template, { id: s.id!, name: s.name });
    if (execution.completed.has(s.key)) deleted.push(item);
  }
  // What Adobe never deletes stays, unused once its dataflow is gone.
  await tidy(session, steps, new Set(found.filter((f) => !KINDS[f.kind].delete).map((f) => f.actual.id)));
  if (execution.failure) throw failureError(execution.failure, deleted.length, session);
  return { sandbox, deleted, gone, skipped, kept };
}

/** The plan before the question (on a terminal), datasets (the data) first; then the question. */
async function confirmDeletes(ctx: Context, steps: Step[], profile: string, sandbox: string): Promise<void> {
  const datasets = steps.filter((s) => s.kind === 'dataset').map((s) => `'${s.name}'`);
  if (ctx.canPrompt && !ctx.flags.yes && !ctx.flags.json) {
    for (const s of [...steps].sort((a, b) => Number(b.kind === 'dataset') - Number(a.kind === 'dataset')))
      ctx.log.info(`  delete ${KINDS[s.kind].label} '${s.name}' (${s.id})`);
  }
  const data = datasets.length
    ? para`, including dataset${datasets.length > 1 ? 's' : ''} ${datasets.join(', ')} and the data
        in ${datasets.length > 1 ? 'them' : 'it'}`
    : '';
  const ok = await ctx.confirm(
    `Delete ${steps.length} resource(s) that profile '${profile}' made in sandbox '${sandbox}'${data}?`,
    '--yes',
  );
  if (!ok)
    throw new UserError('destroy cancelled: nothing was deleted.', {
      hint: 'Run it again and answer y, or pass --yes.',
    });
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
    ? para`The base connection is still used by a dataflow this profile did not create. Delete that dataflow first
        (Experience Platform UI: Sources > Dataflows, or with the tool that made it), then re-run 'aep-zoho destroy';
        everything else is already gone.`
    : referenced
      ? para`Something aep-zoho did not create still uses it (for example a dataset or schema made in the UI).
          Remove that first, then re-run 'aep-zoho destroy': it resumes where it stopped.`
      : para`Fix the cause and re-run 'aep-zoho destroy': it resumes where it stopped (the state file
          ${session.state.path} lists what still exists).`;
  return new UserError(
    `destroy stopped after deleting ${deletedCount} resource(s): could not delete ${what}${first.message}`.replace(
      /\.?$/,
      '.',
    ),
    { hint, status: first.status, requestId: first.requestId, code: first.code },
  );
}
