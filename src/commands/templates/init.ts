// `templates init --table <table>`: writes a starter template from the table's explored columns.
import { defineCommand } from '../../core/command.js';
import { para } from '../../core/text.js';
import { UsageError } from '../../core/errors.js';
import { HINTS } from '../../core/hints.js';
import type { Template } from '../../template/types.js';

interface Args {
  table: string;
  output?: string;
  force: boolean;
  connection?: string;
  name?: string;
}

interface Result {
  file: string;
  name: string;
  table: string;
  deltaColumn: string;
  mappings: number;
  overwritten: boolean;
  template: Template;
  /** The built-in template whose name the table's would have been (the starter took another). */
  renamedFrom?: string;
}

export default defineCommand<Args, Result>({
  command: 'init',
  describe: 'Write a starter template for a Zoho table: every column mapped into a tenant field group',
  examples: [
    ['$0 templates init --table Subscriptions', 'writes ./subscriptions.json'],
    [
      '$0 templates init --table Products --output templates/products.json --force',
      'choose the file; replace it if it exists',
    ],
  ],
  builder: (y) =>
    y
      .option('table', {
        type: 'string',
        demandOption: true,
        describe: 'Table name (e.g. Accounts) or path, as explore lists it',
      })
      .option('output', { alias: 'o', type: 'string', describe: 'File to write (default ./<name>.json)' })
      .option('name', {
        type: 'string',
        describe: para`The template's name, which its dataflow is recorded under (default: the table's, or
          <table>-custom where a built-in template has that name)`,
      })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite the file if it exists' })
      .option('connection', { type: 'string', describe: "Base connection id (default: this profile's)" }),
  async run(args, ctx) {
    if (!args.table.trim()) throw new UsageError('--table is empty.', { hint: "'aep-zoho explore' lists the tables." });
    const { resolve } = await import('node:path');
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { displayPath, pathExists, validateTemplate } = await import('../../template/load.js');
    const { starterTemplate, templateName } = await import('../../template/starter.js');
    const { formatTemplate } = await import('../../template/format.js');
    const { builtInNames } = await import('../../template/load.js');
    const builtIns = await builtInNames();
    const isBuiltIn = (name: string) => builtIns.some((b) => b.toLowerCase() === name.toLowerCase());
    const asked = args.name?.trim();
    if (asked !== undefined) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(asked))
        throw new UsageError(`Invalid --name '${asked}'.`, {
          hint: "Use 1-64 letters, digits, '-' or '_', starting with a letter or digit.",
        });
      // The name is the dataflow's identity: a built-in's name would converge (replace) its dataflow.
      if (isBuiltIn(asked))
        throw new UsageError(`--name '${asked}' is the name of a built-in template.`, {
          hint: HINTS.builtInName(asked),
        });
    }
    // Refuse early (before any API call) when the named output exists; the default name needs the table.
    const explicit = args.output?.trim();
    if (explicit && pathExists(resolve(explicit)) && !args.force) throw exists(explicit);
    const { describeTable } = await import('../../tasks/explore.js');
    const detail = await describeTable(ctx, args.table, { preview: false, connection: args.connection });
    const tableName = templateName(detail.table.name);
    // Never a built-in's name silently: `--table Contacts` is 'contacts-custom', and says so.
    const renamedFrom = asked === undefined && isBuiltIn(tableName) ? tableName : undefined;
    const name = asked ?? (renamedFrom ? `${tableName}-custom` : tableName);
    const file = resolve(explicit || `${name}.json`);
    const overwritten = pathExists(file);
    if (overwritten && !args.force) throw exists(displayPath(file));
    const { template, deltaNote } = starterTemplate(detail.table, detail.rawColumns, file, name);
    validateTemplate(template, file); // a starter that does not validate is a bug here, not the user's
    if (deltaNote) ctx.log.warn(deltaNote);
    await mkdir(resolve(file, '..'), { recursive: true });
    await writeFile(file, formatTemplate(template), { flag: args.force ? 'w' : 'wx' });
    return {
      file,
      name: template.name,
      table: detail.table.name,
      deltaColumn: template.source.deltaColumn,
      mappings: template.mappings.length,
      overwritten,
      template,
      ...(renamedFrom ? { renamedFrom } : {}),
    };
  },
  async human(result, ui) {
    const { displayPath } = await import('../../template/load.js');
    const { RECORD_BEHAVIOR } = await import('../../template/starter.js');
    const file = displayPath(result.file);
    ui.line(
      para`${ui.green(result.overwritten ? 'Replaced' : 'Wrote')} ${file}: template '${result.name}' for
        ${result.table}, ${result.mappings} mappings into _{TENANT_ID}.zoho.*, delta column ${result.deltaColumn},
        hourly.`,
    );
    if (result.renamedFrom)
      ui.line(
        ui.yellow(
          para`Named '${result.name}', not '${result.renamedFrom}': that is a built-in template's name, and a template
            with it would replace the resources of the built-in's dataflow. --name chooses another.`,
        ),
      );
    const { schema } = result.template.target;
    // A record class of its own has no standard fields to move to: everything stays under the tenant.
    const first =
      schema.fallbackClass && schema.class === RECORD_BEHAVIOR
        ? para`the schema gets its own class '${schema.fallbackClass.title}' (record behavior), every field under
          _{TENANT_ID}; rename fields as you like`
        : para`move fields to standard XDM paths and add an identity (see
          ${ui.cmd(`templates show ${schema.fallbackClass ? 'accounts' : 'contacts'}`)})`;
    ui.note(
      para`Next: ${first}, check with ${ui.cmd(`templates validate ${file}`)}, then
        ${ui.cmd(`dataflow create --template ${file}`)}.`,
    );
  },
});

function exists(file: string): UsageError {
  return new UsageError(`${file} already exists.`, {
    hint: 'Pass --force to overwrite it, or --output <file> to write elsewhere.',
  });
}
