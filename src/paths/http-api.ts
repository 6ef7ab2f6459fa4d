// `--via http-api`: an HTTP API streaming source that `sync` feeds (ruling 19). aep-zoho reads Zoho
// itself (its own REST API: modules, fields, records) and posts raw records to the inlet Adobe made
// with the base connection; Data Prep applies the template's mapping. Zoho's credentials never go
// to Adobe on this path, and its flows have no schedule: `sync` is the schedule.
import {
  HTTP_API_CONNECTION_SPEC,
  STREAMING_FLOW_SPEC_ID,
  type FlowResource,
  type FlowService,
} from '../aep/flow-service.js';
import { para } from '../core/text.js';
import { refuseInlet } from '../aep/inlet.js';
import { requireZohoReader } from '../config/settings.js';
import type { SyncState } from '../config/state.js';
import { defaultConnectionName, described, mappingColumns } from '../converge/desire.js';
import { matchTable, unknownTable } from '../converge/tables.js';
import type { Actual } from '../converge/types.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError, isUserError } from '../core/errors.js';
import { HINTS } from '../core/hints.js';
import type { Session } from '../tasks/session.js';
import type { Applied, SourcePath, TableReader } from './index.js';

/** The streaming flow spec that takes a Mapping, checked like ruling 2 does for CRM (ruling 19). */
async function streamingFlowSpec(flow: FlowService): Promise<FlowResource> {
  const spec = await flow.streamingFlowSpec();
  if (!spec)
    throw new UserError(`Adobe offers no streaming flow spec ${STREAMING_FLOW_SPEC_ID} in this sandbox.`, {
      hint: para`The HTTP API source may not be provisioned for your organization; check the Sources catalog in the
        Experience Platform UI (Streaming > HTTP API).`,
    });
  if (!(spec.sourceConnectionSpecIds ?? []).includes(HTTP_API_CONNECTION_SPEC.id)) {
    throw new UserError(
      para`The streaming flow spec ${spec.id} does not list the HTTP API connection spec
        (${HTTP_API_CONNECTION_SPEC.id}) as a source.`,
      {
        hint: para`Adobe may have changed the HTTP API source; check the Sources catalog in the Experience Platform UI,
          or use --via zoho-source.`,
      },
    );
  }
  return spec;
}

/** Where sync posts: the inlet URL Adobe made with the connection (aep-fallback.md §1.2), without a trailing slash. */
export function inletUrlOf(connection: Record<string, any> | undefined, id: string): string {
  const url = connection?.auth?.params?.inletUrl;
  if (typeof url === 'string' && url.trim()) return url.trim().replace(/\/+$/, '');
  throw new UserError(`Adobe answered HTTP API base connection ${id} without an inlet URL (auth.params.inletUrl).`, {
    hint: HINTS.inletMissing(),
  });
}

/**
 * A connection by our name must be one sync can feed: raw records (Data Prep applies the mapping)
 * on an authenticated inlet (CRM records are personal data). Adobe cannot change either in place.
 */
function assertStreamingConnection(existing: Actual, name: string): void {
  const params = existing.resource.auth?.params ?? {};
  const wrong = [
    params.dataType !== 'raw' && `dataType is '${params.dataType ?? 'unset'}', not 'raw'`,
    params.authenticationRequired !== true && 'it is not authenticated (authenticationRequired is not true)',
  ].filter(Boolean);
  if (!wrong.length) return;
  throw new UserError(
    para`The HTTP API base connection '${name}' (${existing.id}) cannot carry Zoho records for aep-zoho:
      ${wrong.join(' and ')}.`,
    {
      hint: HINTS.streamingConnectionName(),
    },
  );
}

/** The HTTP API source must be offered (it is in every organization with streaming sources). */
async function assertStreamingSpecOffered(flow: FlowService): Promise<void> {
  if (await flow.connectionSpec(HTTP_API_CONNECTION_SPEC.id)) return;
  throw new UserError(
    `Adobe offers no HTTP API streaming source (connection spec ${HTTP_API_CONNECTION_SPEC.id}) in this sandbox.`,
    {
      hint: para`Check the Sources catalog (Streaming > HTTP API) in the Experience Platform UI, and that
        AEP_PLATFORM_URL points at https://platform.adobe.io.`,
    },
  );
}

/**
 * aep-zoho reads Zoho itself on this path: an access token (minted from the refresh token only when none is valid),
 * then the module list.
 */
async function zohoModuleCount(session: Session): Promise<number> {
  return (await session.zoho.modules()).length;
}

/**
 * Zoho CRM's own REST API (GET /crm/v8/settings/modules, /settings/fields, records): no Adobe connection is read
 * through.
 */
async function zohoReader(_ctx: Context, session: Session): Promise<TableReader> {
  const { zohoColumns, zohoPreview, zohoTables } = await import('../zoho/crm.js');
  const crm = session.zoho;
  return {
    tables: () => zohoTables(crm),
    async resolve(_connectionId, input) {
      const tables = await zohoTables(crm);
      const table = matchTable(tables, input);
      if (!table) throw unknownTable(tables, input);
      return table;
    },
    async read(_connectionId, table, preview, limit) {
      const columns = await zohoColumns(crm, table.name);
      const rows = preview ? await zohoPreview(crm, table.name, columns, limit) : [];
      return { format: 'tabular', schema: { columns }, data: rows };
    },
  };
}

/**
 * What `sync` needs for each http-api dataflow, saved once the flow exists: the module and the
 * fields the mapping reads, the inlet Adobe gave the base connection, and when ingestion paused
 * (a created flow or a changed mapping: about five minutes, aep-fallback.md §1). The cursor stays
 * while the dataset does; records for a new dataset are read again from the start.
 */
async function recordSyncs(ctx: Context, session: Session, applied: Applied): Promise<void> {
  const { connection, steps } = applied;
  const now = ctx.now();
  const inletUrl = inletUrlOf(connection.resource, connection.id);
  await session.state.update(session.settings.sandbox, (state) => {
    for (const applied_ of applied.templates) {
      const { template } = applied_;
      const previous = state.syncs?.[template.name]; // as the file has it now (the lock keeps sync out meanwhile)
      const paused = steps.some(
        (s) => s.template === template.name && (s.kind === 'flow' || s.kind === 'mappingSet') && s.action !== 'reuse',
      );
      const columns = new Set(applied_.columns.map((c) => c.name));
      // Modified_Time is the cursor; id comes with every record anyway.
      const fields = [
        ...new Set([
          'Modified_Time',
          ...applied_.mappings.flatMap(mappingColumns),
          ...(template.identity ? [template.identity.source.split('.')[0]] : []),
        ]),
      ].filter((f) => f !== 'id' && columns.has(f));
      // Data Prep maps a record when it arrives: those already in the dataset keep the old mapping.
      const remapped = steps.some(
        (s) =>
          s.template === template.name && s.kind === 'mappingSet' && (s.action === 'update' || s.action === 'replace'),
      );
      if (remapped && previous?.cursor && previous.datasetId === applied_.datasetId) {
        ctx.log.warn(
          para`${template.name}: the mapping changed; the records sent before keep the old one until they change in
            Zoho. 'aep-zoho sync ${template.name} --full' sends every record again.`,
        );
      }
      const keep =
        previous && previous.datasetId === applied_.datasetId
          ? {
              cursor: previous.cursor,
              cursorIds: previous.cursorIds,
              cursorThrough: previous.cursorThrough,
              // Deletes only counted before (no `soft`) are posted now: those Zoho still lists are read again.
              ...(template.deletes === 'soft' && previous.deletes !== 'soft'
                ? {}
                : { deletedCursor: previous.deletedCursor, deletedIds: previous.deletedIds }),
              lastSyncAt: previous.lastSyncAt,
            }
          : {};
      const entry: SyncState = {
        flowId: applied_.flowId,
        datasetId: applied_.datasetId,
        module: applied_.table.name,
        fields,
        inletUrl,
        ...(template.deletes === 'soft' ? { deletes: 'soft' as const } : {}),
        ...(paused ? { changedAt: now.toISOString() } : previous?.changedAt ? { changedAt: previous.changedAt } : {}),
        ...keep,
      };
      state.syncs = { ...state.syncs, [template.name]: JSON.parse(JSON.stringify(entry)) as SyncState };
    }
  });
}

export const httpApi: SourcePath = {
  via: 'http-api',
  streaming: true,
  names: {
    source: 'HTTP API source',
    connection: 'HTTP API base connection',
    flag: ' --via http-api',
    tables: 'Zoho modules',
    flowSpec: 'streaming',
    connectFirst: para`Run 'aep-zoho connect --via http-api' first: it creates the connection and checks that aep-zoho
      can read Zoho CRM.`,
    listed: (count, connectionId) =>
      para`${count} tables, read directly from Zoho CRM's API (--via
        http-api${connectionId ? `; HTTP API connection ${connectionId}` : ''}).`,
    columnsFrom: ", read directly from Zoho CRM's API",
  },
  connectionSpec: HTTP_API_CONNECTION_SPEC,
  flowSpec: (flow) => streamingFlowSpec(flow),
  ownsFlow: (flow) => flow.flowSpec?.id === STREAMING_FLOW_SPEC_ID,

  // aep-zoho reads Zoho itself: the client and refresh token.
  requireCredentials: requireZohoReader,
  /**
   * The HTTP API streaming base connection (ruling 19, aep-fallback.md §1.1): raw records, so Data
   * Prep applies the template's mapping; authenticated, because CRM records are personal data.
   */
  desireConnection(settings, name, { updateCredentials }) {
    if (updateCredentials) {
      throw new UsageError(
        '--update-credentials does not apply with --via http-api: Adobe holds no Zoho credentials on that path.',
        {
          hint: para`aep-zoho reads the stored tokens on every sync: update them with 'aep-zoho zoho token', then run
            'aep-zoho sync'.`,
        },
      );
    }
    requireZohoReader(settings);
    const profile = settings.profileName;
    return {
      key: 'connection',
      kind: 'connection',
      name,
      body: {
        name,
        description: described('Zoho CRM records posted by aep-zoho sync', profile),
        auth: {
          specName: 'Streaming Connection',
          params: { sourceId: name, name, dataType: 'raw', authenticationRequired: true },
        },
        connectionSpec: HTTP_API_CONNECTION_SPEC,
      },
      dependsOn: [],
      facts: { ours: name === defaultConnectionName(profile) },
    };
  },
  check: {
    title: 'Check the HTTP API source, Zoho access, and look up the base connection',
    run: async (_ctx, session) => {
      const [, zohoModules] = await Promise.all([assertStreamingSpecOffered(session.flow), zohoModuleCount(session)]);
      return { zohoModules };
    },
  },
  checkFound: assertStreamingConnection,
  verify: {
    title: 'Read the inlet URL',
    async run(_ctx, session, connectionId) {
      // "The streaming endpoint URL is automatically created with the connection": read it, never build it (§1.2).
      const inletUrl = inletUrlOf(await session.flow.get('connections', connectionId), connectionId);
      // Only an inlet sync would post to is recorded as one (the rule of aep/inlet.ts).
      refuseInlet(inletUrl, session.settings.platformUrl, 'connect');
      return { title: `Inlet ${inletUrl}`, inletUrl };
    },
  },
  doctor: {
    credentials(settings) {
      try {
        const zoho = requireZohoReader(settings);
        return {
          name: 'Zoho credentials',
          status: 'pass',
          detail: para`client ${zoho.clientId}, accounts server ${zoho.accountsUrl} (aep-zoho reads Zoho itself: --via
            http-api)`,
        };
      } catch (error) {
        // This path reads Zoho on every sync: the credentials are needed.
        return {
          name: 'Zoho credentials',
          status: 'fail',
          detail: `${message(error)} 'aep-zoho sync' reads Zoho with them.`,
          fix: fixOf(error),
        };
      }
    },
    async source(session, zohoOffered) {
      const offered = await session.flow.connectionSpec(HTTP_API_CONNECTION_SPEC.id).catch(() => undefined);
      return offered
        ? {
            name: 'HTTP API source',
            status: 'pass',
            detail: `connection spec ${HTTP_API_CONNECTION_SPEC.id} is offered (this profile uses --via http-api${
              zohoOffered ? '' : "; Adobe's Zoho CRM source is retired here"
            })`,
          }
        : {
            name: 'HTTP API source',
            status: 'fail',
            detail: para`Adobe offers no HTTP API streaming source (connection spec ${HTTP_API_CONNECTION_SPEC.id}) in
              sandbox '${session.settings.sandbox}'.`,
            fix: 'Check the Sources catalog (Streaming > HTTP API) in the Experience Platform UI.',
          };
    },
    // Adobe never reaches Zoho on this path: aep-zoho does, with a token from the refresh token.
    async connection(_ctx, session, found, name) {
      const checks = [
        {
          name: 'Base connection',
          status: 'pass' as const,
          detail: `'${name}' (${found.id}): HTTP API inlet ${found.resource.auth?.params?.inletUrl ?? '(none yet)'}`,
        },
      ];
      try {
        const modules = await zohoModuleCount(session);
        return [
          ...checks,
          {
            name: 'Zoho CRM API',
            status: 'pass',
            detail: `Zoho answers aep-zoho directly: ${modules} modules readable`,
          },
        ];
      } catch (error) {
        return [...checks, { name: 'Zoho CRM API', status: 'fail', detail: message(error), fix: fixOf(error) }];
      }
    },
  },

  checkExplore(options) {
    if (options.connection?.trim()) {
      throw new UsageError(
        para`--connection names an Adobe base connection to explore through; with --via http-api aep-zoho reads Zoho CRM
          directly and uses none.`,
        { hint: 'Drop --connection, or pass --via zoho-source to explore through that connection.' },
      );
    }
  },
  reader: zohoReader,

  schedule(_loaded, given) {
    if (Object.values(given ?? {}).some((v) => v !== undefined)) {
      throw new UsageError(
        'A dataflow made with --via http-api has no schedule: --start, --frequency and --interval do not apply.',
        { hint: "Records move when 'aep-zoho sync' runs: schedule that (cron, CI, or 'aep-zoho sync --every 15m')." },
      );
    }
    return undefined;
  },
  // An HTTP API source connection takes no params: records arrive at the base connection's inlet
  // (aep-fallback.md §1.3).
  desireSource: (f) => ({
    name: f.names.sourceConnection,
    description: described(`Zoho CRM ${f.table.name}, posted by aep-zoho sync`, f.profile, f.template.name),
    baseConnectionId: f.connection,
    connectionSpec: HTTP_API_CONNECTION_SPEC,
  }),
  // "the name parameter … must always be set to Mapping"; no scheduleParams on a streaming flow
  // (aep-fallback.md §1.5).
  desireFlow: (f) => ({
    body: {
      name: f.names.flow,
      description: described(
        `Zoho CRM ${f.table.name} to ${f.names.dataset}, posted by aep-zoho sync`,
        f.profile,
        f.template.name,
      ),
      flowSpec: { id: f.flowSpecId, version: '1.0' },
      sourceConnectionIds: [f.sourceConnectionId],
      targetConnectionIds: [f.targetConnectionId],
      transformations: [f.mapping],
    },
  }),
  afterApply: recordSyncs,
};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const fixOf = (error: unknown) => (isUserError(error) ? error.hint : undefined);
