// Adobe Experience Platform on the one network stack (client.ts): the gateway's four required
// headers, JSON, the limiter every Platform request of the run shares, re-authentication, and
// Adobe's errors. The retry policy is client.ts's (retry.ts): idempotent requests and refused POSTs.
// A 401 re-authenticates once per run, and every request the old token failed is resent once with
// the new one (the gateway rejected the token before any service ran, so even a POST is safe).
import type { Logger } from '../core/context.js';
import { apiError } from './api-error.js';
import { HttpClient, type HttpResponse, type NetworkOptions } from './client.js';
import { Limiter } from './limiter.js';

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
  /** Safe to send twice as it is (a PUT of a whole resource, a JSON Patch of replaces only). */
  idempotent?: boolean;
  /** How to tell whether a write that failed took effect, for one Adobe takes no If-Match on. */
  reread?: Reread<T>;
  /** The answer's body as text, not parsed (Data Access files: one JSON row per line). */
  text?: boolean;
  /** Phantom: the body type of the answer. */
  readonly __answer?: T;
}

/**
 * The resource read back (a GET), and whether it shows the write applied (`sent`: the write as it
 * was sent, references resolved); then it is the write's answer.
 */
export interface Reread<T> {
  request: PlatformRequest<T>;
  applied(current: T, sent: PlatformRequest<T>): boolean;
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

export interface PlatformOptions extends Partial<NetworkOptions> {
  baseUrl: string;
  apiKey: string;
  orgId: string;
  sandbox: string;
  auth: TokenSource;
  log: Logger;
  /** Requests in flight at once (AEP_ZOHO_MAX_IN_FLIGHT, default 16). */
  maxInFlight?: number;
}

export class Platform {
  private readonly http: HttpClient;
  /** Every Platform request of the run waits for a slot here (AEP_ZOHO_MAX_IN_FLIGHT). */
  readonly limiter: Limiter;

  constructor(private readonly options: PlatformOptions) {
    this.limiter = new Limiter(options.maxInFlight);
    // One token refresh per run, shared by every request that was in flight with the old token.
    let refreshed: Promise<{ token: string }> | undefined;
    this.http = new HttpClient({
      ...options,
      env: options.env ?? {},
      service: 'Adobe Experience Platform',
      variable: 'AEP_PLATFORM_URL',
      headers: { 'x-api-key': options.apiKey, 'x-gw-ims-org-id': options.orgId, 'x-sandbox-name': options.sandbox },
      limiter: this.limiter,
      authorize: async () => ({ authorization: `Bearer ${(await options.auth.token()).token}` }),
      reauthorize: async () => {
        refreshed ??= options.auth.refresh();
        return { authorization: `Bearer ${(await refreshed).token}` };
      },
    });
  }

  async request<T = any>(req: PlatformRequest): Promise<PlatformResponse<T>> {
    const searchParams = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) searchParams.append(key, String(item));
    }
    const url = `${this.options.baseUrl}${req.path}${searchParams.size ? `?${searchParams}` : ''}`;
    const response = await this.http.send({
      method: req.method,
      path: req.path,
      searchParams,
      headers: req.headers,
      json: req.body,
      idempotent: req.idempotent,
      reread: req.reread && (() => this.reread(req)),
    });
    const text = response.body;
    const requestId = header(response.headers['x-request-id']);
    if (response.status >= 400)
      throw apiError({
        method: req.method,
        url,
        status: response.status,
        body: text,
        requestId,
        sandbox: this.options.sandbox,
      });
    let body: unknown;
    if (req.text) body = text ?? '';
    else if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw apiError({ method: req.method, url, status: response.status, body: text, requestId });
      }
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }

  /** The resource as it is now, as a write's answer when it shows the write applied. */
  private async reread<T>(sent: PlatformRequest<T>): Promise<HttpResponse | undefined> {
    const current = await this.request<T>(sent.reread!.request);
    return sent.reread!.applied(current.body, sent)
      ? {
          status: current.status,
          headers: current.headers as HttpResponse['headers'],
          body: JSON.stringify(current.body),
        }
      : undefined;
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
