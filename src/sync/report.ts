// How a pass reads in words: the progress line of a dataflow and its summary lines, shared by the
// command's human output and the per-pass log of `--every`. Plain text (colour is the caller's).
import { para, safe } from '../core/text.js';
import { ingestionErrorLines, ingestionLine, type Ingestion } from '../aep/ingestion.js';
import type { PassReport } from './engine.js';

/** A dataflow's outcome as `sync` reports it: the pass, or why it did not run (Adobe's ingestion pause). */
export type SyncReport = PassReport & {
  /** ISO time: held back by Adobe's ingestion pause (--no-wait); nothing was read or posted. */
  notBefore?: string;
  /** Why, in words: "the flow created at 06:10:03 UTC". */
  pausedBecause?: string;
  /** What AEP made of the previous pass's records (Catalog batches since it started). */
  ingestion?: Ingestion;
  /** `sync --dry-run`: what a full pass would read and cost (docs/zoho-rules.md "Credits"). */
  estimate?: { records: number; pages: number; zohoCalls: number; zohoCredits: number; inletPosts: number };
};

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** How far a pass is: Zoho's count of the records to read (when asked), and the time since it began. */
export interface Progress {
  total?: number;
  elapsedMs: number;
}

/** The listr2 title while a dataflow runs (`done`: its final line): read and sent of the total, rate and ETA. */
export function progressTitle(r: PassReport, done = false, progress?: Progress): string {
  const counts = `${plural(r.read, 'record')} read, ${r.sent.toLocaleString('en-US')} sent${r.failed ? `, ${r.failed} not delivered` : ''}`;
  if (!done && progress) {
    const n = (v: number) => v.toLocaleString('en-US');
    const seconds = progress.elapsedMs / 1000;
    const rate = seconds > 0 ? r.sent / seconds : 0;
    // The count is of records modified since the cursor: the cursor's own second is read again, so it can be a few short.
    const total = progress.total === undefined ? undefined : Math.max(progress.total, r.read);
    const left = total === undefined ? undefined : total - r.read;
    const readRate = seconds > 0 ? r.read / seconds : 0;
    const eta = left !== undefined && readRate > 0 ? `, ETA ${shortDuration((left / readRate) * 1000)}` : '';
    const of = total === undefined ? `${n(r.read)}` : `${n(r.read)} of ${n(total)}`;
    const failed = r.failed ? `, ${r.failed} not delivered` : '';
    return `${safe(r.template)}: ${of} read, ${n(r.sent)} sent${failed} (${n(Math.round(rate))}/s${eta}; page ${r.pages})`;
  }
  if (!done) return `${safe(r.template)}: ${counts} (page ${r.pages})`;
  if (r.error) return `${safe(r.template)}: stopped after ${counts}`;
  return `${safe(r.template)}: ${counts}, ${plural(r.deleted, 'delete')} in Zoho`;
}

/** One dataflow's outcome: what was read and sent, the deletes, and where the cursor is. */
export function passLines(r: SyncReport): string[] {
  const name = safe(r.template);
  if (r.estimate) {
    const e = r.estimate;
    return [
      para`${name}: a full pass reads ${plural(e.records, 'record')} of ${safe(r.module)} in ${plural(e.pages, 'COQL page')}:
        about ${plural(e.zohoCalls, 'Zoho call')} and ${plural(e.zohoCredits, 'credit')} (and more for more than 200 deletes),
        ${plural(e.inletPosts, 'inlet post')}; the count cost ${plural(r.zohoCredits, 'credit')}. Nothing was read or sent.`,
    ];
  }
  if (r.notBefore)
    return [
      para`${name}: not synced: inside Adobe's ingestion pause (${r.pausedBecause ?? 'the flow changed'})
        until ${r.notBefore.slice(11, 19)} UTC; nothing posted, ${r.cursor ? `cursor stays at ${r.cursor}` : 'no cursor yet'}.`,
    ];
  const cursor = r.cursor ? `cursor ${r.cursor}` : 'no cursor yet';
  if (r.error) return [`${name}: stopped after ${plural(r.read, 'record')} read, ${r.sent} sent; ${cursor} (saved).`];
  const deletes = r.tombstones
    ? `; ${plural(r.deleted, 'record')} deleted in Zoho, ${r.tombstones} posted as tombstone(s) (isDeleted: true)`
    : r.deleted
      ? `; ${plural(r.deleted, 'record')} deleted in Zoho (reported only: the dataset keeps what it received)`
      : '';
  const changed = r.changed
    ? [
        para`${name}: ${plural(r.changed, 'record')} changed in Zoho while being read;
          the next sync sends ${r.changed === 1 ? 'it' : 'them'} (the cursor stays before ${r.changed === 1 ? 'it' : 'them'}).`,
      ]
    : [];
  // What AEP made of the previous pass: failures named (a 200 from the inlet only meant "received").
  const ingested = r.ingestion
    ? [
        `${name}: the previous sync in AEP: ${ingestionLine(r.ingestion)}.`,
        ...ingestionErrorLines(r.ingestion).map((line) => `  ${safe(line)}`),
      ]
    : [];
  if (!r.read && !r.failed)
    return [`${name}: nothing new in ${safe(r.module)}${deletes}; ${cursor}.`, ...changed, ...ingested];
  const failed = r.failed
    ? `, ${r.failed} not delivered${r.notSent ? `, ${r.notSent} not sent after ${r.failed === 1 ? 'it' : 'them'}` : ''}`
    : '';
  return [
    `${name}: ${plural(r.read, 'record')} read from ${safe(r.module)}, ${r.sent.toLocaleString('en-US')} sent to AEP${failed}${deletes}; ${cursor}.`,
    ...changed,
    ...ingested,
  ];
}

/** One line per page off a terminal: the page, what was read and sent so far, and the rate. */
export function pageLine(r: PassReport, progress: Progress): string {
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(r.sent / seconds) : 0;
  const n = (v: number) => v.toLocaleString('en-US');
  return `${safe(r.template)}: page ${r.pages}: ${n(r.read)} read, ${n(r.sent)} sent (${n(rate)}/s)`;
}

/** 4s, 2m 05s, 1h 03m. */
function shortDuration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
