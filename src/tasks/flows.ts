// `dataflow list | status | runs`: reading dataflows and their runs (aep-api.md §8.3, §8.4).
// A dataflow is named by its id, by the template it was built from (this profile's state file,
// else our name and marker on either path's flows, else the template's deterministic flow name),
// or by its full name.
import { Catalog } from '../aep/catalog.js';
import { FLOW, flowService, type FlowResource } from '../aep/flow-service.js';
import { ingestionSince, readIngestion, type Ingestion } from '../aep/ingestion.js';
import type { ResourceRef, SyncState } from '../config/state.js';
import type { Context } from '../core/context.js';
import { UsageError, isUserError } from '../core/errors.js';
import { epochMs, humanTime, isoTime } from '../core/text.js';
import { ourFlows } from '../converge/kinds/flow.js';
import { observeShared } from '../converge/observe.js';
import { pathOfFlow } from '../paths/index.js';
import { sessionServices, type Session } from './session.js';
import { normalStatus, runSummary, type RunSummary } from './run-summary.js';

export {
  describeRunError,
  formatDuration,
  isFinished,
  isSuccessful,
  normalStatus,
  runSummary,
  type RunError,
  type RunSummary,
} from './run-summary.js';
import { para } from '../core/text.js';

export interface ScheduleSummary {
  frequency: string;
  interval?: number;
  /** ISO 8601 (Adobe sends epoch seconds). */
  startTime?: string;
  backfill?: boolean;
}

export interface LastRunSummary {
  id: string;
  status: string;
  startedAt?: string;
  completedAt?: string;
}

export interface FlowSummary {
  /** The template this profile built it from; absent for flows of others (--all). */
  template?: string;
  /** The flow id (also as `flowId`, the name create and runs use). */
  id: string;
  flowId: string;
  name: string;
  /** enabled, disabled, or `missing` when the state file names a flow Adobe no longer has. */
  state: string;
  schedule?: ScheduleSummary;
  lastRun?: LastRunSummary;
  /** When the schedule next starts a run (ISO 8601); absent for a disabled flow or a `once` already run. */
  nextRunAt?: string;
  /** True when this profile made it (its state file records it, or it carries this profile's name and marker). */
  profile: boolean;
}

export interface FlowList {
  sandbox: string;
  flows: FlowSummary[];
}

export interface FlowStatus {
  /** The flow id (also as `flowId`, as in create and runs). */
  id: string;
  flowId: string;
  name: string;
  template?: string;
  sandbox: string;
  state: string;
  schedule?: ScheduleSummary;
  baseConnectionId?: string;
  /** The base connection again, under the name connect and explore use. */
  connectionId?: string;
  sourceConnectionId?: string;
  table?: { path: string; name?: string };
  targetConnectionId?: string;
  dataset?: { id: string; name?: string };
  /** The dataset id again, under the name create uses. */
  datasetId?: string;
  schemaId?: string;
  mappingSetId?: string;
  createdAt?: string;
  updatedAt?: string;
  lastRun?: RunSummary;
  /** The last runs, newest first: only for the picture on a terminal, never in --json. */
  recentRuns?: RunSummary[];
  nextRunAt?: string;
  /** An http-api (streaming) dataflow: what AEP made of the last sync pass's records (Catalog batches). */
  ingestion?: Ingestion;
}

// Adobe's times are epoch milliseconds, but its pages and some answers also show ISO strings.
const iso = (value: unknown): string | undefined => isoTime(value);

export function scheduleSummary(params: Record<string, any> | undefined): ScheduleSummary | undefined {
  if (!params?.frequency) return undefined;
  const interval = params.interval === undefined ? undefined : Number(params.interval);
  // Epoch seconds, as a number or a string (aep-api.md §9), or an ISO time.
  const start = isoTime(
    params.startTime,
    typeof params.startTime === 'string' && !/^\s*\d+\s*$/.test(params.startTime) ? 'ms' : 's',
  );
  return {
    frequency: String(params.frequency),
    ...(interval !== undefined && Number.isFinite(interval) ? { interval } : {}),
    ...(start ? { startTime: start } : {}),
    ...(params.backfill !== undefined ? { backfill: params.backfill === true || params.backfill === 'true' } : {}),
  };
}

const FREQUENCY_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

/**
 * When the schedule next starts a run: its start while that is ahead, else the first interval
 * boundary after `now`; nothing for a disabled flow, or a `once` flow whose run has happened.
 */
export function nextRun(
  schedule: ScheduleSummary | undefined,
  state: string,
  now: Date,
  hasRun: boolean,
): string | undefined {
  if (!schedule?.startTime || state !== 'enabled') return undefined;
  const start = Date.parse(schedule.startTime);
  if (start > now.getTime()) return schedule.startTime;
  const step = (schedule.interval ?? 1) * (FREQUENCY_MS[schedule.frequency] ?? 0);
  if (schedule.frequency === 'once' || !step) return hasRun ? undefined : schedule.startTime;
  return new Date(start + Math.ceil((now.getTime() - start) / step) * step).toISOString();
}

/** "every 15 minutes from 2026-11-25 13:00 UTC", "once at …". */
export function describeSchedule(schedule: ScheduleSummary | undefined): string {
  if (!schedule) return '';
  const at = humanTime(schedule.startTime);
  if (schedule.frequency === 'once') return `once${at ? ` at ${at}` : ''}`;
  const n = schedule.interval ?? 1;
  return `every ${n === 1 ? '' : `${n} `}${schedule.frequency}${n === 1 ? '' : 's'}${at ? ` from ${at}` : ''}`;
}

function lastRunOf(flow: FlowResource): LastRunSummary | undefined {
  const last = flow.lastRunDetails;
  if (!last?.id) return undefined;
  return {
    id: String(last.id),
    status: normalStatus(last.state),
    ...(iso(last.startedAtUTC) ? { startedAt: iso(last.startedAtUTC) } : {}),
    ...(iso(last.completedAtUTC) ? { completedAt: iso(last.completedAtUTC) } : {}),
  };
}

function flowSummary(flow: FlowResource, template: string | undefined, now: Date): FlowSummary {
  const schedule = scheduleSummary(flow.scheduleParams);
  const state = String(flow.state ?? 'unknown');
  const lastRun = lastRunOf(flow);
  const next = nextRun(schedule, state, now, !!lastRun);
  return {
    ...(template ? { template } : {}),
    id: flow.id,
    flowId: flow.id,
    name: flow.name,
    state,
    schedule,
    lastRun,
    ...(next ? { nextRunAt: next } : {}),
    profile: !!template,
  };
}

/** The profile's flows from the state file: template name → flow ref. */
async function profileFlows(session: Session): Promise<Array<[string, ResourceRef]>> {
  const state = await session.state.read(session.settings.sandbox);
  return Object.entries(state.dataflows ?? {})
    .filter(([, refs]) => refs.flow?.id)
    .map(([template, refs]) => [template, refs.flow] as [string, ResourceRef]);
}

/** Lists of both paths' flows, for this run (memoized): the finder's view of the sandbox. */
function finderShared(session: Session) {
  return observeShared(sessionServices(session), {});
}

/**
 * This profile's flows on both paths: what its state file records, and what carries its name and
 * marker (so a fresh home or CI runner sees what destroy would delete). One list per flow spec.
 */
export async function listFlows(ctx: Context, options: { all: boolean }): Promise<FlowList> {
  const session = await ctx.services();
  const recorded = await profileFlows(session);
  const now = ctx.now();
  const { mine: found, all } = await ourFlows(finderShared(session), session.settings.profileName);
  const listed = new Map(all.map((flow) => [flow.id, flow]));
  const flows: FlowSummary[] = await Promise.all(
    recorded.map(async ([template, ref]): Promise<FlowSummary> => {
      const flow = listed.get(ref.id) ?? (await session.flow.get('flows', ref.id));
      return flow
        ? flowSummary(flow, template, now)
        : { template, id: ref.id, flowId: ref.id, name: ref.name, state: 'missing', profile: true };
    }),
  );
  const shown = new Set(flows.map((f) => f.id));
  for (const [template, list] of [...found].sort(([a], [b]) => a.localeCompare(b)))
    for (const flow of list.filter((f) => !shown.has(f.id))) {
      flows.push(flowSummary(flow, template, now));
      shown.add(flow.id);
    }
  if (options.all) {
    const others = all.filter((flow) => !shown.has(flow.id));
    others.sort((a, b) => (epochMs(b.createdAt) ?? 0) - (epochMs(a.createdAt) ?? 0));
    flows.push(...others.map((flow) => flowSummary(flow, undefined, now)));
  }
  return { sandbox: session.settings.sandbox, flows };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A flow by id, template name or full name; an unknown one is a UsageError (exit 2) with a hint. */
export async function resolveFlow(session: Session, input: string): Promise<{ flow: FlowResource; template?: string }> {
  const wanted = input.trim();
  const sandbox = session.settings.sandbox;
  const mine = await profileFlows(session);
  const templateOf = (id: string) => mine.find(([, ref]) => ref.id === id)?.[0];
  const unknown = (detail = '') =>
    new UsageError(`No dataflow '${wanted}' in sandbox '${sandbox}'${detail}.`, {
      hint: para`Name a flow id, a template${mine.length ? ` this profile built (${mine.map(([t]) => t).join(', ')})` : ''},
        or a flow's full name; 'aep-zoho dataflow list --all' lists the sandbox's Zoho CRM dataflows.`,
    });
  if (!wanted) throw unknown();

  const saved = mine.find(([template]) => template.toLowerCase() === wanted.toLowerCase());
  if (saved) {
    const flow = await session.flow.get('flows', saved[1].id);
    if (flow) return { flow, template: saved[0] };
  }
  if (UUID.test(wanted)) {
    const flow = await session.flow.get('flows', wanted);
    if (flow) return { flow, template: templateOf(flow.id) };
    throw unknown();
  }
  // This profile's flow for that template, by name and marker on both paths (a fresh home too).
  const shared = finderShared(session);
  const { mine: ours, all } = await ourFlows(shared, session.settings.profileName);
  const byTemplate = [...ours].find(([t]) => t.toLowerCase() === wanted.toLowerCase());
  if (byTemplate) return { flow: byTemplate[1][0], template: byTemplate[0] };
  // A template's deterministic flow name (a re-run of `dataflow create` finds the same one), or a full name.
  const [{ loadTemplate }, { resourceNames }] = await Promise.all([
    import('../template/load.js'),
    import('../converge/desire.js'),
  ]);
  const template = await loadTemplate(wanted).catch((error) =>
    isUserError(error) ? undefined : Promise.reject(error),
  );
  const names = template ? [resourceNames(template.template, session.settings.profileName).flow, wanted] : [wanted];
  for (const name of names) {
    const flow = all.find((f) => f.name === name);
    if (flow)
      return {
        flow,
        template: templateOf(flow.id) ?? (template && name !== wanted ? template.template.name : undefined),
      };
  }
  throw unknown(
    saved ? `: the state file names flow ${saved[1].id}, which no longer exists (deleted outside aep-zoho?)` : '',
  );
}

export async function listRuns(session: Session, flowId: string, limit: number): Promise<RunSummary[]> {
  const page = await session.platform.get<{ items?: Array<Record<string, any>> }>(`${FLOW}/runs`, {
    property: `flowId==${flowId}`,
    orderby: '-createdAt',
    limit,
  });
  return (page.items ?? []).map(runSummary).slice(0, limit);
}

/** `history`: also the last runs (`recentRuns`), for the picture `dataflow status` draws on a terminal. */
/** Runs read for the picture of `dataflow status` on a terminal. */
const HISTORY_RUNS = 30;

export async function flowStatus(
  ctx: Context,
  input: string,
  options: { history?: boolean } = {},
): Promise<FlowStatus> {
  const session = await ctx.services();
  const { flow, template } = await resolveFlow(session, input);
  const sourceId: string | undefined = flow.sourceConnectionIds?.[0];
  const targetId: string | undefined = flow.targetConnectionIds?.[0];
  const [source, target, runs, state] = await Promise.all([
    sourceId ? session.flow.get('sourceConnections', sourceId) : undefined,
    targetId ? session.flow.get('targetConnections', targetId) : undefined,
    listRuns(session, flow.id, options.history ? HISTORY_RUNS : 1),
    session.state.read(session.settings.sandbox),
  ]);
  const datasetId: string | undefined = target?.params?.dataSetId;
  const dataset = datasetId ? await new Catalog(session.platform).get(datasetId) : undefined;
  const tablePath: string | undefined = source?.params?.tableName;
  // The table's name (explore's root listing): from the state file's cache, else one explore call.
  let tableName = tablePath ? state.tables?.items.find((t) => t.path === tablePath)?.name : undefined;
  if (tablePath && !tableName && source?.baseConnectionId) {
    const tables = await session.flow.exploreRoot(source.baseConnectionId).catch(() => []);
    tableName = tables.find((t) => t.path === tablePath)?.name;
  }
  const mapping = (flow.transformations ?? []).find((t: { name?: string }) => t.name === 'Mapping');
  const ingestion =
    datasetId && isStreamingFlow(flow)
      ? await flowIngestion(ctx, session, datasetId, template ? state.syncs?.[template] : undefined)
      : undefined;
  const schedule = scheduleSummary(flow.scheduleParams);
  const next = nextRun(schedule, String(flow.state ?? 'unknown'), ctx.now(), !!runs[0]);
  return {
    id: flow.id,
    flowId: flow.id,
    name: flow.name,
    ...(template ? { template } : {}),
    sandbox: session.settings.sandbox,
    state: String(flow.state ?? 'unknown'),
    schedule,
    ...(source?.baseConnectionId
      ? { baseConnectionId: source.baseConnectionId, connectionId: source.baseConnectionId }
      : {}),
    ...(sourceId ? { sourceConnectionId: sourceId } : {}),
    ...(tablePath ? { table: { path: tablePath, ...(tableName ? { name: tableName } : {}) } } : {}),
    ...(targetId ? { targetConnectionId: targetId } : {}),
    ...(datasetId ? { dataset: { id: datasetId, ...(dataset?.name ? { name: dataset.name } : {}) }, datasetId } : {}),
    ...(target?.data?.schema?.id ? { schemaId: target.data.schema.id } : {}),
    ...(mapping?.params?.mappingId ? { mappingSetId: mapping.params.mappingId } : {}),
    ...(iso(flow.createdAt) ? { createdAt: iso(flow.createdAt) } : {}),
    ...(iso(flow.updatedAt) ? { updatedAt: iso(flow.updatedAt) } : {}),
    ...(runs[0] ? { lastRun: runs[0] } : {}),
    ...(options.history && runs.length ? { recentRuns: runs } : {}),
    ...(next ? { nextRunAt: next } : {}),
    ...(ingestion ? { ingestion } : {}),
  };
}

/** A flow of the HTTP API streaming source (sync posts its records; no schedule, no runs of its own). */
export const isStreamingFlow = (flow: FlowResource) => !!pathOfFlow(flow)?.streaming;

/**
 * What AEP made of the last sync pass (its start from the state file, else the last day): undefined,
 * with a warning, when Catalog cannot be read (the rest of the answer still stands).
 */
export async function flowIngestion(
  ctx: Context,
  session: Session,
  datasetId: string,
  sync: Pick<SyncState, 'lastPassAt'> | undefined,
): Promise<Ingestion | undefined> {
  try {
    return await readIngestion(session.platform, datasetId, ingestionSince(sync?.lastPassAt, ctx.now().getTime()));
  } catch (error) {
    if (!isUserError(error)) throw error;
    ctx.log.warn(`Could not read what AEP ingested from dataset ${datasetId}: ${error.message}`);
    return undefined;
  }
}

export interface FlowStateChange {
  flowId: string;
  name: string;
  state: 'enabled' | 'disabled';
  changed: boolean;
  template?: string;
}

/** `dataflow enable|disable`: ruling 18's action, sent only when the flow is not in that state already. */
export async function setFlowState(ctx: Context, input: string, op: 'enable' | 'disable'): Promise<FlowStateChange> {
  const session = await ctx.services();
  const { flow, template } = await resolveFlow(session, input);
  const wanted = op === 'enable' ? 'enabled' : 'disabled';
  const base = {
    flowId: flow.id,
    name: flow.name,
    state: wanted as FlowStateChange['state'],
    ...(template ? { template } : {}),
  };
  if (String(flow.state).toLowerCase() === wanted) return { ...base, changed: false };
  await session.platform.send(flowService.action(flow.id, op));
  return { ...base, changed: true };
}
