import { defineCommand } from '../core/command.js';
import { para } from '../core/text.js';
import { UsageError } from '../core/errors.js';
import type { SyncResult } from '../sync/run.js';

interface Args {
  /** Template names, flow ids or flow names; comma lists split (cli/main.ts). */
  dataflows?: string[];
  full: boolean;
  every?: string;
  inFlight?: number;
  wait: boolean;
  dryRun?: boolean;
  json: boolean;
}

export default defineCommand<Args, SyncResult>({
  command: 'sync [dataflows..]',
  describe: para`http-api dataflows: carry new and changed Zoho records to the streaming inlet, and deletes (tombstones
    or counted: the template's deletes); data moves only when sync runs`,
  examples: [
    ['$0 sync', 'every http-api dataflow of the sandbox, once (for cron or CI)'],
    ['$0 sync accounts,contacts --json', 'two dataflows, one JSON document'],
    ['$0 sync --every 15m', 'a pass every 15 minutes until Ctrl-C'],
    ['$0 sync accounts --full', 'read every record again, not only the changed ones'],
    ['$0 sync --dry-run', "a full pass's Zoho calls and credits, estimated from each module's record count"],
    ['$0 sync --no-wait', "inside Adobe's ingestion pause: exit 75 at once (try again after notBefore)"],
  ],
  completions: { dataflows: 'templates' },
  lists: ['dataflows'],
  // The profile and sandbox lock is taken per pass (sync/run.ts), so that `--every` does not hold it between passes.
  writes: false,
  builder: (y) =>
    y
      .positional('dataflows', {
        type: 'string',
        describe: 'Template names, flow ids or flow names (default: every http-api dataflow)',
      })
      .option('full', {
        type: 'boolean',
        default: false,
        describe: 'Read every record, not only those changed since the cursor (the cursor still moves forward)',
      })
      .option('every', {
        type: 'string',
        describe: 'Run a pass this often until Ctrl-C: 30s, 15m, 1h (not with --json)',
      })
      .option('wait', {
        type: 'boolean',
        default: true,
        describe: para`Wait out Adobe's ingestion pause (five minutes after a streaming flow is created or updated);
          --no-wait: exit 75 at once, nothing posted`,
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: para`Estimate a full pass from Zoho's record count of each module (Zoho calls, credits, inlet posts);
          read and send nothing`,
      })
      .option('in-flight', {
        type: 'number',
        describe: 'Inlet posts in flight at once (AEP_ZOHO_INLET_IN_FLIGHT; default 50)',
      }),
  async run(args, ctx) {
    const { checkInFlight, parseEvery, runSync } = await import('../sync/run.js');
    let everyMs: number | undefined;
    if (args.every !== undefined) {
      everyMs = parseEvery(String(args.every));
      if (!everyMs)
        throw new UsageError(`Invalid --every '${args.every}'.`, {
          hint: 'Use a duration of at least a second: 30s, 15m, 1h (or 1h30m).',
        });
      // The contract allows exactly one JSON document; a pass every interval would print many.
      if (ctx.flags.json)
        throw new UsageError(
          '--every cannot be combined with --json: --json prints exactly one document, and --every runs until Ctrl-C.',
          {
            hint: para`For a log of JSON documents, run 'aep-zoho sync --json' from cron or a CI schedule (see the
              README).`,
          },
        );
    }
    if (args.dryRun && args.every !== undefined)
      throw new UsageError(
        '--dry-run cannot be combined with --every: a dry run estimates one pass and sends nothing.',
        {
          hint: "Run 'aep-zoho sync --dry-run' once, then 'aep-zoho sync --every <duration>'.",
        },
      );
    const inFlight = args.inFlight === undefined ? undefined : checkInFlight(Number(args.inFlight), '--in-flight');
    return runSync(ctx, {
      selection: args.dataflows ?? [],
      full: args.full,
      everyMs,
      inFlight,
      noWait: args.wait === false,
      dryRun: args.dryRun === true,
    });
  },
  interrupted: (args) => ({
    message: args.every ? 'Stopped syncing.' : 'Sync interrupted.',
    hint: para`Each dataflow's cursor is saved after every page: the next 'aep-zoho sync' continues from there (nothing
      is lost; a few records may be sent twice).`,
  }),
  async human(result, ui) {
    const { passLines } = await import('../sync/report.js');
    for (const report of result.syncs)
      for (const line of passLines(report))
        ui.line(report.error || report.failed ? ui.red(line) : report.notBefore ? ui.yellow(line) : line);
    if (result.error) {
      ui.line(`${result.exitCode === 75 ? ui.yellow('⏸') : ui.red('✖')} ${result.error.message}`);
      if (result.error.hint) ui.line(`${ui.dim('Hint:')} ${result.error.hint}`);
    }
    ui.note(
      para`Next: data moves only when sync runs: run this again, or ${ui.cmd('sync --every 15m')} (or from cron or a CI
        schedule).`,
    );
  },
});
