// A time given on the command line (--start, --from, --to): Adobe takes epoch seconds.
import { UsageError } from './errors.js';

/** An ISO 8601 time, epoch seconds, or `now`, as epoch seconds; a UsageError naming `--<flag>` else. */
export function parseTime(value: string, now: Date, flag = 'start'): number {
  const text = value.trim();
  if (text === 'now') return Math.floor(now.getTime() / 1000);
  if (/^\d{9,10}$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) {
    throw new UsageError(`Invalid --${flag} '${value}'.`, {
      hint: "Use an ISO 8601 time such as 2026-12-01T06:00:00Z, epoch seconds, or 'now'.",
    });
  }
  return Math.floor(ms / 1000);
}
