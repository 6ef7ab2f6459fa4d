// How `sync` meets Adobe's ingestion pause (pause.ts): the dataflows inside it now, the wait for
// its end (a countdown on a terminal), or with --no-wait the held dataflows' reports and exit 75.
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { para } from '../core/text.js';
import type { Platform } from '../http/platform.js';
import { emptyReport } from './engine.js';
import type { PassError } from './failure.js';
import { clockTime, countdown, ingestionPause, type Pause } from './pause.js';
import type { SyncReport } from './report.js';
import type { Target } from './targets.js';

/** A pass whose first round met the pause this many times is stopped (a flow that keeps changing). */
export const MAX_PAUSE_ROUNDS = 5;

/** `sync --no-wait` held back by Adobe's ingestion pause (CLI-CONTRACT.md: EX_TEMPFAIL). */
export const EXIT_PAUSED = 75;

/** A dataflow inside Adobe's ingestion pause. */
export interface Held {
  target: Target;
  pause: Pause;
}

/** The targets inside Adobe's ingestion pause now, by Adobe's timestamps (one flow GET each, side by side). */
export async function pausedTargets(
  ctx: Context,
  platform: Platform,
  targets: Target[],
  pauseMs: number,
): Promise<Held[]> {
  const now = ctx.now().getTime();
  const pauses = await Promise.all(targets.map((t) => ingestionPause(platform, t.sync, pauseMs, now)));
  return targets.flatMap((target, i) => {
    const pause = pauses[i];
    return pause && pause.remainingMs > 0 ? [{ target, pause }] : [];
  });
}

/** The pause met MAX_PAUSE_ROUNDS times in a row. */
export function pauseNeverEnds(held: Held[]): UserError {
  return new UserError(
    para`Adobe's ingestion pause of ${held.map((h) => h.target.template).join(', ')} did not end after ${MAX_PAUSE_ROUNDS} waits:
      the flow keeps changing, or Adobe's clock (the Date of its answers) stands still.`,
    { hint: "Check who updates the dataflow ('aep-zoho dataflow status <flow>'), then run sync again." },
  );
}

/**
 * --no-wait: the held dataflows' reports (nothing read or posted, the cursor where it was, and
 * `notBefore`) beside those that ran; exit 75 unless a pass failed (exit 1 says more).
 */
export function holdBack<R extends { syncs: SyncReport[]; error?: PassError; exitCode?: number }>(
  result: R,
  held: Held[],
): R {
  const reports: SyncReport[] = held.map(({ target: { template, sync }, pause }) => ({
    ...emptyReport(template, sync),
    notBefore: new Date(pause.notBefore).toISOString(),
    pausedBecause: `the flow ${pause.what} at ${clockTime(pause.changedAt)}`,
  }));
  const syncs = [...result.syncs, ...reports];
  if (result.error) return { ...result, syncs };
  const until = Math.max(...held.map((h) => h.pause.notBefore));
  return {
    ...result,
    syncs,
    exitCode: EXIT_PAUSED,
    error: {
      message: para`${held.map((h) => h.target.template).join(', ')}: inside Adobe's ingestion pause until ${clockTime(until)}
        (it drops records posted within five minutes of a streaming flow's create or update): nothing posted, the cursor stays.`,
      hint: `Run 'aep-zoho sync' again after ${clockTime(until)}, or without --no-wait to wait it out.`,
      code: 'INGESTION_PAUSED',
    },
  };
}

/** Waits until every held dataflow's pause is over: a countdown on a terminal, one line elsewhere, nothing with --quiet. */
export async function waitOut(ctx: Context, held: Held[], pause: { ms: number; shortened: boolean }): Promise<void> {
  const longest = held.reduce((a, b) => (b.pause.remainingMs > a.pause.remainingMs ? b : a));
  const deadline = ctx.now().getTime() + longest.pause.remainingMs;
  const until = clockTime(longest.pause.notBefore);
  const which = held.map((h) => `${h.target.template} (the flow ${h.pause.what} at ${clockTime(h.pause.changedAt)})`);
  const length = pause.shortened
    ? `${countdown(pause.ms)}: shortened by AEP_ZOHO_INGESTION_PAUSE for the emulator; Adobe's is five minutes`
    : 'five minutes';
  const why = `Adobe's ingestion pause (${length}) after a streaming flow is created or updated: records posted inside it are dropped`;
  const live = !ctx.flags.quiet && !ctx.flags.json && !ctx.flags.debug && ctx.io.isTTY.stderr;
  if (!live) {
    ctx.log.info(`${which.join(', ')}: waiting until ${until} before posting; ${why}.`);
    await ctx.sleep(longest.pause.remainingMs);
    return;
  }
  const stderr = ctx.io.stderr;
  stderr.write(`${why}.\n`);
  try {
    for (;;) {
      const left = deadline - ctx.now().getTime();
      if (left <= 0) break;
      stderr.write(`\r\x1b[2K${which.join(', ')}: posting from ${until}, ${countdown(left)} left (Ctrl-C stops)`);
      await ctx.sleep(Math.min(1000, left % 1000 || 1000));
    }
  } finally {
    stderr.write('\r\x1b[2K');
  }
  stderr.write(`${held.map((h) => h.target.template).join(', ')}: the ingestion pause is over, posting.\n`);
}
