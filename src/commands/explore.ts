import { defineCommand } from '../core/command.js';
import { UsageError } from '../core/errors.js';
import { safe, para } from '../core/text.js';
import type { TableDetail, TableList } from '../tasks/explore.js';

interface Args {
  table?: string;
  limit: number;
  connection?: string;
  columns?: string[];
  via?: string;
}

type Result = TableList | Omit<TableDetail, 'rawColumns'>;

export default defineCommand<Args, Result>({
  command: 'explore [table]',
  writes: true, // caches the table listing in the state file
  describe: "List the Zoho CRM's tables, or one table's columns and preview rows",
  examples: [
    ['$0 explore', 'the tables, with their names and paths'],
    ['$0 explore accounts --limit 5', 'columns and 5 preview rows (name or path, any case)'],
    ['$0 explore Contacts --columns Full_Name,Email,Account_Name', 'choose the preview columns'],
    ['$0 explore Contacts --json', 'the same as JSON'],
    ['$0 explore Accounts --via http-api', "from Zoho CRM's own API (no Adobe connection needed)"],
  ],
  lists: ['columns'],
  builder: (y) =>
    y
      .positional('table', { type: 'string', describe: 'Table name (e.g. Accounts) or path' })
      .option('limit', { type: 'number', default: 10, describe: 'Preview rows to show (1-100)' })
      .option('columns', {
        type: 'string',
        describe: 'Comma-separated columns to show in the preview (default: as many as fit)',
      })
      .option('connection', { type: 'string', describe: "Base connection id (default: this profile's)" })
      .option('via', {
        type: 'string',
        describe: para`zoho-source: through Adobe's Zoho CRM source; http-api: Zoho CRM's own REST API (default:
          AEP_ZOHO_VIA, else what connect recorded, else zoho-source)`,
      }),
  async run(args, ctx) {
    if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > 100) {
      throw new UsageError(`--limit must be a whole number from 1 to 100, got ${args.limit}.`);
    }
    const explore = await import('../tasks/explore.js');
    if (!args.table?.trim()) return explore.listTables(ctx, { connection: args.connection, via: args.via });
    const { rawColumns: _raw, ...detail } = await explore.describeTable(ctx, args.table, {
      preview: true,
      limit: args.limit,
      connection: args.connection,
      via: args.via,
    });
    if (!args.columns?.length) return detail;
    // --columns names columns of this table: checked here, with the closest name for a typo.
    const names = detail.columns.map((c) => c.name);
    const unknown = args.columns.filter((name) => !names.includes(name));
    if (unknown.length) {
      const { closest } = await import('fastest-levenshtein');
      const near = unknown.map(
        (name) => names.find((n) => n.toLowerCase() === name.toLowerCase()) ?? closest(name, names),
      );
      throw new UsageError(`No column ${unknown.map((n) => `'${n}'`).join(', ')} in ${detail.table.name}.`, {
        hint: para`Did you mean ${near.map((n) => `'${n}'`).join(', ')}? 'aep-zoho explore ${detail.table.name}' lists
          its ${names.length} columns.`,
      });
    }
    return {
      ...detail,
      rows: detail.rows.map((row) => Object.fromEntries(args.columns!.map((name) => [name, row[name]]))),
    };
  },
  async human(result, ui, args) {
    const [{ PATHS }, { DEFAULT_VIA }] = await Promise.all([
      import('../paths/index.js'),
      import('../config/settings.js'),
    ]);
    const path = PATHS[result.via ?? DEFAULT_VIA];
    if ('tables' in result) {
      await ui.table(
        ['Name', 'Path', 'Preview', 'Schema'],
        result.tables.map((t) => [t.name, t.path, t.canPreview ? 'yes' : 'no', t.canFetchSchema ? 'yes' : 'no']),
      );
      ui.note(path.names.listed(result.tables.length, result.connectionId));
      ui.note(`Next: ${ui.cmd(`explore <table>${path.names.flag}`)} for its columns and preview rows.`);
      return;
    }
    ui.note(
      para`${ui.bold(safe(result.table.name))} ${ui.dim(`(path ${safe(result.table.path)})`)}: ${result.columns.length}
        columns${path.names.columnsFrom}`,
    );
    await ui.table(
      ['Column', 'Type', 'XDM type', 'Format'],
      result.columns.map((c) => [c.name, c.type, c.xdmType ?? '', c.format ?? '']),
    );
    if (!result.rows.length) {
      ui.note('No preview rows.');
      return;
    }
    ui.note(`Preview: ${result.rows.length} row(s)`);
    if (!ui.tty) ui.line();
    const headers = args.columns?.length ? args.columns : result.columns.map((c) => c.name);
    // A header row off a terminal too: preview columns differ from table to table.
    const hidden = await ui.table(
      headers,
      result.rows.map((row) => headers.map((h) => row[h])),
      { maxColumnWidth: 22, header: true },
    );
    if (hidden.length)
      ui.note(ui.dim(`${hidden.length} more column(s) not shown at this width: choose with --columns, or use --json.`));
  },
});
