// `dataflow status` on a terminal: the last runs (a Zoho-source dataflow) or the batches AEP made of
// the last sync passes (an http-api dataflow) as one line of bars, records per run, oldest first,
// failures marked (issue 24.15). Drawn only on a terminal: --json and a pipe get none of it.
import type { Ui } from '../../core/command.js';
import type { Ingestion } from '../../aep/ingestion.js';
import type { RunSummary } from '../../tasks/flows.js';

/** One run or batch: records it brought, and how it ended. */
export interface Bar {
  records: number;
  /** The run or batch failed: drawn as a red ✗. */
  failed: boolean;
  /** Some of its records failed: its bar is red. */
  someFailed: boolean;
  /** Not finished yet: a dim ·. */
  pending: boolean;
}

const LEVELS = '▁▂▃▄▅▆▇█';

export const runBars = (runs: RunSummary[]): Bar[] =>
  [...runs].reverse().map((run) => {
    const status = run.status.toLowerCase();
    return {
      records: run.recordsWritten,
      failed: status === 'failed',
      someFailed: run.recordsFailed > 0,
      pending: status === 'inprogress' || status === 'pending' || status === 'running',
    };
  });

export const batchBars = (ingestion: Ingestion): Bar[] =>
  [...ingestion.items].reverse().map((batch) => ({
    records: Math.max(0, (batch.records ?? 0) - (batch.failed ?? 0)),
    failed: batch.status === 'failed' || batch.status === 'failure',
    someFailed: (batch.failed ?? 0) > 0,
    pending: !['success', 'failed', 'failure', 'inactive', 'aborted', 'abandoned'].includes(batch.status),
  }));

/** The bars (the newest that fit `width`), and a caption that says in words what they show. */
export function drawBars(bars: Bar[], ui: Ui, width: number, noun: 'run' | 'batch'): { line: string; caption: string } {
  const shown = bars.slice(-Math.max(1, width));
  const most = Math.max(0, ...shown.map((b) => b.records));
  const line = shown
    .map((b) => {
      if (b.failed) return ui.red('✗');
      if (b.pending) return ui.dim('·');
      const bar = LEVELS[most ? Math.round((b.records / most) * (LEVELS.length - 1)) : 0];
      return b.someFailed ? ui.red(bar) : bar;
    })
    .join('');
  const n = (v: number) => v.toLocaleString('en-US');
  const plural = (count: number, word: string) =>
    `${n(count)} ${word}${count === 1 ? '' : word === 'batch' ? 'es' : 's'}`;
  const failed = shown.filter((b) => b.failed).length;
  const partly = shown.filter((b) => !b.failed && b.someFailed).length;
  const pending = shown.filter((b) => b.pending).length;
  const marks = [
    failed && `${ui.red('✗')} ${n(failed)} failed`,
    partly && `${n(partly)} partly (red)`,
    pending && `${ui.dim('·')} ${n(pending)} not finished`,
  ].filter(Boolean);
  const which = shown.length === 1 ? `the last ${noun}` : `last ${plural(shown.length, noun)}, oldest first`;
  const caption = `${which}, up to ${n(most)} records${marks.length ? `; ${marks.join(', ')}` : ''}`;
  return { line, caption };
}
