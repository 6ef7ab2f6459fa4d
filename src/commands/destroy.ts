import { defineCommand } from '../core/command.js';
import { UsageError } from '../core/errors.js';
import { printPlan } from '../core/plan.js';
import { safe } from '../core/text.js';
import type { DestroyItem, DestroyPlan, DestroyResult } from '../tasks/destroy.js';

interface Args {
  dryRun: boolean;
  template?: string;
}

export default defineCommand<Args, DestroyResult | DestroyPlan>({
  command: 'destroy',
  writes: true,
  describe:
    'Delete what this profile created in this sandbox, dependents first (asks first on a terminal; --yes elsewhere)',
  examples: [
    ['$0 destroy --dry-run', 'list what would be deleted, sending nothing'],
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
        hint: "Name the templates whose resources should go, e.g. --template contacts ('aep-zoho dataflow list' shows them).",
      });
    const { destroy } = await import('../tasks/destroy.js');
    return destroy(ctx, { dryRun: args.dryRun, templates });
  },
  human(result, ui) {
    const line = (item: DestroyItem) =>
      `${item.resource} '${safe(item.name)}' ${ui.dim(`(${item.id})`)}${item.reason ? ui.dim(` — ${item.reason}`) : ''}`;
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
    if (result.kept.some((item) => item.resource === 'mapping set')) {
      ui.note(ui.dim('Mapping sets cannot be deleted through the Data Prep API; unused ones do no harm.'));
    }
  },
});
