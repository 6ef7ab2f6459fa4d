// Issue 23: the inlet's posts run on node:http(s) (http/lean.ts) instead of got, for CPU. Every rule
// HttpClient enforces must hold the same on both transports, so each test here runs twice, once per
// transport, against real local servers: redirects (followed within the origin when nothing is sent
// again, a 303 as a bare GET; refused to another host, which receives nothing), the 8 MB answer cap,
// the per-attempt timeout and the retry policy, HTTP_PROXY's CONNECT tunnel and its 407, --debug
// lines without the token, and Ctrl-C.
import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CancelledError } from '../../src/core/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { startForwardProxy } from '../helpers/forward-proxy.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0cmFuc3BvcnQtdGVzdCJ9.c2lnbmF0dXJlLXRyYW5zcG9ydA';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A local server whose answers each test sets; it records "METHOD /path body" and the authorization it got. */
async function server() {
  const seen: string[] = [];
  const auth: Array<string | undefined> = [];
  const held: ServerResponse[] = [];
  let handle: Handler = (_req, res) => res.end('{}');
  const http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    seen.push(`${req.method} ${req.url}${body ? ` ${body}` : ''}`);
    auth.push(req.headers.authorization);
    handle(req, res, body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    auth,
    /** Answers that are never sent (a server that does not answer), ended at close. */
    hold: (res: ServerResponse) => held.push(res),
    set: (handler: Handler) => {
      seen.length = 0;
      auth.length = 0;
      handle = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

for (const transport of ['got', 'node'] as const) {
  describe(`HttpClient on ${transport}: the same rules`, () => {
    let here: Awaited<ReturnType<typeof server>>;
    let elsewhere: Awaited<ReturnType<typeof server>>;
    before(async () => {
      [here, elsewhere] = [await server(), await server()];
    });
    after(async () => {
      await here.close();
      await elsewhere.close();
    });
    const debug: string[] = [];
    const client = (extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) =>
      new HttpClient({
        env: {},
        log: { info() {}, warn() {}, debug: (line) => debug.push(line) },
        service: 'Test service',
        variable: 'TEST_URL',
        baseUrl: here.url,
        retryBaseMs: 1,
        transport,
        authorize: async () => ({ authorization: `Bearer ${TOKEN}` }),
        ...extra,
      });

    test('the transport is the one asked for (got by default)', () => {
      assert.equal(client().transport, transport);
      assert.equal(client({ transport: undefined }).transport, 'got');
    });

    test('redirects within the origin: a GET follows a 302; a POST that is answered 303 becomes a bare GET', async () => {
      here.set((req, res) => {
        if (req.url === '/start' || req.url === '/form') {
          res.writeHead(req.url === '/start' ? 302 : 303, { location: req.url === '/start' ? '/end' : '/result' });
          res.end();
        } else res.end(JSON.stringify({ at: req.url, method: req.method }));
      });
      const got = await client().send({ method: 'GET', path: '/start' });
      assert.equal(got.status, 200);
      assert.deepEqual(JSON.parse(got.body), { at: '/end', method: 'GET' });
      const posted = await client().send({ method: 'POST', path: '/form', json: { secret: 'body' } });
      assert.deepEqual(JSON.parse(posted.body), { at: '/result', method: 'GET' });
      assert.deepEqual(here.seen, ['GET /start', 'GET /end', 'POST /form {"secret":"body"}', 'GET /result']);
      assert.ok(here.auth.every((value) => value === `Bearer ${TOKEN}`));
    });

    test('a redirect to another host is refused and that host receives nothing; a 307 that would resend a body too', async () => {
      here.set((req, res) => {
        const location = req.url === '/away' ? `${elsewhere.url}/collection/x` : '/again';
        res.writeHead(307, { location }).end();
      });
      elsewhere.set((_req, res) => res.end('{}'));
      await assert.rejects(client().send({ method: 'POST', path: '/away', body: '{"id":"1"}' }), (error: Error) => {
        assert.match(
          error.message,
          /POST \/away was redirected \(HTTP 307\) to another host, http:\/\/127\.0\.0\.1:\d+/,
        );
        assert.doesNotMatch(error.message, new RegExp(TOKEN));
        return true;
      });
      await assert.rejects(client().send({ method: 'GET', path: '/away' }), /to another host/);
      await assert.rejects(
        client().send({ method: 'POST', path: '/same', body: '{"id":"2"}' }),
        /redirected \(HTTP 307\) to \/again, which would mean sending its body/,
      );
      assert.deepEqual(elsewhere.seen, []);
      assert.deepEqual(here.seen, ['POST /away {"id":"1"}', 'GET /away', 'POST /same {"id":"2"}']);
    });

    test('an answer over 8 MB is not read, announced or not', async () => {
      const big = Buffer.alloc(9 * 1024 * 1024, 'x');
      for (const announce of [true, false]) {
        here.set((_req, res) => {
          res.writeHead(200, announce ? { 'content-length': String(big.length) } : {});
          res.end(big);
        });
        await assert.rejects(client().send({ method: 'GET', path: '/big' }), /answered HTTP 200 with more than 8 MB/);
      }
    });

    test('no answer in time: the attempt times out and an idempotent request is sent again; a plain POST is not', async () => {
      let calls = 0;
      here.set((_req, res) => (++calls === 1 ? here.hold(res) : res.end('{"ok":true}')));
      const answered = await client({ timeoutMs: 500 }).send({
        method: 'POST',
        path: '/t',
        body: 'a',
        idempotent: true,
      });
      assert.equal(answered.status, 200);
      assert.equal(calls, 2);
      here.set((_req, res) => here.hold(res));
      await assert.rejects(
        client({ timeoutMs: 300 }).send({ method: 'POST', path: '/t', body: 'b' }),
        /timed out|300 ms/,
      );
      assert.deepEqual(here.seen, ['POST /t b']);
    });

    test('a reset connection: retried for an idempotent POST (the inlet), a 503 too; never for a plain POST', async () => {
      let calls = 0;
      here.set((req, res) => {
        calls++;
        if (calls === 1) req.socket.destroy();
        else if (calls === 2) res.writeHead(503).end();
        else res.end('{"xactionId":"1"}');
      });
      const answered = await client().send({ method: 'POST', path: '/c', body: 'r', idempotent: true });
      assert.equal(answered.body, '{"xactionId":"1"}');
      assert.equal(calls, 3);
      here.set((req) => req.socket.destroy());
      await assert.rejects(client().send({ method: 'POST', path: '/c', body: 'once' }), /Cannot reach Test service/);
      assert.deepEqual(here.seen, ['POST /c once']);
    });

    test('HTTP_PROXY: through its CONNECT tunnel; a proxy that wants credentials (407) is named', async () => {
      const proxy = await startForwardProxy();
      const strict = await startForwardProxy({ user: 'alice', password: 'proxy-pass-4411' });
      try {
        here.set((_req, res) => res.end('{"xactionId":"p"}'));
        const answered = await client({ env: { HTTP_PROXY: proxy.url } }).send({
          method: 'POST',
          path: '/p',
          body: 'x',
        });
        assert.equal(answered.body, '{"xactionId":"p"}');
        assert.deepEqual([...new Set(proxy.seen)], [`CONNECT 127.0.0.1:${here.port}`]);
        await assert.rejects(
          client({ env: { http_proxy: strict.url } }).send({ method: 'POST', path: '/p', body: 'y' }),
          /through the proxy http:\/\/127\.0\.0\.1:\d+ \(http_proxy\): the proxy refused to open a tunnel to it \(HTTP 407\)/,
        );
        assert.deepEqual(here.seen, ['POST /p x']);
      } finally {
        await proxy.close();
        await strict.close();
      }
    });

    test('--debug: a line per request and per answer, with its request id; the token never', async () => {
      here.set((_req, res) => res.writeHead(200, { 'x-request-id': 'req-77' }).end('{}'));
      debug.length = 0;
      await client().send({ method: 'POST', path: '/d?x=1', json: { a: 1 } });
      assert.equal(debug.length, 2, debug.join('\n'));
      assert.equal(debug[0], '→ POST /d?x=1 {"a":1}');
      assert.match(debug[1], /^← 200 POST \/d \(\d+ ms, request id req-77\)$/);
      assert.doesNotMatch(debug.join('\n'), new RegExp(TOKEN));
    });

    test('Ctrl-C ends a request waiting for its answer', async () => {
      const controller = new AbortController();
      here.set((_req, res) => {
        here.hold(res);
        controller.abort();
      });
      await assert.rejects(
        client({ signal: controller.signal }).send({ method: 'POST', path: '/x', body: 'z', idempotent: true }),
        (error) => error instanceof CancelledError,
      );
      assert.deepEqual(here.seen, ['POST /x z']);
    });
  });
}
