// The aep-zoho emulator: one HTTP origin that behaves like Adobe IMS, the Platform gateway with
// Flow Service, Catalog, Schema Registry and Data Prep, Zoho's accounts server and CRM REST API. It holds real
// state and rejects what the real services reject. It imports nothing from the CLI.
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { flowError, gatewayError, problem } from './adobe-errors.js';
import { Faults, type Fault } from './faults.js';
import { checkGateway, isCaller } from './gateway.js';
import { TokenSigner } from './jwt.js';
import { parseBody, Router, type EmuRequest, type EmuResponse } from './router.js';
import { EmulatorState } from './state.js';
import type { EmulatorOptions, ServiceContext } from './services/context.js';
import { registerIms } from './services/ims.js';
import { registerZohoAccounts } from './services/zoho-accounts.js';
import { registerFlowConnections } from './services/flow-connections.js';
import { registerFlowExplore } from './services/flow-explore.js';
import { registerFlowDataflows } from './services/flow-dataflows.js';
import { registerCatalog } from './services/catalog.js';
import { registerSchemaRegistry } from './services/schema-registry.js';
import { registerDataPrep } from './services/data-prep.js';
import { registerZohoCrmApi, zohoApiError } from './services/zoho-crm-api.js';
import { LiveCrm } from './zoho-live.js';
import { registerInlet } from './services/inlet.js';
import { registerBatches } from './services/batches.js';

export type { EmulatorOptions } from './services/context.js';
export type { Fault, FaultRule, FiredFault } from './faults.js';

/** One request and the answer it got, for tests (assert bodies, validate against Adobe's specs). */
export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** 0 when no answer was sent (a reset, a dropped response, a request abandoned during a delay). */
  status: number;
  response: unknown;
  /** The injected fault applied to this request, if any. */
  fault?: Fault['kind'];
}

export interface Emulator {
  url: string;
  port: number;
  state: EmulatorState;
  exchanges: Exchange[];
  /** Requests that matched no route (a test that sees any has called an API the emulator lacks). */
  unmatched: string[];
  options: EmulatorOptions;
  /** Fault injection (off until a test adds a rule): errors, resets, dropped answers, delays, expired tokens. */
  faults: Faults;
  /** The CRM Zoho's REST API (/crm/v8/…) serves; tests edit, add and delete records through it. */
  zoho: LiveCrm;
  /** Moves every service's clock on (tests: time passing after an edit, without waiting for it). */
  advanceClock(ms: number): void;
  close(): Promise<void>;
}

const PLATFORM_PREFIX = '/data/foundation/';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState();
  let skew = 0;
  const clock = options.now ?? Date.now;
  const now = () => clock() + skew;
  const faults = new Faults(now);
  const ctx: ServiceContext = {
    state,
    options,
    signer: new TokenSigner(),
    now,
    tokenExpired: (createdAt) => faults.isExpired(createdAt),
  };
  const router = new Router();
  registerIms(router, ctx);
  registerZohoAccounts(router, ctx);
  registerFlowConnections(router, ctx);
  registerFlowExplore(router, ctx);
  registerFlowDataflows(router, ctx);
  registerCatalog(router, ctx);
  registerSchemaRegistry(router, ctx);
  registerDataPrep(router, ctx);
  const zoho = new LiveCrm(ctx.now);
  registerZohoCrmApi(router, ctx, zoho);
  registerInlet(router, ctx);
  registerBatches(router, ctx);

  const sandboxes = new Set(options.sandboxes ?? ['prod']);
  const exchanges: Exchange[] = [];
  const unmatched: string[] = [];

  const handle = async (req: EmuRequest): Promise<EmuResponse> => {
    const found = router.match(req.method, req.path);
    if (!('handler' in found)) {
      if (!found.methodMismatch) unmatched.push(`${req.method} ${req.path}`);
      // Under /crm/ Zoho answers, in its own shape (INVALID_URL_PATTERN and INVALID_REQUEST_METHOD
      // with these messages are in Zoho's OAS, github.com/zoho/crm-oas v8.0).
      if (req.path.startsWith('/crm/'))
        return found.methodMismatch
          ? zohoApiError(400, 'INVALID_REQUEST_METHOD', 'The http request method type is not a valid one')
          : zohoApiError(404, 'INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one');
      return found.methodMismatch
        ? problem(405, 'Method Not Allowed', `${req.method} is not supported on ${req.path}.`, req.requestId)
        : problem(404, 'Not Found', `No API at ${req.method} ${req.path}.`, req.requestId);
    }
    req.params = found.params;
    if (req.path.startsWith(PLATFORM_PREFIX)) {
      // A token issued before an injected expiry is rejected as the gateway rejects an expired one.
      const claims = faults.tokensIssuedBefore
        ? ctx.signer.verify(/^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '')
        : undefined;
      if (claims && faults.isExpired(Number(claims.created_at)))
        return gatewayError(401, '401013', 'Oauth token is not valid', req.requestId);
      const caller = checkGateway(req, { signer: ctx.signer, sandboxes, now: ctx.now });
      if (!isCaller(caller)) return caller;
      req.caller = caller;
    }
    try {
      req.body = parseBody(req.headers['content-type'], req.rawBody);
    } catch {
      if (req.path.startsWith('/crm/')) return zohoApiError(400, 'INVALID_DATA', 'the request body is not valid JSON');
      return req.path.includes('/flowservice/')
        ? flowError(400, '1100', 'Bad Request', 'The request body is not valid JSON.', req.requestId)
        : problem(400, 'Bad Request', 'The request body is not valid JSON.', req.requestId);
    }
    return found.handler(req);
  };

  const server = createServer(async (incoming: IncomingMessage, res: ServerResponse) => {
    const url = new URL(incoming.url ?? '/', 'http://emulator');
    const rawBody = await readBody(incoming);
    const req: EmuRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body: undefined,
      rawBody,
      params: {},
      requestId: randomUUID(),
    };
    const injected = faults.next(req.method, req.path);
    const fault = injected?.fault;
    const record = (status: number, response: unknown) =>
      exchanges.push({
        method: req.method,
        path: req.path,
        query: queryRecord(url.searchParams),
        headers: incoming.headers,
        body: req.body ?? (rawBody || undefined),
        status,
        response,
        ...(fault ? { fault: fault.kind } : {}),
      });
    if (fault?.kind === 'status') {
      // Zoho's API answers in its own error shape; everything else in Adobe's.
      const answer = req.path.startsWith('/crm/')
        ? zohoApiError(fault.status, fault.status === 429 ? 'TOO_MANY_REQUESTS' : 'INTERNAL_ERROR', 'Injected fault.')
        : problem(fault.status, STATUS_CODES[fault.status] ?? 'Error', 'Injected fault.', req.requestId);
      answer.headers = {
        ...answer.headers,
        ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
      };
      record(answer.status, answer.body);
      send(res, answer, req.requestId, now());
      return;
    }
    if (fault?.kind === 'answer') {
      // Something in between answered; the service never saw the request.
      record(fault.status, fault.body);
      const headers: Record<string, string> = fault.contentType ? { 'content-type': fault.contentType } : {};
      res.writeHead(fault.status, headers).end(fault.status === 204 ? undefined : (fault.body ?? ''));
      return;
    }
    if (fault?.kind === 'reset') {
      record(0, undefined);
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay' && fault.handle !== 'after' && !(await wait(fault.ms, incoming, fault.until))) {
      injected!.fired.abandoned = true; // the client went away first: the service never starts
      record(0, undefined);
      return;
    }
    let answer: EmuResponse;
    try {
      answer = await handle(req);
    } catch (error) {
      answer = req.path.startsWith('/crm/')
        ? zohoApiError(500, 'INTERNAL_ERROR', `Emulator fault: ${(error as Error).message}`)
        : problem(500, 'Internal Server Error', `Emulator fault: ${(error as Error).message}`, req.requestId);
    }
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    if (fault?.kind === 'drop') {
      record(0, answer.body);
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay' && fault.handle === 'after') await wait(fault.ms, incoming, fault.until);
    record(answer.status, answer.body);
    if (!incoming.socket.destroyed) send(res, answer, req.requestId, now());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.keepAliveTimeout = 5000;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    exchanges,
    unmatched,
    options,
    faults,
    zoho,
    advanceClock: (ms) => void (skew += ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits `ms`; resolves false as soon as the client closes the connection. */
function wait(ms: number, incoming: IncomingMessage, until?: Promise<unknown>): Promise<boolean> {
  const socket = incoming.socket;
  if (socket.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const done = () => {
      clearTimeout(timer);
      socket.off('close', onClose);
      resolve(!socket.destroyed);
    };
    const timer = setTimeout(done, ms);
    until?.then(done, done);
    socket.once('close', onClose);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `date` on the emulator's clock: what the CLI reckons Adobe's ingestion pause against. */
function send(res: ServerResponse, answer: EmuResponse, requestId: string, now: number): void {
  const headers: Record<string, string> = {
    'x-request-id': requestId,
    date: new Date(now).toUTCString(),
    ...answer.headers,
  };
  if (answer.body === undefined || answer.status === 204) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  if (answer.raw) {
    res.writeHead(answer.status, headers).end(String(answer.body));
    return;
  }
  res
    .writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8', ...headers })
    .end(JSON.stringify(answer.body));
}

function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    record[key] = values.length > 1 ? values : values[0];
  }
  return record;
}
