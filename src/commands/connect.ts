import { defineCommand } from '../core/command.js';
import type { ConnectResult } from '../tasks/connect.js';
import { printPlan, type PlanStep } from '../core/plan.js';

export default defineCommand<{ name?: string; updateCredentials: boolean; dryRun: boolean }, ConnectResult | { plan: PlanStep[] }>({
  command: 'connect',
  describe: 'Create, or find and reuse, the Zoho CRM base connection in Adobe Experience Platform',
  examples: [
    ['$0 connect', "create or reuse the connection named 'aep-zoho <profile>'"],
    ['$0 connect --update-credentials', 'rotate the stored Zoho tokens into the existing connection'],
    ['$0 connect --dry-run --json', 'show what would be created, sending nothing'],
  ],
  builder: (y) =>
    y
      .option('name', { type: 'string', describe: "Connection name (default 'aep-zoho <profile>')" })
      .option('update-credentials', { type: 'boolean', default: false, describe: 'PATCH the stored Zoho tokens into an existing connection' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Look up, plan, and send no write' }),
  async run(args, ctx) {
    const { connect } = await import('../tasks/connect.js');
    return connect(ctx, { name: args.name, updateCredentials: args.updateCredentials, dryRun: args.dryRun });
  },
  human(result, ui) {
    if ('plan' in result) return printPlan(result.plan, ui);
    ui.line(`${result.created ? ui.green('Created') : 'Reused'} base connection ${ui.bold(result.name)} (${result.connectionId}) in sandbox ${result.sandbox}.`);
    if (result.updatedCredentials) ui.line('Rotated its Zoho credentials.');
    ui.line(ui.dim("Reminder: a Zoho CRM admin must allow Adobe's source IP ranges for your AEP region ('aep-zoho allowlist --region <va7|nld2|aus5|can2>')."));
    ui.line(`Next: ${ui.bold('aep-zoho explore')} to see the CRM's tables.`);
  },
});
