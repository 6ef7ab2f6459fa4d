// Adobe's ingestion pause: after a streaming flow is created or updated, "wait for a five-minute
// pause … to prevent any potential instances of data loss or data drops" (Adobe, HTTP API
// streaming source:
// https://experienceleague.adobe.com/en/docs/experience-platform/sources/connectors/streaming/http,
// AdobeDocs/experience-platform.en help/sources/connectors/streaming/http.md). A record posted
// inside it is answered 200 and may never reach the dataset, and the cursor would move past it.
//
// The pause is reckoned from Adobe's own timestamps, so that any machine honours it (a fresh CI
// runner as much as the one that made the flow): the flow's `createdAt` and `updatedAt`, the
// mapping set's `modifiedDate` when the flow uses its newest version, and Adobe's clock (the
// answer's `Date` header) for "now", so a runner whose clock is off still waits long enough.
import { dataPrep } from '../aep/data-prep.js';
import { flowService, oneItem } from '../aep/flow-service.js';
import { DEFAULT_PLATFORM_URL, envValue, type Settings } from '../config/settings.js';
import type { SyncState } from '../config/state.js';
import { UsageError, unlessNotFound } from '../core/errors.js';
import type { Platform } from '../http/platform.js';

/** Adobe's pause after a streaming flow is created or updated ("a five-minute pause", http.md). */
export const INGESTION_PAUSE_MS = 5 * 60_000;

export interface Pause {
  /** When the flow last changed, on Adobe's clock (ms). */
  changedAt: number;
  /** What changed then, in words: `created`, `updated`, `its mapping changed`. */
  what: string;
  /** The first instant a record may be posted, on Adobe's clock (ms). */
  notBefore: number;
  /** How long from now until then (ms; 0 when the pause is over). */
  remainingMs: number;
}

/** The pause length: Adobe's five minutes, or AEP_ZOHO_INGESTION_PAUSE against an emulator (demos and tests). */
export function pauseLength(
  settings: Pick<Settings, 'platformUrl'>,
  env: Readonly<Record<string, string | undefined>>,
) {
  const text = envValue(env, 'AEP_ZOHO_INGESTION_PAUSE');
  if (text === undefined) return { ms: INGESTION_PAUSE_MS, shortened: false };
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`AEP_ZOHO_INGESTION_PAUSE must be a duration such as 10s, 3000ms or 5m, got '${text}'.`, {
      hint: 'It shortens the ingestion pause for an emulator started with a shorter one (aep-zoho emulator --ingestion-pause); unset it for Adobe.',
    });
  if (ms < INGESTION_PAUSE_MS && isAdobe(settings.platformUrl))
    throw new UsageError(
      `AEP_ZOHO_INGESTION_PAUSE (${text}) would post inside Adobe's five-minute ingestion pause, where records are dropped.`,
      {
        hint: 'It is only for the bundled emulator (aep-zoho emulator --ingestion-pause): unset it when AEP_PLATFORM_URL is Adobe.',
      },
    );
  return { ms, shortened: ms < INGESTION_PAUSE_MS };
}

const isAdobe = (url: string) => {
  try {
    return url === DEFAULT_PLATFORM_URL || new URL(url).hostname.endsWith('.adobe.io');
  } catch {
    return false;
  }
};

/** `0`, `500ms`, `10s`, `5m`, `1m30s`. */
export function parseDuration(value: string): number | undefined {
  const text = value.trim().toLowerCase();
  if (text === '0') return 0;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    ms += Number(n) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[unit];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/**
 * The dataflow's pause, from the flow and its mapping set as Adobe has them now; undefined when the
 * flow is gone (the pass then fails on it as before). The state file's `changedAt` (this machine's
 * clock) is the fallback when Adobe's answer has no timestamp.
 */
export async function ingestionPause(
  platform: Platform,
  sync: Pick<SyncState, 'flowId' | 'changedAt'>,
  pauseMs: number,
  localNow: number,
): Promise<Pause | undefined> {
  const answer = await unlessNotFound(platform.request(flowService.get('flows', sync.flowId)));
  const flow = oneItem(answer?.body);
  if (!answer || !flow) return undefined;
  const date = Date.parse(String(header(answer.headers.date) ?? ''));
  // Adobe's clock when it answered (to the second: never later than the truth, so never a wait too short).
  const adobeNow = Number.isFinite(date) ? date : localNow;
  const moments: Array<[number, string]> = [
    [Number(flow.createdAt), 'created'],
    [Number(flow.updatedAt) > Number(flow.createdAt) ? Number(flow.updatedAt) : 0, 'updated'],
  ];
  // What this machine recorded counts only when Adobe gives no timestamp (on another clock).
  if (!moments.some(([at]) => at > 0)) moments.push([Date.parse(sync.changedAt ?? ''), 'changed']);
  const mapping = (flow.transformations ?? []).find((t: { name?: string }) => t.name === 'Mapping')?.params;
  if (mapping?.mappingId) {
    const set = await unlessNotFound(platform.send(dataPrep.get(String(mapping.mappingId))));
    // Only the version the flow reads: a newer one it does not use yet changes nothing Adobe ingests.
    if (set && Number(set.version) === Number(mapping.mappingVersion))
      moments.push([Number((set as { modifiedDate?: unknown }).modifiedDate), 'had its mapping changed']);
  }
  const [changedAt, what] = moments
    .filter(([at]) => Number.isFinite(at) && at > 0)
    .reduce((a, b) => (b[0] > a[0] ? b : a), [0, 'created'] as [number, string]);
  // Whole seconds, as the Date header counts: a wait to the next second after the pause is never short,
  // and once it is over the next answer's Date says so (no second wait for a truncated clock).
  const notBefore = Math.ceil((changedAt + pauseMs) / 1000) * 1000;
  return { changedAt, what, notBefore, remainingMs: Math.max(0, notBefore - adobeNow) };
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** 06:15:03 UTC: the pause is minutes long, so seconds matter. */
export const clockTime = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** 4m 05s, 12s. */
export function countdown(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
