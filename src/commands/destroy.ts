import { defineCommand } from '../core/command.js';
import { UsageError } from '../core/errors.js';
import { printPlan } from '../core/plan.js';
import { para, safe } from '../core/text.js';
import type { DestroyItem, DestroyPlan, DestroyResult } from '../tasks/destroy.js';

interface Args {
  dryRun: boolean;
  exitCode: boolean;
  template?: string;
}

export default defineCommand<Args, DestroyResult | (DestroyPlan & { exitCode?: number })>({
  command: 'destroy',
  writes: true,
  describe:
    'Delete what this profile created in this sandbox, dependents first (asks first on a terminal; --yes elsewhere)',
  examples: [
    ['$0 destroy --dry-run', 'list what would be deleted, sending nothing'],
    ['$0 destroy --dry-run --exit-code', 'CI: exit 0 when nothing is left to delete, 3 when something is'],
    ['$0 destroy --yes', 'delete without asking (CI); a re-run finishes an interrupted one'],
    [
      '$0 destroy --template contacts --yes',
      "only the contacts template's resources; the base connection and other templates stay",
    ],
    ['$0 destroy --sandbox dev-1 --profile ci --yes --json', 'another sandbox and profile, as JSON'],
  ],
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', default: false, describe: 'Check and list the deletes; send none' })
      .option('exit-code', {
        type: 'boolean',
        default: false,
        describe: 'With --dry-run: exit 3 when something is left to delete, 0 when nothing is',
      })
      .option('template', {
        type: 'string',
        describe: "Only these templates' resources (names, comma-separated); the base connection stays",
      }),
  async run(args, ctx) {
    const templates =
      args.template === undefined
        ? undefined
        : args.template
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean);
    if (templates && !templates.length)
      throw new UsageError('--template is empty.', {
        hint: para`Name the templates whose resources should go, e.g. --template contacts ('aep-zoho dataflow list'
          shows them).`,
      });
    if (args.exitCode && !args.dryRun)
      throw new UsageError('--exit-code needs --dry-run.', {
        hint: 'To check that nothing is left: aep-zoho destroy --dry-run --exit-code.',
      });
    const { destroy } = await import('../tasks/destroy.js');
    const result = await destroy(ctx, { dryRun: args.dryRun, templates });
    // What Adobe does not let be deleted (kept) is not left to do: only planned deletes count.
    return args.exitCode && 'plan' in result && result.plan.length ? { ...result, exitCode: 3 } : result;
  },
  human(result, ui) {
    const line = (item: DestroyItem) =>
      para`${item.resource} '${safe(item.name)}'
        ${ui.dim(`(${item.id})`)}${item.reason ? ui.dim(` — ${item.reason}`) : ''}`;
    if ('plan' in result) {
      if (result.plan.length) printPlan(result.plan, ui, true);
      else ui.line(`Nothing to delete in sandbox ${result.sandbox}. Dry run: nothing was sent.`);
    } else {
      for (const item of result.deleted) ui.line(`${ui.red('deleted')} ${line(item)}`);
      if (!result.deleted.length) ui.line(`Nothing to delete in sandbox ${result.sandbox}.`);
    }
    for (const item of result.gone) ui.line(`${ui.dim('gone')}    ${line(item)} ${ui.dim('(already deleted)')}`);
    for (const item of result.skipped) ui.line(`${ui.yellow('skipped')} ${line(item)}`);
    for (const item of result.kept) ui.line(`${ui.dim('kept')}    ${line(item)}`);
  },
});
