import { defineCommand } from '../core/command.js';
import type { ConnectResult } from '../tasks/connect.js';
import { printPlan, type PlanStep } from '../core/plan.js';
import { safe } from '../core/text.js';

type Result = (ConnectResult & { allowlist?: { region: string; ranges: string[] } }) | { plan: PlanStep[] };

export default defineCommand<{ name?: string; updateCredentials: boolean; dryRun: boolean; aepRegion?: string; debug?: boolean }, Result>({
  command: 'connect',
  writes: true,
  describe: 'Create, or find and reuse, the Zoho CRM base connection in Adobe Experience Platform',
  examples: [
    ['$0 connect', "create or reuse the connection named 'aep-zoho <profile>'"],
    ['$0 connect --update-credentials', 'rotate the stored Zoho tokens into the existing connection'],
    ['$0 connect --dry-run --json', 'show what would be created, sending nothing'],
  ],
  completions: { 'aep-region': 'aep-regions' },
  builder: (y) =>
    y
      .option('name', { type: 'string', describe: "Connection name (default 'aep-zoho <profile>')" })
      .option('update-credentials', { type: 'boolean', default: false, describe: 'PATCH the stored Zoho tokens into an existing connection' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Look up, plan, and send no write' })
      .option('aep-region', { type: 'string', describe: "Your AEP region (va7|nld2|aus5|can2): the closing reminder lists Adobe's IP ranges for it" }),
  async run(args, ctx) {
    const { allowlistFor } = await import('../aep/allowlist.js');
    const region = args.aepRegion !== undefined ? allowlistFor(args.aepRegion) : undefined; // checked before anything is sent
    // Adobe's and Zoho's credentials both, checked before anything is sent: all that is missing at once.
    const [{ loadSettings, requireAep, requireZoho }, { requireAll }] = await Promise.all([import('../config/settings.js'), import('../tasks/session.js')]);
    requireAll(await loadSettings(ctx.env, ctx.flags, ctx.lockOwner), [requireAep, requireZoho]);
    const { connect } = await import('../tasks/connect.js');
    const result = await connect(ctx, { name: args.name, updateCredentials: args.updateCredentials, dryRun: args.dryRun });
    return region && !('plan' in result) ? { ...result, allowlist: { region: region.region, ranges: region.ranges } } : result;
  },
  human(result, ui, args) {
    if ('plan' in result) return printPlan(result.plan, ui, args.debug);
    ui.line(`${result.created ? ui.green('Created') : 'Reused'} base connection ${ui.bold(safe(result.name))} (${result.connectionId}) in sandbox ${result.sandbox}.`);
    if (result.updatedCredentials) ui.line('Rotated its Zoho credentials.');
    if (result.allowlist) {
      ui.note(`Reminder: a Zoho CRM admin must allow Adobe's source IP ranges for ${result.allowlist.region}:`);
      ui.note(`  ${result.allowlist.ranges.join(', ')}`);
    } else {
      ui.note(ui.dim("Reminder: a Zoho CRM admin must allow Adobe's source IP ranges for your AEP region ('aep-zoho allowlist --region <va7|nld2|aus5|can2>', or connect --aep-region)."));
    }
    ui.note(`Next: ${ui.cmd('explore')} to see the CRM's tables.`);
  },
});
