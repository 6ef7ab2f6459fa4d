import { defineCommand } from '../../core/command.js';
import type { FlowStatus } from '../../tasks/flows.js';

interface Args {
  flow: string;
}

export default defineCommand<Args, FlowStatus>({
  command: 'status <flow>',
  describe: "One dataflow: state, schedule, source table, dataset and last run",
  examples: [
    ['$0 dataflow status accounts', 'by the template this profile built it from'],
    ['$0 dataflow status 2c3f… --json', 'by flow id, as JSON'],
  ],
  builder: (y) => y.positional('flow', { type: 'string', describe: 'Template name, flow id or flow name' }),
  async run(args, ctx) {
    const { flowStatus } = await import('../../tasks/flows.js');
    return flowStatus(ctx, String(args.flow));
  },
  async human(s, ui) {
    const { describeSchedule, formatDuration } = await import('../../tasks/flows.js');
    const row = (label: string, value: string | undefined) => value && ui.line(`  ${label.padEnd(12)} ${value}`);
    ui.line(`${ui.bold(s.name)}${s.template ? ui.dim(` (template ${s.template})`) : ''}`);
    row('id', s.id);
    row('state', s.state === 'enabled' ? ui.green(s.state) : ui.yellow(s.state));
    row('schedule', describeSchedule(s.schedule));
    row('table', s.table ? `${s.table.name ?? s.table.path}${s.table.name && s.table.name !== s.table.path ? ui.dim(` (path ${s.table.path})`) : ''}` : undefined);
    row('source', s.sourceConnectionId && `${s.sourceConnectionId}${s.baseConnectionId ? ui.dim(` (base connection ${s.baseConnectionId})`) : ''}`);
    row('dataset', s.dataset && `${s.dataset.name ?? '?'} ${ui.dim(`(${s.dataset.id})`)}`);
    row('target', s.targetConnectionId);
    row('schema', s.schemaId);
    row('mapping set', s.mappingSetId);
    const run = s.lastRun;
    if (!run) {
      row('last run', 'none yet');
      return;
    }
    const status = run.status === 'success' ? ui.green(run.status) : run.status === 'failed' ? ui.red(run.status) : ui.yellow(run.status);
    row('last run', `${status} ${ui.dim(run.id)}`);
    row('', `${run.startedAt?.slice(0, 19).replace('T', ' ') ?? '?'} UTC${run.durationMs !== undefined ? `, ${formatDuration(run.durationMs)}` : ''}; ${run.recordsRead} read, ${run.recordsWritten} written, ${run.recordsFailed} failed`);
    for (const error of run.errors) row('', ui.red(`${error.code ? `${error.code}: ` : ''}${error.message}`));
    ui.line(`Runs: ${ui.bold(`aep-zoho dataflow runs ${s.template ?? s.id}`)}`);
  },
});
