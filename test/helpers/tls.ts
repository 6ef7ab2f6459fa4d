// Test helper: an HTTPS front for the (plain HTTP) emulator, with a self-signed certificate for
// `localhost` only (test/fixtures/tls, valid until 2126). Trusted with NODE_EXTRA_CA_CERTS=TLS_CERT;
// reached as https://127.0.0.1 it presents a certificate for another name.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const TLS_CERT = fileURLToPath(new URL('../fixtures/tls/localhost.crt', import.meta.url));
const TLS_KEY = fileURLToPath(new URL('../fixtures/tls/localhost.key', import.meta.url));

export interface TlsFront {
  /** https://localhost:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startTlsFront(target: string): Promise<TlsFront> {
  const server = createServer({ key: readFileSync(TLS_KEY), cert: readFileSync(TLS_CERT) }, (req, res) => {
    const upstream = request(
      `${target}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502).end(error.message));
    req.pipe(upstream);
  });
  server.on('tlsClientError', () => undefined); // a client refusing the certificate is the point of some tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
