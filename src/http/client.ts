// The one network stack: every request aep-zoho sends (Platform, IMS through aio-lib-ims, Zoho's
// accounts server) is one HttpClient.send(). It routes through HTTPS_PROXY/HTTP_PROXY/NO_PROXY,
// bounds each attempt (AEP_ZOHO_TIMEOUT_MS) and the whole request with its retries, applies the
// one retry policy, waits for a slot of the limiter, reads at most MAX_BODY_BYTES of an answer,
// and follows a redirect only within the origin and only when no body has to be sent again:
// headers and bodies carry credentials, so they never go to a host they were not meant for.
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import got, { type Got, type Response } from 'got';
import type { Logger } from '../core/context.js';
import { ApiError, CancelledError } from '../core/errors.js';
import { HINTS } from '../core/hints.js';
import { redact } from '../core/redact.js';
import { para } from '../core/text.js';
import { networkError } from './api-error.js';
import { exchange, TooLargeError } from './lean.js';
import type { Limiter } from './limiter.js';
import { proxyAgent, proxyFor, proxyRefusal, type ProxyRoute } from './proxy.js';
import { parseRetryAfter, RETRY_STATUSES, retryDelay } from './retry.js';

/** Far above any Adobe or Zoho answer; a larger one is a wrong server (or an attack) and is not read. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** A request, with its retries and their waits, ends after twice the per-attempt timeout, at least this. */
const MIN_TOTAL_MS = 60_000;

/** What each client gets from its run: the environment (proxies), logging, Ctrl-C, timing and tuning. */
export interface NetworkOptions {
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  signal?: AbortSignal;
  /** Per attempt (AEP_ZOHO_TIMEOUT_MS). */
  timeoutMs?: number;
  /** First retry delay (AEP_ZOHO_RETRY_BASE_MS), doubling. */
  retryBaseMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * A run's network options: its environment, log, Ctrl-C and clock, and the timeout and retry tuning of its settings.
 */
export function networkOptions(
  ctx: { env: NetworkOptions['env']; log: Logger; signal?: AbortSignal; now: () => Date },
  tuning: { timeoutMs?: number; retryBaseMs?: number },
): NetworkOptions {
  return {
    env: ctx.env,
    log: ctx.log,
    signal: ctx.signal,
    timeoutMs: tuning.timeoutMs,
    retryBaseMs: tuning.retryBaseMs,
    now: () => ctx.now().getTime(),
  };
}

export interface ClientOptions extends NetworkOptions {
  /** Named in messages, e.g. 'Adobe Experience Platform'. */
  service: string;
  /** The variable that points aep-zoho at the service, named in hints. */
  variable: string;
  baseUrl: string;
  headers?: Record<string, string>;
  limiter?: Limiter;
  /** Headers computed before every attempt (the current bearer token). */
  authorize?: () => Promise<Record<string, string>>;
  /** After a 401: headers for one more attempt, or undefined to return the 401. */
  reauthorize?: () => Promise<Record<string, string> | undefined>;
  /**
   * 'node': each attempt is one exchange on node:http(s) (http/lean.ts), for the inlet's post per
   * record; 'got' (the default): on got. The rules are the same on both.
   */
  transport?: 'got' | 'node';
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below baseUrl (leading slash), or a full URL on the same origin. */
  path: string;
  searchParams?: URLSearchParams;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string | Buffer;
  /** Safe to send twice whatever the method (an IMS token request). */
  idempotent?: boolean;
  /**
   * A write that must not apply twice and takes no If-Match: before it is sent again, this reads the
   * resource back and returns the answer to use when the failed attempt took effect after all
   * (undefined: it did not, send it again).
   */
  reread?: () => Promise<HttpResponse | undefined>;
  /** false: one attempt only (a Zoho grant code is spent by the first). */
  retry?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** got follows at most this many redirects; the node transport too. */
const MAX_REDIRECTS = 10;

export class HttpClient {
  /** Which transport the attempts run on (tests name it). */
  readonly transport: 'got' | 'node';
  private readonly got: Got;
  /** The base headers with lowercase names (the node transport). */
  private readonly baseHeaders: Record<string, string>;
  private readonly origin: string;
  private readonly route?: ProxyRoute;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ClientOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.route = proxyFor(base, options.env);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.transport = options.transport ?? 'got';
    this.baseHeaders = lower({ 'user-agent': 'aep-zoho', ...options.headers });
    this.now = options.now ?? Date.now;
    // Ctrl-C ends a wait for a retry too (Retry-After may ask for many seconds).
    this.sleep =
      options.sleep ??
      ((ms) => delay(ms, undefined, { signal: options.signal }).catch(() => Promise.reject(new CancelledError())));
    this.got = got.extend({
      throwHttpErrors: false,
      retry: { limit: 0 },
      signal: options.signal,
      headers: { 'user-agent': 'aep-zoho', ...options.headers },
      ...(this.route
        ? { agent: { [base.protocol === 'https:' ? 'https' : 'http']: proxyAgent(this.route, base.protocol) } }
        : {}),
      // Same origin and nothing to resend (or a 303, which turns the request into a bare GET).
      followRedirect: (response) => {
        const { body, json } = response.request.options;
        const target = new URL(String(response.headers.location), response.url);
        return (
          target.origin === this.origin && (response.statusCode === 303 || (body === undefined && json === undefined))
        );
      },
    });
  }

  /** Sends with retries; any status comes back (the caller reads its errors), network failures throw. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const url = this.url(req);
    const started = this.now();
    const deadline = started + Math.max(2 * this.timeoutMs, MIN_TOTAL_MS);
    let headers = req.headers ?? {};
    let reauthorized = false;
    for (let number = 1; ; number++) {
      let response: HttpResponse | undefined;
      let code: string | undefined;
      try {
        const timeout = Math.max(1, Math.min(this.timeoutMs, deadline - this.now()));
        const attempt = () =>
          this.transport === 'node'
            ? this.nodeAttempt(req, url, headers, timeout)
            : this.attempt(req, url, headers, timeout);
        response = await (this.options.limiter ? this.options.limiter.run(attempt, this.options.signal) : attempt());
      } catch (error) {
        if (this.options.signal?.aborted) throw new CancelledError();
        if (!(error instanceof AttemptError)) throw error;
        code = error.code;
      }
      if (response?.status === 401 && this.options.reauthorize && !reauthorized) {
        reauthorized = true;
        const fresh = await this.options.reauthorize();
        if (fresh) {
          headers = { ...headers, ...fresh };
          number--;
          continue;
        }
      }
      // An answer the policy never retries (any 2xx: nearly every one) is returned without weighing it.
      const wait =
        req.retry === false || (response && !RETRY_STATUSES.has(response.status))
          ? undefined
          : retryDelay(
              {
                method: req.method,
                guarded: !!lower(headers)['if-match'],
                idempotent: req.idempotent,
                verifiable: !!req.reread,
                number,
                status: response?.status,
                code,
                retryAfterMs: parseRetryAfter(response?.headers['retry-after'], this.now()),
              },
              {
                baseMs: this.options.retryBaseMs ?? 500,
                remainingMs: deadline - this.now(),
                random: this.options.random ?? Math.random,
              },
            );
      if (wait === undefined) {
        if (response) return response;
        throw networkError(
          { method: req.method, url: url.href, code, proxy: this.route, timeoutMs: this.timeoutMs },
          this.options.service,
          this.options.variable,
        );
      }
      this.options.log.debug(
        `retrying ${req.method} ${this.shown(url)} in ${wait} ms (attempt ${number}: ${response?.status ?? code})`,
      );
      await this.sleep(wait);
      if (this.options.signal?.aborted) throw new CancelledError();
      // A 429 was refused before anything was done; any other failure may hide a write that applied.
      if (req.reread && response?.status !== 429) {
        const applied = await req.reread();
        if (applied) {
          this.options.log.debug(`${req.method} ${this.shown(url)} took effect before it failed; not sent again`);
          return applied;
        }
      }
    }
  }

  private url(req: HttpRequest): URL {
    const url = /^https?:\/\//.test(req.path) ? new URL(req.path) : new URL(`${this.options.baseUrl}${req.path}`);
    // A bug if it happens: a client serves one origin.
    if (url.origin !== this.origin) throw new Error(`${url.origin} is not ${this.origin}`);
    for (const [key, value] of req.searchParams ?? []) url.searchParams.append(key, value);
    return url;
  }

  /** The URL below baseUrl, query included (debug lines). */
  private relative(url: URL): string {
    return (url.href.startsWith(this.options.baseUrl) ? url.href.slice(this.options.baseUrl.length) : url.href) || '/';
  }

  /** The path below baseUrl without the query (messages). */
  private shown(url: URL): string {
    return this.relative(url).split('?')[0] || '/';
  }

  /** One exchange: the status, headers and at most MAX_BODY_BYTES of body. */
  private async attempt(
    req: HttpRequest,
    url: URL,
    headers: Record<string, string>,
    timeout: number,
  ): Promise<HttpResponse> {
    const authorization = this.options.authorize ? await this.options.authorize() : {};
    this.logSent(req, url);
    const stream = this.got.stream(url, {
      method: req.method,
      headers: { ...headers, ...authorization },
      timeout: { request: timeout },
      ...(req.json !== undefined ? { json: req.json } : req.body !== undefined ? { body: req.body } : {}),
    });
    // A stream sends a bodiless DELETE or POST only once its writable side ends.
    if (req.json === undefined && req.body === undefined && req.method !== 'GET') stream.end();
    let response: Response;
    try {
      response = await new Promise<Response>((resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
      });
    } catch (error) {
      stream.destroy();
      throw attemptError(error);
    }
    const status = response.statusCode;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      stream.destroy();
      throw this.refusedRedirect(req, url, status, location);
    }
    const announced = Number(response.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      if (announced > MAX_BODY_BYTES) throw this.tooLarge(req, url, status);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) throw this.tooLarge(req, url, status);
        chunks.push(chunk);
      }
    } catch (error) {
      stream.destroy();
      if (error instanceof ApiError) throw error;
      throw new AttemptError((error as NodeJS.ErrnoException).code);
    }
    // got's streams are not destroyed at their end (autoDestroy: false), and only destroy() removes
    // the listener each one adds to the run's abort signal: without this, one leaks per request.
    stream.destroy();
    this.logAnswered(req, url, status, response.timings.phases.total ?? '?', response.headers['x-request-id']);
    return { status, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') };
  }

  /**
   * One exchange on node:http(s): what attempt() does on got, the redirects got follows (same
   * origin, and nothing to send again or a 303, which becomes a bare GET) followed here.
   */
  private async nodeAttempt(
    req: HttpRequest,
    url: URL,
    headers: Record<string, string>,
    timeout: number,
  ): Promise<HttpResponse> {
    const authorization = this.options.authorize ? await this.options.authorize() : {};
    this.logSent(req, url);
    const sent = { ...this.baseHeaders };
    for (const given of [headers, authorization]) for (const key in given) sent[key.toLowerCase()] = given[key];
    let body = req.json !== undefined ? JSON.stringify(req.json) : req.body;
    if (req.json !== undefined) sent['content-type'] ??= 'application/json';
    let [method, target] = [req.method as string, url];
    const started = performance.now();
    for (let hops = 0; ; hops++) {
      let response: HttpResponse;
      try {
        response = await exchange(target, {
          method,
          headers: sent,
          body,
          timeoutMs: Math.max(1, Math.round(timeout - (performance.now() - started))),
          signal: this.options.signal,
          agent: this.route ? proxyAgent(this.route, url.protocol) : undefined,
          maxBytes: MAX_BODY_BYTES,
        });
      } catch (error) {
        if (error instanceof TooLargeError) throw this.tooLarge(req, url, error.status);
        throw attemptError(error);
      }
      const { status, headers: answered } = response;
      const location = answered.location;
      if (status >= 300 && status < 400 && location) {
        const next = new URL(location, target);
        if (next.origin !== this.origin || (status !== 303 && body !== undefined)) {
          throw this.refusedRedirect(req, url, status, location);
        }
        if (hops >= MAX_REDIRECTS) throw new AttemptError('ERR_TOO_MANY_REDIRECTS');
        if (status === 303 && body !== undefined) {
          [method, body] = ['GET', undefined];
          delete sent['content-type'];
        } else if (status === 303) method = 'GET';
        target = next;
        continue;
      }
      this.logAnswered(req, url, status, Math.round(performance.now() - started), answered['x-request-id']);
      return response;
    }
  }

  // The debug lines are built only when they go somewhere (two redactions a post are a few % of a sync's CPU).
  private logSent(req: HttpRequest, url: URL): void {
    if (this.options.log.debugging === false) return;
    const body = req.json !== undefined ? ` ${JSON.stringify(req.json)}` : '';
    this.options.log.debug(redact(`→ ${req.method} ${this.relative(url)}${body}`));
  }

  private logAnswered(req: HttpRequest, url: URL, status: number, ms: number | string, requestId: unknown): void {
    if (this.options.log.debugging === false) return;
    this.options.log.debug(
      para`← ${status} ${req.method} ${this.shown(url)} (${ms} ms, request id ${String(requestId ?? '-')})`,
    );
  }

  private refusedRedirect(req: HttpRequest, url: URL, status: number, location: string): ApiError {
    const target = new URL(location, url);
    const path = `${req.method} ${this.shown(url)}`;
    const message =
      target.origin !== this.origin
        ? para`${this.options.service}: ${path} was redirected (HTTP ${status}) to another host, ${target.origin}.
            aep-zoho does not follow it: the request carries your credentials, which are meant for ${this.origin} only.`
        : para`${this.options.service}: ${path} was redirected (HTTP ${status}) to ${target.pathname}, which would mean
            sending its body (it may carry secrets) again; aep-zoho does not.`;
    return new ApiError(redact(message), {
      status,
      hint: HINTS.redirect(
        this.options.service,
        this.options.variable,
        target.origin === this.origin ? 'the new address' : target.origin,
      ),
    });
  }

  private tooLarge(req: HttpRequest, url: URL, status: number): ApiError {
    return new ApiError(
      para`${this.options.service}: ${req.method} ${this.shown(url)} answered HTTP ${status} with more than
        ${MAX_BODY_BYTES / 1024 / 1024} MB; aep-zoho stopped reading (no ${this.options.service} answer is that
        large).`,
      {
        status,
        hint: HINTS.notTheService(this.options.service, this.options.variable),
      },
    );
  }
}

/** A failed attempt with no answer (reset, refused, timeout, TLS): the retry policy decides. */
class AttemptError extends Error {
  constructor(readonly code: string | undefined) {
    super(code ?? 'network error');
  }
}

/** What a transport's error says: a proxy's refusal (PROXY_<status>), else the socket's code. */
function attemptError(error: unknown): AttemptError {
  const refused = proxyRefusal(error);
  return new AttemptError(refused ? `PROXY_${refused}` : (error as NodeJS.ErrnoException).code);
}

const lower = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
