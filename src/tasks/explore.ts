// `explore`: the Zoho CRM's tables, read as the path reads them (src/paths/): through Flow
// Service's explore API on the base connection, or, with --via http-api, from Zoho CRM's own REST
// API (aep-zoho reads Zoho itself on that path).
// Users may type a table's name or its path, in any case; the API takes the path (ruling 3).
import type { ExploreColumn } from '../aep/flow-service.js';
import { requireAep, resolveVia } from '../config/settings.js';
import type { Via } from '../config/state.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError } from '../core/errors.js';
import { para } from '../core/text.js';
import { matchTable, unknownTable, type TableRef } from '../converge/tables.js';
import { PATHS, type SourcePath } from '../paths/index.js';
import { defaultConnectionName, findConnection } from './connect.js';

export { matchTable, unknownTable, type TableRef };
// The module list and columns of the http-api path, for dataflow create and templates as well.
export { zohoColumn, zohoColumns, zohoTablePath, zohoTables } from '../zoho/crm.js';
export { fetchTables } from '../paths/zoho-source.js';
import type { Session } from './session.js';

export interface TableList {
  /** The base connection explored (with --via http-api: the HTTP API connection; Zoho itself was read). */
  connectionId: string;
  tables: TableRef[];
  /** With --via http-api: read from Zoho CRM's REST API rather than through Adobe. */
  via?: Via;
}

export interface TableDetail {
  connectionId: string;
  via?: Via;
  table: { name: string; path: string };
  columns: Array<{ name: string; type: string; xdmType?: string; format?: string }>;
  rows: Array<Record<string, unknown>>;
  /** The columns as explore gave them (for source connections and templates). */
  rawColumns: ExploreColumn[];
}

/**
 * The base connection to explore (or, on http-api, the one records go to): --connection, else this profile's (state,
 * then by name).
 */
export async function resolveConnectionId(
  ctx: Context,
  session: Session,
  path: SourcePath,
  explicit?: string,
): Promise<string> {
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
  const found = await findConnection(ctx, session, saved?.name ?? name, path);
  if (!found) {
    throw new UserError(
      para`Profile '${session.settings.profileName}' has no ${path.names.connection} in sandbox
        '${session.settings.sandbox}'.`,
      { hint: path.names.connectFirst },
    );
  }
  return found.id;
}

export interface ExploreOptions {
  connection?: string;
  /** --via; AEP_ZOHO_VIA and what connect recorded apply when it is absent. */
  via?: string;
}

/** The session and the path to explore by (--via, AEP_ZOHO_VIA, what connect recorded), its options checked. */
async function choosePath(ctx: Context, options: ExploreOptions): Promise<{ session: Session; path: SourcePath }> {
  const session = await ctx.services();
  const saved = await session.state.read(session.settings.sandbox);
  const path = PATHS[resolveVia(options.via, ctx.env, saved.via)];
  path.checkExplore(options);
  // Every path explores with Adobe's credentials (the http-api path's connection is Adobe's).
  requireAep(session.settings);
  return { session, path };
}

/** Results name the path unless it is the default one (which takes no flag). */
const viaOf = (path: SourcePath) => (path.names.flag ? { via: path.via } : {});

export async function listTables(ctx: Context, options: ExploreOptions = {}): Promise<TableList> {
  const { session, path } = await choosePath(ctx, options);
  const connectionId = resolveConnectionId(ctx, session, path, options.connection);
  connectionId.catch(() => undefined); // awaited below, maybe after the listing failed
  const reader = await path.reader(ctx, session);
  const [id, tables] = await Promise.all([connectionId, reader.tables(() => connectionId)]);
  return { connectionId: id, tables, ...viaOf(path) };
}

export async function describeTable(
  ctx: Context,
  input: string,
  options: { preview: boolean; limit?: number } & ExploreOptions,
): Promise<TableDetail> {
  const { session, path } = await choosePath(ctx, options);
  const connectionId = resolveConnectionId(ctx, session, path, options.connection);
  connectionId.catch(() => undefined);
  const reader = await path.reader(ctx, session);
  const limit = options.limit ?? 10;
  // The table's columns are read as soon as it is known (Zoho's API needs no connection to read through).
  const resolved = reader.resolve(() => connectionId, input);
  const read = resolved.then((table) =>
    reader.read(() => connectionId, table, options.preview && table.canPreview, limit),
  );
  const [id, table, detail] = await Promise.all([connectionId, resolved, read]);
  const rawColumns = detail.schema?.columns ?? [];
  return {
    connectionId: id,
    ...viaOf(path),
    table: { name: table.name, path: table.path },
    columns: rawColumns.map((c) => ({
      name: c.name,
      type: c.type,
      xdmType: c.xdm?.type ?? (c['meta:xdmType'] as string | undefined),
      format: c.xdm?.format,
    })),
    rows: (detail.data ?? []).slice(0, limit),
    rawColumns,
  };
}
