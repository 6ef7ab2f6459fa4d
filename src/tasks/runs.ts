// `dataflow runs <flow> [--watch]`: a flow's runs, newest first (GET /runs?property=flowId==…&
// orderby=-createdAt), and, with --watch, polling with backoff (1 s, ×1.5, at most 15 s) until the
// newest run finishes: exit 0 when it succeeded, 1 when it failed or --timeout passed first. A first
// run that was due and has not started gets a grace (Adobe's scheduler can be minutes late), then exit 1.
import { flowService } from '../aep/flow-service.js';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { epochMs, humanTime, isoTime, para } from '../core/text.js';
import { envValue } from '../config/settings.js';
import {
  describeRunError,
  formatDuration,
  isFinished,
  isSuccessful,
  listRuns,
  isStreamingFlow,
  resolveFlow,
  runSummary,
  scheduleSummary,
  type RunSummary,
} from './flows.js';
import { ingestionErrorLines, ingestionLine, ingestionSince, readIngestion, type Ingestion } from '../aep/ingestion.js';
import type { FlowResource } from '../aep/flow-service.js';
import { runTasks } from './runner.js';
import type { Session } from './session.js';

export interface RunsResult {
  flowId: string;
  flowName: string;
  template?: string;
  runs: RunSummary[];
  /** With --watch: the run that was watched to its end. */
  watched?: RunSummary;
  /** With --watch and no run yet: when the first run was due (ISO), and when aep-zoho stopped waiting for it. */
  firstRun?: { dueAt: string; gaveUpAt: string };
  ok?: boolean;
  /** A streaming (http-api) dataflow: what AEP made of the last sync pass's records. */
  ingestion?: Ingestion;
  /** 1 when the watched run failed (cli/main.ts exits with it); the JSON result is still printed. */
  exitCode?: number;
  error?: { message: string; hint?: string; code?: string; errors?: RunSummary['errors'] };
}

export interface RunsOptions {
  limit: number;
  watch: boolean;
  timeoutMs: number;
  /** How long past its due time a first run may be late (default FIRST_RUN_GRACE_MS, or AEP_ZOHO_FIRST_RUN_GRACE_MS). */
  firstRunGraceMs?: number;
  /** First poll delay (default 1 s); grows ×1.5 up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** Watch this run (an on-demand run just created), not whichever run of the flow is newest. */
  runId?: string;
}

const progress = (run: RunSummary) => {
  const failed = run.recordsFailed ? `, ${run.recordsFailed} failed` : '';
  const counts = run.recordsRead || run.recordsWritten || run.recordsFailed;
  return `${run.status}${counts ? `, ${run.recordsRead} read, ${run.recordsWritten} written${failed}` : ''}`;
};

export async function flowRuns(ctx: Context, input: string, options: RunsOptions): Promise<RunsResult> {
  const session = await ctx.services();
  const { flow, template } = await resolveFlow(session, input);
  const base = { flowId: flow.id, flowName: flow.name, ...(template ? { template } : {}) };
  // A streaming flow (--via http-api) has no schedule: sync posts its records, and Catalog's batches
  // say what AEP made of them; --watch follows those batches until none is processing.
  if (isStreamingFlow(flow)) return streamingRuns(ctx, session, flow, template, base, options);
  if (!options.watch) return { ...base, runs: await listRuns(session, flow.id, options.limit) };

  const grace = options.firstRunGraceMs ?? firstRunGraceMs(ctx.env);
  const first =
    options.runId || (await listRuns(session, flow.id, 1)).length
      ? undefined
      : checkFirstRun(ctx, flow, options.timeoutMs, grace);
  // The run to follow: the one asked for by id, else the flow's newest (a scheduled flow's next run).
  const look = async (): Promise<RunSummary | undefined> => {
    if (!options.runId) return (await listRuns(session, flow.id, 1))[0];
    const [run] = (await session.platform.send(flowService.run(options.runId))).items ?? [];
    return run ? runSummary(run) : undefined;
  };
  const watch: Watch = { timedOut: false, late: false };
  await runTasks(
    ctx,
    [
      {
        title: `Watching the runs of '${flow.name}'`,
        task: (_c, task) => watchRuns(ctx, flow, options, look, first && { ...first, grace }, watch, task),
      },
    ],
    {},
  ).catch((error) => {
    if (!(error instanceof WatchedRunFailed)) throw error;
  });

  if (watch.late)
    return {
      ...base,
      runs: [],
      firstRun: { dueAt: isoTime(first!.dueAt)!, gaveUpAt: isoTime(first!.giveUpAt)! },
      ok: false,
      exitCode: 1,
      error: lateFirstRun(flow, first!, grace),
    };
  if (watch.timedOut) throw notFinished(flow, watch.run, options.timeoutMs);
  const run = watch.run!;
  const runs = await listRuns(session, flow.id, options.limit);
  if (isSuccessful(run)) return { ...base, runs, watched: run, ok: true };
  return {
    ...base,
    runs,
    watched: run,
    ok: false,
    exitCode: 1,
    error: failedRun(run, flow.name, base.template ?? flow.id),
  };
}

/** What the watch saw: the run it followed, and how it ended. */
interface Watch {
  run?: RunSummary;
  timedOut: boolean;
  late: boolean;
}

/**
 * Polls with backoff (progress resets it) until the run finishes, the first run is too late, or
 * --timeout passes. A failed or missing run fails the task (✖, red), so the progress line shows it.
 */
async function watchRuns(
  ctx: Context,
  flow: FlowResource,
  options: RunsOptions,
  look: () => Promise<RunSummary | undefined>,
  first: (FirstRun & { grace: number }) | undefined,
  watch: Watch,
  task: { title: string; output?: string },
): Promise<void> {
  const firstPoll = options.pollMs ?? 1000;
  const maxPoll = options.maxPollMs ?? 15_000;
  const started = ctx.now().getTime();
  const deadline = started + options.timeoutMs;
  const live = ctx.io.isTTY.stderr && !ctx.flags.json && !ctx.flags.debug;
  const lateNote =
    first &&
    para`The first run was due at ${humanTime(first.dueAt)} and has not started yet; Adobe's scheduler can be a few
      minutes late, so aep-zoho waits until ${humanTime(first.giveUpAt)} (${formatDuration(first.grace)} past it).`;
  let noted = false;
  let delay = firstPoll;
  let seen = '';
  for (;;) {
    const newest = await look();
    watch.run = newest;
    if (newest) {
      const state = `${newest.id}|${progress(newest)}`;
      if (state !== seen) {
        // Progress resets the backoff: something is happening, look again soon.
        if (seen) delay = firstPoll;
        seen = state;
        task.title = `Run ${newest.id}: ${progress(newest)}`;
      }
      if (isFinished(newest)) {
        task.title = finishedTitle(newest);
        if (!isSuccessful(newest)) throw new WatchedRunFailed();
        return;
      }
    }
    const now = ctx.now().getTime();
    // No run yet, and its due time plus the grace has passed: it is not coming by itself.
    if (!newest && first && now >= first.giveUpAt) {
      watch.late = true;
      task.title = `No first run of '${flow.name}': it was due at ${humanTime(first.dueAt)}`;
      throw new WatchedRunFailed(); // ✖, not ✔
    }
    if (now >= deadline) {
      watch.timedOut = true;
      return;
    }
    if (!newest && first && now >= first.dueAt && !noted) {
      noted = true;
      if (live) task.title = lateNote!;
      else ctx.log.info(lateNote!);
    }
    const until = !newest && first ? Math.min(deadline, first.giveUpAt) : deadline;
    const next = Math.min(delay, until - now);
    if (live)
      task.output = `${formatDuration(now - started)} elapsed; next check in ${formatDuration(next)} (Ctrl-C stops watching, not the run)`;
    await ctx.sleep(next);
    delay = Math.min(maxPoll, Math.round(delay * 1.5));
  }
}

const finishedTitle = (run: RunSummary) => {
  const took = run.durationMs !== undefined ? ` in ${formatDuration(run.durationMs)}` : '';
  const counts = `${run.recordsRead} read, ${run.recordsWritten} written, ${run.recordsFailed} failed`;
  return `Run ${run.id} ${isSuccessful(run) ? 'succeeded' : run.status}: ${counts}${took}`;
};

/** --timeout passed first: the run goes on (or none started). */
function notFinished(flow: FlowResource, run: RunSummary | undefined, timeoutMs: number): UserError {
  const waited = formatDuration(timeoutMs);
  return new UserError(
    run
      ? `Run ${run.id} of dataflow '${flow.name}' was still ${run.status} after ${waited}.`
      : `Dataflow '${flow.name}' (${flow.id}) started no run within ${waited}.`,
    {
      hint: run
        ? para`The run goes on without aep-zoho watching: check later with 'aep-zoho dataflow runs ${flow.id}', or wait
            longer with --timeout.`
        : para`Check the flow's schedule and state with 'aep-zoho dataflow status ${flow.id}' (a disabled flow or a
            start time in the future starts no run), or wait longer with --timeout.`,
    },
  );
}

/**
 * `runs` of a streaming dataflow: Adobe's runs, if any, and what AEP made of the last sync pass
 * (Catalog batches, failed records named). --watch polls the batches until none is processing:
 * exit 1 when records failed, or when --timeout passes first.
 */
async function streamingRuns(
  ctx: Context,
  session: Session,
  flow: FlowResource,
  template: string | undefined,
  base: Pick<RunsResult, 'flowId' | 'flowName' | 'template'>,
  options: RunsOptions,
): Promise<RunsResult> {
  const [runs, target, state] = await Promise.all([
    listRuns(session, flow.id, options.limit),
    flow.targetConnectionIds?.[0] ? session.flow.get('targetConnections', flow.targetConnectionIds[0]) : undefined,
    session.state.read(session.settings.sandbox),
  ]);
  const datasetId: string | undefined = target?.params?.dataSetId;
  if (!datasetId)
    throw new UserError(`Dataflow '${flow.name}' (${flow.id}) writes to no dataset that Adobe names.`, {
      hint: `Converge it with 'aep-zoho dataflow create --template ${template ?? '<name>'} --via http-api'.`,
    });
  const sync = template ? state.syncs?.[template] : undefined;
  const read = () => readIngestion(session.platform, datasetId, ingestionSince(sync?.lastPassAt, ctx.now().getTime()));
  let ingestion = await read();
  if (options.watch && ingestion.processing) {
    const started = ctx.now().getTime();
    const deadline = started + options.timeoutMs;
    const firstPoll = options.pollMs ?? 1000;
    const maxPoll = options.maxPollMs ?? 15_000;
    let timedOut = false;
    await runTasks(
      ctx,
      [
        {
          title: `Watching the batches of '${flow.name}': ${ingestionLine(ingestion)}`,
          task: async (_c, task) => {
            let delay = firstPoll;
            for (;;) {
              const now = ctx.now().getTime();
              if (now >= deadline) {
                timedOut = true;
                return;
              }
              await ctx.sleep(Math.min(delay, deadline - now));
              delay = Math.min(maxPoll, Math.round(delay * 1.5));
              const next = await read();
              if (ingestionLine(next) !== ingestionLine(ingestion)) delay = firstPoll;
              ingestion = next;
              task.title = `Batches of '${flow.name}': ${ingestionLine(ingestion)}`;
              if (!ingestion.processing) {
                if (ingestion.failed) throw new WatchedRunFailed();
                return;
              }
            }
          },
        },
      ],
      {},
    ).catch((error) => {
      if (!(error instanceof WatchedRunFailed)) throw error;
    });
    if (timedOut)
      throw new UserError(
        para`${ingestion.processing} batch(es) of dataflow '${flow.name}' were still processing after
          ${formatDuration(options.timeoutMs)}.`,
        {
          hint: para`Streaming batches can take up to an hour to reach the dataset: check later with
            'aep-zoho dataflow status ${template ?? flow.id}', or wait longer with --timeout.`,
        },
      );
  }
  const result: RunsResult = { ...base, runs, ingestion };
  if (!options.watch) return result;
  if (!ingestion.failed) return { ...result, ok: true };
  return { ...result, ok: false, exitCode: 1, error: failedIngestion(ingestion, flow.name, template ?? flow.id) };
}

/** The contract's error object when records failed AEP's validation: how many, each reason, what to do. */
export function failedIngestion(
  ingestion: Ingestion,
  flowName: string,
  flowRef: string,
): { message: string; hint: string; code: string } {
  const reasons = ingestionErrorLines(ingestion).slice(0, 5).join('; ');
  return {
    message: para`${ingestion.failed} record(s) posted to dataflow '${flowName}' failed AEP's validation
      (${ingestionLine(ingestion)})${reasons ? `: ${reasons}` : ''}.`,
    hint: para`A value does not fit the XDM type of its field: fix the record in Zoho CRM (the next sync sends it again
      once it changes), or the template's mapping, then 'aep-zoho dataflow create --template ${flowRef} --via http-api'
      and 'aep-zoho sync ${flowRef} --full'.`,
    code: 'RECORDS_FAILED',
  };
}

/** Thrown inside the watch task so that listr marks it failed (a failed or missing run); caught right after. */
class WatchedRunFailed extends Error {}

/** The contract's error object for a failed run: the status, the counts, every cause, and what to do. */
function failedRun(
  run: RunSummary,
  flowName: string,
  flowRef: string,
): { message: string; hint: string; code: string; errors: RunSummary['errors'] } {
  const outcome = run.status === 'failed' ? 'failed' : `ended ${run.status}`;
  const causes = run.errors.map(describeRunError).join('; ');
  return {
    message: para`Run ${run.id} of dataflow '${flowName}' ${outcome}: ${run.recordsFailed} of ${run.recordsRead}
      record(s) failed, ${run.recordsWritten} written${causes ? `. ${causes}` : ''}.`,
    hint: para`Adobe's per-record diagnostics are in the Experience Platform UI (Sources > Dataflows > this flow > the
      run). Fix the cause (mapping errors: the template, then 'aep-zoho dataflow create --template ${flowRef}'; Zoho
      tokens: 'aep-zoho connect --update-credentials'; IP allow list: 'aep-zoho allowlist'), then wait for the next
      scheduled run.`,
    code: 'RUN_FAILED',
    errors: run.errors,
  };
}

/** Adobe's scheduler can start a due run some minutes late; past this, a missing first run is a problem. */
export const FIRST_RUN_GRACE_MS = 5 * 60_000;

/** AEP_ZOHO_FIRST_RUN_GRACE_MS (milliseconds) overrides the grace; tests make it short. */
export function firstRunGraceMs(env: Readonly<Record<string, string | undefined>>): number {
  const value = Number(envValue(env, 'AEP_ZOHO_FIRST_RUN_GRACE_MS'));
  return Number.isFinite(value) && value >= 0 ? value : FIRST_RUN_GRACE_MS;
}

interface FirstRun {
  /** Epoch ms: the schedule's start, or the flow's creation when it started in the past. */
  dueAt: number;
  /** Epoch ms: when watching for it stops. */
  giveUpAt: number;
}

/**
 * Before waiting for a first run: a disabled flow starts none, and one due after the timeout would
 * only be waited for in vain. Say so, and stop; otherwise, when the first run is due.
 */
function checkFirstRun(
  ctx: Context,
  flow: {
    id: string;
    name: string;
    state?: unknown;
    scheduleParams?: Record<string, any>;
    createdAt?: unknown;
    updatedAt?: unknown;
  },
  timeoutMs: number,
  graceMs: number,
): FirstRun | undefined {
  const schedule = scheduleSummary(flow.scheduleParams);
  if (flow.state !== 'enabled') {
    throw new UserError(
      para`Dataflow '${flow.name}' is ${String(flow.state ?? 'not enabled')} and has no run yet: nothing to watch (a
        disabled flow never runs).`,
      {
        hint: para`Enable it with 'aep-zoho dataflow enable ${flow.id}', then watch again; 'aep-zoho dataflow status
          ${flow.id}' shows its state and schedule.`,
        code: 'FLOW_DISABLED',
      },
    );
  }
  const start = schedule?.startTime ? Date.parse(schedule.startTime) : NaN;
  if (Number.isFinite(start) && start > ctx.now().getTime() + timeoutMs) {
    throw new UserError(
      para`The first run of dataflow '${flow.name}' is due at ${humanTime(schedule!.startTime)}, after the --timeout of
        ${formatDuration(timeoutMs)}: nothing to watch yet.`,
      {
        hint: para`Watch it from then with 'aep-zoho dataflow runs ${flow.id} --watch', or wait that long with a longer
          --timeout.`,
        code: 'FIRST_RUN_PENDING',
      },
    );
  }
  if (!Number.isFinite(start)) return undefined;
  // A start in the past means "from creation"; a flow changed since (enabled again) may start later still.
  const dueAt = Math.max(start, epochMs(flow.createdAt) ?? 0);
  return { dueAt, giveUpAt: Math.max(dueAt, epochMs(flow.updatedAt) ?? 0) + graceMs };
}

/** The contract's error object for a first run that was due and never started. */
function lateFirstRun(
  flow: { id: string; name: string },
  first: FirstRun,
  graceMs: number,
): { message: string; hint: string; code: string } {
  return {
    message: para`The first run of dataflow '${flow.name}' was due at ${humanTime(first.dueAt)} and has not started
      (aep-zoho waited until ${humanTime(first.giveUpAt)}, ${formatDuration(graceMs)} past it).`,
    hint: para`Check the flow's state and schedule with 'aep-zoho dataflow status ${flow.id}' (a disabled flow never
      runs: 'aep-zoho dataflow enable ${flow.id}'), and the flow's errors in the Experience Platform UI (Sources >
      Dataflows > this flow).`,
    code: 'FIRST_RUN_LATE',
  };
}

/** --timeout: `90s`, `30m`, `2h`, `500ms`, or plain seconds. */
export function parseDuration(value: string | number): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(String(value));
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  const ms = n * ({ ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 } as Record<string, number>)[unit];
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
}
