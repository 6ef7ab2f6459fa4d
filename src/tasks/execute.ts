// What connect, dataflow create and destroy share around the core: the state file as apply's
// memory, finding a create whose answer was lost, the plan as the contract prints it, and the
// listr2 task list as a view of the executor.
import { apply, type ApplyHooks, type Execution, type Node } from '../converge/apply.js';
import { observeShared } from '../converge/observe.js';
import { KINDS } from '../converge/kinds/index.js';
import type { Kind, Outcome, Step } from '../converge/types.js';
import type { Context } from '../core/context.js';
import type { PlanStep } from '../core/plan.js';
import { redactValue } from '../core/redact.js';
import { runTasks, type Task } from './runner.js';
import { sessionServices, type Session } from './session.js';

const where = (step: Step) => ({ template: step.template, kind: step.kind });

/** The state file as apply's memory: intents before creates, ids after, retirements, deletes. */
export function stateHooks(session: Session, now: () => Date): ApplyHooks {
  const { state } = session;
  const sandbox = session.settings.sandbox;
  return {
    intend: (step) => state.intend(sandbox, { ...where(step), name: step.name }, now().toISOString()),
    record: (step, outcome) =>
      state.record(sandbox, where(step), {
        id: outcome.id,
        name: step.name,
        ...(outcome.etag ? { etag: outcome.etag } : {}),
        ...(outcome.version !== undefined && Number.isFinite(outcome.version) ? { version: outcome.version } : {}),
        ...(step.action === 'create' || step.action === 'replace' ? { created: true } : {}),
      }),
    // The old resource keeps its name (deleted soon) or has its aside name (kept); it was ours.
    retire: (step, mode) =>
      state.retire(sandbox, {
        template: step.template!,
        kind: step.kind,
        id: step.id!,
        name: step.aside ?? step.retire?.name ?? step.name,
        mode,
        created: true,
      }),
    forget: (step, id) => state.forget(sandbox, where(step), id),
    adopt: (step, body, exclude) => findMade(session, step.kind, step.name, body, exclude),
  };
}

/** A resource a lost create answer made: the oldest of ours by name (fresh lists, never the cache), as observe finds it. */
async function findMade(
  session: Session,
  kind: Kind,
  name: string,
  body: Record<string, any>,
  exclude?: string,
): Promise<Outcome | undefined> {
  const shared = observeShared(sessionServices(session), {});
  // The spec, base connection or schema the create named: the HTTP API path's, not only the Zoho one's.
  const spec = KINDS[kind];
  const found = (await spec.find({ shared, platform: session.platform }, { name, made: body })).find(
    (f) => f.id !== exclude,
  );
  return found && (spec.adopted?.(found) ?? { id: found.id, ...(found.etag ? { etag: found.etag } : {}) });
}

/** The plan as the contract prints it: secrets redacted, the first request shown. */
export function printable(steps: Step[]): PlanStep[] {
  return steps.map((step) => ({
    action: step.action,
    resource: KINDS[step.kind].label,
    name: step.name,
    ...(step.template ? { template: step.template } : {}),
    ...(step.id ? { id: step.id } : {}),
    ...(step.changes?.length ? { changes: redactValue(step.changes) } : {}),
    ...(step.reason ? { reason: step.reason } : {}),
    ...(step.notes?.length ? { notes: step.notes } : {}),
    ...(step.duplicates?.length ? { duplicates: step.duplicates } : {}),
    ...(step.requests.length
      ? {
          request: shown(step.requests[0]),
          ...(step.requests.length > 1 ? { requests: step.requests.map(shown) } : {}),
        }
      : {}),
    ...(step.retire ? { then: step.retire.requests.map(shown) } : {}),
  }));
}

const shown = (request: Step['requests'][number]) =>
  redactValue(
    JSON.parse(
      JSON.stringify({
        method: request.method,
        path: request.path,
        ...(request.query && Object.keys(request.query).length ? { query: request.query } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
      }),
    ),
  );

const VERB: Record<Step['action'], [string, string]> = {
  create: ['Create', 'Created'],
  reuse: ['Reuse', 'Reused'],
  update: ['Update', 'Updated'],
  replace: ['Replace', 'Replaced'],
  delete: ['Delete', 'Deleted'],
};

/** Runs the steps, with one task per step (grouped per template when there are several). */
export async function execute(
  ctx: Context,
  session: Session,
  steps: Step[],
  options: { groups?: (template: string | undefined) => string | undefined; keepGoing?: boolean } = {},
): Promise<Execution> {
  const execution = apply(session.platform, steps, stateHooks(session, ctx.now));
  // Several templates: each line names its own, so a CI log (plain lines, no tree) reads on its own.
  const several = new Set(steps.map((s) => s.template).filter(Boolean)).size > 1;
  const title = (node: Node, done: boolean): string =>
    `${several && node.step.template ? `${node.step.template}: ` : ''}${text(node, done)}`;
  const text = (node: Node, done: boolean): string => {
    const label = KINDS[node.step.kind].label;
    if (node.phase === 'retire')
      return done
        ? `Retired the old ${label} '${node.step.retire!.name}' (${node.step.id})`
        : `Retire the old ${label} '${node.step.retire!.name}'`;
    const id = execution.outcomes.get(node.key)?.id;
    const duplicate = node.key.includes('#duplicate/') ? ` (${node.step.id}), a younger duplicate of ours` : '';
    const made = done && id ? ` (${id})` : '';
    const profile = node.key.endsWith('#profile') ? ' for Profile' : '';
    return `${VERB[node.step.action][done ? 1 : 0]} ${label} '${node.step.name}'${made}${duplicate}${profile}`;
  };
  const task = (node: Node): Task<object> => ({
    title: title(node, false),
    task: async (_c, t) => {
      await node.done;
      t.title = title(node, true);
    },
  });
  const templates = [...new Set(execution.nodes.map((n) => n.step.template))];
  const tasks: Array<Task<object>> =
    templates.length > 1 && options.groups
      ? templates.map((template) => ({
          title: options.groups!(template) ?? 'Base connection',
          task: (_c, t) =>
            t.newListr(execution.nodes.filter((n) => n.step.template === template).map(task), {
              concurrent: true,
              exitOnError: true,
            }),
        }))
      : execution.nodes.map(task);
  try {
    await runTasks(ctx, tasks, {}, { concurrent: true });
  } catch {
    // Reported below, once every write in flight has finished and saved.
  }
  await execution.finished.catch(() => undefined);
  if (execution.failure && !options.keepGoing) throw execution.failure.error;
  return execution;
}
