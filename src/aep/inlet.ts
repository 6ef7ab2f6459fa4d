// The HTTP API streaming inlet (aep-fallback.md §1.6): one raw record per request, POST {inletUrl}
// with the flow id in `x-adobe-flow-id`, the IMS bearer token, `x-api-key` and `x-gw-ims-org-id`.
// The inlet URL is the one Adobe gave in the base connection's `auth.params.inletUrl`, never built
// here. Requests go through the one network stack (http/client.ts: proxies, the same-origin
// redirect rule, timeouts, size cap) with one limiter for every post of the run (default 20).
//
// An answer is 200 ("received") or a refusal this module reports per record, never throws for: the
// caller keeps its cursor before a record that was not acknowledged. Only Ctrl-C throws.
import { CancelledError, isUserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { adobeMessage } from '../http/api-error.js';
import { HttpClient, type HttpResponse, type NetworkOptions } from '../http/client.js';
import { Limiter } from '../http/limiter.js';
import type { TokenSource } from '../http/platform.js';

/** "The maximum record size is 1 MB" (guardrails.md); the inlet answers 413 beyond it. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const DEFAULT_INLET_IN_FLIGHT = 20;

export type PostOutcome =
  | { ok: true; xactionId?: string }
  | { ok: false; status?: number; message: string; requestId?: string };

export interface InletOptions extends NetworkOptions {
  apiKey: string;
  orgId: string;
  auth: TokenSource;
  /** Posts in flight at once, over every inlet of the run. */
  maxInFlight?: number;
}

export class InletClient {
  /** Every post of the run waits for a slot here; `peak` is the most that were in flight at once. */
  readonly limiter: Limiter;
  private readonly clients = new Map<string, HttpClient>();
  /** Bumped when a refresh completes; a post that failed with an older token renews once. */
  private generation = 0;
  private renewing?: Promise<void>;

  constructor(private readonly options: InletOptions) {
    this.limiter = new Limiter(options.maxInFlight ?? DEFAULT_INLET_IN_FLIGHT);
  }

  /** Posts one serialised record; the outcome says whether AEP acknowledged it. */
  async post(inletUrl: string, flowId: string, body: string): Promise<PostOutcome> {
    const http = this.client(inletUrl);
    const send = () =>
      http.send({
        method: 'POST',
        path: inletUrl,
        headers: { 'content-type': 'application/json', 'x-adobe-flow-id': flowId },
        body,
        // Not idempotent in itself, but a record sent twice is one extra row in the Data Lake (Profile
        // merges it by identity), while a record not resent after a lost answer is lost: so resend.
        idempotent: true,
      });
    try {
      const generation = this.generation;
      let response = await send();
      // An authenticated inlet answers 403 to an expired or revoked token (401 is a missing one, which
      // the client already renews): one new token for every post that failed with the old one.
      if (response.status === 403 && isTokenProblem(response)) {
        await this.renew(generation);
        response = await send();
      }
      if (response.status >= 200 && response.status < 300)
        return { ok: true, xactionId: parse(response.body)?.xactionId };
      const { message } = adobeMessage(response.body);
      return {
        ok: false,
        status: response.status,
        message: redact(message ?? `HTTP ${response.status}`),
        requestId: header(response.headers['x-request-id']),
      };
    } catch (error) {
      if (error instanceof CancelledError || this.options.signal?.aborted)
        throw error instanceof CancelledError ? error : new CancelledError();
      // The network failed after the retries (or an answer was refused: a redirect, an oversized body).
      if (isUserError(error)) return { ok: false, status: error.status, message: error.message };
      throw error;
    }
  }

  /** One HttpClient per inlet origin (Adobe may give each region's host); the limiter is shared. */
  private client(inletUrl: string): HttpClient {
    const origin = new URL(inletUrl).origin;
    let http = this.clients.get(origin);
    if (!http) {
      const { auth } = this.options;
      http = new HttpClient({
        ...this.options,
        service: "Adobe's streaming inlet",
        variable: "the base connection's inletUrl (aep-zoho connect --via http-api)",
        baseUrl: origin,
        headers: { 'x-api-key': this.options.apiKey, 'x-gw-ims-org-id': this.options.orgId },
        limiter: this.limiter,
        authorize: async () => ({ authorization: `Bearer ${(await auth.token()).token}` }),
        // A 401 (no token accepted): a new IMS token, once per generation, then one more attempt.
        reauthorize: async () => {
          await this.renew(this.generation);
          return { authorization: `Bearer ${(await auth.token()).token}` };
        },
      });
      this.clients.set(origin, http);
    }
    return http;
  }

  /** Refreshes the IMS token unless another post already did since `seen`. */
  private async renew(seen: number): Promise<void> {
    if (seen !== this.generation) return;
    this.renewing ??= this.options.auth.refresh().then(
      () => {
        this.generation++;
        this.renewing = undefined;
      },
      (error) => {
        this.renewing = undefined;
        throw error;
      },
    );
    await this.renewing;
  }
}

/** DCS's authorization problem (…/data-collection-service-authorization) about the token itself. */
function isTokenProblem(response: HttpResponse): boolean {
  const body = parse(response.body);
  return (
    typeof body?.type === 'string' &&
    body.type.endsWith('-authorization') &&
    /token/i.test(String(body?.report?.message ?? body?.title ?? ''))
  );
}

function parse(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
