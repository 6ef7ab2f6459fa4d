// `dataflow create`: observe, check and desire each template, plan, ask, apply (converge/), then the
// path's own bookkeeping. A short script over converge's plain functions.
import { resolveVia } from '../config/settings.js';
import type { Via } from '../config/state.js';
import { defaultConnectionName, unknownType, xdmDestination, type Schedule } from '../converge/desire.js';
import type { Execution } from '../converge/apply.js';
import { observe, observeShared, type Observation, type Services, type Shared } from '../converge/observe.js';
import { changesAnything } from '../converge/plan.js';
import { planConverge } from '../converge/plan-converge.js';
import { checkColumns, prepare, type Prepared } from '../converge/prepare.js';
import type { Kind, Step } from '../converge/types.js';
import type { Context } from '../core/context.js';
import { refuseInlet } from '../aep/inlet.js';
import { inletUrlOf } from '../paths/http-api.js';
import { UsageError, UserError } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import type { LoadedTemplate, TemplateMapping } from '../template/types.js';
import { PATHS, type SourcePath } from '../paths/index.js';
import { execute, printable } from './execute.js';
import { runTasks, type Task } from './runner.js';
import { sessionServices, type Session } from './session.js';
import { para } from '../core/text.js';

export type { Schedule } from '../converge/desire.js';
export { checkSchedule } from '../paths/zoho-source.js';

export interface DataflowResult {
  template: string;
  flowId: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  datasetId: string;
  schemaId: string;
  mappingSetId: string;
  created: string[];
  reused: string[];
  updated: string[];
  replaced: string[];
  skippedColumns: string[];
  via: Via;
}

export interface CreateOptions {
  /** --via (else AEP_ZOHO_VIA, else what connect recorded). */
  via?: string;
  dryRun: boolean;
  /** Skip (with a warning) mappings of columns the table lacks, instead of exit 2. */
  allowMissingColumns?: boolean;
  schedule?: Partial<Schedule>;
  concurrency?: number;
}

export interface DryRunResult {
  plan: PlanStep[];
  /** Per template, the first preview rows as the XDM records the mapping would produce. */
  preview: Array<{ template: string; records: Array<Record<string, unknown>> }>;
  /** Exit code 3 with --exit-code when set. */
  changes: boolean;
}

export async function createDataflows(
  ctx: Context,
  templates: LoadedTemplate[],
  options: CreateOptions,
): Promise<{ dataflows: DataflowResult[] } | DryRunResult> {
  const now = Math.floor(ctx.now().getTime() / 1000);
  const startTime = checkStart(options.schedule?.startTime, now);
  const session = await ctx.services();
  const saved = await session.state.read(session.settings.sandbox);
  const path = PATHS[resolveVia(options.via, ctx.env, saved.via)];
  // Schedules first: a bad one is a usage error, whatever else is missing. The command line wins over the template.
  const schedules = templates.map(
    (t) => path.schedule(t, options.schedule, startTime) ?? { frequency: 'once' as const, startTime },
  );
  const services = sessionServices(session, ctx, path);
  const shared = observeShared(services, saved);
  void [shared.tenantId, shared.flowSpec]; // both in the first wave of lookups
  const w: Workspace = { ctx, session, path, services, shared, templates, schedules, options };
  const { observed, prepared } = await lookUp(w);
  // The inlet sync will post to, refused before anything is planned or changed (aep/inlet.ts).
  const { connection } = observed;
  if (path.streaming)
    refuseInlet(inletUrlOf(connection.resource, connection.id), session.settings.platformUrl, 'dataflow create');
  checkColumns(ctx.log, prepared, options.allowMissingColumns);
  const today = `${ctx.now().toISOString().slice(0, 16)}Z`;
  const all = await planConverge({ prepared, observed, saved, shared, now, today });
  for (const step of all)
    for (const note of step.notes ?? []) ctx.log.warn(`${step.template ? `${step.template}: ` : ''}${note}.`);
  if (options.dryRun) return { plan: printable(all), preview: preview(prepared), changes: changesAnything(all) };
  await confirmReplaces(ctx, all);
  const execution = await execute(ctx, session, all, { groups: (t) => (t ? `Dataflow '${t}'` : undefined) });
  const dataflows = prepared.map((p) => dataflowResult(p, all, execution, path.via));
  await afterApply(w, observed, prepared, dataflows, all);
  return { dataflows };
}

/** What one dataflow create works on: the session, the chosen path, the run's shared lookups, the templates. */
interface Workspace {
  ctx: Context;
  session: Session;
  path: SourcePath;
  services: Services;
  shared: Shared;
  templates: LoadedTemplate[];
  /** Per template (in order), its checked schedule. */
  schedules: Schedule[];
  options: CreateOptions;
}

/** Observe (one progress line), then each template checked against its table and desired. */
async function lookUp(w: Workspace): Promise<{ observed: Observation; prepared: Prepared[] }> {
  const { ctx, session, path, shared, templates, options } = w;
  const { sandbox, profileName: profile } = session.settings;
  const noConnection = () =>
    new UserError(`Profile '${profile}' has no ${path.names.connection} in sandbox '${sandbox}'.`, {
      hint: `Run 'aep-zoho connect${path.names.flag}' first.`,
    });
  // Adobe's explore on the base connection, or (http-api) Zoho's own API: the tables and their columns.
  const reader = await path.reader(ctx, session);
  const connectionName = shared.saved.connection?.name ?? defaultConnectionName(profile);
  const out = { observed: undefined as unknown as Observation, prepared: [] as Prepared[] };
  const task: Task<object> = {
    title: 'Look up the connection, tables, tenant, flow spec and existing resources',
    task: async (_c, t) => {
      const observed = await observe(w.services, shared, templates, {
        reader,
        connectionName,
        noConnection,
        preview: options.dryRun,
      });
      const { connection, tables, tenantId, flowSpecId } = observed;
      const tableNames = Object.fromEntries(tables.map((table) => [table.path, table.name]));
      const explicitStart = options.schedule?.startTime !== undefined;
      out.prepared = templates.map((loaded, i) => {
        const facts = { profile, tenantId, flowSpecId, tableNames, schedule: w.schedules[i], explicitStart, path };
        return prepare(loaded, observed.templates[i], facts, connection.id);
      });
      out.observed = observed;
      t.title = para`Connection ${connection.id}, ${tables.length} ${path.names.tables}, tenant ${tenantId},
        flow spec ${path.names.flowSpec} (${flowSpecId})`;
    },
  };
  await runTasks(ctx, [task], {});
  return out;
}

/** A start in the past would be refused by Adobe (or run a backfill nobody asked for): exit 2 before anything is sent. */
function checkStart(given: number | undefined, now: number): number {
  if (given !== undefined && given < now - 60) {
    throw new UsageError(`--start ${new Date(given * 1000).toISOString()} is in the past.`, {
      hint: "Give a time from now on, or 'now'; an existing dataflow keeps its start once its first run is due.",
    });
  }
  return given ?? now;
}

/** Per template, its first rows as the XDM records the mapping would produce (a dry run's preview). */
function preview(prepared: Prepared[]): DryRunResult['preview'] {
  return prepared.map((p) => {
    const mappings = p.mappings.map((m) => ({
      ...m,
      destination: xdmDestination(m.destination, p.tenantId, p.fallback),
    }));
    // A whole column of a type aep-zoho does not know lands as a string (a warning says so): the
    // preview shows it as one too.
    const asString = new Set(p.observed.columns.filter((c) => unknownType(c)).map((c) => c.name));
    return {
      template: p.loaded.template.name,
      records: p.observed.rows.map((row) => mapRecord(row, mappings, asString)),
    };
  });
}

/** A replace (and a duplicate dataset's delete: it holds records) is asked before anything is sent. */
async function confirmReplaces(ctx: Context, all: Step[]): Promise<void> {
  const replaces = all.filter((s) => s.action === 'replace');
  const dataDuplicates = all.filter(
    (s) => s.action === 'delete' && s.kind === 'dataset' && s.key.includes('#duplicate/'),
  );
  if (!replaces.length && !dataDuplicates.length) return;
  const list = [
    ...replaces.map((s) => `${s.template}: ${s.name} (${s.reason})`),
    ...dataDuplicates.map(
      (s) => `${s.template}: delete dataset ${s.name} (${s.id}) and the records in it (${s.reason})`,
    ),
  ].join('; ');
  const what = replaces.length
    ? `Replace ${replaces.length} resource(s)`
    : `Delete ${dataDuplicates.length} duplicate dataset(s)`;
  const ok = await ctx.confirm(`${what}? ${list}`, '--yes');
  if (!ok)
    throw new UserError('dataflow create stopped: nothing was changed.', {
      hint: "Run 'aep-zoho dataflow create --dry-run' to see why each is replaced; pass --yes to go ahead.",
    });
}

/** What one template's run made, reused, updated and replaced, with the ids. */
function dataflowResult(p: Prepared, all: Step[], execution: Execution, via: Via): DataflowResult {
  const template = p.loaded.template.name;
  const outcome = (kind: Kind) => execution.outcomes.get(`${template}/${kind}`)?.id ?? '';
  const mine = all.filter((s) => s.template === template && !s.key.endsWith('#profile'));
  const by = (action: Step['action']) => mine.filter((s) => s.action === action).map((s) => s.kind);
  const profileSteps = all.filter((s) => s.template === template && s.key.endsWith('#profile')).map((s) => s.kind);
  return {
    template,
    flowId: outcome('flow'),
    sourceConnectionId: outcome('sourceConnection'),
    targetConnectionId: outcome('targetConnection'),
    datasetId: outcome('dataset'),
    schemaId: outcome('schema'),
    mappingSetId: outcome('mappingSet'),
    created: by('create'),
    reused: by('reuse'),
    updated: [...new Set([...by('update'), ...profileSteps])],
    replaced: by('replace'),
    skippedColumns: p.skippedColumns,
    via,
  };
}

/** The path's own bookkeeping (http-api: what `sync` feeds). */
function afterApply(
  { ctx, session, path }: Workspace,
  observed: Observation,
  prepared: Prepared[],
  dataflows: DataflowResult[],
  steps: Step[],
): Promise<void> {
  return path.afterApply(ctx, session, {
    connection: observed.connection,
    templates: prepared.map((p, i) => ({
      template: p.loaded.template,
      table: p.observed.table,
      columns: p.observed.columns,
      mappings: p.mappings,
      flowId: dataflows[i].flowId,
      datasetId: dataflows[i].datasetId,
    })),
    steps,
  });
}

/**
 * A row as the XDM record the mapping set would produce, computed locally for --dry-run (the
 * schema may not exist yet, and Data Prep's preview needs it). Source columns are copied to their
 * destinations; calculated fields are shown as the expression Data Prep will evaluate.
 */
export function mapRecord(
  row: Record<string, unknown>,
  mappings: TemplateMapping[],
  asString: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const m of mappings) {
    let value: unknown = m.expression
      ? `=${m.expression}`
      : m
          .source!.split('.')
          .reduce<unknown>(
            (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
            row,
          );
    if (value === undefined || value === null) continue;
    if (m.source && asString.has(m.source) && typeof value === 'object') value = JSON.stringify(value);
    const keys = m.destination.split('.');
    let node = record;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return record;
}
