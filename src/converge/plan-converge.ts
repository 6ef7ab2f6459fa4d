// dataflow create's plan: every template's desire against what observe found (plan.ts), with what a
// run also owes the sandbox: the old resources of a replace that did not finish, the younger copies
// two machines made at once, and the base connection reused. Steps in create order. Pure but for
// the listing of source connections on a duplicate base connection.
import type { SandboxState } from '../config/state.js';
import { UsageError } from '../core/errors.js';
import { para } from '../core/text.js';
import { planConnectionDuplicates, planTemplateDuplicates } from './duplicates.js';
import { CREATE_ORDER } from './kinds/index.js';
import type { Observation, Shared } from './observe.js';
import { plan, planDeletes } from './plan.js';
import type { Prepared } from './prepare.js';
import type { Actual, Kind, Step } from './types.js';

export interface ConvergeInput {
  /** In the templates' order. */
  prepared: Prepared[];
  observed: Observation;
  saved: SandboxState;
  shared: Shared;
  /** The run's time, epoch seconds. */
  now: number;
  /** For renaming a replaced resource aside: "… (replaced 2026-12-01T10:20Z)". */
  today: string;
}

export async function planConverge({ prepared, observed, saved, shared, now, today }: ConvergeInput): Promise<Step[]> {
  const actual = new Map<string, Actual>(prepared.flatMap((p) => [...p.observed.actual]));
  const steps = plan({ desired: prepared.flatMap((p) => p.desired), actual, today });
  const names = prepared.map((p) => p.loaded.template.name);
  steps.push(...leftovers(saved, names));
  noteAdopted(steps, saved);
  // Younger copies of ours (two machines created at once): retired, the oldest kept (issue 21.5).
  steps.push(...planTemplateDuplicates(actual));
  const connection = observed.connection;
  const duplicates = await planConnectionDuplicates(connection, steps, (id) =>
    shared.flowList('sourceConnections', `baseConnectionId==${id}`),
  );
  steps.push(...duplicates.steps);
  const connectionStep: Step = {
    key: 'connection',
    kind: 'connection',
    action: 'reuse',
    name: connection.name,
    id: connection.id,
    etag: connection.etag,
    requests: [],
    dependsOn: [],
    ...(duplicates.notes.length ? { notes: duplicates.notes } : {}),
  };
  const all = sortSteps([connectionStep, ...steps], names);
  refuseStartMove(all, now);
  return all;
}

/** Old resources of a replace that did not finish retiring (a failure, Ctrl-C): they go now. */
function leftovers(saved: SandboxState, templates: string[]): Step[] {
  const retiring = planDeletes(
    (saved.retired ?? [])
      .filter((r) => r.mode === 'retiring' && templates.includes(r.template))
      .map((r) => ({
        key: `${r.template}/${r.kind}#old/${r.id}`,
        kind: r.kind as Kind,
        template: r.template,
        actual: { id: r.id, name: r.name, resource: {} },
      })),
  );
  for (const step of retiring) {
    const oldFlows = retiring
      .filter((x) => x.template === step.template && x.kind === 'flow' && x !== step)
      .map((x) => x.key);
    step.dependsOn = [`${step.template}/flow`, ...(step.kind === 'flow' ? [] : oldFlows)];
    step.reason = 'left from an earlier replace that did not finish';
  }
  return retiring;
}

/**
 * The intent log, read on every run (issue 21.6): a create whose answer never came (a kill, a lost
 * connection, mid-replace too) was found by its name and is adopted, not made again; say so.
 */
function noteAdopted(steps: Step[], saved: SandboxState): void {
  for (const intent of saved.intents ?? []) {
    const step = steps.find((s) => s.template === intent.template && s.kind === intent.kind && !s.key.includes('#'));
    if (step && step.action !== 'create' && step.name === intent.name)
      step.notes = [
        ...(step.notes ?? []),
        `adopted ${step.id}: an earlier run created it at ${intent.at} and never heard the answer`,
      ];
  }
}

/** Base connection first, then by kind (templates in the order given), each resource's Profile step after it. */
function sortSteps(steps: Step[], templates: string[]): Step[] {
  const rank = (s: Step) =>
    s.key.endsWith('#profile') ? CREATE_ORDER.indexOf('descriptor') * 2 + 1 : CREATE_ORDER.indexOf(s.kind) * 2;
  const order = (s: Step) => templates.indexOf(s.template as string);
  return [...steps].sort((a, b) => rank(a) - rank(b) || order(a) - order(b));
}

/** Adobe never moves a start that has passed (aep-updates.md §0.4): said before anything is sent. */
function refuseStartMove(steps: Step[], now: number): void {
  for (const step of steps.filter((s) => s.kind === 'flow' && s.action === 'update')) {
    const start = step.changes?.find((c) => c.field === 'scheduleParams.startTime');
    if (start && Number(start.from) <= now) {
      throw new UsageError(
        para`Dataflow '${step.name}' started at ${new Date(Number(start.from) * 1000).toISOString()}: Adobe does not move
          the start time of a dataflow once its first run was due.`,
        {
          hint: para`Leave out --start to keep the schedule, or change --frequency/--interval; a new start needs a new
            dataflow (aep-zoho destroy --template <name>, then dataflow create).`,
        },
      );
    }
  }
}
