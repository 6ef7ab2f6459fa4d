// `dataflow run <flow> [--from <time>] [--to <time>] [--watch]`: an on-demand run of a Zoho-source
// dataflow over a window (src/tasks/flow-run.ts says what Adobe allows).
import { defineCommand } from '../../core/command.js';
import { HINTS } from '../../core/hints.js';
import { UsageError } from '../../core/errors.js';
import { humanTime, safe, para } from '../../core/text.js';
import { parseTime } from '../../core/time.js';
import type { FlowRunResult } from '../../tasks/flow-run.js';

interface Args {
  flow: string;
  from?: string;
  to?: string;
  watch: boolean;
  timeout: string;
}

export default defineCommand<Args, FlowRunResult>({
  command: 'run <flow>',
  describe: para`An on-demand run of a Zoho-source dataflow scheduled once: ingest the records changed in a window again
    (e.g. after a mapping fix)`,
  examples: [
    ['$0 dataflow run accounts', 'the records changed in the last 24 hours'],
    [
      '$0 dataflow run accounts --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z --watch',
      'a month, followed to its end: exit 0 on success, 1 on failure',
    ],
  ],
  completions: { flow: 'templates' },
  builder: (y) =>
    y
      .positional('flow', { type: 'string', describe: 'Template name, flow id or flow name' })
      .option('from', {
        type: 'string',
        describe: "Window start: ISO 8601 time, epoch seconds, or 'now' (default: 24 hours before --to)",
      })
      .option('to', { type: 'string', describe: "Window end: ISO 8601 time, epoch seconds, or 'now' (default now)" })
      .option('watch', { type: 'boolean', default: false, describe: 'Follow the run to its end' })
      .option('timeout', {
        type: 'string',
        default: '30m',
        describe: 'With --watch: give up after this long (e.g. 90s, 30m, 2h); exit 1',
      }),
  async run(args, ctx) {
    const [{ runFlowOnDemand }, { parseDuration }] = await Promise.all([
      import('../../tasks/flow-run.js'),
      import('../../tasks/runs.js'),
    ]);
    const timeoutMs = parseDuration(args.timeout);
    if (!timeoutMs)
      throw new UsageError(`Invalid --timeout '${args.timeout}'.`, {
        hint: HINTS.duration(),
      });
    const time = (flag: string, value: string | undefined) =>
      value === undefined ? undefined : parseTime(value, ctx.now(), flag);
    return runFlowOnDemand(ctx, String(args.flow), {
      from: time('from', args.from),
      to: time('to', args.to),
      watch: args.watch,
      timeoutMs,
    });
  },
  interrupted: (args) => ({
    message: 'Stopped watching.',
    hint: HINTS.runGoesOn(String(args.flow)),
  }),
  human(result, ui) {
    ui.line(
      para`Run ${ui.bold(result.runId)} of ${ui.bold(safe(result.flowName))} (${result.state}): the records changed
        from ${humanTime(result.window.from)} to ${humanTime(result.window.to)}.`,
    );
    if (result.run && result.ok)
      ui.line(ui.green(`✔ Run ${result.runId} succeeded: ${result.run.recordsWritten} record(s) written.`));
    if (result.error) {
      ui.line(ui.red(`✖ ${safe(result.error.message)}`));
      if (result.error.hint) ui.line(`${ui.dim('Hint:')} ${result.error.hint}`);
    }
    if (!result.run)
      ui.note(ui.dim(`Follow it with 'aep-zoho dataflow runs ${result.template ?? result.flowId} --watch'.`));
  },
});
