// The HTTP API streaming inlet (aep-fallback.md §1.6): one raw record per request, POST {inletUrl}
// with the flow id in `x-adobe-flow-id`, the IMS bearer token, `x-api-key` and `x-gw-ims-org-id`.
// The inlet URL is the one Adobe gave in the base connection's `auth.params.inletUrl`, never built
// here. Requests go through the one network stack (http/client.ts: proxies, the same-origin
// redirect rule, timeouts, size cap) with one limiter for every post of the run (default 50),
// paced within Adobe's 1,000 requests a second, on its node:http(s) transport (http/lean.ts:
// about a third of got's CPU a post, issue 23).
//
// A record is delivered only when the answer carries Adobe's receipt: a 200 with the record's
// `xactionId`, or a 207 whose `responses[]` holds one per message, an `xactionId` for a message
// that was received, a `statusCode` and `message` for one that failed (AdobeDocs/experience-platform.en:
// help/ingestion/tutorials/streaming-multiple-messages.md, help/sources/tutorials/api/create/streaming/http.md).
// Any other answer, a 2xx included (a captive portal's page, a proxy's empty 200, a load
// balancer's 204), is a failure this module reports per record, never throws for: the caller
// keeps its cursor before a record that was not acknowledged. Only Ctrl-C throws.
//
// Records and the IMS token go only to an https inlet on Adobe's collection domain, adobedc.net
// (Adobe's inlet URLs are `https://dcs.adobedc.net/collection/{inletId}` in http.md; its Streaming
// SDK template shows a flow's inletUrl on dcs-int.adobedc.net), or to the configured Platform
// origin (AEP_PLATFORM_URL: the emulator serves both). Any other URL in Platform's answer (or the
// state file) is refused before a request is made.
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError, UserError, isUserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { para } from '../core/text.js';
import { adobeMessage } from '../http/api-error.js';
import { HttpClient, type HttpResponse, type NetworkOptions } from '../http/client.js';
import { Limiter } from '../http/limiter.js';
import type { TokenSource } from '../http/platform.js';

/** "The maximum record size is 1 MB" (guardrails.md); the inlet answers 413 beyond it. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/**
 * Posts in flight at once by default: at 50 ms to the inlet that is Adobe's 1,000 requests a second,
 * at 150 ms about 330 a second (a first load of 1,000,000 records in under an hour). The pacer
 * below keeps any setting within Adobe's rate.
 */
export const DEFAULT_INLET_IN_FLIGHT = 50;
/** "1000 requests per second" (help/ingestion/streaming-ingestion/overview.md, guardrails.md; docs/aep-fallback.md §1.7). */
export const INLET_REQUESTS_PER_SECOND = 1000;

/** Starts at most `perSecond` requests a second, counted over windows of 100 ms. */
export class Pacer {
  private windowStart = Number.NEGATIVE_INFINITY;
  private started = 0;
  private readonly perWindow: number;

  constructor(
    perSecond: number,
    private readonly windowMs = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.perWindow = Math.max(1, Math.floor((perSecond * windowMs) / 1000));
  }

  async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now - this.windowStart >= this.windowMs) [this.windowStart, this.started] = [now, 0];
      if (this.started < this.perWindow) {
        this.started++;
        return;
      }
      await delay(this.windowStart + this.windowMs - now, undefined, { signal }).catch(() => {
        throw new CancelledError();
      });
    }
  }
}

export type PostOutcome =
  | { ok: true; xactionId: string }
  | { ok: false; status?: number; message: string; requestId?: string };

/** Adobe's streaming collection domain: dcs.adobedc.net and its other hosts. */
export const COLLECTION_DOMAIN = 'adobedc.net';

export interface InletOptions extends NetworkOptions {
  apiKey: string;
  orgId: string;
  /** The configured Platform origin (AEP_PLATFORM_URL): inlets on it are trusted too (the emulator). */
  platformUrl: string;
  auth: TokenSource;
  /** Posts in flight at once, over every inlet of the run. */
  maxInFlight?: number;
}

export class InletClient {
  /** Every post of the run waits for a slot here; `peak` is the most that were in flight at once. */
  readonly limiter: Limiter;
  /** Every post of the run starts within Adobe's rate. */
  private readonly pacer = new Pacer(INLET_REQUESTS_PER_SECOND);
  private readonly clients = new Map<string, HttpClient>();
  /**
   * Per inlet URL, as every post of a pass names the same one: why it is refused (inletRefusal)
   * and its origin's client, so that a post parses no URL of its own.
   */
  private readonly inlets = new Map<string, { refused?: string; http?: HttpClient }>();
  /** Bumped when a refresh completes; a post that failed with an older token renews once. */
  private generation = 0;
  private renewing?: Promise<void>;

  constructor(private readonly options: InletOptions) {
    this.limiter = new Limiter(options.maxInFlight ?? DEFAULT_INLET_IN_FLIGHT);
  }

  /** Throws (exit 1) when records and the IMS token must not go to this inlet URL; see the top of this file. */
  check(inletUrl: string): void {
    refuseInlet(inletUrl, this.options.platformUrl, 'sync');
  }

  /** Posts one serialised record; the outcome says whether AEP acknowledged it. */
  async post(inletUrl: string, flowId: string, body: string): Promise<PostOutcome> {
    const inlet = this.inlet(inletUrl);
    if (!inlet.http) return { ok: false, message: `not sent to ${redact(inletUrl)}: ${inlet.refused}` };
    const http = inlet.http;
    const send = async () => {
      await this.pacer.wait(this.options.signal);
      return http.send({
        method: 'POST',
        path: inletUrl,
        headers: { 'content-type': 'application/json', 'x-adobe-flow-id': flowId },
        body,
        // Not idempotent in itself, but a record sent twice is one extra row in the Data Lake (Profile
        // merges it by identity), while a record not resent after a lost answer is lost: so resend.
        idempotent: true,
      });
    };
    try {
      const generation = this.generation;
      let response = await send();
      // An authenticated inlet answers 403 to an expired or revoked token (401 is a missing one, which
      // the client already renews): one new token for every post that failed with the old one.
      if (response.status === 403 && isTokenProblem(response)) {
        await this.renew(generation);
        response = await send();
      }
      const requestId = header(response.headers['x-request-id']);
      if (response.status >= 200 && response.status < 300) {
        const outcome = receipt(response);
        return outcome.ok ? outcome : { ...outcome, ...(requestId ? { requestId } : {}) };
      }
      return {
        ok: false,
        status: response.status,
        message: redact(inletMessage(response.body) ?? `HTTP ${response.status}`),
        requestId,
      };
    } catch (error) {
      if (error instanceof CancelledError || this.options.signal?.aborted)
        throw error instanceof CancelledError ? error : new CancelledError();
      // The network failed after the retries (or an answer was refused: a redirect, an oversized body).
      if (isUserError(error)) return { ok: false, status: error.status, message: error.message };
      throw error;
    }
  }

  /** The inlet URL's verdict and, when records may go there, its origin's client. */
  private inlet(inletUrl: string): { refused?: string; http?: HttpClient } {
    let inlet = this.inlets.get(inletUrl);
    if (!inlet) {
      const refused = inletRefusal(inletUrl, this.options.platformUrl);
      inlet = refused ? { refused } : { http: this.client(inletUrl) };
      this.inlets.set(inletUrl, inlet);
    }
    return inlet;
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
        // One post per record: node:http(s) rather than got (a quarter of its CPU a post; issue 23).
        transport: 'node',
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

/**
 * Throws INLET_REFUSED (exit 1) when records and the IMS token must not go to `inletUrl`: `sync`
 * before it posts, and `connect --via http-api` and `dataflow create --via http-api` before they
 * accept the inlet Platform answered with (issue 21).
 */
export function refuseInlet(inletUrl: string, platformUrl: string, at: 'sync' | 'connect' | 'dataflow create'): void {
  const reason = inletRefusal(inletUrl, platformUrl);
  if (!reason) return;
  const after =
    at === 'sync'
      ? para`then run 'aep-zoho connect --via http-api' and 'aep-zoho dataflow create --template <name> --via http-api'
          to record the inlet again. Nothing was sent; the cursor is where it was.`
      : `then run 'aep-zoho ${at} --via http-api' again.${at === 'connect' ? '' : ' No resource was changed.'}`;
  throw new UserError(
    redact(`aep-zoho does not send records or the IMS token to the inlet URL ${inletUrl}: ${reason}.`),
    {
      hint: para`Adobe's inlets are https URLs on ${COLLECTION_DOMAIN} (https://dcs.${COLLECTION_DOMAIN}/collection/<inletId>).
        The URL comes from Platform's answer for the HTTP API base connection:
        check that AEP_PLATFORM_URL is Adobe's (https://platform.adobe.io) and that no proxy rewrites its answers, ${after}`,
      code: 'INLET_REFUSED',
    },
  );
}

/**
 * Why records and the token must not go to `inletUrl`, or undefined when they may: an https URL on
 * Adobe's collection domain, or one on the configured Platform origin.
 */
export function inletRefusal(inletUrl: string, platformUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(inletUrl);
  } catch {
    return 'it is not a URL';
  }
  if (url.username || url.password) return 'it carries a user name or password';
  if (url.origin === new URL(platformUrl).origin) return undefined;
  const host = url.hostname.toLowerCase();
  const adobe = host === COLLECTION_DOMAIN || host.endsWith(`.${COLLECTION_DOMAIN}`);
  if (url.protocol !== 'https:')
    return para`it is plain ${url.protocol.replace(/:$/, '')},
      not https${adobe ? '' : `, on ${host}, not Adobe's collection domain (${COLLECTION_DOMAIN})`}:
      the records and the token would cross the network readable by anyone in between`;
  if (!adobe)
    return `${host} is neither Adobe's collection domain (${COLLECTION_DOMAIN}) nor the Platform origin (AEP_PLATFORM_URL, ${new URL(platformUrl).origin})`;
  return undefined;
}

/** A 2xx answer as Adobe's receipt, or as the failure it is when it carries none. */
function receipt(response: HttpResponse): PostOutcome {
  const body = parse(response.body);
  if (response.status === 207 && Array.isArray(body?.responses) && body.responses.length) {
    // One message per request: every item of responses[] must be a receipt.
    // A message failed when it has no receipt, or an error status beside one.
    const failed = body.responses.find((item: any) => !isReceipt(item?.xactionId) || Number(item?.statusCode) >= 400);
    if (!failed) return { ok: true, xactionId: body.responses[0].xactionId };
    const status = Number(failed?.statusCode);
    return {
      ok: false,
      ...(Number.isInteger(status) && status > 0 ? { status } : { status: 207 }),
      message: redact(
        typeof failed?.message === 'string' ? failed.message : `Adobe's 207 answer has no receipt for the record`,
      ),
    };
  }
  if (response.status !== 207 && isReceipt(body?.xactionId)) return { ok: true, xactionId: body.xactionId };
  const type = header(response.headers['content-type']);
  return {
    ok: false,
    status: response.status,
    message: para`no receipt from Adobe (an xactionId) in the answer,
      which was ${type ? type.split(';')[0].trim() : 'without a content type'}, ${describe(response.body)};
      something other than Adobe's inlet may have answered (a proxy?)`,
  };
}

const isReceipt = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** An answer's body for a message: its size and first bytes, secrets masked. */
function describe(body: string): string {
  if (!body) return 'empty';
  const start = redact(body.slice(0, 2000)).replace(/\s+/g, ' ').trim();
  const shown = start.length > 80 ? `${start.slice(0, 80)}…` : start;
  return `${Buffer.byteLength(body, 'utf8')} bytes: ${JSON.stringify(shown)}`;
}

/**
 * The inlet's own error text: Adobe's Data Collection Service puts it in `report.message` (e.g.
 * `{"title": "Authorization", "report": {"message": "[…] Ims service token is empty"}}`,
 * help/sources/tutorials/api/create/streaming/http.md); other bodies as the platform's.
 */
function inletMessage(text: string): string | undefined {
  const body = parse(text);
  const report = body?.report?.message;
  if (typeof report === 'string' && report.trim()) {
    const title = typeof body.title === 'string' && body.title.trim() ? body.title.trim() : undefined;
    return title && !report.includes(title) ? `${title}: ${report.trim()}` : report.trim();
  }
  return adobeMessage(text).message;
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
