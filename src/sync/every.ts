// `sync --every`: the pass again and again until Ctrl-C, each pass's lines logged with the time.
// A first pass that cannot start ends the command; a later one that fails is retried at the next
// interval.
import type { Context } from '../core/context.js';
import { CancelledError, UsageError, isUserError } from '../core/errors.js';
import { humanTime } from '../core/text.js';
import { passLines, type SyncReport } from './report.js';

/** Runs `pass` every `everyMs` (from the start of one to the start of the next) until Ctrl-C. */
export async function repeatPass(
  ctx: Context,
  everyMs: number,
  pass: () => Promise<{ syncs: SyncReport[]; error?: { message: string } }>,
): Promise<never> {
  for (let number = 1; ; number++) {
    const started = ctx.now().getTime();
    try {
      const result = await pass();
      for (const line of result.syncs.flatMap(passLines)) ctx.log.info(`[${humanTime(ctx.now())}] ${line}`);
      if (result.error) ctx.log.warn(result.error.message);
    } catch (error) {
      // A first pass that cannot start (no dataflow, credentials, usage) ends the command; a later
      // one (the lock held by another command, a network outage) is retried at the next interval.
      if (number === 1 || error instanceof CancelledError || error instanceof UsageError || !isUserError(error))
        throw error;
      ctx.log.warn(`${error.message}${error.hint ? ` ${error.hint}` : ''}`);
    }
    const next = started + everyMs;
    ctx.log.info(`Next pass at ${humanTime(next)} (every ${formatEvery(everyMs)}; Ctrl-C stops).`);
    await ctx.sleep(Math.max(0, next - ctx.now().getTime()));
  }
}

/** --every as written back: 15m, 1h, 30s. */
export function formatEvery(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** --every: `30s`, `15m`, `1h`, `1h30m`; at least one second. */
export function parseEvery(value: string): number | undefined {
  const text = value.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    ms += Number(n) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[unit];
  return Number.isFinite(ms) && ms >= 1000 ? Math.round(ms) : undefined;
}
