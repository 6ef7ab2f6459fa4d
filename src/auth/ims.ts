// Adobe IMS, OAuth Server-to-Server, through @adobe/aio-lib-ims as ruled (aep-api.md ruling 4):
// `new Ims('prod')` with its endpoint set from configuration, `getAccessTokenByClientCredentials`.
// The token is cached in the credentials store until 10 minutes before expiry.
//
// aio-lib-ims logs its arguments, the client secret among them, through `debug` to console.log when
// DEBUG or AIO_LOG_LEVEL ask for it. Those variables are removed before the library loads and the
// console is muted while it runs: nothing it prints can reach stdout or stderr. Both change the
// process, so cli/ does them (a LibraryGuard, cli/services.ts): only cli/ touches `process`.
//
// The library builds the request and reads the answer; sending it is left to the one network
// stack (http/client.ts): its own fetch (no timeout, no proxy but its own, redirects followed with
// the client secret, and retries that resend an already consumed multipart stream) is replaced, for
// the duration of our call, by HttpClient.send. So IMS gets the same proxy, timeouts, retry policy,
// redirect rule and size cap as every other request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import type { CredentialsStore } from '../config/credentials.js';
import { ApiError, NetworkError, UserError } from '../core/errors.js';
import { para } from '../core/text.js';
import { addSecret, redact } from '../core/redact.js';
import { adobeMessage } from '../http/api-error.js';
import { HttpClient, type NetworkOptions } from '../http/client.js';

const TEN_MINUTES = 10 * 60 * 1000;
export const LIBRARY_DEBUG_VARIABLES = ['DEBUG', 'AIO_LOG_LEVEL', 'DEBUG_DEPTH', 'DEBUG_SHOW_HIDDEN'];

export interface ImsCredentials {
  clientId: string;
  clientSecret: string;
  orgId: string;
  scopes: string[];
}

/** What running aio-lib-ims asks of the process; given by cli/, the only code that touches `process` and `console`. */
export interface LibraryGuard {
  /** Before the library loads: removes these variables (LIBRARY_DEBUG_VARIABLES) from the process's environment. */
  beforeLoad(variables: readonly string[]): void;
  /** Runs the library with console.log muted (its debug output goes there); nests safely. */
  muted<T>(run: () => Promise<T>): Promise<T>;
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
  private readonly network: NetworkOptions;
  private readonly guard: LibraryGuard;
  private http?: HttpClient;

  constructor(options: {
    imsUrl: string;
    credentials: ImsCredentials;
    store: CredentialsStore;
    /** The run's network settings (proxy, timeout, retries, Ctrl-C); `now` also decides the cache's freshness. */
    network: NetworkOptions;
    /** Quiets the library (see the top of this file). */
    guard: LibraryGuard;
  }) {
    this.imsUrl = options.imsUrl;
    this.credentials = options.credentials;
    this.store = options.store;
    this.network = options.network;
    this.guard = options.guard;
  }

  private get now(): number {
    return (this.network.now ?? Date.now)();
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
    if (cached && cached.expiry - this.now > TEN_MINUTES) {
      addSecret(cached.token);
      this.network.log.debug(`IMS: reusing the cached token (expires ${new Date(cached.expiry).toISOString()})`);
      return { ...cached, cached: true };
    }
    return this.fetch();
  }

  private async fetch(): Promise<TokenInfo> {
    const { clientId, clientSecret, orgId, scopes } = this.credentials;
    this.network.log.debug(`IMS: requesting a token from ${this.imsUrl}/ims/token/v2 for client ${clientId}`);
    const { Ims } = await loadImsLibrary(this.guard);
    const ims = new Ims('prod');
    ims.endpoint = this.imsUrl; // the library only knows Adobe's prod and stage hosts
    this.http ??= new HttpClient({
      ...this.network,
      service: 'Adobe IMS',
      variable: 'AEP_IMS_URL',
      baseUrl: this.imsUrl,
    });
    // The library returns the body as text when it is not JSON (an HTML page, a truncated answer).
    let result: { access_token?: { token: string; expiry: number }; payload?: unknown } | undefined;
    try {
      result = await transport.run(this.http, () =>
        this.guard.muted(() => ims.getAccessTokenByClientCredentials(clientId, clientSecret, orgId, scopes)),
      );
    } catch (cause) {
      // Failures of the network stack (network, TLS, redirect, size, Ctrl-C) are already explained.
      if (cause instanceof UserError) throw cause;
      throw imsError(cause as Error, this.imsUrl);
    }
    const info = { token: result?.access_token?.token ?? '', expiry: result?.access_token?.expiry ?? Number.NaN };
    if (!info.token || !Number.isFinite(info.expiry)) {
      const payload = result?.payload;
      const what =
        typeof payload !== 'string'
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

/** The client a token request of ours is sent with, for the library's networking calls in it. */
const transport = new AsyncLocalStorage<HttpClient>();

let library: Promise<any> | undefined;
function loadImsLibrary(guard: LibraryGuard): Promise<any> {
  guard.beforeLoad(LIBRARY_DEBUG_VARIABLES);
  library ??= (async () => {
    // src/ims.js is the Ims class alone, without the context and plugin machinery of the index.
    const module = await import('@adobe/aio-lib-ims/src/ims.js');
    // The networking module the library itself loads (resolved from its folder).
    const requireFromIms = createRequire(import.meta.resolve('@adobe/aio-lib-ims/src/ims.js'));
    const { HttpExponentialBackoff } = requireFromIms('@adobe/aio-lib-core-networking');
    const original = HttpExponentialBackoff.prototype.exponentialBackoff;
    if (!original.viaHttpClient) {
      HttpExponentialBackoff.prototype.exponentialBackoff = Object.assign(
        function (this: unknown, url: string, init: LibraryRequest, ...rest: unknown[]) {
          const http = transport.getStore();
          return http ? send(http, url, init) : original.call(this, url, init, ...rest);
        },
        { viaHttpClient: true },
      );
    }
    return module.default ?? module;
  })();
  return library;
}

/** What the library hands its fetch: a method, headers and a form-data body. */
interface LibraryRequest {
  method: 'POST' | 'GET';
  headers?: Record<string, string>;
  body?: { getBuffer(): Buffer; getHeaders(): Record<string, string> };
}

/** The library's request through the one stack, answered in the shape of fetch's Response it reads. */
async function send(http: HttpClient, url: string, init: LibraryRequest) {
  const response = await http.send({
    method: init.method,
    path: url,
    headers: { ...init.headers, ...init.body?.getHeaders() },
    body: init.body?.getBuffer(),
    idempotent: true, // a second token request only mints a second token
  });
  return {
    status: response.status,
    statusText: STATUS_CODES[response.status] ?? '',
    ok: response.status < 300,
    text: async () => response.body,
  };
}

/** aio-lib-ims throws "<status> (<text>): <body>" or a fetch error; make either one paragraph. */
function imsError(error: Error, imsUrl: string): Error {
  const match = /^(\d{3}) \(([^)]*)\): ([\s\S]*)$/.exec(error.message);
  if (!match) {
    const code = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
    return new NetworkError(
      redact(`Cannot reach Adobe IMS at ${imsUrl}${code ? ` (${code})` : ''}: ${error.message.split('\n')[0]}.`),
      {
        hint: 'Check your network or proxy, and AEP_IMS_URL if you point aep-zoho at another IMS.',
      },
    );
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
  // A gateway or IMS itself failing (after the retries) says nothing about the credentials.
  if (status >= 500 || status === 408 || status === 429)
    return new ApiError(
      `Adobe IMS at ${imsUrl} is unavailable (HTTP ${status}${code ? ` ${code}` : ''}): ${message ?? match[2]}. Try again in a few minutes.`,
      {
        status,
        hint: para`Your credentials were not refused: IMS (or a proxy in between) failed to answer. Try again later;
          https://status.adobe.com lists outages. If it persists, check AEP_IMS_URL and any proxy.`,
      },
    );
  const badClient = body.error === 'invalid_client' || status === 401;
  // IMS (or a gateway before it) may echo the request, client_secret included: masked, one paragraph.
  const said = redact(message ?? match[2])
    .replace(/\s+/g, ' ')
    .trim();
  return new ApiError(
    para`Adobe IMS refused the OAuth Server-to-Server credentials (HTTP
      ${status}${code ? ` ${code}` : body.error ? ` ${body.error}` : ''}):
      ${said.length > 300 ? `${said.slice(0, 300)}…` : said}.`,
    {
      status,
      hint: badClient
        ? para`Check AEP_CLIENT_ID and AEP_CLIENT_SECRET against the credential in Adobe Developer Console (a rotated
          secret must be re-imported: 'aep-zoho init --from-console <file>').`
        : body.error === 'invalid_scope'
          ? "Check AEP_SCOPES: use the scopes shown on the credential's page in Adobe Developer Console."
          : 'Re-run with --debug for details.',
    },
  );
}
