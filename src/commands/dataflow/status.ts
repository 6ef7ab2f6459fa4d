import { defineCommand } from '../../core/command.js';
import { humanTime, para, safe } from '../../core/text.js';
import type { FlowStatus } from '../../tasks/flows.js';

interface Args {
  flow: string;
}

export default defineCommand<Args, FlowStatus>({
  command: 'status <flow>',
  describe: para`One dataflow: state, schedule, source table, dataset and last run (an http-api dataflow: what AEP
    ingested from the last sync)`,
  examples: [
    ['$0 dataflow status accounts', 'by the template this profile built it from'],
    ['$0 dataflow status 2c3f… --json', 'by flow id, as JSON'],
  ],
  completions: { flow: 'templates' },
  builder: (y) => y.positional('flow', { type: 'string', describe: 'Template name, flow id or flow name' }),
  async run(args, ctx) {
    const { flowStatus } = await import('../../tasks/flows.js');
    // The last runs for the picture only where it is drawn: a terminal, without --json.
    return flowStatus(ctx, String(args.flow), { history: ctx.io.isTTY.stdout && !ctx.flags.json });
  },
  async human(s, ui) {
    const { describeRunError, describeSchedule, formatDuration } = await import('../../tasks/flows.js');
    const row = (label: string, value: string | undefined) => value && ui.line(`  ${label.padEnd(12)} ${value}`);
    ui.line(`${ui.bold(safe(s.name))}${s.template ? ui.dim(` (template ${s.template})`) : ''}`);
    row('id', s.id);
    row('state', s.state === 'enabled' ? ui.green(s.state) : ui.yellow(safe(s.state)));
    row('schedule', describeSchedule(s.schedule));
    row('next run', s.nextRunAt && humanTime(s.nextRunAt));
    const path = s.table?.name && s.table.name !== s.table.path ? ui.dim(` (path ${safe(s.table.path)})`) : '';
    row('table', s.table ? `${safe(s.table.name ?? s.table.path)}${path}` : undefined);
    row(
      'source',
      s.sourceConnectionId &&
        `${s.sourceConnectionId}${s.baseConnectionId ? ui.dim(` (base connection ${s.baseConnectionId})`) : ''}`,
    );
    row('dataset', s.dataset && `${safe(s.dataset.name ?? '?')} ${ui.dim(`(${s.dataset.id})`)}`);
    row('target', s.targetConnectionId);
    row('schema', s.schemaId);
    row('mapping set', s.mappingSetId);
    // On a terminal, a picture: records per run (or per batch of the last passes), failures marked.
    const picture = async (label: string, bars: import('./history.js').Bar[], noun: 'run' | 'batch') => {
      if (!ui.tty || !bars.length) return;
      const { drawBars } = await import('./history.js');
      const drawn = drawBars(bars, ui, Math.max(10, Math.min(bars.length, ui.columns - 40)), noun);
      row(label, `${drawn.line}  ${ui.dim(drawn.caption)}`);
    };
    if (s.ingestion) {
      // A streaming dataflow: records arrive when sync posts them; Catalog's batches say what AEP made of them.
      const { ingestionErrorLines, ingestionLine } = await import('../../aep/ingestion.js');
      const line = ingestionLine(s.ingestion);
      row('ingested', s.ingestion.failed ? ui.red(line) : line);
      for (const error of ingestionErrorLines(s.ingestion)) row('', ui.red(safe(error)));
      await picture('batches', (await import('./history.js')).batchBars(s.ingestion), 'batch');
    }
    const run = s.lastRun;
    if (!run) {
      if (!s.ingestion) row('last run', 'none yet');
      return;
    }
    const status =
      run.status === 'success'
        ? ui.green(run.status)
        : run.status === 'failed'
          ? ui.red(run.status)
          : ui.yellow(run.status);
    row('last run', `${status} ${ui.dim(run.id)}`);
    const took = run.durationMs !== undefined ? `, ${formatDuration(run.durationMs)}` : '';
    row(
      '',
      para`${humanTime(run.startedAt) || '?'}${took}; ${run.recordsRead} read, ${run.recordsWritten} written,
        ${run.recordsFailed} failed`,
    );
    // The run's own error and each row-level cause under its activities, with their record counts.
    for (const error of run.errors) row('', ui.red(safe(describeRunError(error))));
    if (s.recentRuns) await picture('runs', (await import('./history.js')).runBars(s.recentRuns), 'run');
    ui.note(`Runs: ${ui.cmd(`dataflow runs ${s.template ?? s.id}`)}`);
  },
});
