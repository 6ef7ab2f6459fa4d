import { defineCommand } from '../../core/command.js';
import { HINTS } from '../../core/hints.js';
import { UsageError } from '../../core/errors.js';
import { humanTime, para, safe } from '../../core/text.js';
import type { RunsResult } from '../../tasks/runs.js';

interface Args {
  flow: string;
  watch: boolean;
  limit: number;
  timeout: string;
}

export default defineCommand<Args, RunsResult>({
  command: 'runs <flow>',
  describe:
    "A dataflow's runs, newest first: status, records, duration, errors; --watch follows the newest run to its end",
  examples: [
    ['$0 dataflow runs accounts', 'the last 10 runs'],
    [
      '$0 dataflow runs accounts --watch',
      'wait for the newest (or first) run to finish: exit 0 on success, 1 on failure',
    ],
    ['$0 dataflow runs 2c3f… --watch --timeout 2h --json', 'in CI, as JSON'],
    [
      '$0 dataflow runs contacts --watch',
      'an http-api dataflow: follow the batches of the last sync until none is processing (exit 1 when records failed)',
    ],
  ],
  completions: { flow: 'templates' },
  builder: (y) =>
    y
      .positional('flow', { type: 'string', describe: 'Template name, flow id or flow name' })
      .option('watch', {
        type: 'boolean',
        default: false,
        describe: 'Poll until the newest run finishes (waits for the first run if there is none)',
      })
      .option('limit', { type: 'number', default: 10, describe: 'Runs to show (1-100)' })
      .option('timeout', {
        type: 'string',
        default: '30m',
        describe: 'With --watch: give up after this long (e.g. 90s, 30m, 2h); exit 1',
      }),
  async run(args, ctx) {
    if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > 100)
      throw new UsageError(`--limit must be a whole number from 1 to 100, got ${args.limit}.`);
    const { flowRuns, parseDuration } = await import('../../tasks/runs.js');
    const timeoutMs = parseDuration(args.timeout);
    if (!timeoutMs)
      throw new UsageError(`Invalid --timeout '${args.timeout}'.`, {
        hint: HINTS.duration(),
      });
    return flowRuns(ctx, String(args.flow), { limit: args.limit, watch: args.watch, timeoutMs });
  },
  interrupted: (args) => ({
    message: 'Stopped watching.',
    hint: HINTS.runGoesOn(String(args.flow)),
  }),
  async human(result, ui) {
    const { describeRunError, formatDuration } = await import('../../tasks/flows.js');
    ui.note(`${ui.bold(safe(result.flowName))} ${ui.dim(`(${result.flowId})`)}`);
    if (result.firstRun && result.error) {
      // The first run was due and never started: the watch's outcome, as red as a failed run.
      ui.line(ui.red(`✖ ${result.error.message}`));
      if (result.error.hint) ui.line(`${ui.dim('Hint:')} ${result.error.hint}`);
      return;
    }
    if (result.ingestion) {
      // A streaming dataflow: what AEP made of the last sync pass, from Catalog's batches.
      const { ingestionErrorLines, ingestionLine } = await import('../../aep/ingestion.js');
      const i = result.ingestion;
      const line = `Ingested since ${humanTime(i.since)}: ${ingestionLine(i)}`;
      ui.line(i.failed ? ui.red(line) : line);
      for (const error of ingestionErrorLines(i)) ui.line(ui.red(`  ${safe(error)}`));
      if (result.error) {
        ui.line(ui.red(`✖ ${result.error.message}`));
        if (result.error.hint) ui.line(`${ui.dim('Hint:')} ${result.error.hint}`);
      } else if (result.ok) ui.line(ui.green('✔ No batch is processing and no record failed.'));
      if (!result.runs.length) return;
    }
    if (!result.runs.length) {
      ui.note('No runs yet. Follow the first one with --watch.');
      return;
    }
    // Plain cells: the table measures text, and colour codes would count as width.
    const hidden = await ui.table(
      ['Status', 'Started', 'Duration', 'Read', 'Written', 'Failed', 'Run', 'Errors'],
      result.runs.map((r) => [
        r.status,
        humanTime(r.startedAt),
        formatDuration(r.durationMs),
        r.recordsRead,
        r.recordsWritten,
        r.recordsFailed,
        r.id,
        r.errors.map((e) => e.code ?? e.message).join(', '),
      ]),
      { maxColumnWidth: 36 },
    );
    if (hidden.length)
      ui.note(ui.dim(`Column(s) ${hidden.join(', ')} hidden at this width: widen the terminal, or use --json.`));
    // Every cause of the newest failed runs, top-level and row-level, with the records each concerns.
    const failed = result.runs.filter((r) => r.errors.length && r.id !== result.watched?.id).slice(0, 3);
    for (const run of failed) for (const e of run.errors) ui.note(ui.dim(`  ${run.id}: ${safe(describeRunError(e))}`));
    if (!result.watched) return;
    if (result.ok) {
      ui.line(ui.green(`✔ Run ${result.watched.id} succeeded: ${result.watched.recordsWritten} record(s) written.`));
      return;
    }
    const run = result.watched;
    const ended = run.status === 'failed' ? 'failed' : `ended ${run.status}`;
    ui.line(
      ui.red(
        para`✖ Run ${run.id} ${ended}: ${run.recordsFailed} of ${run.recordsRead} record(s) failed,
          ${run.recordsWritten} written.`,
      ),
    );
    for (const e of run.errors) {
      const records = e.records ? ui.bold(` (${e.records} record${e.records === 1 ? '' : 's'})`) : '';
      const activity = e.activity && e.activity !== 'run' ? ui.dim(` [${e.activity}]`) : '';
      ui.line(`  ${ui.red(e.code ?? 'error')} ${safe(e.message)}${records}${activity}`);
    }
    if (result.error?.hint) ui.line(`${ui.dim('Hint:')} ${result.error.hint}`);
  },
});
