import { defineCommand } from '../../core/command.js';
import { UsageError } from '../../core/errors.js';
import { printPlan } from '../../core/plan.js';
import { safe, para } from '../../core/text.js';
import { parseTime } from '../../core/time.js';
import type { DataflowResult, DryRunResult, Schedule } from '../../tasks/dataflow.js';

interface Args {
  /** Every --template, comma lists split (cli/main.ts). */
  template: string[];
  dryRun: boolean;
  preview: boolean;
  exitCode: boolean;
  allowMissingColumns: boolean;
  start?: string;
  via?: string;
  frequency?: Schedule['frequency'];
  interval?: number;
  concurrency: number;
  debug?: boolean;
}

/**
 * One shape for one template or several: `{ dataflows: […] }` (CLI-CONTRACT.md). With exactly one
 * template its fields are also at the top level, as before, for one release (README: "One JSON shape").
 */
type Result = ({ dataflows: DataflowResult[] } & Partial<DataflowResult>) | (DryRunResult & { exitCode?: number });

export default defineCommand<Args, Result>({
  command: 'create',
  writes: true,
  describe: para`Converge the schema, dataset, connections, mapping set and scheduled dataflow to one or more templates:
    create what is missing, update what Adobe lets change, replace what it does not`,
  examples: [
    ['$0 dataflow create --template accounts', 'the built-in Accounts template'],
    ['$0 dataflow create --template accounts,contacts,leads,deals', 'four dataflows in one run, concurrently'],
    [
      '$0 dataflow create --template ./my-module.json --frequency day --interval 1 --start 2026-12-01T06:00:00Z',
      'a template file with another schedule',
    ],
    ['$0 dataflow create --template contacts --dry-run --json', 'the plan, sending no write'],
    [
      '$0 dataflow create --template accounts --dry-run --exit-code',
      'CI drift check: exit 0 when nothing would change, 3 when it would',
    ],
    [
      '$0 dataflow create --template accounts --via http-api',
      "after Adobe retired the Zoho source: a streaming dataflow that 'aep-zoho sync' feeds",
    ],
  ],
  completions: { template: 'templates', via: ['zoho-source', 'http-api'] },
  lists: ['template'],
  positionalOption: 'template',
  builder: (y) =>
    y
      .option('template', {
        type: 'string',
        demandOption: true,
        describe: 'Built-in template name or file path; several: repeat the option or separate them with commas',
      })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Look up and plan; send no write' })
      .option('preview', {
        type: 'boolean',
        default: false,
        describe: para`With --dry-run: show three mapped preview records of every template (default: only where the plan
          creates or changes the mapping)`,
      })
      .option('allow-missing-columns', {
        type: 'boolean',
        default: false,
        describe: 'Skip mappings of columns the table lacks (with a warning) instead of failing',
      })
      .option('exit-code', {
        type: 'boolean',
        default: false,
        describe: 'With --dry-run: exit 3 when the plan changes anything, 0 when it does not',
      })
      .option('start', { type: 'string', describe: "First run: ISO 8601 time, epoch seconds, or 'now' (default now)" })
      .option('frequency', {
        type: 'string',
        choices: ['once', 'minute', 'hour', 'day', 'week'],
        describe: "Override the template's schedule frequency",
      })
      .option('interval', {
        type: 'number',
        describe: 'Override the interval (minute ≥ 15, others ≥ 1; once takes none)',
      })
      .option('concurrency', { type: 'number', default: 10, describe: 'Templates built at the same time' })
      .option('via', {
        type: 'string',
        describe: para`zoho-source (a scheduled Zoho CRM source dataflow) or http-api (a streaming dataflow 'aep-zoho
          sync' feeds); default: what connect recorded`,
      }),
  async run(args, ctx) {
    const names = args.template;
    if (!names.length)
      throw new UsageError('--template is empty.', { hint: "Name a template ('aep-zoho templates list') or a file." });
    if (new Set(names.map((n) => n.toLowerCase())).size !== names.length)
      throw new UsageError(`--template names a template twice: ${names.join(',')}.`);
    if (args.preview && !args.dryRun)
      throw new UsageError('--preview needs --dry-run.', {
        hint: 'For the mapped preview records: aep-zoho dataflow create --template <name> --dry-run --preview.',
      });
    if (args.exitCode && !args.dryRun)
      throw new UsageError('--exit-code needs --dry-run.', {
        hint: 'For a drift check: aep-zoho dataflow create --template <name> --dry-run --exit-code.',
      });
    if (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > 50)
      throw new UsageError(`--concurrency must be 1-50, got ${args.concurrency}.`);
    // Only the command line's own rules here; the schedule itself is checked by checkSchedule().
    const schedule: Partial<Schedule> = {};
    if (args.start !== undefined) schedule.startTime = parseTime(args.start, ctx.now());
    if (args.interval !== undefined && !args.frequency)
      throw new UsageError('--interval needs --frequency.', { hint: 'For example: --frequency hour --interval 2.' });
    if (args.frequency) {
      schedule.frequency = args.frequency;
      schedule.interval = args.interval; // a template's interval does not carry over to another frequency
    }
    const { loadTemplate } = await import('../../template/load.js');
    const templates = await Promise.all(names.map((name) => loadTemplate(name)));
    // A dataflow is recorded and found under its template's name (any case): two of one name would fight over it.
    for (const [i, { template, file }] of templates.entries()) {
      const other = templates.findIndex((t) => t.template.name.toLowerCase() === template.name.toLowerCase());
      if (other === i) continue;
      const both = `--template ${names[other]},${names[i]}`;
      if (templates[other].file === file)
        throw new UsageError(`${both} names the file ${file} twice.`, { hint: 'Name each template once.' });
      const first = templates[other].template.name;
      const cased = first === template.name ? '' : ` (and '${template.name}': case does not count)`;
      throw new UsageError(
        `Two templates are named '${first}'${cased}: ${templates[other].file} and ${file} (${both}).`,
        {
          hint: para`A dataflow is recorded under its template's name, so one run builds one template of a name: pass
            one of them, or give one another "name".`,
        },
      );
    }
    const { createDataflows } = await import('../../tasks/dataflow.js');
    const result = await createDataflows(ctx, templates, {
      dryRun: args.dryRun,
      schedule,
      concurrency: args.concurrency,
      allowMissingColumns: args.allowMissingColumns,
      via: args.via,
    });
    if ('plan' in result) return args.exitCode && result.changes ? { ...result, exitCode: 3 } : result;
    // Deprecated: the single template's fields at the top level too; to go in the next release.
    return result.dataflows.length === 1 ? { dataflows: result.dataflows, ...result.dataflows[0] } : result;
  },
  async human(result, ui, args) {
    if ('plan' in result) {
      // A drift check where nothing changed is the plan alone: previews only where the mapping is
      // new or changes (what the user is about to see land differently), or all with --preview.
      const remapped = new Set(
        result.plan
          .filter((s) => s.resource === 'mapping set' && s.action !== 'reuse' && s.action !== 'delete')
          .map((s) => s.template),
      );
      const shown = result.preview.filter(({ template }) => args.preview || remapped.has(template));
      for (const { template, records } of shown) {
        ui.line(ui.bold(`${template}: the first ${records.length} preview row(s) as XDM records`));
        // One field a line, indented: a record on one line is a thousand characters wide.
        for (const record of records) ui.raw(`${JSON.stringify(record, null, 2).replace(/^/gm, '  ')}\n`);
      }
      printPlan(result.plan, ui, args.debug);
      const left = result.preview.length - shown.length;
      const which =
        left === 1 ? 'a template whose mapping does not change are' : 'templates whose mapping does not change are';
      if (left > 0) ui.note(`The mapped preview records of ${which} left out: --preview shows them.`);
      return;
    }
    const flows = result.dataflows;
    const { KINDS } = await import('../../converge/kinds/index.js');
    const words = (kinds: string[]) => kinds.map((k) => KINDS[k as keyof typeof KINDS]?.label ?? k).join(', ');
    for (const f of flows) {
      const did = [
        f.created.length && ui.green(`created ${words(f.created)}`),
        f.updated.length && ui.yellow(`updated ${words(f.updated)}`),
        f.replaced.length && ui.yellow(`replaced ${words(f.replaced)}`),
      ].filter(Boolean);
      ui.line(
        para`${ui.bold(safe(f.template))}: dataflow ${f.flowId}
          ${did.length ? `(${did.join('; ')})` : '(no changes: everything matches the template)'}`,
      );
      ui.line(`  schema      ${f.schemaId}`);
      ui.line(`  dataset     ${f.datasetId}`);
      ui.line(`  source      ${f.sourceConnectionId}    target ${f.targetConnectionId}`);
      ui.line(`  mapping set ${f.mappingSetId}`);
      if (f.skippedColumns.length)
        ui.line(ui.yellow(`  skipped columns the table lacks: ${f.skippedColumns.map(safe).join(', ')}`));
    }
    const { PATHS } = await import('../../paths/index.js');
    if (PATHS[flows[0].via].streaming) {
      // Said once: Adobe pauses a new (or re-mapped) streaming dataflow, and nothing moves until sync runs.
      if (
        flows.some(
          (f) =>
            f.created.includes('flow') ||
            f.replaced.includes('flow') ||
            f.updated.includes('mappingSet') ||
            f.updated.includes('flow'),
        )
      ) {
        ui.note(
          para`Adobe pauses ingestion for five minutes after a streaming dataflow is created or updated (records posted
            then are dropped): sync waits it out, and 'sync --no-wait' exits 75 until then.`,
        );
      }
      ui.note(
        `Data moves only when ${ui.cmd('sync')} runs: run it now, from cron or CI, or ${ui.cmd('sync --every 15m')}.`,
      );
      return;
    }
    ui.note(`Next: ${ui.cmd(`dataflow runs ${flows[0].flowId} --watch`)} to follow the first run.`);
  },
});
