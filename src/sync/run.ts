// `aep-zoho sync`: for each http-api dataflow of the sandbox (the `syncs` that `dataflow create
// --via http-api` records), one pass of the engine (engine.ts), dataflows side by side, progress on
// stderr (listr2). `--every` repeats the pass until Ctrl-C.
//
// The profile and sandbox lock is taken per pass, not for the whole command: a `sync --every 15m`
// left running must not keep `dataflow create` or `destroy` waiting between passes. Each pass reads
// the state file afresh, so a dataflow created between passes is synced by the next one.
import { DEFAULT_INLET_IN_FLIGHT, type InletClient } from '../aep/inlet.js';
import { envValue, lockCommand, lockWaitMs, requireAep, requireZohoReader, type Settings } from '../config/settings.js';
import { StateStore, type SyncState } from '../config/state.js';
import type { Context } from '../core/context.js';
import { CancelledError, UsageError, UserError, isUserError } from '../core/errors.js';
import { liveProgress, runTasks, type Task } from '../tasks/runner.js';
import { requireAll, type Session } from '../tasks/session.js';
import { COQL_LIMIT, coqlCredits, type ZohoCrm } from '../zoho/crm.js';
import { emptyReport, stateCheckpoints, syncDataflow, type PassReport } from './engine.js';
import { repeatPass } from './every.js';
import { failure, incomplete, leftOver, type PassError } from './failure.js';
import { heapUpkeep } from './heap.js';
import { MAX_PAUSE_ROUNDS, holdBack, pausedTargets, pauseNeverEnds, waitOut, type Held } from './hold.js';
import { pauseLength } from './pause.js';
import { pageLine, progressTitle, type SyncReport } from './report.js';
import { previousIngestion, select, type Target } from './targets.js';

export { EXIT_PAUSED } from './hold.js';
export { formatEvery, parseEvery } from './every.js';

export interface SyncOptions {
  /** Template names, flow ids or flow names; empty: every http-api dataflow. */
  selection: string[];
  full: boolean;
  /** Repeat the pass this often until Ctrl-C. */
  everyMs?: number;
  /** Inlet posts in flight at once (--in-flight, else AEP_ZOHO_INLET_IN_FLIGHT, else DEFAULT_INLET_IN_FLIGHT). */
  inFlight?: number;
  /** --no-wait: a dataflow inside Adobe's ingestion pause is not synced (exit 75) instead of waited for. */
  noWait?: boolean;
  /** --dry-run: estimate a full pass of each dataflow from Zoho's record count; read and post nothing. */
  dryRun?: boolean;
}

export interface SyncResult {
  sandbox: string;
  syncs: SyncReport[];
  /** The most inlet posts that were in flight at once during the run. */
  inletPeakInFlight: number;
  /** Zoho CRM API calls of the run, and access tokens minted. */
  zohoCalls: number;
  zohoMints: number;
  exitCode?: number;
  error?: PassError;
}

interface Services {
  session: Session;
  reader: ZohoCrm;
  inlet: InletClient;
}

export async function runSync(ctx: Context, options: SyncOptions): Promise<SyncResult> {
  const { settings } = await ctx.services();
  const inFlight = options.inFlight ?? inFlightFromEnv(ctx.env) ?? DEFAULT_INLET_IN_FLIGHT;
  if (options.dryRun) return estimate(ctx, settings, options);
  const pause = pauseLength(settings, ctx.env);
  let services: Services | undefined;
  // Adobe's ingestion pause is waited out without the lock (a `dataflow create` meanwhile is not
  // kept waiting), then checked again under it: the flow may have changed while we waited.
  const pass = async (): Promise<SyncResult> => {
    for (let round = 1; ; round++) {
      let waitFor: Held[] = [];
      const release = await lockCommand(ctx);
      try {
        const state = new StateStore(settings.home, settings.profileName, {
          owner: ctx.lockOwner,
          waitMs: lockWaitMs(ctx.env),
        });
        const targets = select(await state.read(settings.sandbox), options.selection, settings);
        services ??= await openServices(ctx, settings, inFlight);
        const held = await pausedTargets(ctx, services.session.platform, targets, pause.ms);
        if (!held.length || options.noWait) {
          const ready = targets.filter((t) => !held.some((h) => h.target === t));
          const result = await passOver(ctx, services, state, settings.sandbox, ready, {
            full: options.full,
            inFlight,
          });
          return held.length ? holdBack(result, held) : result;
        }
        if (round > MAX_PAUSE_ROUNDS) throw pauseNeverEnds(held);
        waitFor = held;
      } finally {
        await release();
      }
      await waitOut(ctx, waitFor, pause);
    }
  };
  return options.everyMs ? repeatPass(ctx, options.everyMs, pass) : pass();
}

/**
 * One pass over the dataflows ready (under the lock): what AEP made of each one's previous pass
 * (read before anything new is posted), the pass's start saved, then the pass.
 */
async function passOver(
  ctx: Context,
  services: Services,
  state: StateStore,
  sandbox: string,
  ready: Target[],
  options: { full: boolean; inFlight: number },
): Promise<SyncResult> {
  const before = await previousIngestion(ctx, services.session.platform, ready);
  // The start of this pass: what AEP makes of its records is in the batches created from now on.
  const startedAt = ctx.now().toISOString();
  await state.update(sandbox, (s) => {
    for (const { template, sync } of ready)
      if (s.syncs?.[template]?.flowId === sync.flowId) s.syncs[template].lastPassAt = startedAt;
  });
  const result = await runPass(ctx, services, state, sandbox, ready, options);
  for (const report of result.syncs) {
    const ingestion = before.get(report.template);
    if (ingestion) report.ingestion = ingestion;
  }
  return result;
}

/**
 * `sync --dry-run`: what a full pass of each dataflow would cost, from Zoho's record count of its
 * module (GET /{module}/actions/count, one call and credit each): ceil(n / 2,000) COQL pages of 3
 * credits, the field metadata (1) and the deleted listing (1, more for more than 200 deletes),
 * docs/zoho-rules.md "Credits"; one inlet post per record. Nothing is read, posted or saved.
 */
async function estimate(ctx: Context, settings: Settings, options: SyncOptions): Promise<SyncResult> {
  requireAll(settings, [requireZohoReader]);
  const state = new StateStore(settings.home, settings.profileName, {
    owner: ctx.lockOwner,
    waitMs: lockWaitMs(ctx.env),
  });
  const targets = select(await state.read(settings.sandbox), options.selection, settings);
  const reader = (await ctx.services()).zoho;
  const syncs: SyncReport[] = [];
  for (const { template, sync } of targets) {
    const before = { calls: reader.calls, credits: reader.credits };
    const records = await reader.count(sync.module);
    if (records === undefined)
      throw new UserError(`Zoho CRM answered the record count of ${sync.module} without a count.`, {
        hint: 'Check ZOHO_ENDPOINT and any proxy in between, then try again.',
      });
    const pages = Math.max(1, Math.ceil(records / COQL_LIMIT));
    syncs.push({
      ...emptyReport(template, sync),
      zohoCalls: reader.calls - before.calls,
      zohoCredits: reader.credits - before.credits,
      estimate: {
        records,
        pages,
        zohoCalls: pages + 2,
        zohoCredits: pages * coqlCredits(COQL_LIMIT) + 2,
        inletPosts: records,
      },
    });
  }
  return { sandbox: settings.sandbox, syncs, inletPeakInFlight: 0, zohoCalls: reader.calls, zohoMints: reader.mints };
}

async function openServices(ctx: Context, settings: Settings, inFlight: number): Promise<Services> {
  requireAll(settings, [requireAep, requireZohoReader]);
  const session = await ctx.services();
  return { session, reader: session.zoho, inlet: session.inlet(inFlight) };
}

async function runPass(
  ctx: Context,
  services: Services,
  state: StateStore,
  sandbox: string,
  targets: Target[],
  options: { full: boolean; inFlight: number },
): Promise<SyncResult> {
  const reports: PassReport[] = [];
  const upkeep = heapUpkeep();
  const shared = {
    reader: services.reader,
    inlet: services.inlet,
    signal: ctx.signal,
    inFlight: options.inFlight,
    now: ctx.now,
    collect: upkeep.collect,
  };
  const live = liveProgress(ctx);
  const tasks: Array<Task<object>> = targets.map(({ template, sync }, index) => ({
    title: `${template}: reading ${sync.module} from Zoho`,
    // One dataflow's failure must not stop the others; each outcome is in its report.
    exitOnError: false,
    task: async (_ctx, task) => {
      const started = ctx.now().getTime();
      // Zoho's count of what this pass will read, for "n of total" and the ETA: only where someone
      // watches a terminal (it costs one Zoho API call).
      const total = live ? await recordsToRead(ctx, services.reader, sync, options.full) : undefined;
      const onPage = (r: PassReport) => {
        const progress = { total, elapsedMs: ctx.now().getTime() - started };
        if (live) task.title = progressTitle(r, false, progress);
        else ctx.log.info(pageLine(r, progress));
      };
      const deps = { ...shared, checkpoints: stateCheckpoints(state, sandbox, template, sync.flowId) };
      const report = await syncDataflow(deps, template, sync, { full: options.full, onPage });
      reports[index] = report;
      task.title = progressTitle(report, true);
      if (incomplete(report)) throw new PassIncomplete(leftOver(report));
    },
  }));
  try {
    await runTasks(ctx, tasks, {}, { concurrent: true });
  } finally {
    upkeep.end();
  }
  if (ctx.signal.aborted) throw new CancelledError();
  const syncs = reports.filter(Boolean);
  const result: SyncResult = {
    sandbox,
    syncs,
    inletPeakInFlight: services.inlet.limiter.peak,
    zohoCalls: services.reader.calls,
    zohoMints: services.reader.mints,
  };
  const error = failure(syncs);
  return error ? { ...result, exitCode: 1, error } : result;
}

/** Thrown in a dataflow's task so that its progress line shows it failed; the report says why. */
class PassIncomplete extends Error {}

/** Zoho's count of the records modified since the cursor (all with --full); undefined when it cannot say. */
async function recordsToRead(
  ctx: Context,
  reader: ZohoCrm,
  sync: SyncState,
  full: boolean,
): Promise<number | undefined> {
  try {
    return await reader.count(sync.module, full ? undefined : sync.cursor);
  } catch (error) {
    if (!isUserError(error)) throw error;
    ctx.log.debug(`${sync.module}: no record count (${error.message}); progress shows no total`);
    return undefined;
  }
}

function inFlightFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = envValue(env, 'AEP_ZOHO_INLET_IN_FLIGHT');
  if (text === undefined) return undefined;
  return checkInFlight(Number(text), 'AEP_ZOHO_INLET_IN_FLIGHT', text);
}

export function checkInFlight(value: number, name: string, shown: string = String(value)): number {
  if (!Number.isInteger(value) || value < 1 || value > 200)
    throw new UsageError(`${name} must be a whole number from 1 to 200, got '${shown}'.`, {
      hint: `Inlet posts in flight at once; the default is ${DEFAULT_INLET_IN_FLIGHT}.`,
    });
  return value;
}
