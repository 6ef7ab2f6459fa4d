import { defineCommand } from '../core/command.js';
import { HINTS } from '../core/hints.js';
import type { ConnectResult } from '../tasks/connect.js';
import { printPlan, type PlanStep } from '../core/plan.js';
import { safe, para } from '../core/text.js';

type Result = (ConnectResult & { allowlist?: { region: string; ranges: string[] } }) | { plan: PlanStep[] };

export default defineCommand<
  { name?: string; updateCredentials: boolean; dryRun: boolean; aepRegion?: string; via?: string; debug?: boolean },
  Result
>({
  command: 'connect',
  writes: true,
  describe: para`Create, or find and reuse, the base connection: Adobe's Zoho CRM source, or an HTTP API streaming
    source that 'sync' feeds`,
  examples: [
    ['$0 connect', "create or reuse the connection named 'aep-zoho <profile>'"],
    ['$0 connect --update-credentials', 'rotate the stored Zoho tokens into the existing connection'],
    ['$0 connect --dry-run --json', 'show what would be created, sending nothing'],
    ['$0 connect --via http-api', "after Adobe retired the Zoho source: an HTTP API source that 'aep-zoho sync' feeds"],
  ],
  completions: { 'aep-region': 'aep-regions', via: ['zoho-source', 'http-api'] },
  builder: (y) =>
    y
      .option('name', { type: 'string', describe: "Connection name (default 'aep-zoho <profile>')" })
      .option('update-credentials', {
        type: 'boolean',
        default: false,
        describe: 'PATCH the stored Zoho tokens into an existing connection',
      })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Look up, plan, and send no write' })
      .option('aep-region', {
        type: 'string',
        describe: "Your AEP region (va7|nld2|aus5|can2): the closing reminder lists Adobe's IP ranges for it",
      })
      .option('via', {
        type: 'string',
        describe: para`zoho-source (Adobe's Zoho CRM source) or http-api (aep-zoho reads Zoho and posts to an HTTP API
          source); default: what connect recorded, else zoho-source`,
      }),
  async run(args, ctx) {
    const { allowlistFor } = await import('../aep/allowlist.js');
    // Checked before anything is sent.
    const region = args.aepRegion !== undefined ? allowlistFor(args.aepRegion) : undefined;
    // Adobe's and Zoho's credentials both, checked before anything is sent: all that is missing at once.
    const [{ requireAep, resolveVia }, { requireAll }, { PATHS }] = await Promise.all([
      import('../config/settings.js'),
      import('../tasks/session.js'),
      import('../paths/index.js'),
    ]);
    const { settings, state } = await ctx.services();
    const via = resolveVia(args.via, ctx.env, (await state.read(settings.sandbox)).via);
    requireAll(settings, [requireAep, PATHS[via].requireCredentials]);
    const { connect } = await import('../tasks/connect.js');
    const result = await connect(ctx, {
      name: args.name,
      updateCredentials: args.updateCredentials,
      dryRun: args.dryRun,
      via,
    });
    return region && !('plan' in result)
      ? { ...result, allowlist: { region: region.region, ranges: region.ranges } }
      : result;
  },
  async human(result, ui, args) {
    if ('plan' in result) return printPlan(result.plan, ui, args.debug);
    const path = (await import('../paths/index.js')).PATHS[result.via];
    ui.line(
      para`${result.created ? ui.green('Created') : 'Reused'} ${path.streaming ? 'HTTP API ' : ''}base connection
        ${ui.bold(safe(result.name))} (${result.connectionId}) in sandbox ${result.sandbox}.`,
    );
    if (result.updatedCredentials) ui.line('Rotated its Zoho credentials.');
    if (path.streaming) {
      ui.line(
        para`Zoho CRM answers aep-zoho directly (${result.zohoModules} modules); records go to
          ${safe(result.inletUrl ?? '')}.`,
      );
      ui.note(
        `On this path data moves only when ${ui.cmd('sync')} runs (from cron or CI, or ${ui.cmd('sync --every 15m')}).`,
      );
      ui.note(
        `Next: ${ui.cmd('explore')} to see the CRM's modules, then ${ui.cmd('dataflow create --template accounts')}.`,
      );
      return;
    }
    if (result.allowlist) {
      ui.note(`Reminder: a Zoho CRM admin must allow Adobe's source IP ranges for ${result.allowlist.region}:`);
      ui.note(`  ${result.allowlist.ranges.join(', ')}`);
    } else {
      ui.note(ui.dim(HINTS.allowlistReminder()));
    }
    ui.note(`Next: ${ui.cmd('explore')} to see the CRM's tables.`);
  },
});
