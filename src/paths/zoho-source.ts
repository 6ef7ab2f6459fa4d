// `--via zoho-source` (the default): Adobe's Zoho CRM source. Adobe holds the Zoho tokens, reads
// Zoho on the flow's schedule (a Copy transformation on a delta column), and explores the CRM's
// tables through the base connection. Retired by Adobe at the end of June 2025 (ruling 6).
import {
  CRM_FLOW_SPEC_ID,
  CRM_FLOW_SPEC_NAME,
  DATA_LAKE_CONNECTION_SPEC,
  ZOHO_CONNECTION_SPEC,
  type ExploreTable,
  type ExploreTableDetail,
  type FlowResource,
  type FlowService,
} from '../aep/flow-service.js';
import { para } from '../core/text.js';
import { requireZoho } from '../config/settings.js';
import { defaultConnectionName, described, scheduleParams, type Schedule } from '../converge/desire.js';
import { matchTable, unknownTable, type TableRef } from '../converge/tables.js';
import type { Desired } from '../converge/types.js';
import type { Logger } from '../core/context.js';
import { UsageError, UserError, isUserError } from '../core/errors.js';
import { HINTS } from '../core/hints.js';
import type { Session } from '../tasks/session.js';
import type { SourcePath, TableReader } from './index.js';

/** Where a user goes when Adobe's Zoho source is gone: the other path, by its exact command. */
export const RETIRED_HINT = HINTS.zohoRetired();

/**
 * Fails plainly when Adobe no longer offers the Zoho CRM connection spec (ruling 6). A 404 means
 * retirement only if the same gateway finds the Data Lake spec, which every organization has:
 * otherwise a wrong AEP_PLATFORM_URL or a proxy's 404 page is answering, not Adobe.
 */
export async function assertZohoSpecOffered(flow: FlowService): Promise<void> {
  if (await flow.connectionSpec(ZOHO_CONNECTION_SPEC.id)) return;
  if (!(await flow.connectionSpec(DATA_LAKE_CONNECTION_SPEC.id))) {
    throw new UserError(
      para`The server at AEP_PLATFORM_URL found neither the Zoho CRM connection spec nor the Data Lake one that every
        organization has: it is not Adobe Experience Platform's API gateway.`,
      { hint: HINTS.notAepGateway() },
    );
  }
  throw new UserError(
    `The Zoho CRM source (connection spec ${ZOHO_CONNECTION_SPEC.id}) is no longer available in this organization.`,
    { hint: RETIRED_HINT },
  );
}

/** The CRMToAEP flow spec, checked (ruling 2). */
async function crmFlowSpec(flow: FlowService, log: Logger): Promise<FlowResource> {
  const spec = await flow.crmFlowSpec();
  if (!spec)
    throw new UserError(`Adobe offers no '${CRM_FLOW_SPEC_NAME}' flow spec in this sandbox.`, {
      hint: para`CRM sources may not be provisioned for your organization; check the Sources catalog in the Experience
        Platform UI.`,
    });
  if (!(spec.sourceConnectionSpecIds ?? []).includes(ZOHO_CONNECTION_SPEC.id)) {
    throw new UserError(
      `The '${CRM_FLOW_SPEC_NAME}' flow spec (${spec.id}) no longer lists the Zoho CRM connection spec as a source.`,
      {
        hint: para`Adobe retired the Zoho CRM source at the end of June 2025; new dataflows from Zoho CRM may not be
          possible.`,
      },
    );
  }
  if (spec.id !== CRM_FLOW_SPEC_ID)
    log.debug(`${CRM_FLOW_SPEC_NAME} has id ${spec.id}, not the documented ${CRM_FLOW_SPEC_ID}`);
  return spec;
}

/** Validates a schedule as the CRMToAEP flow spec does, before anything is sent. */
export function checkSchedule(schedule: Schedule, origin: string): Schedule {
  const { frequency, interval } = schedule;
  if (!['once', 'minute', 'hour', 'day', 'week'].includes(frequency)) {
    throw new UsageError(
      `Invalid schedule in ${origin}: frequency '${frequency}' is not one of once, minute, hour, day, week.`,
    );
  }
  if (frequency === 'once') {
    if (interval !== undefined)
      throw new UsageError(`Invalid schedule in ${origin}: a 'once' schedule takes no interval.`, {
        hint: 'Drop --interval, or pick another --frequency.',
      });
    return { frequency, startTime: schedule.startTime };
  }
  const min = frequency === 'minute' ? 15 : 1;
  if (interval === undefined || !Number.isInteger(interval) || interval < min) {
    throw new UsageError(
      para`Invalid schedule in ${origin}: a '${frequency}' schedule needs a whole-number interval of at least ${min},
        got ${interval ?? 'none'}.`,
      {
        hint:
          frequency === 'minute'
            ? 'Adobe runs minute schedules every 15 minutes at the most often: --interval 15 or more.'
            : `Pass --interval ${min} or more.`,
      },
    );
  }
  return { frequency, interval, startTime: schedule.startTime, backfill: schedule.backfill ?? true };
}

const toRef = (table: ExploreTable): TableRef => ({
  name: table.name,
  path: table.path,
  canPreview: !!table.canPreview,
  canFetchSchema: !!table.canFetchSchema,
});

/** The root listing through the base connection, sorted by name, cached in the state file for later commands. */
export async function fetchTables(session: Session, connectionId: string): Promise<TableRef[]> {
  const tables = (await session.flow.exploreRoot(connectionId))
    .filter((item) => item.type === 'table')
    .map(toRef)
    .sort((a, b) => a.name.localeCompare(b.name));
  await session.state.update(session.settings.sandbox, (state) => {
    state.tables = { connectionId, fetchedAt: new Date().toISOString(), items: tables };
  });
  return tables;
}

/** Adobe's explore API on the base connection (ruling 3: the API takes a table's path). */
function exploreReader(session: Session): TableReader {
  const cachedFor = async (connectionId: string) => {
    const cached = (await session.state.read(session.settings.sandbox)).tables;
    return cached?.connectionId === connectionId ? cached.items : undefined;
  };
  return {
    async tables(connectionId, options) {
      const id = await connectionId();
      return (options?.cached ? await cachedFor(id) : undefined) ?? fetchTables(session, id);
    },
    // The cached listing when it knows the table, the live one otherwise (a table added since).
    async resolve(connectionId, input) {
      const id = await connectionId();
      const hit = matchTable((await cachedFor(id)) ?? [], input);
      if (hit) return hit;
      const tables = await fetchTables(session, id);
      const match = matchTable(tables, input);
      if (!match) throw unknownTable(tables, input);
      return match;
    },
    async read(connectionId, table, preview) {
      const id = await connectionId();
      if (!id) return { format: 'tabular', schema: { columns: [] } } satisfies ExploreTableDetail;
      return session.flow.exploreTable(id, table.path, preview);
    },
  };
}

export const zohoSource: SourcePath = {
  via: 'zoho-source',
  streaming: false,
  names: {
    source: 'Zoho CRM source',
    connection: 'Zoho CRM base connection',
    flag: '',
    tables: 'tables',
    flowSpec: CRM_FLOW_SPEC_NAME,
    // Also reached from templates init, which takes --connection too.
    connectFirst: "Run 'aep-zoho connect' first (explore and templates init also take --connection <id>).",
    listed: (count, connectionId) => `${count} tables (connection ${connectionId}).`,
    columnsFrom: '',
  },
  connectionSpec: ZOHO_CONNECTION_SPEC,
  flowSpec: crmFlowSpec,
  ownsFlow: (flow) => flow.flowSpec?.id === CRM_FLOW_SPEC_ID,

  requireCredentials: requireZoho,
  /**
   * The Zoho CRM base connection (aep-api.md §2, ruling 5), with the Zoho tokens exactly as stored: aep-zoho never
   * mints one here.
   */
  desireConnection(settings, name, { updateCredentials }): Desired {
    const zoho = requireZoho(settings);
    const profile = settings.profileName;
    return {
      key: 'connection',
      kind: 'connection',
      name,
      body: {
        name,
        description: described('Zoho CRM base connection', profile),
        auth: {
          specName: 'Basic Authentication',
          params: {
            endpoint: zoho.endpoint,
            accountsUrl: zoho.accountsUrl,
            clientId: zoho.clientId,
            clientSecret: zoho.clientSecret,
            accessToken: zoho.accessToken,
            refreshToken: zoho.refreshToken,
          },
        },
        connectionSpec: ZOHO_CONNECTION_SPEC,
      },
      dependsOn: [],
      facts: { updateCredentials, ours: name === defaultConnectionName(profile) },
    };
  },
  check: {
    title: 'Check the Zoho CRM source and look up the base connection',
    run: async (_ctx, session) => {
      await assertZohoSpecOffered(session.flow);
      return {};
    },
  },
  checkFound: () => undefined,
  verify: {
    title: 'Verify the base connection',
    async run(_ctx, session, connectionId, name) {
      const ok = await session.flow.testConnection(connectionId);
      if (!ok) {
        throw new UserError(
          para`Adobe could not reach Zoho CRM with the credentials in base connection '${name}' (the connection test
            failed).`,
          {
            hint: HINTS.zohoConnectionTest(),
          },
        );
      }
      return { title: `Verified base connection (${connectionId}): Adobe reached Zoho CRM` };
    },
  },
  doctor: {
    credentials(settings) {
      try {
        const zoho = requireZoho(settings);
        return {
          name: 'Zoho credentials',
          status: 'pass',
          detail: `client ${zoho.clientId}, accounts server ${zoho.accountsUrl}, API ${zoho.endpoint}`,
        };
      } catch (error) {
        // Only `connect` sends them; an existing base connection keeps working without them.
        return {
          name: 'Zoho credentials',
          status: 'warn',
          detail: `${message(error)} Only 'aep-zoho connect' needs them.`,
          fix: fixOf(error),
        };
      }
    },
    source: async (_session, offered) =>
      offered
        ? { name: 'Zoho CRM source', status: 'pass', detail: `connection spec ${ZOHO_CONNECTION_SPEC.id} is offered` }
        : {
            name: 'Zoho CRM source',
            status: 'fail',
            detail: para`Adobe no longer offers the Zoho CRM connection spec (${ZOHO_CONNECTION_SPEC.id}) in this
              organization: the source was deprecated at the end of June 2025.`,
            fix: RETIRED_HINT,
          },
    async connection(_ctx, session, found, name) {
      const ok = await session.flow.testConnection(found.id);
      return [
        ok
          ? {
              name: 'Base connection',
              status: 'pass',
              detail: `'${name}' (${found.id}): Adobe reached Zoho CRM with it`,
            }
          : {
              name: 'Base connection',
              status: 'fail',
              detail: para`'${name}' (${found.id}) exists, but Adobe could not reach Zoho CRM with its credentials (the
                connection test failed).`,
              fix: HINTS.zohoNewTokens(),
            },
      ];
    },
  },

  checkExplore: () => undefined,
  reader: async (_ctx, session) => exploreReader(session),

  schedule: (loaded, given, startTime) =>
    checkSchedule(
      { ...loaded.template.schedule, ...given, startTime } as Schedule,
      given?.frequency ? 'the command line' : loaded.file,
    ),
  desireSource: (f) => ({
    name: f.names.sourceConnection,
    description: described(`Zoho CRM ${f.table.name}`, f.profile, f.template.name),
    baseConnectionId: f.connection,
    data: { format: 'tabular' },
    // No `columns`: all of the table's columns are read (optional per Adobe's CRM tutorial), so a
    // mapping edit never needs a new source connection, which Adobe cannot change in place.
    params: { tableName: f.table.path },
    connectionSpec: ZOHO_CONNECTION_SPEC,
  }),
  desireFlow(f) {
    const { deltaColumn, dateFormat, timezone } = f.template.source;
    return {
      body: {
        name: f.names.flow,
        description: described(`Zoho CRM ${f.table.name} to ${f.names.dataset}`, f.profile, f.template.name),
        flowSpec: { id: f.flowSpecId, version: '1.0' },
        sourceConnectionIds: [f.sourceConnectionId],
        targetConnectionIds: [f.targetConnectionId],
        transformations: [
          // Ruling 17: only the column's name unless the template sets a format or time zone.
          {
            name: 'Copy',
            params: {
              deltaColumn: {
                name: deltaColumn,
                ...(dateFormat ? { dateFormat } : {}),
                ...(timezone ? { timezone } : {}),
              },
            },
          },
          f.mapping,
        ],
        scheduleParams: scheduleParams(f.schedule),
      },
      facts: { explicitStart: f.explicitStart },
    };
  },
  // Back on Adobe's Zoho source: the streaming flow was replaced, so sync has nothing to feed.
  async afterApply(_ctx, session, applied) {
    await session.state.update(session.settings.sandbox, (state) => {
      for (const { template } of applied.templates) delete state.syncs?.[template.name];
      if (state.syncs && !Object.keys(state.syncs).length) delete state.syncs;
    });
  },
};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const fixOf = (error: unknown) => (isUserError(error) ? error.hint : undefined);
