// Test helper: a real forward proxy on 127.0.0.1, as HTTPS_PROXY/HTTP_PROXY name one. It forwards
// absolute-form requests (http targets) and tunnels CONNECT (https targets), optionally demanding
// Basic credentials (407 without them), and records every request line it was asked for.
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ForwardProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** "CONNECT host:port" or "METHOD http://host:port/path" for each request it served. */
  seen: string[];
  /** The Proxy-Authorization headers it received (to check they reached the proxy only). */
  credentials: string[];
  close(): Promise<void>;
}

export async function startForwardProxy(options: { user?: string; password?: string } = {}): Promise<ForwardProxy> {
  const seen: string[] = [];
  const credentials: string[] = [];
  const sockets = new Set<Socket>();
  const expected = options.user
    ? `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`
    : undefined;
  const allowed = (headers: IncomingHttpHeaders) => {
    const given = headers['proxy-authorization'];
    if (given) credentials.push(given);
    return !expected || given === expected;
  };

  const server = createServer((req, res) => {
    if (!allowed(req.headers)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': '0' }).end();
      return;
    }
    seen.push(`${req.method} ${req.url}`);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = request(req.url ?? '', { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) =>
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${error.message}`),
    );
    req.pipe(upstream);
  });

  server.on('connect', (req, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // a client that gives up resets its tunnel
    if (!allowed(req.headers)) {
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    credentials,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
