// The one retry policy, as a pure function: whether a failed attempt is tried again, and after how
// long. GET, DELETE and PATCH/PUT with If-Match are retried on 408, 429, 5xx and network failures,
// and so is a PATCH/PUT Adobe takes no If-Match on but whose effect can be read back (verifiable:
// the client re-reads the resource first and resends only when the write did not take effect);
// a POST only after a 429 (the request was refused, nothing was done), never after a timeout,
// reset or 5xx: Adobe's creates are not idempotent, so the tasks look the resource up by name.
// Retry-After is honoured with jitter on top, so throttled requests do not all return together;
// every request, retries and waits included, ends by its deadline.

export const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** Retries after the first attempt. */
export const RETRY_LIMIT = 4;
const BACKOFF_LIMIT_MS = 8_000;

/** Node's codes for a request that may not have reached the server, or whose answer was lost. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export interface Attempt {
  method: string;
  /** The request carries If-Match: a PATCH or PUT that cannot apply twice. */
  guarded: boolean;
  /** Safe to send twice whatever the method (an IMS token request). */
  idempotent?: boolean;
  /** A PATCH or PUT whose effect the client re-reads before sending it again. */
  verifiable?: boolean;
  /** 1 for the first attempt. */
  number: number;
  status?: number;
  /** Node's error code when no answer came. */
  code?: string;
  /** Retry-After, already in ms. */
  retryAfterMs?: number;
}

export interface RetryPolicy {
  /** First backoff (doubles per retry, with jitter, up to 8 s). */
  baseMs: number;
  /** Milliseconds left before the request's deadline. */
  remainingMs: number;
  random: () => number;
}

/** The delay before the next attempt, or undefined when the failure is final. */
export function retryDelay(attempt: Attempt, policy: RetryPolicy): number | undefined {
  if (attempt.number > RETRY_LIMIT) return undefined;
  const failed =
    attempt.status !== undefined
      ? RETRY_STATUSES.has(attempt.status)
      : !!attempt.code && NETWORK_CODES.has(attempt.code);
  if (!failed) return undefined;
  const repeatable =
    attempt.idempotent ||
    ['GET', 'HEAD', 'DELETE'].includes(attempt.method) ||
    ((attempt.method === 'PATCH' || attempt.method === 'PUT') && (attempt.guarded || !!attempt.verifiable));
  const refused = attempt.status === 429; // throttled before anything was done
  if (!repeatable && !refused) return undefined;
  const delay =
    attempt.retryAfterMs !== undefined
      ? attempt.retryAfterMs + policy.random() * (attempt.retryAfterMs / 4 + 100)
      : Math.min(policy.baseMs * 2 ** (attempt.number - 1), BACKOFF_LIMIT_MS) * (0.5 + policy.random() / 2);
  // A wait that would end past the deadline is not started: the failure is reported now.
  return delay < policy.remainingMs ? Math.round(delay) : undefined;
}

/** Retry-After as ms: seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
