// A flow run as aep-zoho reports it: Adobe's run (`GET /runs`) read into one shape, its status in
// one spelling, its errors (the run's and each activity's row-level ones) in one list.
import { epochMs, isoTime } from '../core/text.js';

const iso = (value: unknown): string | undefined => isoTime(value);

/** One cause of a failed run, with the records it concerns when Adobe counts them. */
export interface RunError {
  code?: string;
  message: string;
  /** Records this error concerns (Adobe's `recordCount` on row-level errors). */
  records?: number;
  /** Where Adobe reported it: the run (`run`) or one of its activities (e.g. `promotionActivity`). */
  activity?: string;
}

export interface RunSummary {
  id: string;
  /** Adobe's status, lowercased where Adobe's casing varies: success, failed, inProgress, … */
  status: string;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
  durationMs?: number;
  recordsRead: number;
  recordsWritten: number;
  recordsFailed: number;
  /** The run's own errors first, then each activity's row-level ones (`statusSummary.extensions.errors`). */
  errors: RunError[];
}

/** Adobe's docs write `Failed` and `failed`, `inProgress` and `INPROGRESS`: one spelling here. */
export function normalStatus(value: unknown): string {
  const text = String(value ?? 'unknown');
  const lower = text.toLowerCase();
  if (lower === 'inprogress' || lower === 'in_progress' || lower === 'in progress') return 'inProgress';
  if (lower === 'partialsuccess') return 'partialSuccess';
  return lower;
}

export const isFinished = (run: RunSummary): boolean =>
  !['inProgress', 'pending', 'queued', 'scheduled', 'started', 'running', 'unknown'].includes(run.status) ||
  !!run.completedAt;
export const isSuccessful = (run: RunSummary): boolean => run.status === 'success' || run.status === 'partialSuccess';

export function runSummary(run: Record<string, any>): RunSummary {
  const metrics = run.metrics ?? {};
  const duration = metrics.durationSummary ?? {};
  const records = metrics.recordSummary ?? {};
  const status = metrics.statusSummary ?? {};
  const errors: RunError[] = [];
  const seen = new Set<string>();
  const collect = (list: unknown, activity: string) => {
    for (const error of Array.isArray(list) ? list : []) {
      const count = Number(error?.recordCount ?? error?.records ?? error?.count);
      const entry: RunError = {
        ...(error?.code ? { code: String(error.code) } : {}),
        message: String(error?.message ?? error?.code ?? 'unknown error'),
        ...(Number.isFinite(count) && count > 0 ? { records: count } : {}),
        activity,
      };
      const key = `${entry.code}|${entry.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      errors.push(entry);
    }
  };
  // The run's summary error (CONNECTOR-2001-500 …), then the row-level causes Adobe files under each
  // activity's statusSummary.extensions.errors (INGEST-1212-400, MAPPER-3700-400 …).
  collect(status.errors, 'run');
  collect(status.extensions?.errors, 'run');
  for (const activity of Array.isArray(run.activities) ? run.activities : []) {
    const name = String(activity?.id ?? activity?.name ?? 'activity');
    collect(activity?.statusSummary?.errors, name);
    collect(activity?.statusSummary?.extensions?.errors, name);
  }
  const started = epochMs(duration.startedAtUTC);
  const completed = epochMs(duration.completedAtUTC);
  return {
    id: String(run.id),
    status: normalStatus(status.status ?? run.state),
    ...(iso(run.createdAt) ? { createdAt: iso(run.createdAt) } : {}),
    ...(iso(started) ? { startedAt: iso(started) } : {}),
    ...(iso(completed) ? { completedAt: iso(completed) } : {}),
    ...(started !== undefined && completed !== undefined ? { durationMs: completed - started } : {}),
    recordsRead: Number(records.inputRecordCount ?? 0),
    recordsWritten: Number(records.outputRecordCount ?? 0),
    recordsFailed: Number(records.failedRecordCount ?? 0),
    errors,
  };
}

/** A run error as one line: `INGEST-1212-400: Encountered … (3 records)`. */
export function describeRunError(error: RunError): string {
  return `${error.code ? `${error.code}: ` : ''}${error.message}${error.records ? ` (${error.records} record${error.records === 1 ? '' : 's'})` : ''}`;
}

/** "1.2 s", "3 min 4 s". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s} s`;
  const whole = Math.round(ms / 1000);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return h ? `${h} h ${m} min` : `${m} min ${rest} s`;
}
