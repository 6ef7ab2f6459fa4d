import { closest, distance } from 'fastest-levenshtein';
import type { ExploreColumn } from '../aep/flow-service.js';
import { resolveVia } from '../config/settings.js';
import type { Via } from '../config/state.js';
import {
  defaultConnectionName,
  desireTemplate,
  mappingColumns,
  unknownType,
  xdmDestination,
  type Schedule,
  type TemplateFacts,
} from '../converge/desire.js';
import {
  later,
  observeConnection,
  observeShared,
  observeTemplate,
  type TemplateObservation,
} from '../converge/observe.js';
import { planConnectionDuplicates, planTemplateDuplicates } from '../converge/duplicates.js';
import { changesAnything, plan, planDeletes } from '../converge/plan.js';
import { CREATE_ORDER } from '../converge/kinds/index.js';
import { matchTable, unknownTable, type TableRef } from '../converge/tables.js';
import type { Actual, Desired, Kind, Step } from '../converge/types.js';
import type { Context } from '../core/context.js';
import { refuseInlet } from '../aep/inlet.js';
import { inletUrlOf } from '../paths/http-api.js';
import { UsageError, UserError } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import { TENANT_PLACEHOLDER, type LoadedTemplate, type TemplateMapping } from '../template/types.js';
import { lineOf } from '../template/load.js';
import { PATHS } from '../paths/index.js';
import { execute, printable } from './execute.js';
import { runTasks, type Task } from './runner.js';
import { sessionServices } from './session.js';

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

/** What one template needs from the lookups, and what they found. */
interface Prepared {
  loaded: LoadedTemplate;
  observed: TemplateObservation;
  mappings: TemplateMapping[];
  skippedColumns: string[];
  fallback: boolean;
  tenantId: string;
  desired: Desired[];
}

export async function createDataflows(
  ctx: Context,
  templates: LoadedTemplate[],
  options: CreateOptions,
): Promise<{ dataflows: DataflowResult[] } | DryRunResult> {
  const nowSeconds = Math.floor(ctx.now().getTime() / 1000);
  const explicitStart = options.schedule?.startTime !== undefined;
  // A start in the past would be refused by Adobe (or run a backfill nobody asked for): exit 2 before anything is sent.
  if (explicitStart && options.schedule!.startTime! < nowSeconds - 60) {
    throw new UsageError(`--start ${new Date(options.schedule!.startTime! * 1000).toISOString()} is in the past.`, {
      hint: "Give a time from now on, or 'now'; an existing dataflow keeps its start once its first run is due.",
    });
  }
  const startTime = options.schedule?.startTime ?? nowSeconds;
  const session = await ctx.services();
  const sandbox = session.settings.sandbox;
  const profile = session.settings.profileName;
  const saved = await session.state.read(sandbox);
  const path = PATHS[resolveVia(options.via, ctx.env, saved.via)];
  // Schedules first: a bad one is a usage error, whatever else is missing. The command line wins over the template.
  const schedules = new Map(
    templates.map((t) => [t.template.name, path.schedule(t, options.schedule, startTime)] as const),
  );
  const services = sessionServices(session, ctx, path);
  const shared = observeShared(services, saved);
  void [shared.tenantId, shared.flowSpec]; // both in the first wave of lookups
  const prepared = new Map<string, Prepared>();
  const noConnection = () =>
    new UserError(`Profile '${profile}' has no ${path.names.connection} in sandbox '${sandbox}'.`, {
      hint: `Run 'aep-zoho connect${path.names.flag}' first.`,
    });
  // Adobe's explore on the base connection, or (http-api) Zoho's own API: the tables and their columns.
  const reader = await path.reader(ctx, session);
  let connection: Actual | undefined;
  let tables: TableRef[] = [];

  const lookups: Array<Task<object>> = [
    {
      title: 'Look up the connection, tables, tenant, flow spec and existing resources',
      task: async (_c, task) => {
        // The saved connection id and a cached listing let every lookup, the tables' columns
        // included, start in this one wave; if the saved connection turns out gone, look again.
        const savedId = saved.connection?.id;
        const observeAll = async (
          trustSaved: boolean,
        ): Promise<{ observed: TemplateObservation[]; tenantId: string; flowSpecId: string }> => {
          const connectionFound = later(
            observeConnection(services, shared, saved.connection?.name ?? defaultConnectionName(profile)),
          );
          const connectionId = later(connectionFound.then((c) => c?.id));
          // Trusting the saved connection, the listing (cached, else fetched on it) does not wait for the lookup.
          const early = trustSaved && savedId ? savedId : undefined;
          const listing = later(
            reader.tables(
              () =>
                early ? Promise.resolve(early) : connectionId.then((id) => (id ? id : Promise.reject(noConnection()))),
              { cached: !!early },
            ),
          );
          const tableOf = (loaded: LoadedTemplate) =>
            later(
              listing.then((list) => {
                const table = matchTable(list, loaded.template.source.table);
                if (table) return table;
                const error = unknownTable(list, loaded.template.source.table);
                throw new UsageError(`Template '${loaded.template.name}' (${loaded.file}): ${error.message}`, {
                  hint: error.hint,
                });
              }),
            );
          const explored = early ? Promise.resolve(savedId) : connectionId;
          const observations = templates.map((loaded) =>
            later(
              observeTemplate(
                services,
                shared,
                loaded.template,
                connectionId,
                explored,
                tableOf(loaded),
                options.dryRun,
                (table, preview) => reader.read(() => explored, table, preview, 3), // 3: a dry run's preview
              ),
            ),
          );
          const found = await connectionFound;
          if (!found) throw noConnection();
          if (early && found.id !== savedId) return observeAll(false); // the saved connection is gone: look again
          const [list, tenantId, spec] = await Promise.all([listing, shared.tenantId, shared.flowSpec]);
          connection = found;
          tables = list;
          return { observed: await Promise.all(observations), tenantId, flowSpecId: spec.id };
        };
        const { observed, tenantId, flowSpecId } = await observeAll(true);
        const tableNames = Object.fromEntries(tables.map((t) => [t.path, t.name]));
        templates.forEach((loaded, i) => {
          prepared.set(
            loaded.template.name,
            prepare(
              loaded,
              observed[i],
              {
                profile,
                tenantId,
                flowSpecId,
                tableNames,
                schedule: schedules.get(loaded.template.name) ?? { frequency: 'once', startTime },
                explicitStart,
                path,
              },
              connection!.id,
            ),
          );
        });
        task.title = `Connection ${connection!.id}, ${tables.length} ${path.names.tables}, tenant ${tenantId}, flow spec ${path.names.flowSpec} (${flowSpecId})`;
      },
    },
  ];
  await runTasks(ctx, lookups, {});
  // The inlet sync will post to, refused before anything is planned or changed (aep/inlet.ts).
  if (path.streaming)
    refuseInlet(inletUrlOf(connection!.resource, connection!.id), session.settings.platformUrl, 'dataflow create');

  // A misspelled column would silently never be ingested: an error naming the template line and
  // the closest column, unless --allow-missing-columns says the gap is deliberate.
  const missing = [...prepared.values()].flatMap((p) =>
    p.skippedColumns.map((c) => {
      const near = closest(
        c,
        p.observed.columns.map((col) => col.name),
      );
      const line = lineOf(p.loaded.file, c);
      return {
        template: p.loaded.template.name,
        text: `${p.loaded.file}${line ? `:${line}` : ''}: column ${c} is not in table ${p.observed.table.name}${near && distance(near.toLowerCase(), c.toLowerCase()) <= 2 ? ` (did you mean ${near}?)` : ''}`,
      };
    }),
  );
  if (missing.length && !options.allowMissingColumns) {
    throw new UsageError(
      `Template ${missing.length === 1 ? `'${missing[0].template}' maps a column` : 'mappings name columns'} the table does not have: ${missing.map((m) => m.text).join('; ')}.`,
      {
        hint: 'Fix the column name (`aep-zoho explore <table>` lists them), or pass --allow-missing-columns to skip those mappings on purpose.',
      },
    );
  }
  for (const m of missing) ctx.log.warn(`${m.text}; its mapping is skipped.`);
  for (const p of prepared.values()) {
    // Columns mapped as they are (a lookup's `Owner.id` is a string whatever the column's type).
    const used = new Set(p.mappings.filter((m) => m.source && !m.source.includes('.')).map((m) => m.source!));
    for (const column of p.observed.columns.filter((c) => used.has(c.name))) {
      const raw = unknownType(column);
      if (raw)
        ctx.log.warn(
          `${p.loaded.template.name}: column ${column.name} has the type '${raw}', which aep-zoho does not know; it lands as an XDM string.`,
        );
    }
  }

  const actual = new Map<string, Actual>([...prepared.values()].flatMap((p) => [...p.observed.actual]));
  const steps = plan({
    desired: [...prepared.values()].flatMap((p) => p.desired),
    actual,
    today: `${ctx.now().toISOString().slice(0, 16)}Z`,
  });
  // Old resources of a replace that did not finish retiring (a failure, Ctrl-C): they go now.
  const names = new Set(templates.map((t) => t.template.name));
  const leftovers = (saved.retired ?? []).filter((r) => r.mode === 'retiring' && names.has(r.template));
  const retiring = planDeletes(
    leftovers.map((r) => ({
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
  steps.push(...retiring);
  // The intent log, read on every run (issue 21.6): a create whose answer never came (a kill, a lost
  // connection, mid-replace too) was found by its name above and is adopted, not made again; say so.
  for (const intent of saved.intents ?? []) {
    const step = steps.find((s) => s.template === intent.template && s.kind === intent.kind && !s.key.includes('#'));
    if (step && step.action !== 'create' && step.name === intent.name)
      step.notes = [
        ...(step.notes ?? []),
        `adopted ${step.id}: an earlier run created it at ${intent.at} and never heard the answer`,
      ];
  }
  // Younger copies of ours (two machines created at once): retired, the oldest kept (issue 21.5).
  steps.push(...planTemplateDuplicates(actual));
  const connectionDuplicates = await planConnectionDuplicates(connection!, steps, (id) =>
    shared.flowList('sourceConnections', `baseConnectionId==${id}`),
  );
  steps.push(...connectionDuplicates.steps);
  const connectionStep: Step = {
    key: 'connection',
    kind: 'connection',
    action: 'reuse',
    name: connection!.name,
    id: connection!.id,
    etag: connection!.etag,
    requests: [],
    dependsOn: [],
    ...(connectionDuplicates.notes.length ? { notes: connectionDuplicates.notes } : {}),
  };
  const all = sortSteps([connectionStep, ...steps], templates);
  // Adobe never moves a start that has passed (aep-updates.md §0.4): say so before anything is sent.
  for (const step of all.filter((s) => s.kind === 'flow' && s.action === 'update')) {
    const start = step.changes?.find((c) => c.field === 'scheduleParams.startTime');
    if (start && Number(start.from) <= nowSeconds) {
      throw new UsageError(
        `Dataflow '${step.name}' started at ${new Date(Number(start.from) * 1000).toISOString()}: Adobe does not move the start time of a dataflow once its first run was due.`,
        {
          hint: 'Leave out --start to keep the schedule, or change --frequency/--interval; a new start needs a new dataflow (aep-zoho destroy --template <name>, then dataflow create).',
        },
      );
    }
  }
  for (const step of all)
    for (const note of step.notes ?? []) ctx.log.warn(`${step.template ? `${step.template}: ` : ''}${note}.`);

  if (options.dryRun) {
    const preview = templates.map(({ template }) => {
      const p = prepared.get(template.name)!;
      const mappings = p.mappings.map((m) => ({
        ...m,
        destination: xdmDestination(m.destination, p.tenantId, p.fallback),
      }));
      // A whole column of a type aep-zoho does not know lands as a string (the warning above says
      // so): the preview shows it as one too.
      const asString = new Set(p.observed.columns.filter((c) => unknownType(c)).map((c) => c.name));
      return {
        template: template.name,
        records: p.observed.rows.map((row) => mapRecord(row, mappings, asString)),
      };
    });
    return { plan: printable(all), preview, changes: changesAnything(all) };
  }

  const replaces = all.filter((s) => s.action === 'replace');
  // A duplicate dataset holds records: deleting it is asked like a replace.
  const dataDuplicates = all.filter(
    (s) => s.action === 'delete' && s.kind === 'dataset' && s.key.includes('#duplicate/'),
  );
  if (replaces.length || dataDuplicates.length) {
    const list = [
      ...replaces.map((s) => `${s.template}: ${s.name} (${s.reason})`),
      ...dataDuplicates.map(
        (s) => `${s.template}: delete dataset ${s.name} (${s.id}) and the records in it (${s.reason})`,
      ),
    ].join('; ');
    const ok = await ctx.confirm(
      `${replaces.length ? `Replace ${replaces.length} resource(s)` : `Delete ${dataDuplicates.length} duplicate dataset(s)`}? ${list}`,
      '--yes',
    );
    if (!ok)
      throw new UserError('dataflow create stopped: nothing was changed.', {
        hint: "Run 'aep-zoho dataflow create --dry-run' to see why each is replaced; pass --yes to go ahead.",
      });
  }

  const execution = await execute(ctx, session, all, { groups: (t) => (t ? `Dataflow '${t}'` : undefined) });
  const outcome = (t: string, kind: Kind) => execution.outcomes.get(`${t}/${kind}`)?.id ?? '';
  const dataflows = templates.map(({ template }): DataflowResult => {
    const mine = all.filter((s) => s.template === template.name && !s.key.endsWith('#profile'));
    const by = (action: Step['action']) => mine.filter((s) => s.action === action).map((s) => s.kind);
    return {
      template: template.name,
      flowId: outcome(template.name, 'flow'),
      sourceConnectionId: outcome(template.name, 'sourceConnection'),
      targetConnectionId: outcome(template.name, 'targetConnection'),
      datasetId: outcome(template.name, 'dataset'),
      schemaId: outcome(template.name, 'schema'),
      mappingSetId: outcome(template.name, 'mappingSet'),
      created: by('create'),
      reused: by('reuse'),
      updated: [
        ...new Set([
          ...by('update'),
          ...all.filter((s) => s.template === template.name && s.key.endsWith('#profile')).map((s) => s.kind),
        ]),
      ],
      replaced: by('replace'),
      skippedColumns: prepared.get(template.name)!.skippedColumns,
      via: path.via,
    };
  });
  await path.afterApply(ctx, session, {
    connection: connection!,
    templates: templates.map(({ template }, i) => {
      const p = prepared.get(template.name)!;
      const { flowId, datasetId } = dataflows[i];
      return {
        template,
        table: p.observed.table,
        columns: p.observed.columns,
        mappings: p.mappings,
        flowId,
        datasetId,
      };
    }),
    steps: all,
  });
  return { dataflows };
}

/** Checks a template against its table and turns it into desired resources. */
function prepare(
  loaded: LoadedTemplate,
  observed: TemplateObservation,
  facts: Omit<TemplateFacts, 'fallback' | 'table' | 'columns' | 'mappings'>,
  connectionId: string,
): Prepared {
  const { template } = loaded;
  const { table, columns } = observed;
  const have = new Set(columns.map((c: ExploreColumn) => c.name));
  const required = [
    ['delta column', template.source.deltaColumn],
    ...(template.identity ? [['identity column', template.identity.source.split('.')[0]]] : []),
  ];
  for (const [role, column] of required) {
    if (!have.has(column)) {
      throw new UsageError(
        `Template '${template.name}' (${loaded.file}): the ${role} '${column}' is not a column of table ${table.name} (${table.path}).`,
        {
          hint: `A Zoho admin may have hidden or renamed the field; check 'aep-zoho explore ${table.name}', then fix the template's ${role === 'delta column' ? '/source/deltaColumn' : '/identity/source'}.`,
        },
      );
    }
  }
  // Commas separate alternatives in Adobe's filters (ruling 15): none in the names we look up.
  for (const [field, value] of [
    ['/target/dataset/name', template.target.dataset.name],
    ['/target/schema/title', template.target.schema.title],
    ['/target/fieldGroup/title', template.target.fieldGroup.title],
  ] as const) {
    if (value.includes(','))
      throw new UsageError(`Template '${template.name}' (${loaded.file}): ${field} '${value}' contains a comma.`, {
        hint: 'Adobe reads a comma in a lookup filter as "or": remove it from the name.',
      });
  }
  const skipped = new Set<string>();
  const mappings = template.mappings.filter((m) => {
    const missing = mappingColumns(m).filter((c) => !have.has(c));
    for (const c of missing) skipped.add(c);
    return missing.length === 0;
  });
  if (!observed.classExists && !template.target.schema.fallbackClass) {
    throw new UserError(
      `This organization has no XDM class ${template.target.schema.class}, which template '${template.name}' needs.`,
      {
        hint: "Add a fallbackClass to the template (see 'aep-zoho templates show accounts'), or ask your Adobe admin about the B2B edition.",
      },
    );
  }
  const fallback = !observed.classExists;
  // Every destination must exist before the first write: a standard one in the class or its field
  // groups, a tenant one in the field group this run makes (with a fallback class, all are tenant).
  if (!fallback && observed.standardPaths) {
    const wrong = mappings.filter(
      (m) => !m.destination.startsWith(`${TENANT_PLACEHOLDER}.`) && !observed.standardPaths!.has(m.destination),
    );
    if (wrong.length) {
      const known = [...observed.standardPaths];
      const list = wrong.map((m) => {
        const line = lineOf(loaded.file, m.destination);
        const near = closest(m.destination, known);
        return `${loaded.file}${line ? `:${line}` : ''}: ${m.destination}${near ? ` (did you mean ${near}?)` : ''}`;
      });
      throw new UsageError(
        `Template '${template.name}' maps to destination${wrong.length > 1 ? 's' : ''} that ${template.target.schema.class} and its field groups do not have: ${list.join('; ')}.`,
        {
          hint: `Fix the destination, add the field group that has it to /target/schema/fieldGroups, or map it under ${TENANT_PLACEHOLDER}. (the tenant field group aep-zoho makes).`,
        },
      );
    }
  }
  const desired = desireTemplate(template, { ...facts, fallback, table, columns, mappings }, connectionId);
  return { loaded, observed, mappings, skippedColumns: [...skipped], fallback, tenantId: facts.tenantId, desired };
}

/** Base connection first, then by kind (templates in the order given), each resource's Profile step after it. */
function sortSteps(steps: Step[], templates: LoadedTemplate[]): Step[] {
  const rank = (s: Step) =>
    s.key.endsWith('#profile') ? CREATE_ORDER.indexOf('descriptor') * 2 + 1 : CREATE_ORDER.indexOf(s.kind) * 2;
  const order = (s: Step) => templates.findIndex((t) => t.template.name === s.template);
  return [...steps].sort((a, b) => rank(a) - rank(b) || order(a) - order(b));
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
