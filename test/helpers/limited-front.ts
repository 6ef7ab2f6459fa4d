// Test helper: a front for the emulator that allows only `maxInFlight` requests at once (the
// rest get 429 with Retry-After, as a throttling gateway answers), adds `latencyMs` to each so
// that requests overlap, and records the peak it saw.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LimitedFront {
  url: string;
  /** The most requests that were in flight at once. */
  peak: number;
  /** Requests answered 429 because too many were in flight. */
  refused: number;
  close(): Promise<void>;
}

export async function startLimitedFront(target: string, options: { maxInFlight: number; latencyMs?: number; retryAfter?: string }): Promise<LimitedFront> {
  let active = 0;
  const front = { url: '', peak: 0, refused: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    if (active >= options.maxInFlight) {
      front.refused++;
      res.writeHead(429, { 'retry-after': options.retryAfter ?? '1', 'content-type': 'application/json' }).end('{"error_code":"429050","message":"Too many requests"}');
      return;
    }
    active++;
    front.peak = Math.max(front.peak, active);
    const done = () => active--;
    setTimeout(() => {
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', done);
      });
      upstream.on('error', () => (done(), res.writeHead(502).end()));
      req.pipe(upstream);
    }, options.latencyMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return front;
}
