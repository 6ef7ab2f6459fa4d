// `dataflow run <flow> [--from <time>] [--to <time>] [--watch]`: an on-demand run of a Zoho-source
// dataflow over a window of its delta column, to ingest that window again (after a mapping fix).
// POST /flowservice/runs with `{ flowId, params: { startTime, windowStartTime, windowEndTime } }` in
// unix seconds (help/sources/tutorials/api/on-demand-ingestion.md; flow-service.yaml createFlowRun).
// Adobe allows it only for batch sources ("Support for on-demand ingestion is available only for
// batch sources"), and only against a flow "scheduled for one-time ingestion" (the same page and the
// spec's createFlowRun): a streaming (--via http-api) flow, or one on a recurring schedule, is refused
// here with exit 2 and the way forward, before anything is sent. The flow's Copy transformation keeps
// its delta column ("treated as the source of truth"), so none is sent.
import { flowService } from '../aep/flow-service.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { HINTS } from '../core/hints.js';
import { isoTime, para } from '../core/text.js';
import {
  describeSchedule,
  isStreamingFlow,
  resolveFlow,
  runSummary,
  scheduleSummary,
  type RunSummary,
} from './flows.js';
import { flowRuns, type RunsResult } from './runs.js';

/** Without --from: the day before --to. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000;

export interface FlowRunResult {
  flowId: string;
  flowName: string;
  template?: string;
  /** The run Adobe created, and its state (inProgress, success, failed …). */
  runId: string;
  state: string;
  /** The window asked for, ISO 8601. */
  window: { from: string; to: string };
  /** With --watch: the run followed to its end. */
  run?: RunSummary;
  ok?: boolean;
  exitCode?: number;
  error?: RunsResult['error'];
}

export interface FlowRunOptions {
  /** Epoch seconds; undefined: defaults. */
  from?: number;
  to?: number;
  watch: boolean;
  timeoutMs: number;
}

export async function runFlowOnDemand(ctx: Context, input: string, options: FlowRunOptions): Promise<FlowRunResult> {
  const session = await ctx.services();
  const { flow, template } = await resolveFlow(session, input);
  const ref = template ?? flow.id;
  if (isStreamingFlow(flow) || !flow.scheduleParams) {
    throw new UsageError(
      para`Dataflow '${flow.name}' is a streaming dataflow (--via http-api): Adobe supports on-demand runs only for
        batch sources, not for an HTTP API streaming flow.`,
      {
        hint: `Send records again with 'aep-zoho sync ${ref} --full' (every record, not only the changed ones).`,
        code: 'RUN_NOT_SUPPORTED',
      },
    );
  }
  const schedule = scheduleSummary(flow.scheduleParams);
  if (String(flow.scheduleParams.frequency).toLowerCase() !== 'once') {
    throw new UsageError(
      para`Dataflow '${flow.name}' runs on a schedule (${describeSchedule(schedule)}): Adobe creates on-demand runs only
        against a dataflow scheduled for one-time ingestion (frequency once).`,
      {
        hint: HINTS.scheduledRun(template ?? '<template>'),
        code: 'RUN_NOT_SUPPORTED',
      },
    );
  }
  const nowSeconds = Math.floor(ctx.now().getTime() / 1000);
  const to = options.to ?? nowSeconds;
  const from = options.from ?? to - DEFAULT_WINDOW_MS / 1000;
  if (from >= to)
    throw new UsageError(
      para`--from (${isoTime(from * 1000)}) must be before --to (${isoTime(to * 1000)}): the window is the records
        changed from --from up to --to.`,
      { hint: 'Give an earlier --from or a later --to (ISO 8601 times or epoch seconds).' },
    );

  const created = await session.platform.send(
    flowService.createRun(flow.id, { startTime: nowSeconds, windowStartTime: from, windowEndTime: to }),
  );
  const runId = createdRunId(created);
  const window = { from: isoTime(from * 1000)!, to: isoTime(to * 1000)! };
  const base = { flowId: flow.id, flowName: flow.name, ...(template ? { template } : {}), runId, window };
  if (!options.watch) {
    const [run] = (await session.platform.send(flowService.run(runId))).items ?? [];
    return { ...base, state: run ? runSummary(run).status : 'inProgress' };
  }
  // Follow it as `dataflow runs --watch` does, by its id: a scheduled run may be newer, or Adobe's
  // list may not show the new run yet.
  const watched = await flowRuns(ctx, flow.id, { limit: 1, watch: true, timeoutMs: options.timeoutMs, runId });
  const run = watched.watched;
  return {
    ...base,
    state: run?.status ?? 'inProgress',
    ...(run ? { run } : {}),
    ...(watched.ok !== undefined ? { ok: watched.ok } : {}),
    ...(watched.exitCode !== undefined ? { exitCode: watched.exitCode } : {}),
    ...(watched.error ? { error: watched.error } : {}),
  };
}

/** The new run's id: `{ items: [{ id }] }` as the docs show it, or `{ id }` as the spec has it. */
function createdRunId(body: { id?: string; items?: Array<{ id?: string }> } | undefined): string {
  const id = body?.items?.[0]?.id ?? body?.id;
  if (!id) throw new Error('Flow Service created a run but named no run id.');
  return id;
}
