// One HTTP exchange on node:http / node:https, without got: the transport of the hot path (one
// POST per record to the streaming inlet, issue 23), where got cost about 340 µs of CPU and 100 KB
// of allocations a request against about 90 µs here. It does one exchange and nothing more;
// HttpClient around it keeps every rule the same as on got (retries and deadline, the same-origin
// redirect rule, the size cap, Ctrl-C, secrets kept out of messages and debug lines).
// Connections are pooled by Node's global agents (keep-alive since Node 19), as got's are, or by
// the proxy's agent (http/proxy.ts: a CONNECT tunnel through HTTPS_PROXY/HTTP_PROXY).
import {
  type Agent,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request as httpRequest,
} from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface LeanRequest {
  method: string;
  /** Lowercase names. */
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The exchange (connection, request and the whole answer) ends after this many ms: ETIMEDOUT. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** The proxy's agent; none: Node's global agent (keep-alive). */
  agent?: Agent;
  /** An answer announced or found larger is not read: TooLargeError. */
  maxBytes: number;
}

export interface LeanResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Empty for a redirect (3xx with a Location), whose body is not read. */
  body: string;
}

/** The answer was larger than maxBytes (HttpClient turns it into its message). */
export class TooLargeError extends Error {
  constructor(readonly status: number) {
    super(`answer over the size limit (HTTP ${status})`);
  }
}

/** The requests in flight under each signal (the run's Ctrl-C): one listener a signal rather than one a request. */
const inFlight = new WeakMap<AbortSignal, Set<ClientRequest>>();

/** Destroys `request` when `signal` aborts; returns the function that forgets it. */
function track(signal: AbortSignal, request: ClientRequest): () => void {
  let requests = inFlight.get(signal);
  if (!requests) {
    const all = new Set<ClientRequest>();
    signal.addEventListener(
      'abort',
      () => {
        for (const one of all) one.destroy(Object.assign(new Error('cancelled'), { code: 'ABORT_ERR' }));
        all.clear();
      },
      { once: true },
    );
    inFlight.set(signal, all);
    requests = all;
  }
  requests.add(request);
  const known = requests;
  return () => known.delete(request);
}

/** Sends one request and reads its answer; network failures reject with Node's error (its `code`). */
export function exchange(url: URL, req: LeanRequest): Promise<LeanResponse> {
  if (req.signal?.aborted) return Promise.reject(Object.assign(new Error('cancelled'), { code: 'ABORT_ERR' }));
  return new Promise<LeanResponse>((resolve, reject) => {
    const headers =
      req.body !== undefined ? { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) } : req.headers;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: req.method, headers, agent: req.agent });
    const untrack = req.signal ? track(req.signal, request) : undefined;
    let settled = false;
    const finish = (error: Error | undefined, response?: LeanResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      untrack?.();
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(response as LeanResponse);
    };
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer within ${req.timeoutMs} ms`), { code: 'ETIMEDOUT' });
      finish(error);
    }, req.timeoutMs);
    request.once('error', (error) => finish(error));
    request.once('response', (response: IncomingMessage) =>
      read(response, req.maxBytes, finish, request.destroy.bind(request)),
    );
    request.end(req.body);
  });
}

/** Reads an answer into finish(); a redirect's body is not read (the client follows or refuses it). */
function read(
  response: IncomingMessage,
  maxBytes: number,
  finish: (error: Error | undefined, response?: LeanResponse) => void,
  destroy: () => void,
): void {
  const status = response.statusCode ?? 0;
  const headers = response.headers;
  if (status >= 300 && status < 400 && headers.location) {
    finish(undefined, { status, headers, body: '' });
    destroy();
    return;
  }
  if (Number(headers['content-length']) > maxBytes) {
    finish(new TooLargeError(status));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) finish(new TooLargeError(status));
    else chunks.push(chunk);
  });
  // An answer cut off midway: Node's 'aborted' error (ECONNRESET), which the retry policy knows.
  response.once('error', (error) => finish(error));
  response.once('end', () =>
    finish(undefined, {
      status,
      headers,
      body: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'),
    }),
  );
}
