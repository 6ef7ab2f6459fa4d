// `aep-zoho sync`: for each http-api dataflow of the sandbox (the `syncs` that `dataflow create
// --via http-api` records), one pass of the engine (engine.ts), dataflows side by side, progress on
// stderr (listr2). `--every` repeats the pass until Ctrl-C.
//
// The profile and sandbox lock is taken per pass, not for the whole command: a `sync --every 15m`
// left running must not keep `dataflow create` or `destroy` waiting between passes. Each pass reads
// the state file afresh, so a dataflow created between passes is synced by the next one.
import { closest } from 'fastest-levenshtein';
import { DEFAULT_INLET_IN_FLIGHT, type InletClient } from '../aep/inlet.js';
import { envValue, lockCommand, lockWaitMs, requireAep, requireZohoReader, type Settings } from '../config/settings.js';
import { StateStore, type SandboxState, type SyncState } from '../config/state.js';
import type { Context } from '../core/context.js';
import { CancelledError, UsageError, UserError, isUserError } from '../core/errors.js';
import { humanTime } from '../core/text.js';
import { liveProgress, runTasks, type Task } from '../tasks/runner.js';
import { requireAll, type Session } from '../tasks/session.js';
import { COQL_LIMIT, coqlCredits, type ZohoCrm } from '../zoho/crm.js';
import { emptyReport, stateCheckpoints, syncDataflow, type PassReport } from './engine.js';
import { heapUpkeep } from './heap.js';
import { ingestionSince, readIngestion, type Ingestion } from '../aep/ingestion.js';
import { clockTime, countdown, ingestionPause, pauseLength, type Pause } from './pause.js';
import { pageLine, passLines, progressTitle, type SyncReport } from './report.js';

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
  error?: { message: string; hint?: string; code?: string; status?: number };
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
        const held = await pausedTargets(ctx, services, targets, pause.ms);
        if (!held.length || options.noWait) {
          const ready = targets.filter((t) => !held.some((h) => h.target === t));
          const before = await previousIngestion(ctx, services, ready);
          // The start of this pass: what AEP makes of its records is in the batches created from now on.
          const startedAt = ctx.now().toISOString();
          await state.update(settings.sandbox, (s) => {
            for (const { template, sync } of ready)
              if (s.syncs?.[template]?.flowId === sync.flowId) s.syncs[template].lastPassAt = startedAt;
          });
          const result = await runPass(ctx, services, state, settings.sandbox, ready, { full: options.full, inFlight });
          for (const report of result.syncs as SyncReport[]) {
            const ingestion = before.get(report.template);
            if (ingestion) report.ingestion = ingestion;
          }
          return held.length ? holdBack(result, held) : result;
        }
        if (round > MAX_PAUSE_ROUNDS)
          throw new UserError(
            `Adobe's ingestion pause of ${held.map((h) => h.target.template).join(', ')} did not end after ${MAX_PAUSE_ROUNDS} waits: the flow keeps changing, or Adobe's clock (the Date of its answers) stands still.`,
            { hint: "Check who updates the dataflow ('aep-zoho dataflow status <flow>'), then run sync again." },
          );
        waitFor = held;
      } finally {
        await release();
      }
      await waitOut(ctx, waitFor, pause);
    }
  };
  if (!options.everyMs) return pass();

  for (let number = 1; ; number++) {
    const started = ctx.now().getTime();
    try {
      const result = await pass();
      for (const line of result.syncs.flatMap(passLines)) ctx.log.info(`[${humanTime(ctx.now())}] ${line}`);
      if (result.error) ctx.log.warn(result.error.message);
    } catch (error) {
      // A first pass that cannot start (no dataflow, credentials, usage) ends the command; a later
      // one (the lock held by another command, a network outage) is retried at the next interval.
      if (number === 1 || error instanceof CancelledError || error instanceof UsageError || !isUserError(error))
        throw error;
      ctx.log.warn(`${error.message}${error.hint ? ` ${error.hint}` : ''}`);
    }
    const next = started + options.everyMs;
    ctx.log.info(`Next pass at ${humanTime(next)} (every ${formatEvery(options.everyMs)}; Ctrl-C stops).`);
    await ctx.sleep(Math.max(0, next - ctx.now().getTime()));
  }
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

interface Target {
  template: string;
  sync: SyncState;
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
  const shared = {
    reader: services.reader,
    inlet: services.inlet,
    signal: ctx.signal,
    inFlight: options.inFlight,
    now: ctx.now,
    collect: heapUpkeep(),
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
      if (incomplete(report))
        throw new PassIncomplete(
          report.error
            ? 'stopped'
            : `${[
                report.failed + report.notSent ? `${report.failed + report.notSent} record(s)` : '',
                report.deletesFailed ? `${report.deletesFailed} delete(s)` : '',
              ]
                .filter(Boolean)
                .join(' and ')} left for the next sync`,
        );
    },
  }));
  await runTasks(ctx, tasks, {}, { concurrent: true });
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

/** A pass that left records undelivered, or could not read: exit 1 (a record that changed while being read is not one). */
const incomplete = (r: PassReport) => !!(r.error || r.failed || r.notSent || r.deletesFailed);

/** Thrown in a dataflow's task so that its progress line shows it failed; the report says why. */
class PassIncomplete extends Error {}

/** The contract's error object when any record was not delivered, or a dataflow could not be read. */
function failure(reports: PassReport[]): SyncResult['error'] | undefined {
  const bad = reports.filter(incomplete);
  if (!bad.length) return undefined;
  const messages: string[] = [];
  let hint: string | undefined;
  let code: string | undefined;
  let status: number | undefined;
  for (const r of bad) {
    if (r.error) {
      messages.push(`${r.template}: ${r.error.message}${/[.!?]$/.test(r.error.message) ? '' : '.'}`);
      hint ??= r.error.hint;
      code ??= r.error.code;
      status ??= r.error.status;
      continue;
    }
    if (r.deletesFailed) {
      const tombstones = r.failures.filter((f) => f.deleted);
      const named = tombstones
        .map((f) => `${f.id} (${f.status ? `HTTP ${f.status}: ` : ''}${f.message.replace(/\.$/, '')})`)
        .join(', ');
      const more = r.deletesFailed > tombstones.length ? ` and ${r.deletesFailed - tombstones.length} more` : '';
      messages.push(
        `${r.template}: ${r.deletesFailed} delete(s) not delivered to AEP as tombstones: ${named || 'not sent'}${more}. The delete cursor stays ${r.deletedCursor ? `at ${r.deletedCursor}` : 'at the start'}, before ${r.deletesFailed === 1 ? 'it' : 'them'}: the next sync sends ${r.deletesFailed === 1 ? 'it' : 'them'} again.`,
      );
      hint ??= recordHint({ ...r, failures: tombstones });
      code ??= 'SYNC_INCOMPLETE';
      if (!r.failed && !r.notSent) continue;
    }
    // Records that failed the same way are named together, the reason once.
    const groups = new Map<string, string[]>();
    for (const f of r.failures.filter((f) => !f.deleted)) {
      const reason = `${f.status ? `HTTP ${f.status}: ` : ''}${f.message.replace(/\.$/, '')}`;
      groups.set(reason, [...(groups.get(reason) ?? []), f.id]);
    }
    const named = [...groups]
      .map(([reason, [id, ...also]]) => `${id} (${reason}${also.length ? `; also ${also.join(', ')}` : ''})`)
      .join(', ');
    const shown = r.failures.filter((f) => !f.deleted).length;
    const more = r.failed > shown ? ` and ${r.failed - shown} more` : '';
    const later = r.notSent ? `; ${r.notSent} record(s) after ${r.failed === 1 ? 'it' : 'them'} were not sent` : '';
    messages.push(
      `${r.template}: ${r.failed} record(s) not delivered to AEP: ${named}${more}${later}. The cursor stays ${r.cursor ? `at ${r.cursor}` : 'at the start'}, before ${r.failed === 1 ? 'it' : 'them'}: the next sync sends ${r.failed === 1 && !r.notSent ? 'it' : 'them'} again.`,
    );
    hint ??= recordHint(r);
    code ??= 'SYNC_INCOMPLETE';
  }
  return {
    message: messages.join(' '),
    ...(hint ? { hint } : {}),
    ...(code ? { code } : {}),
    ...(status ? { status } : {}),
  };
}

function recordHint(r: PassReport): string {
  const first = r.failures[0];
  if (first?.tooLarge)
    return `AEP takes records of at most 1 MB: shorten record ${first.id} in Zoho CRM (its largest field); until it changes, sync stops before it.`;
  const status = first?.status;
  // A 2xx without Adobe's receipt: something in between answered in the inlet's place.
  if (status && status >= 200 && status < 300)
    return `Something other than Adobe's inlet answered (HTTP ${status} without Adobe's receipt): a proxy, a TLS-inspecting firewall, a captive portal or a load balancer between this machine and Adobe's inlet? Check HTTPS_PROXY, HTTP_PROXY and NO_PROXY and the network, then run 'aep-zoho sync' again. Nothing is lost: the cursor stays before the record.`;
  if (status === 401 || status === 403)
    return "Adobe's inlet did not accept the IMS token: check 'aep-zoho auth status', and that the credential's role has the Sources and Datasets permissions in this sandbox.";
  if (status && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return `Adobe refused the record: check the dataflow with 'aep-zoho dataflow status ${r.template}', and converge it with 'aep-zoho dataflow create --template ${r.template} --via http-api'.`;
  }
  return "AEP's inlet kept failing after the retries: run 'aep-zoho sync' again later. Nothing is lost: the cursor stays before the record.";
}

/** The dataflows a pass carries: all of the sandbox's, or those named (template, flow id or flow name). */
function select(state: SandboxState, names: string[], settings: Settings): Target[] {
  // An entry whose flow the template no longer uses (replaced outside a streaming run) feeds nothing.
  const syncs = Object.fromEntries(
    Object.entries(state.syncs ?? {}).filter(
      ([t, entry]) => !state.dataflows?.[t]?.flow || state.dataflows[t].flow.id === entry.flowId,
    ),
  );
  const templates = Object.keys(syncs);
  if (!templates.length) {
    throw new UserError(
      `Profile '${settings.profileName}' has no http-api dataflow in sandbox '${settings.sandbox}': nothing to sync.`,
      {
        hint: "Create one with 'aep-zoho dataflow create --template <name> --via http-api' (after 'aep-zoho connect --via http-api'); sync carries the Zoho records of those dataflows to AEP.",
        code: 'NO_SYNCS',
      },
    );
  }
  if (!names.length) return templates.map((template) => ({ template, sync: syncs[template] }));
  const chosen = new Map<string, Target>();
  for (const name of names) {
    const lower = name.toLowerCase();
    const template =
      templates.find((t) => t === name) ??
      templates.find((t) => t.toLowerCase() === lower) ??
      templates.find((t) => syncs[t].flowId === name) ??
      templates.find((t) => state.dataflows?.[t]?.flow?.name === name);
    if (!template) {
      const other = Object.keys(state.dataflows ?? {}).find(
        (t) => t.toLowerCase() === lower || state.dataflows?.[t]?.flow?.id === name,
      );
      if (other) {
        throw new UsageError(
          `Dataflow '${name}' reads Zoho through Adobe's Zoho CRM source, on its own schedule: sync carries only http-api dataflows (${templates.join(', ')}).`,
          {
            hint: `To move it to the http-api path: 'aep-zoho dataflow create --template ${other} --via http-api'.`,
          },
        );
      }
      const near = closest(
        lower,
        templates.map((t) => t.toLowerCase()),
      );
      throw new UsageError(`No http-api dataflow '${name}' in sandbox '${settings.sandbox}'.`, {
        hint: `${near ? `Did you mean '${templates.find((t) => t.toLowerCase() === near)}'? ` : ''}The http-api dataflows are ${templates.join(', ')}; name one by template, flow id or flow name.`,
      });
    }
    chosen.set(template, { template, sync: syncs[template] });
  }
  return [...chosen.values()];
}

/**
 * What AEP made of each dataflow's previous pass (Catalog batches since it started): read before
 * this pass posts anything new. A dataflow with no previous pass, or no dataset recorded, has none;
 * a Catalog that cannot be read is a warning, never a failed sync.
 */
async function previousIngestion(ctx: Context, services: Services, targets: Target[]): Promise<Map<string, Ingestion>> {
  const found = new Map<string, Ingestion>();
  await Promise.all(
    targets.map(async ({ template, sync }) => {
      if (!sync.lastPassAt || !sync.datasetId) return;
      try {
        const since = ingestionSince(sync.lastPassAt, ctx.now().getTime());
        found.set(template, await readIngestion(services.session.platform, sync.datasetId, since));
      } catch (error) {
        if (!isUserError(error)) throw error;
        ctx.log.warn(`${template}: could not read what AEP ingested from the previous sync: ${error.message}`);
      }
    }),
  );
  return found;
}

/** A pass whose first round met the pause this many times is stopped (a flow that keeps changing). */
const MAX_PAUSE_ROUNDS = 5;

/** A dataflow inside Adobe's ingestion pause. */
interface Held {
  target: Target;
  pause: Pause;
}

/** The targets inside Adobe's ingestion pause now, by Adobe's timestamps (one flow GET each, side by side). */
async function pausedTargets(ctx: Context, services: Services, targets: Target[], pauseMs: number): Promise<Held[]> {
  const now = ctx.now().getTime();
  const pauses = await Promise.all(targets.map((t) => ingestionPause(services.session.platform, t.sync, pauseMs, now)));
  return targets.flatMap((target, i) => {
    const pause = pauses[i];
    return pause && pause.remainingMs > 0 ? [{ target, pause }] : [];
  });
}

/**
 * --no-wait: the held dataflows' reports (nothing read or posted, the cursor where it was, and
 * `notBefore`) beside those that ran; exit 75 unless a pass failed (exit 1 says more).
 */
function holdBack(result: SyncResult, held: Held[]): SyncResult {
  const reports: SyncReport[] = held.map(({ target: { template, sync }, pause }) => ({
    ...emptyReport(template, sync),
    notBefore: new Date(pause.notBefore).toISOString(),
    pausedBecause: `the flow ${pause.what} at ${clockTime(pause.changedAt)}`,
  }));
  const syncs = [...result.syncs, ...reports];
  if (result.error) return { ...result, syncs };
  const until = Math.max(...held.map((h) => h.pause.notBefore));
  return {
    ...result,
    syncs,
    exitCode: EXIT_PAUSED,
    error: {
      message: `${held.map((h) => h.target.template).join(', ')}: inside Adobe's ingestion pause until ${clockTime(until)} (it drops records posted within five minutes of a streaming flow's create or update): nothing posted, the cursor stays.`,
      hint: `Run 'aep-zoho sync' again after ${clockTime(until)}, or without --no-wait to wait it out.`,
      code: 'INGESTION_PAUSED',
    },
  };
}

/** `sync --no-wait` held back by Adobe's ingestion pause (CLI-CONTRACT.md: EX_TEMPFAIL). */
export const EXIT_PAUSED = 75;

/** Waits until every held dataflow's pause is over: a countdown on a terminal, one line elsewhere, nothing with --quiet. */
async function waitOut(ctx: Context, held: Held[], pause: { ms: number; shortened: boolean }): Promise<void> {
  const longest = held.reduce((a, b) => (b.pause.remainingMs > a.pause.remainingMs ? b : a));
  const deadline = ctx.now().getTime() + longest.pause.remainingMs;
  const until = clockTime(longest.pause.notBefore);
  const which = held.map((h) => `${h.target.template} (the flow ${h.pause.what} at ${clockTime(h.pause.changedAt)})`);
  const length = pause.shortened
    ? `${countdown(pause.ms)}: shortened by AEP_ZOHO_INGESTION_PAUSE for the emulator; Adobe's is five minutes`
    : 'five minutes';
  const why = `Adobe's ingestion pause (${length}) after a streaming flow is created or updated: records posted inside it are dropped`;
  const live = !ctx.flags.quiet && !ctx.flags.json && !ctx.flags.debug && ctx.io.isTTY.stderr;
  if (!live) {
    ctx.log.info(`${which.join(', ')}: waiting until ${until} before posting; ${why}.`);
    await ctx.sleep(longest.pause.remainingMs);
    return;
  }
  const stderr = ctx.io.stderr;
  stderr.write(`${why}.\n`);
  try {
    for (;;) {
      const left = deadline - ctx.now().getTime();
      if (left <= 0) break;
      stderr.write(`\r\x1b[2K${which.join(', ')}: posting from ${until}, ${countdown(left)} left (Ctrl-C stops)`);
      await ctx.sleep(Math.min(1000, left % 1000 || 1000));
    }
  } finally {
    stderr.write('\r\x1b[2K');
  }
  stderr.write(`${held.map((h) => h.target.template).join(', ')}: the ingestion pause is over, posting.\n`);
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

/** --every as written back: 15m, 1h, 30s. */
export function formatEvery(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** --every: `30s`, `15m`, `1h`, `1h30m`; at least one second. */
export function parseEvery(value: string): number | undefined {
  const text = value.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    ms += Number(n) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[unit];
  return Number.isFinite(ms) && ms >= 1000 ? Math.round(ms) : undefined;
}
