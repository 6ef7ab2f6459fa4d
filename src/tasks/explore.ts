// `explore`: the Zoho CRM's tables through Flow Service's explore API on the base connection, or,
// with --via http-api, from Zoho CRM's own REST API (aep-zoho reads Zoho itself on that path).
// Users may type a table's name or its path, in any case; the API takes the path (ruling 3).
import type { ExploreColumn, ExploreTable } from '../aep/flow-service.js';
import { loadSettings, resolveVia, type Settings } from '../config/settings.js';
import { StateStore, type SandboxState } from '../config/state.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError } from '../core/errors.js';
import { matchTable, unknownTable, type TableRef } from '../converge/tables.js';
import { ZohoCrm, zohoColumns, zohoPreview, zohoTables } from '../zoho/crm.js';
import { defaultConnectionName, findConnection } from './connect.js';

export { matchTable, unknownTable, type TableRef };
// The module list and columns of the http-api path, for dataflow create and templates as well.
export { zohoColumn, zohoColumns, zohoTablePath, zohoTables } from '../zoho/crm.js';
import { openSession, type Session } from './session.js';

export interface TableList {
  /** The base connection explored (with --via http-api: the HTTP API connection; Zoho itself was read). */
  connectionId: string;
  tables: TableRef[];
  /** With --via http-api: read from Zoho CRM's REST API rather than through Adobe. */
  via?: 'http-api';
}

export interface TableDetail {
  connectionId: string;
  via?: 'http-api';
  table: { name: string; path: string };
  columns: Array<{ name: string; type: string; xdmType?: string; format?: string }>;
  rows: Array<Record<string, unknown>>;
  /** The columns as explore gave them (for source connections and templates). */
  rawColumns: ExploreColumn[];
}

/** The base connection to explore: --connection, else this profile's (state, then by name). */
export async function resolveConnectionId(ctx: Context, session: Session, explicit?: string): Promise<string> {
  if (explicit?.trim()) {
    const connection = await session.flow.get('connections', explicit.trim());
    if (!connection)
      throw new UsageError(`No base connection with id '${explicit}' in sandbox '${session.settings.sandbox}'.`, {
        hint: "List yours with 'aep-zoho connect --dry-run', or omit --connection.",
      });
    return connection.id;
  }
  const name = defaultConnectionName(session.settings.profileName);
  const saved = (await session.state.read(session.settings.sandbox)).connection;
  const found = await findConnection(ctx, session, saved?.name ?? name);
  if (!found) {
    throw new UserError(
      `Profile '${session.settings.profileName}' has no Zoho CRM base connection in sandbox '${session.settings.sandbox}'.`,
      {
        // Also reached from dataflow create, which has no --connection flag.
        hint: "Run 'aep-zoho connect' first (explore and templates init also take --connection <id>).",
      },
    );
  }
  return found.id;
}

const toRef = (table: ExploreTable): TableRef => ({
  name: table.name,
  path: table.path,
  canPreview: !!table.canPreview,
  canFetchSchema: !!table.canFetchSchema,
});

/** The root listing, sorted by name, cached in the state file for later commands. */
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

/**
 * Resolves a table typed by the user, using the cached listing when it knows the table and the
 * live one otherwise (a table added since, or a cache from another connection).
 */
export async function resolveTable(session: Session, connectionId: string, input: string): Promise<TableRef> {
  const cached = (await session.state.read(session.settings.sandbox)).tables;
  if (cached?.connectionId === connectionId) {
    const hit = matchTable(cached.items, input);
    if (hit) return hit;
  }
  const tables = await fetchTables(session, connectionId);
  const match = matchTable(tables, input);
  if (!match) throw unknownTable(tables, input);
  return match;
}

export interface ExploreOptions {
  connection?: string;
  /** --via; AEP_ZOHO_VIA and what connect recorded apply when it is absent. */
  via?: string;
}

/** The sandbox's state and the path to explore it by (--via, AEP_ZOHO_VIA, what connect recorded). */
async function chooseVia(
  ctx: Context,
  options: ExploreOptions,
): Promise<{ settings: Settings; saved: SandboxState; via: 'zoho-source' | 'http-api' }> {
  const settings = await loadSettings(ctx.env, ctx.flags, ctx.lockOwner);
  const saved = await new StateStore(settings.home, settings.profileName).read(settings.sandbox);
  const via = resolveVia(options.via, ctx.env, saved.via);
  if (via === 'http-api' && options.connection?.trim()) {
    throw new UsageError(
      '--connection names an Adobe base connection to explore through; with --via http-api aep-zoho reads Zoho CRM directly and uses none.',
      { hint: 'Drop --connection, or pass --via zoho-source to explore through that connection.' },
    );
  }
  return { settings, saved, via };
}

export async function listTables(ctx: Context, options: ExploreOptions = {}): Promise<TableList> {
  const { settings, saved, via } = await chooseVia(ctx, options);
  if (via === 'http-api') {
    const [connectionId, tables] = await Promise.all([
      httpApiConnection(ctx, settings, saved),
      zohoTables(ZohoCrm.open(ctx, settings)),
    ]);
    return { connectionId, tables, via };
  }
  const session = await openSession(ctx, settings);
  const connectionId = await resolveConnectionId(ctx, session, options.connection);
  return { connectionId, tables: await fetchTables(session, connectionId) };
}

export async function describeTable(
  ctx: Context,
  input: string,
  options: { preview: boolean; limit?: number } & ExploreOptions,
): Promise<TableDetail> {
  const { settings, saved, via } = await chooseVia(ctx, options);
  if (via === 'http-api') {
    const [connectionId, detail] = await Promise.all([
      httpApiConnection(ctx, settings, saved),
      describeZohoTable(ZohoCrm.open(ctx, settings), input, options),
    ]);
    return { ...detail, connectionId, via };
  }
  const session = await openSession(ctx, settings);
  const connectionId = await resolveConnectionId(ctx, session, options.connection);
  const table = await resolveTable(session, connectionId, input);
  const detail = await session.flow.exploreTable(connectionId, table.path, options.preview && table.canPreview);
  const rawColumns = detail.schema?.columns ?? [];
  return {
    connectionId,
    table: { name: table.name, path: table.path },
    columns: rawColumns.map((c) => ({
      name: c.name,
      type: c.type,
      xdmType: c.xdm?.type ?? (c['meta:xdmType'] as string | undefined),
      format: c.xdm?.format,
    })),
    rows: (detail.data ?? []).slice(0, options.limit ?? 10),
    rawColumns,
  };
}

// --- --via http-api: Zoho CRM's REST API (GET /crm/v8/settings/modules, /settings/fields, records)

/**
 * The HTTP API base connection (the state's, else by name, as connect finds it): the one the
 * records of these tables go to. Looked up while Zoho is read; none yet is "run connect" as on
 * the other path.
 */
async function httpApiConnection(ctx: Context, settings: Settings, saved: SandboxState): Promise<string> {
  const session = await openSession(ctx, settings);
  const found = await findConnection(
    ctx,
    session,
    saved.connection?.name ?? defaultConnectionName(settings.profileName),
    'http-api',
  );
  if (!found) {
    throw new UserError(
      `Profile '${settings.profileName}' has no HTTP API base connection in sandbox '${settings.sandbox}'.`,
      {
        hint: "Run 'aep-zoho connect --via http-api' first: it creates the connection and checks that aep-zoho can read Zoho CRM.",
      },
    );
  }
  return found.id;
}

async function describeZohoTable(
  crm: ZohoCrm,
  input: string,
  options: { preview: boolean; limit?: number },
): Promise<Omit<TableDetail, 'connectionId'>> {
  const tables = await zohoTables(crm);
  const table = matchTable(tables, input);
  if (!table) throw unknownTable(tables, input);
  const rawColumns = await zohoColumns(crm, table.name);
  const rows = options.preview ? await zohoPreview(crm, table.name, rawColumns, options.limit ?? 10) : [];
  return {
    table: { name: table.name, path: table.path },
    columns: rawColumns.map((c) => ({
      name: c.name,
      type: c.type,
      xdmType: c.xdm?.type ?? (c['meta:xdmType'] as string | undefined),
      format: c.xdm?.format,
    })),
    rows,
    rawColumns,
  };
}
