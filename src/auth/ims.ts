// Adobe IMS, OAuth Server-to-Server, through @adobe/aio-lib-ims as ruled (aep-api.md ruling 4):
// `new Ims('prod')` with its endpoint set from configuration, `getAccessTokenByClientCredentials`.
// The token is cached in the credentials store until 10 minutes before expiry.
//
// aio-lib-ims logs its arguments, the client secret among them, through `debug` to console.log when
// DEBUG or AIO_LOG_LEVEL ask for it. Those variables are removed before the library loads and the
// console is muted while it runs: nothing it prints can reach stdout or stderr.
//
// The library retries a failed token request (5xx, 429, network errors) by resending the same
// multipart body, a stream already consumed: the retry sends headers and no body, and hangs until
// the server times it out (found by the fault matrix: one IMS 500 cost 90 s and then failed). Its
// own retries are turned off here and the request is retried from scratch, with backoff, instead.
import { createRequire } from 'node:module';
import type { CredentialsStore } from '../config/credentials.js';
import { ApiError, CancelledError, NetworkError } from '../core/errors.js';
import { addSecret } from '../core/redact.js';
import type { Logger } from '../core/context.js';
import { adobeMessage } from '../http/api-error.js';

const TEN_MINUTES = 10 * 60 * 1000;
/** Token requests, in all: the first and up to three retries (as the library meant to). */
const ATTEMPTS = 4;
export const LIBRARY_DEBUG_VARIABLES = ['DEBUG', 'AIO_LOG_LEVEL', 'DEBUG_DEPTH', 'DEBUG_SHOW_HIDDEN'];

export interface ImsCredentials {
  clientId: string;
  clientSecret: string;
  orgId: string;
  scopes: string[];
}

export interface TokenInfo {
  token: string;
  expiry: number;
  cached: boolean;
}

export class ImsAuth {
  private current?: Promise<TokenInfo>;
  private readonly imsUrl: string;
  private readonly credentials: ImsCredentials;
  private readonly store: CredentialsStore;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly retryBaseMs: number;
  private readonly timeoutMs: number;
  private readonly signal?: AbortSignal;

  constructor(options: {
    imsUrl: string;
    credentials: ImsCredentials;
    store: CredentialsStore;
    log: Logger;
    now?: () => number;
    /** First retry delay in ms (doubles each time); tests make it short. */
    retryBaseMs?: number;
    /** Per attempt: the library takes no timeout, so a hung request is abandoned and retried. */
    timeoutMs?: number;
    /** Ctrl-C: the library takes no signal, so a token request is abandoned rather than awaited. */
    signal?: AbortSignal;
  }) {
    this.imsUrl = options.imsUrl;
    this.credentials = options.credentials;
    this.store = options.store;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.signal = options.signal;
  }

  private get cacheKey(): string {
    return `${this.imsUrl}|${this.credentials.clientId}|${this.credentials.orgId}`;
  }

  /** A valid token: the cached one while it has more than 10 minutes left, else a new one. */
  token(): Promise<TokenInfo> {
    this.current ??= this.load().catch((error) => {
      this.current = undefined;
      throw error;
    });
    return this.current;
  }

  /** After a 401: forget the cached token and fetch a new one (once per run; the caller decides). */
  async refresh(): Promise<TokenInfo> {
    this.current = undefined;
    await this.store.saveToken(this.cacheKey, undefined);
    this.current = this.fetch();
    return this.current;
  }

  private async load(): Promise<TokenInfo> {
    const cached = await this.store.cachedToken(this.cacheKey);
    if (cached && cached.expiry - this.now() > TEN_MINUTES) {
      addSecret(cached.token);
      this.log.debug(`IMS: reusing the cached token (expires ${new Date(cached.expiry).toISOString()})`);
      return { ...cached, cached: true };
    }
    return this.fetch();
  }

  private async fetch(): Promise<TokenInfo> {
    const { clientId, clientSecret, orgId, scopes } = this.credentials;
    this.log.debug(`IMS: requesting a token from ${this.imsUrl}/ims/token/v2 for client ${clientId}`);
    const { Ims } = await loadImsLibrary();
    const ims = new Ims('prod');
    ims.endpoint = this.imsUrl; // the library only knows Adobe's prod and stage hosts
    // The library returns the body as text when it is not JSON (an HTML page, a truncated answer).
    let result: { access_token?: { token: string; expiry: number }; payload?: unknown } | undefined;
    for (let attempt = 1; !result; attempt++) {
      try {
        result = await abortable(withTimeout(muted(() => ims.getAccessTokenByClientCredentials(clientId, clientSecret, orgId, scopes)), this.timeoutMs), this.signal);
      } catch (cause) {
        if (cause instanceof CancelledError) throw cause;
        const error = imsError(cause as Error, this.imsUrl);
        const status = (error as ApiError).status;
        const transient = error instanceof NetworkError || status === 408 || status === 429 || (status !== undefined && status >= 500);
        if (!transient || attempt >= ATTEMPTS) throw error;
        const delay = this.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        this.log.debug(`IMS: retrying the token request in ${Math.round(delay)} ms (attempt ${attempt}: ${status ?? 'network error'})`);
        await abortable(new Promise((resolve) => setTimeout(resolve, delay)), this.signal);
      }
    }
    const info = { token: result?.access_token?.token ?? '', expiry: result?.access_token?.expiry ?? Number.NaN };
    if (!info.token || !Number.isFinite(info.expiry)) {
      const payload = result?.payload;
      const what = typeof payload !== 'string'
        ? 'a token aep-zoho cannot read (not a JWT with created_at and expires_in)'
        : /^\s*</.test(payload)
          ? 'an HTML page instead of JSON (a proxy, firewall or login page?)'
          : 'a response that is not valid JSON (truncated or corrupt)';
      throw new ApiError(`Adobe IMS at ${this.imsUrl} returned ${what}.`, {
        hint: 'Check AEP_IMS_URL (it must point at Adobe IMS, default https://ims-na1.adobelogin.com) and any proxy between you and Adobe; re-running is safe.',
      });
    }
    addSecret(info.token);
    await this.store.saveToken(this.cacheKey, info);
    return { ...info, cached: false };
  }
}

/** Settles with the promise, or rejects like a network timeout (ETIMEDOUT, so it is retried) after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Settles with the promise, or rejects with CancelledError as soon as the signal aborts. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Runs the library with console.log muted (its debug output goes there); nests safely. */
let mutes = 0;
let consoleLog = console.log;
async function muted<T>(run: () => Promise<T>): Promise<T> {
  if (mutes++ === 0) {
    consoleLog = console.log;
    console.log = () => undefined;
  }
  try {
    return await run();
  } finally {
    if (--mutes === 0) console.log = consoleLog;
  }
}

let library: Promise<any> | undefined;
function loadImsLibrary(): Promise<any> {
  for (const name of LIBRARY_DEBUG_VARIABLES) delete process.env[name];
  library ??= (async () => {
    // src/ims.js is the Ims class alone, without the context and plugin machinery of the index.
    const module = await import('@adobe/aio-lib-ims/src/ims.js');
    // The networking module the library itself loads (resolved from its folder): no retries inside.
    const requireFromIms = createRequire(import.meta.resolve('@adobe/aio-lib-ims/src/ims.js'));
    const { HttpExponentialBackoff } = requireFromIms('@adobe/aio-lib-core-networking');
    const backoff = HttpExponentialBackoff.prototype.exponentialBackoff;
    if (!backoff.once) {
      HttpExponentialBackoff.prototype.exponentialBackoff = Object.assign(function (this: unknown, url: unknown, options: unknown, retryOptions: object = {}, ...rest: unknown[]) {
        return backoff.call(this, url, options, { ...retryOptions, maxRetries: 0 }, ...rest);
      }, { once: true });
    }
    return module.default ?? module;
  })();
  return library;
}

/** aio-lib-ims throws "<status> (<text>): <body>" or a fetch error; make either one paragraph. */
function imsError(error: Error, imsUrl: string): Error {
  const match = /^(\d{3}) \(([^)]*)\): ([\s\S]*)$/.exec(error.message);
  if (!match) {
    const code = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
    return new NetworkError(`Cannot reach Adobe IMS at ${imsUrl}${code ? ` (${code})` : ''}: ${error.message.split('\n')[0]}.`, {
      hint: 'Check your network or proxy, and AEP_IMS_URL if you point aep-zoho at another IMS.',
    });
  }
  const status = Number(match[1]);
  const { message, code } = adobeMessage(match[3]);
  const body = (() => {
    try {
      return JSON.parse(match[3]) as { error?: string };
    } catch {
      return {};
    }
  })();
  const badClient = body.error === 'invalid_client' || status === 401;
  return new ApiError(`Adobe IMS refused the OAuth Server-to-Server credentials (HTTP ${status}${code ? ` ${code}` : body.error ? ` ${body.error}` : ''}): ${message ?? match[2]}.`, {
    status,
    hint: badClient
      ? "Check AEP_CLIENT_ID and AEP_CLIENT_SECRET against the credential in Adobe Developer Console (a rotated secret must be re-imported: 'aep-zoho init --from-console <file>')."
      : body.error === 'invalid_scope'
        ? "Check AEP_SCOPES: use the scopes shown on the credential's page in Adobe Developer Console."
        : 'Re-run with --debug for details.',
  });
}
