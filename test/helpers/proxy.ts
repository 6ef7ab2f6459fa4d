// Test helper: a local HTTP server that stands between the CLI and the emulator (or replaces it) and
// answers what a broken network path answers: an HTML page instead of JSON, truncated JSON, a huge
// body, a 500. Point AEP_PLATFORM_URL (or AEP_IMS_URL, ZOHO_ACCOUNTS_URL) at `proxy.url`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Canned {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
}

/** Decides a request's answer: a canned response, or undefined to forward it to `target`. */
export type Rule = (req: {
  method: string;
  path: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}) => Canned | undefined;

export interface Proxy {
  url: string;
  /** Every request seen, as "METHOD /path". */
  seen: string[];
  close(): Promise<void>;
}

export const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Corporate proxy</h1><p>Please sign in.</p></body></html>';

export const answers = {
  html: (status = 200): Canned => ({
    status,
    body: HTML_PAGE,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  }),
  truncated: (status = 200): Canned => ({
    status,
    body: '{"items":[{"id":"7b2a","name":"aep-zoho default","auth":{"specName":"Basic Auth',
    headers: { 'content-type': 'application/json' },
  }),
  /** Several MB of JSON-looking garbage that never closes. */
  huge: (status = 200, megabytes = 6): Canned => ({
    status,
    body: Buffer.from(
      `{"items":[${'{"id":"x","junk":"0123456789abcdef"},'.repeat(Math.ceil((megabytes * 1024 * 1024) / 36))}`,
    ),
    headers: { 'content-type': 'application/json' },
  }),
  serverError: (): Canned => ({
    status: 500,
    body: JSON.stringify({
      type: 'https://ns.adobe.com/aep/errors/FLOW-1100-500',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Something broke upstream.',
    }),
    headers: { 'content-type': 'application/json' },
  }),
};

/**
 * Starts the proxy. Requests for which `rule` returns nothing are forwarded to `target` (headers
 * and body as received); without a target they get a 502.
 */
export async function startProxy(rule: Rule, target?: string): Promise<Proxy> {
  const seen: string[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const method = req.method ?? 'GET';
    seen.push(`${method} ${path}`);
    const canned = rule({ method, path, body, headers: req.headers });
    if (canned) {
      res
        .writeHead(canned.status, { 'content-length': String(Buffer.byteLength(canned.body)), ...canned.headers })
        .end(canned.body);
      return;
    }
    if (!target) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('no target');
      return;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined && key !== 'host' && key !== 'content-length' && key !== 'connection')
        headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    try {
      const upstream = await fetch(`${target}${req.url}`, {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : body,
        redirect: 'manual',
      });
      const text = Buffer.from(await upstream.arrayBuffer());
      const out: Record<string, string> = {};
      upstream.headers.forEach((value, key) => {
        if (
          key !== 'content-length' &&
          key !== 'transfer-encoding' &&
          key !== 'content-encoding' &&
          key !== 'connection'
        )
          out[key] = value;
      });
      res.writeHead(upstream.status, { ...out, 'content-length': String(text.length) }).end(text);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
