// `templates validate <file>`: checks a template; exit 2 with every problem and its JSON path.
// Offline it checks the format and every standard destination against Adobe's XDM library (bundled);
// with Adobe credentials and a base connection it also checks the table and the columns the
// template reads against the Zoho CRM connection; --offline (or no credentials) skips that, and
// says which checks need the org.
import { defineCommand } from '../../core/command.js';
import { para } from '../../core/text.js';
import { UsageError } from '../../core/errors.js';
import { HINTS } from '../../core/hints.js';

interface Result {
  valid: true;
  name: string;
  file: string;
  table: string;
  mappings: number;
  /** `online`: the table and columns were checked against Zoho CRM; `offline`: the format only. */
  checked: 'online' | 'offline';
  /** Why the table and columns were not checked. */
  offlineReason?: string;
  /** Standard destinations: `checked` against the named class and field groups, or what needs the org. */
  destinations: { checked: string[]; needsOrg: string[] };
}

export default defineCommand<{ file: string; offline: boolean }, Result>({
  command: 'validate <file>',
  describe: 'Check a template file (or built-in name): its format, and with credentials its table and columns',
  examples: [
    [
      '$0 templates validate ./my-contacts.json',
      'exit 0 when valid, 2 with each problem (its JSON path, or the column and the closest one)',
    ],
    ['$0 templates validate ./my-contacts.json --offline --json', 'the format only, without asking Adobe'],
  ],
  completions: { file: 'templates' },
  builder: (y) =>
    y.positional('file', { type: 'string', describe: 'Template file (or built-in name)' }).option('offline', {
      type: 'boolean',
      default: false,
      describe: 'Check the format only: no call to Adobe for the table and its columns',
    }),
  async run(args, ctx) {
    const { loadTemplate, lineOf } = await import('../../template/load.js');
    const { checkDestinations } = await import('../../template/xdm-standard.js');
    const { template, file } = await loadTemplate(args.file);
    const xdm = await checkDestinations(template);
    const problems = [
      ...xdm.missing.map((m) => {
        const line = lineOf(file, m.destination) ? ` (line ${lineOf(file, m.destination)})` : '';
        const closest = m.closest ? ` (did you mean ${m.closest}?)` : '';
        return para`/mappings/${m.index}/destination${line}: ${m.destination} is in neither
          ${template.target.schema.class} nor its field groups${closest}`;
      }),
      ...xdm.misplaced.map((id) => `/target/schema/fieldGroups: ${id} does not extend ${template.target.schema.class}`),
    ];
    if (problems.length)
      throw new UsageError(`${file}: ${problems.join('; ')}.`, {
        hint: HINTS.xdmDestination(),
      });
    const base = {
      valid: true as const,
      name: template.name,
      file,
      table: template.source.table,
      mappings: template.mappings.length,
      destinations: { checked: xdm.checked, needsOrg: xdm.needsOrg },
    };
    if (args.offline) return { ...base, checked: 'offline', offlineReason: '--offline' };
    const { settings } = await ctx.services();
    if (!settings.aep.clientId || !settings.aep.clientSecret || !settings.aep.orgId)
      return { ...base, checked: 'offline', offlineReason: 'no Adobe credentials' };
    const { describeTable } = await import('../../tasks/explore.js');
    const detail = await describeTable(ctx, template.source.table, { preview: false }).catch((error) => {
      // No base connection yet: nothing to check against, which is not the template's fault.
      if (/has no Zoho CRM base connection/.test((error as Error).message)) return undefined;
      throw error;
    });
    if (!detail) return { ...base, checked: 'offline', offlineReason: 'no base connection yet' };
    const names = detail.columns.map((c) => c.name);
    const read = [
      ['/source/deltaColumn', template.source.deltaColumn],
      ...(template.identity ? [['/identity/source', template.identity.source]] : []),
      ...template.mappings.flatMap((m, i) => [
        ...(m.source ? [[`/mappings/${i}/source`, m.source]] : []),
        ...(m.columns ?? []).map((c) => [`/mappings/${i}/columns`, c]),
      ]),
    ] as Array<[string, string]>;
    const unknown = read.filter(([, column]) => !names.includes(column.split('.')[0]));
    if (unknown.length) {
      const { closest } = await import('fastest-levenshtein');
      const problems = unknown.map(
        ([pointer, column]) =>
          para`${pointer}: no column '${column.split('.')[0]}' in ${detail.table.name} (closest:
            '${closest(column.split('.')[0], names)}')`,
      );
      throw new UsageError(`${file}: ${problems.join('; ')}.`, {
        hint: para`'aep-zoho explore ${detail.table.name}' lists its ${names.length} columns; --offline checks the
          format only.`,
      });
    }
    return { ...base, checked: 'online' };
  },
  async human(result, ui) {
    const { displayPath } = await import('../../template/load.js');
    ui.line(
      para`${ui.green('Valid:')} ${displayPath(result.file)} — template '${result.name}', table ${result.table},
        ${result.mappings} mappings.`,
    );
    ui.note(
      result.checked === 'online'
        ? `Checked online: table ${result.table} and every column the template reads exist in Zoho CRM.`
        : ui.yellow(
            para`Offline (${result.offlineReason}): the format and destinations were checked, not the table or its
              columns.`,
          ),
    );
    const { checked, needsOrg } = result.destinations;
    const groups = `the class and ${checked.length - 1} field group${checked.length > 2 ? 's' : ''}`;
    ui.note(
      needsOrg.length
        ? ui.yellow(
            para`Destinations need the org: ${needsOrg.join(', ')} ${needsOrg.length > 1 ? 'are' : 'is'} not in Adobe's
              standard XDM library; 'aep-zoho dataflow create --template ${result.name} --dry-run' checks them.`,
          )
        : `Destinations checked against Adobe's XDM library: ${checked.length === 1 ? 'the class' : groups}.`,
    );
  },
});
