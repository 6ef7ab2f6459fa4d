// Flow Service runs (aep-api.md §8.4). Runs are produced lazily from each enabled flow's schedule
// whenever runs or flows are read: one run for `once`, one per elapsed interval otherwise. Each
// run is stored in `state.runs`, stays `inProgress` for `runDurationMs`, then ends `success` (or
// `failed`, or `success` with some failed records, when the emulator is told so), with metrics
// computed from the source table's rows and row-level causes where Adobe reports them. With
// `stalledScheduler` no run starts at all: a due run that never comes.
import { randomBytes } from 'node:crypto';
import type { Router } from '../router.js';
import { newEtag, newId, type Resource } from '../state.js';
import { findTable } from '../zoho-crm.js';
import type { ServiceContext } from './context.js';
import { findFlowSpec, isStreaming } from '../flow-specs-data.js';
import { badRequest, FLOW, find, list, notFound, visible } from './flow-common.js';
import { FREQUENCY_MS } from './flow-validate.js';

const DEFAULT_RUN_MS = 3000;
/** At most this many missed intervals are produced at once; older ones are skipped. */
export const MAX_CATCH_UP_RUNS = 100;

export interface RunEngine {
  /** Creates the runs a flow's schedule has made due by now, and settles finished ones. */
  sync(flow: Resource): Resource[];
  /** The flow's newest run, settled, if any. */
  lastRun(flow: Resource): Resource | undefined;
  /** Called when a flow is enabled again: runs missed while disabled are not produced. */
  resume(flow: Resource): void;
  /** Drops a deleted flow's runs. */
  forget(flowId: string): void;
  /** Starts an on-demand run (POST /runs) over a window of the source's delta column. */
  onDemand(flow: Resource, params: OnDemandParams): Resource;
}

/** An on-demand run's params, as POST /runs gives them: unix seconds (on-demand-ingestion.md). */
export interface OnDemandParams {
  startTime: number;
  windowStartTime: number;
  windowEndTime: number;
  deltaColumn?: { name: string };
}

const ON_DEMAND = '-ondemand-';

export function createRunEngine(ctx: ServiceContext): RunEngine {
  const { state } = ctx;
  const resumedAt = new Map<string, number>();
  const duration = () => Math.max(0, ctx.options.runDurationMs ?? DEFAULT_RUN_MS);
  const runsOf = (flowId: string) =>
    state.runs
      .all()
      .filter((run) => run.flowId === flowId)
      .sort((a, b) => a.createdAt - b.createdAt);

  /** Start times of the runs due since the last one (or since the schedule began). */
  function dueStarts(flow: Resource, existing: Resource[], now: number): number[] {
    const schedule = flow.scheduleParams ?? {};
    const anchor = Math.max(Number(schedule.startTime) * 1000, flow.createdAt, resumedAt.get(flow.id) ?? 0);
    if (schedule.frequency === 'once' || !FREQUENCY_MS[schedule.frequency]) {
      return existing.length || anchor > now ? [] : [anchor];
    }
    const step = Number(schedule.interval) * FREQUENCY_MS[schedule.frequency];
    const last = existing.at(-1);
    let next = last ? Math.max(last.createdAt + step, resumedAt.get(flow.id) ?? 0) : anchor;
    if (next > now) return [];
    let count = Math.floor((now - next) / step) + 1;
    if (count > MAX_CATCH_UP_RUNS) {
      next += (count - MAX_CATCH_UP_RUNS) * step;
      count = MAX_CATCH_UP_RUNS;
    }
    return Array.from({ length: count }, (_, i) => next + i * step);
  }

  function start(flow: Resource, startedAt: number, index: number, params?: OnDemandParams): Resource {
    const etag = newEtag();
    const run: Resource = {
      id: newId(),
      createdAt: startedAt,
      updatedAt: startedAt,
      createdBy: flow.createdBy,
      updatedBy: flow.createdBy,
      createdClient: flow.createdClient,
      updatedClient: flow.createdClient,
      sandboxId: flow.sandboxId,
      sandboxName: flow.sandboxName,
      imsOrgId: flow.imsOrgId,
      flowId: flow.id,
      flowSpec: { ...flow.flowSpec },
      providerRefId: `M-${flow.id}${params ? ON_DEMAND : '-incremental-'}${index}:${newId()}`,
      ...(params ? { params: { ...params } } : {}),
      etag,
      version: etag,
      metrics: inProgressMetrics(startedAt),
      activities: [activity('copyActivity', 'Copy Activity', startedAt, { status: 'inProgress' })],
    };
    return state.runs.add(run);
  }

  /** Ends a run whose time is up, with metrics from the table its flow reads. */
  function settle(run: Resource, now: number): Resource {
    if (run.metrics.statusSummary.status !== 'inProgress') return run;
    const startedAt = run.metrics.durationSummary.startedAtUTC;
    const completedAt = startedAt + duration();
    if (now < completedAt) return run;
    const flow = state.flows.get(run.flowId);
    const outcome = ctx.options.runOutcome ?? 'success';
    const failed = outcome === 'failed';
    const rows = flow ? sourceRows(flow, run.params) : [];
    // 'partial': every tenth record fails mapping, the run still succeeds (monitor.md's example: 99 of 100).
    const failedRows = failed ? rows.length : outcome === 'partial' ? Math.max(1, Math.floor(rows.length / 10)) : 0;
    const ingested = rows.length - failedRows;
    const inputBytes = Buffer.byteLength(JSON.stringify(rows));
    const outputBytes = failed ? 0 : Math.round((inputBytes * 0.7 * ingested) / Math.max(1, rows.length)); // Parquet in the Data Lake is smaller.
    const records = {
      inputRecordCount: rows.length,
      createdRecordCount: ingested,
      outputRecordCount: ingested,
      failedRecordCount: failedRows,
    };
    const errors =
      failed || failedRows
        ? [{ code: 'CONNECTOR-2001-500', message: 'Error occurred at promotion activity.' }]
        : undefined;
    const status = failed ? 'failed' : 'success';
    const copyDone = startedAt + Math.round(duration() * 0.6);
    const batchId = batchIdFor();
    const etag = newEtag();
    Object.assign(run, {
      updatedAt: completedAt,
      etag,
      version: etag,
      metrics: {
        durationSummary: { startedAtUTC: startedAt, completedAtUTC: completedAt },
        sizeSummary: { inputBytes, outputBytes },
        recordSummary: records,
        fileSummary: { inputFileCount: 1, outputFileCount: failed ? 0 : 1, activityRefs: ['promotionActivity'] },
        statusSummary: { status, ...(errors ? { errors } : {}), activityRefs: ['promotionActivity'] },
      },
      activities: [
        activity(
          'copyActivity',
          'Copy Activity',
          startedAt,
          { status: 'success' },
          copyDone,
          { inputBytes, outputBytes: inputBytes },
          { inputFileCount: 1, outputFileCount: 1 },
        ),
        {
          ...activity(
            'promotionActivity',
            'Promotion Activity',
            copyDone,
            { status, ...(errors ? { errors, extensions: rowErrors(batchId, failedRows, ingested) } : {}) },
            completedAt,
            { inputBytes, outputBytes },
            { inputFileCount: 1, outputFileCount: failed ? 0 : 1 },
          ),
          recordSummary: records,
          targetInfo: (flow?.targetConnectionIds ?? []).map((id: string) => ({
            type: 'TargetConnection',
            id,
            reference: { type: 'Batch', ids: [batchId] },
          })),
        },
      ],
    });
    return run;
  }

  /**
   * The rows a run reads: the source table's rows, limited to the listed columns if any; an
   * on-demand run only those whose delta column falls in its window [windowStartTime, windowEndTime).
   */
  function sourceRows(flow: Resource, window?: OnDemandParams): Record<string, unknown>[] {
    const copy = (flow.transformations ?? []).find((t: { name?: string }) => t.name === 'Copy');
    const delta: string = window?.deltaColumn?.name ?? copy?.params?.deltaColumn?.name ?? 'Modified_Time';
    const inWindow = (row: Record<string, unknown>) => {
      if (!window) return true;
      const at = Date.parse(String(row[delta] ?? ''));
      return at >= window.windowStartTime * 1000 && at < window.windowEndTime * 1000;
    };
    const rows: Record<string, unknown>[] = [];
    for (const id of flow.sourceConnectionIds ?? []) {
      const source = state.sourceConnections.get(id);
      const table = source ? findTable(source.params?.tableName) : undefined;
      if (!table) continue;
      const columns: string[] | undefined = Array.isArray(source!.params?.columns)
        ? source!.params.columns.map((column: { name?: string } | string) =>
            typeof column === 'string' ? column : column.name,
          )
        : undefined;
      for (const row of table.rows.filter(inWindow))
        rows.push(columns ? Object.fromEntries(columns.map((name) => [name, row[name]])) : row);
    }
    return rows;
  }

  return {
    sync(flow) {
      const now = ctx.now();
      const existing = runsOf(flow.id);
      // Streaming flows have no schedule and no runs here (that they produce runs is UNVERIFIED, aep-fallback.md §1.8).
      if (flow.state === 'enabled' && flow.scheduleParams && !ctx.options.stalledScheduler) {
        // On-demand runs do not count against the schedule's own runs.
        const scheduled = existing.filter((run) => !String(run.providerRefId).includes(ON_DEMAND));
        for (const startedAt of dueStarts(flow, scheduled, now)) {
          const run = start(flow, startedAt, scheduled.length);
          scheduled.push(run);
          existing.push(run);
        }
        existing.sort((a, b) => a.createdAt - b.createdAt);
      }
      return existing.map((run) => settle(run, now));
    },
    onDemand(flow, params) {
      this.sync(flow);
      const index = runsOf(flow.id).filter((run) => String(run.providerRefId).includes(ON_DEMAND)).length;
      const run = start(flow, Math.max(ctx.now(), params.startTime * 1000), index, params);
      return settle(run, ctx.now());
    },
    lastRun(flow) {
      return this.sync(flow).at(-1);
    },
    resume(flow) {
      resumedAt.set(flow.id, ctx.now());
    },
    forget(flowId) {
      for (const run of runsOf(flowId)) state.runs.delete(run.id);
      resumedAt.delete(flowId);
    },
  };
}

export function registerFlowRuns(router: Router, ctx: ServiceContext, engine: RunEngine): void {
  const { state } = ctx;

  router.on('GET', `${FLOW}/runs`, (req) => {
    for (const flow of state.flows.all()) if (visible(flow, req.caller!)) engine.sync(flow);
    // Adobe's docs filter on `Failed` and `failed` alike; run statuses are lowercase.
    const query = new URLSearchParams(req.query);
    query.delete('property');
    for (const filter of req.query.getAll('property')) {
      query.append(
        'property',
        /^metrics\.statusSummary\.status\s*[=!]=/.test(filter)
          ? filter.replace(
              /(=)([^=]*)$/,
              (_m, eq, values: string) => `${eq}${values.replace(/[A-Za-z]+/g, normalStatus)}`,
            )
          : filter,
      );
    }
    return list({ ...req, query }, state.runs.all(), `${FLOW}/runs`);
  });

  // On-demand ingestion (help/sources/tutorials/api/on-demand-ingestion.md; flow-service.yaml
  // createFlowRun): `{flowId, params: {startTime, windowStartTime, windowEndTime, deltaColumn?}}`,
  // times in unix seconds as the docs' examples give them (the spec says milliseconds, its examples
  // are seconds). "Support for on-demand ingestion is available only for batch sources", and "the
  // flow must be scheduled for one-time ingestion" (spec and docs). A deltaColumn other than the
  // flow's Copy one is an error (the docs). 201 with `{items: [{id, etag}]}` as the docs show it.
  router.on('POST', `${FLOW}/runs`, (req) => {
    const body = (req.body ?? {}) as Record<string, any>;
    if (typeof body !== 'object' || Array.isArray(body) || typeof body.flowId !== 'string' || !body.flowId)
      return badRequest(req, 'flowId is required: the ID of the flow to create the run against.');
    const flow = state.flows.get(body.flowId);
    if (!flow || !visible(flow, req.caller!)) return notFound(req, 'flows', body.flowId);
    const spec = findFlowSpec(flow.flowSpec?.id);
    if (!spec || isStreaming(spec))
      return badRequest(
        req,
        `Flow ${flow.id} is a streaming flow: support for on-demand ingestion is available only for batch sources.`,
      );
    if (flow.scheduleParams?.frequency !== 'once')
      return badRequest(
        req,
        `Flow ${flow.id} is scheduled ${flow.scheduleParams?.frequency ?? 'without a frequency'}: a run can be created only against a flow scheduled for one-time ingestion.`,
      );
    const params = (body.params ?? {}) as Record<string, unknown>;
    const seconds = (key: string, required: boolean): number | string | undefined => {
      const value = params[key];
      if (value === undefined) return required ? `params.${key} is required (unix time in seconds).` : undefined;
      const text = String(value);
      if (!/^\d{1,11}$/.test(text))
        return `params.${key} must be a unix time in seconds, not ${JSON.stringify(value)}.`;
      return Number(text);
    };
    const startTime = seconds('startTime', false) ?? Math.floor(ctx.now() / 1000);
    const windowStartTime = seconds('windowStartTime', true);
    const windowEndTime = seconds('windowEndTime', true);
    for (const value of [startTime, windowStartTime, windowEndTime])
      if (typeof value === 'string') return badRequest(req, value);
    if ((windowStartTime as number) >= (windowEndTime as number))
      return badRequest(req, 'params.windowStartTime must be before params.windowEndTime.');
    const copy = (flow.transformations ?? []).find((t: { name?: string }) => t.name === 'Copy');
    const flowDelta = copy?.params?.deltaColumn?.name;
    const delta = params.deltaColumn as { name?: unknown } | undefined;
    if (delta !== undefined && (typeof delta?.name !== 'string' || (flowDelta && delta.name !== flowDelta)))
      return badRequest(
        req,
        `params.deltaColumn cannot change the flow's delta column${flowDelta ? ` (${flowDelta})` : ''}: the Copy transformation's deltaColumn is the source of truth.`,
      );
    const run = engine.onDemand(flow, {
      startTime: startTime as number,
      windowStartTime: windowStartTime as number,
      windowEndTime: windowEndTime as number,
      ...(delta ? { deltaColumn: { name: String(delta.name) } } : {}),
    });
    return {
      status: 201,
      body: { items: [{ id: run.id, etag: run.etag }] },
      headers: { location: `${FLOW}/runs/${run.id}` },
    };
  });

  router.on('GET', `${FLOW}/runs/:id`, (req) => {
    const run = find(req, state.runs);
    const flow = run && state.flows.get(run.flowId);
    if (flow) engine.sync(flow);
    return run ? { status: 200, body: { items: [run] } } : notFound(req, 'runs', req.params.id);
  });
}

/** `Failed` → `failed`, `INPROGRESS` → `inProgress`: the casings Adobe's docs use. */
function normalStatus(value: string): string {
  const lower = value.toLowerCase();
  return lower === 'inprogress' ? 'inProgress' : lower;
}

function inProgressMetrics(startedAt: number): Record<string, unknown> {
  return {
    durationSummary: { startedAtUTC: startedAt },
    sizeSummary: { inputBytes: 0, outputBytes: 0 },
    recordSummary: { inputRecordCount: 0, outputRecordCount: 0, failedRecordCount: 0 },
    fileSummary: { inputFileCount: 0, outputFileCount: 0, activityRefs: [] },
    statusSummary: { status: 'inProgress', activityRefs: ['copyActivity'] },
  };
}

function activity(
  id: string,
  name: string,
  startedAt: number,
  statusSummary: Record<string, unknown>,
  completedAt?: number,
  sizeSummary = { inputBytes: 0, outputBytes: 0 },
  fileSummary: Record<string, number> = { inputFileCount: 0 },
): Record<string, unknown> {
  return {
    id,
    name,
    updatedAtUTC: completedAt ?? startedAt,
    durationSummary:
      completedAt === undefined
        ? { startedAtUTC: startedAt }
        : { startedAtUTC: startedAt, completedAtUTC: completedAt },
    sizeSummary,
    fileSummary,
    statusSummary,
  };
}

/**
 * The row-level causes of failed records, where Adobe's run responses put them: the promotion
 * activity's `statusSummary.extensions` (monitor.md and every source tutorial's "Monitor your
 * dataflow": INGEST-1212-400 with the counts, MAPPER-3700-400 with a recordCount, and the
 * diagnostic files' manifest).
 */
function rowErrors(batchId: string, failed: number, ingested: number): Record<string, unknown> {
  const meta = `https://platform.adobe.io/data/foundation/export/batches/${batchId}/meta`;
  return {
    manifest: { failedRecords: `${meta}?path=row_errors`, sampleErrors: `${meta}?path=row_error_samples.json` },
    errors: [
      {
        code: 'INGEST-1212-400',
        message: `Encountered ${failed} errors in the data. Successfully ingested ${ingested} rows. Review the associated diagnostic files for additional details.`,
      },
      { code: 'MAPPER-3700-400', recordCount: failed, message: 'Mapper Transform Error' },
    ],
  };
}

/** Catalog batch ids are ULIDs: 26 Crockford base-32 characters, e.g. 01EF01X41KJD82Y9ZX6ET54PCZ. */
function batchIdFor(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return [...randomBytes(26)].map((byte) => alphabet[byte % 32]).join('');
}
