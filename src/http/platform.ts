// The one HTTP layer for Adobe Experience Platform: a single got instance with the base URL, the
// four required headers, JSON, timeouts, keep-alive, the retry policy and the error mapping.
//
// Retry policy (aep-api.md ruling 11): GET, DELETE and PATCH-with-If-Match are retried with capped
// exponential backoff and jitter, honouring Retry-After; a POST is retried only after a 429 (the
// request was refused, nothing was done), never after a timeout, reset or 5xx (Adobe's creates are
// not idempotent: the tasks look the resource up by name instead). A 401 re-authenticates once per
// run, and every request the old token failed is resent once with the new one.
import got, { type Got, type OptionsInit, type Response, RequestError } from 'got';
import { CancelledError } from '../core/errors.js';
import type { Logger } from '../core/context.js';
import { redact } from '../core/redact.js';
import { apiError, networkError } from './api-error.js';

/** The most one request waits between its retries, in all (Retry-After included). */
const MAX_RETRY_WAIT_MS = 90_000;

export type Query = Record<string, string | number | boolean | string[] | undefined>;

/**
 * One request as a value: what a plan shows and what apply sends (src/aep/ builds them). `T` is
 * the answer's body type; it exists only for the compiler.
 */
export interface PlatformRequest<T = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Full path from the gateway root, e.g. /data/foundation/flowservice/connections. */
  path: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Phantom: the body type of the answer. */
  readonly __answer?: T;
}

export interface PlatformResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface TokenSource {
  token(): Promise<{ token: string }>;
  refresh(): Promise<{ token: string }>;
}

export interface PlatformOptions {
  baseUrl: string;
  apiKey: string;
  orgId: string;
  sandbox: string;
  auth: TokenSource;
  log: Logger;
  signal?: AbortSignal;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** First retry delay (default 500 ms); doubles up to 8 s, at most 4 retries. */
  retryBaseMs?: number;
}

export class Platform {
  private readonly http: Got;

  constructor(private readonly options: PlatformOptions) {
    const base = options.retryBaseMs ?? 500;
    // One token refresh per run, shared by every request that was in flight with the old token.
    let refreshed: Promise<{ token: string }> | undefined;
    this.http = got.extend({
      prefixUrl: options.baseUrl,
      responseType: 'text',
      throwHttpErrors: false,
      timeout: { request: options.timeoutMs ?? 30_000 },
      signal: options.signal,
      headers: {
        'x-api-key': options.apiKey,
        'x-gw-ims-org-id': options.orgId,
        'x-sandbox-name': options.sandbox,
        'user-agent': 'aep-zoho',
      },
      retry: {
        limit: 4,
        methods: ['GET', 'DELETE', 'PATCH', 'PUT', 'POST'],
        statusCodes: [408, 429, 500, 502, 503, 504],
        maxRetryAfter: 60_000,
        calculateDelay: ({ attemptCount, error, computedValue, retryOptions, retryAfter }) => {
          if (computedValue === 0) return 0;
          const method = error.options.method;
          const guarded = (method === 'PATCH' || method === 'PUT') && !!error.options.headers['if-match'];
          const refused = error.response?.statusCode === 429; // throttled before anything was done
          if (method !== 'GET' && method !== 'DELETE' && !guarded && !refused) return 0;
          // got has parsed Retry-After (seconds or an HTTP date) into ms.
          const delay = retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0
            ? Math.max(retryAfter, 1) // 0 would mean "do not retry" to got
            : Math.min(base * 2 ** (attemptCount - 1), retryOptions.backoffLimit) * (0.5 + Math.random() / 2);
          // Bounded in total as well as in count: a request never waits more than MAX_RETRY_WAIT_MS.
          const context = error.options.context as { retryWaitMs?: number };
          if ((context.retryWaitMs ?? 0) + delay > MAX_RETRY_WAIT_MS) return 0;
          context.retryWaitMs = (context.retryWaitMs ?? 0) + delay;
          options.log.debug(`retrying ${method} ${error.options.url?.toString().replace(options.baseUrl, '')} in ${Math.round(delay)} ms (attempt ${attemptCount}: ${error.response?.statusCode ?? error.code})`);
          return delay;
        },
        backoffLimit: 8_000,
      },
      hooks: {
        beforeRequest: [
          async (request) => {
            const { token } = await options.auth.token();
            request.headers.authorization = `Bearer ${token}`;
            options.log.debug(redact(`→ ${request.method} ${request.url?.toString().replace(options.baseUrl, '')}${request.json ? ` ${JSON.stringify(request.json)}` : ''}`));
          },
        ],
        afterResponse: [
          async (response, retryWithMergedOptions) => {
            options.log.debug(`← ${response.statusCode} ${response.request.options.method} ${response.url.replace(options.baseUrl, '')} (${response.timings.phases.total ?? '?'} ms, request id ${response.headers['x-request-id'] ?? '-'})`);
            const context = response.request.options.context as { reauthenticated?: boolean };
            if (response.statusCode === 401 && !context.reauthenticated) {
              // The gateway rejected the token before any service ran, so even a POST is safe to
              // resend; concurrent requests that failed with the same old token share one refresh.
              refreshed ??= options.auth.refresh();
              const { token } = await refreshed;
              return retryWithMergedOptions({ headers: { authorization: `Bearer ${token}` }, context: { reauthenticated: true } });
            }
            return response;
          },
        ],
      },
    });
  }

  async request<T = any>(req: PlatformRequest): Promise<PlatformResponse<T>> {
    const searchParams = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) searchParams.append(key, String(item));
    }
    const init: OptionsInit = {
      method: req.method,
      searchParams,
      headers: req.headers,
      ...(req.body !== undefined ? { json: req.body } : {}),
    };
    const url = `${this.options.baseUrl}${req.path}`;
    let response: Response<string>;
    try {
      response = (await this.http(req.path.replace(/^\//, ''), init)) as Response<string>;
    } catch (error) {
      if (this.options.signal?.aborted) throw new CancelledError();
      const code = error instanceof RequestError ? error.code : (error as NodeJS.ErrnoException).code;
      throw networkError({ method: req.method, url, code }, 'Adobe Experience Platform', 'AEP_PLATFORM_URL');
    }
    const text = response.body;
    if (response.statusCode >= 400) {
      throw apiError({
        method: req.method,
        url,
        status: response.statusCode,
        body: text,
        requestId: header(response.headers['x-request-id']),
        sandbox: this.options.sandbox,
      });
    }
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw apiError({ method: req.method, url, status: response.statusCode, body: text, requestId: header(response.headers['x-request-id']) });
      }
    }
    return { status: response.statusCode, body: body as T, headers: response.headers };
  }

  /** Sends a built request and returns the answer's body. */
  send<T>(req: PlatformRequest<T>): Promise<T> {
    return this.request<T>(req).then((r) => r.body);
  }

  get<T = any>(path: string, query?: Query, headers?: Record<string, string>): Promise<T> {
    return this.request<T>({ method: 'GET', path, query, headers }).then((r) => r.body);
  }
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
