// `explore`: the Zoho CRM's tables through Flow Service's explore API on the base connection.
// Users may type a table's name or its path, in any case; the API takes the path (ruling 3).
import type { ExploreColumn, ExploreTable } from '../aep/flow-service.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError } from '../core/errors.js';
import { matchTable, unknownTable, type TableRef } from '../converge/tables.js';
import { defaultConnectionName, findConnection } from './connect.js';

export { matchTable, unknownTable, type TableRef };
import { openSession, type Session } from './session.js';


export interface TableList {
  connectionId: string;
  tables: TableRef[];
}

export interface TableDetail {
  connectionId: string;
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
    if (!connection) throw new UsageError(`No base connection with id '${explicit}' in sandbox '${session.settings.sandbox}'.`, { hint: "List yours with 'aep-zoho connect --dry-run', or omit --connection." });
    return connection.id;
  }
  const name = defaultConnectionName(session.settings.profileName);
  const saved = (await session.state.read(session.settings.sandbox)).connection;
  const found = await findConnection(ctx, session, saved?.name ?? name);
  if (!found) {
    throw new UserError(`Profile '${session.settings.profileName}' has no Zoho CRM base connection in sandbox '${session.settings.sandbox}'.`, {
      // Also reached from dataflow create, which has no --connection flag.
      hint: "Run 'aep-zoho connect' first (explore and templates init also take --connection <id>).",
    });
  }
  return found.id;
}

const toRef = (table: ExploreTable): TableRef => ({ name: table.name, path: table.path, canPreview: !!table.canPreview, canFetchSchema: !!table.canFetchSchema });

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

export async function listTables(ctx: Context, options: { connection?: string } = {}): Promise<TableList> {
  const session = await openSession(ctx);
  const connectionId = await resolveConnectionId(ctx, session, options.connection);
  return { connectionId, tables: await fetchTables(session, connectionId) };
}

export async function describeTable(ctx: Context, input: string, options: { preview: boolean; limit?: number; connection?: string }): Promise<TableDetail> {
  const session = await openSession(ctx);
  const connectionId = await resolveConnectionId(ctx, session, options.connection);
  const table = await resolveTable(session, connectionId, input);
  const detail = await session.flow.exploreTable(connectionId, table.path, options.preview && table.canPreview);
  const rawColumns = detail.schema?.columns ?? [];
  return {
    connectionId,
    table: { name: table.name, path: table.path },
    columns: rawColumns.map((c) => ({ name: c.name, type: c.type, xdmType: c.xdm?.type ?? (c['meta:xdmType'] as string | undefined), format: c.xdm?.format })),
    rows: (detail.data ?? []).slice(0, options.limit ?? 10),
    rawColumns,
  };
}
