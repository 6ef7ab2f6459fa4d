// Issue 13, points 7, 8, 9, 10 and 14: timeouts for every request and a cap on a request with its
// retries; a wrong AEP_PLATFORM_URL told apart from the Zoho source's retirement; one limiter for
// all Platform traffic; answers and listings that never end are refused; a URL too long for the
// server names the name that made it so.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HttpClient } from '../../src/http/client.js';
import { Limiter } from '../../src/http/limiter.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
// Plain JavaScript, shared with the benchmark.
import { accountsCopies, throttlingFront } from '../../scripts/fixtures.js';
import { answers, startProxy } from '../helpers/proxy.js';

type Emu = Emulator & { env: Record<string, string> };
const CONNECTIONS = '/data/foundation/flowservice/connections';
const SPECS = '/data/foundation/flowservice/connectionSpecs/';
const quiet = { info() {}, warn() {}, debug() {} };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('point 7: timeouts', () => {
  test('zoho token honours AEP_ZOHO_TIMEOUT_MS and sends the grant code once', async () => {
    const emu = await emulator();
    try {
      emu.faults.add({
        method: 'POST',
        path: '/oauth/v2/token',
        fault: { kind: 'delay', ms: 5_000, handle: 'before' },
      });
      const r = await runCli(
        ['zoho', 'token', '--grant-token', '1000.0a0a0a0a0a0a0a0a0a0a0a0a.0b0b0b0b0b0b0b0b0b0b0b0b', '--json'],
        cliEnv(emu.env, await tempHome(), { AEP_ZOHO_TIMEOUT_MS: '300' }),
      );
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(
        r.json().error.message,
        /^Cannot reach Zoho's accounts server at 127\.0\.0\.1:\d+: the connection timed out \(no answer within 300 ms per attempt/,
      );
      assert.equal(emu.faults.fired.length, 1); // a spent grant code is never resent
    } finally {
      await emu.close();
    }
  });

  test('a request with its retries ends by its deadline (twice the timeout, at least 60 s), not after 4 retries of Retry-After', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(503, { 'retry-after': '25' }).end();
    });
    const url = await listen(server);
    let clock = 0; // virtual time: the waits cost nothing
    const debug: string[] = [];
    const http = new HttpClient({
      env: {},
      log: { ...quiet, debug: (line) => void debug.push(line) },
      service: 'Test',
      variable: 'TEST_URL',
      baseUrl: url,
      timeoutMs: 30_000,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
      random: () => 0,
    });
    try {
      const response = await http.send({ method: 'GET', path: '/' });
      assert.equal(response.status, 503);
      // 0 s, 25 s, 50 s; a third wait would end at 75 s, past the 60 s deadline, so it is not started.
      assert.equal(requests, 3);
      assert.equal(clock, 50_000);
      assert.deepEqual(
        debug.filter((line) => line.startsWith('retrying')),
        ['retrying GET / in 25000 ms (attempt 1: 503)', 'retrying GET / in 25000 ms (attempt 2: 503)'],
      );
    } finally {
      server.close();
    }
  });
});

describe('point 8: a 404 for the Zoho spec', () => {
  test("from a server that is not Adobe's gateway (a proxy's 404 page for everything): names AEP_PLATFORM_URL, not the retirement", async () => {
    const emu = await emulator();
    const proxy = await startProxy(
      ({ path }) => (path.startsWith(SPECS) ? { ...answers.html(404), status: 404 } : undefined),
      emu.url,
    );
    try {
      const r = await runCli(['connect', '--json'], cliEnv(emu.env, await tempHome(), { AEP_PLATFORM_URL: proxy.url }));
      assert.equal(r.exitCode, 1, r.stderr);
      const { error } = r.json();
      assert.match(
        error.message,
        /found neither the Zoho CRM connection spec nor the Data Lake one that every organization has: it is not Adobe Experience Platform's API gateway/,
      );
      assert.doesNotMatch(`${error.message} ${error.hint}`, /no longer available|deprecated/);
      assert.match(error.hint, /AEP_PLATFORM_URL/);
      assert.ok(proxy.seen.includes(`GET ${SPECS}c604ff05-7f1a-43c0-8e18-33bf874cb11c`));
      assert.equal(emu.state.connections.size, 0);
    } finally {
      await proxy.close();
      await emu.close();
    }
  });

  test("from Adobe's gateway, which still finds the Data Lake spec: the retirement", async () => {
    const emu = await emulator({ retiredConnectionSpecs: ['929e4450-0237-4ed2-9404-b7e1e0a00309'] });
    try {
      const r = await runCli(['connect', '--json'], cliEnv(emu.env, await tempHome()));
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(
        r.json().error.message,
        /The Zoho CRM source \(connection spec 929e4450-.*\) is no longer available in this organization/,
      );
    } finally {
      await emu.close();
    }
  });
});

describe('point 9: one limiter for all Platform traffic', () => {
  test('Limiter: never more than its maximum at once, first come first served, and Ctrl-C leaves the queue', async () => {
    const limiter = new Limiter(3);
    const order: number[] = [];
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          order.push(i);
          peak = Math.max(peak, ++active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active--;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.equal(limiter.peak, 3);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );

    const controller = new AbortController();
    let release!: () => void;
    const held = Promise.all(
      [0, 1, 2].map(() => limiter.run(() => new Promise<void>((resolve) => (release = resolve)))),
    );
    const queued = limiter.run(async () => 'ran', controller.signal);
    controller.abort();
    await assert.rejects(queued, { name: 'CancelledError' });
    release();
    void held;
  });

  test('dataflow create with 6 templates against a gateway allowing 4 in flight: AEP_ZOHO_MAX_IN_FLIGHT=4 keeps every request under it', async () => {
    const emu = await emulator();
    const front = await throttlingFront(emu.url, { maxInFlight: 4, latencyMs: 15 });
    try {
      const env = cliEnv(emu.env, await tempHome(), { AEP_PLATFORM_URL: front.url, AEP_ZOHO_MAX_IN_FLIGHT: '4' });
      assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
      const templates: string[] = accountsCopies(6);
      const r = await runCli(['dataflow', 'create', '--template', templates.join(','), '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.json().dataflows.length, 6);
      assert.equal(emu.state.counts().flows, 6);
      assert.ok(front.peak <= 4 && front.peak >= 2, `peak ${front.peak}`);
      assert.equal(front.refused, 0);
    } finally {
      await front.close();
      await emu.close();
    }
  });

  test('AEP_ZOHO_MAX_IN_FLIGHT must be a positive whole number (exit 2)', async () => {
    const r = await runCli(['explore', '--json'], cliEnv({}, await tempHome(), { AEP_ZOHO_MAX_IN_FLIGHT: 'lots' }));
    assert.equal(r.exitCode, 2);
    assert.match(r.json().error.message, /AEP_ZOHO_MAX_IN_FLIGHT must be a whole number of requests, got 'lots'/);
  });
});

describe('point 10: answers and listings that never end', () => {
  let emu: Emu;
  before(async () => {
    emu = await emulator();
  });
  after(() => emu.close());

  test('a 20 MB answer announced by Content-Length is refused without reading it', async () => {
    const proxy = await startProxy(({ path }) => (path.startsWith(SPECS) ? answers.huge(200, 20) : undefined), emu.url);
    try {
      const r = await runCli(['connect', '--json'], cliEnv(emu.env, await tempHome(), { AEP_PLATFORM_URL: proxy.url }));
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(
        r.json().error.message,
        /^Adobe Experience Platform: GET \/data\/foundation\/flowservice\/connectionSpecs\/\S+ answered HTTP 200 with more than 8 MB; aep-zoho stopped reading/,
      );
      assert.match(r.json().error.hint, /AEP_PLATFORM_URL/);
    } finally {
      await proxy.close();
    }
  });

  test('an endless answer without Content-Length (from IMS) is cut off after 8 MB, and the server sees the client go', async () => {
    let sent = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = () => {
        while (!closed && res.write(chunk)) sent += chunk.length;
      };
      res.on('drain', pump);
      res.on('close', () => (closed = true));
      pump();
    });
    const url = await listen(server);
    try {
      const r = await runCli(['auth', 'status', '--json'], cliEnv(emu.env, await tempHome(), { AEP_IMS_URL: url }));
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(r.json().error.message, /^Adobe IMS: POST \/ims\/token\/v2 answered HTTP 200 with more than 8 MB/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(closed, 'the connection was closed');
      assert.ok(sent < 64 * 1024 * 1024, `sent ${sent}`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  const pages = (token: (n: number) => string) => {
    let n = 0;
    return startProxy(
      ({ method, path }) =>
        method === 'GET' && path === CONNECTIONS
          ? {
              status: 200,
              body: JSON.stringify({
                items: [],
                _links: { next: { href: `${CONNECTIONS}?continuationToken=${token(++n)}` } },
              }),
              headers: { 'content-type': 'application/json' },
            }
          : undefined,
      emu.url,
    );
  };

  test('a listing whose next-page token comes back is stopped at once', async () => {
    const proxy = await pages(() => 'c2FtZQ');
    try {
      const r = await runCli(['connect', '--json'], cliEnv(emu.env, await tempHome(), { AEP_PLATFORM_URL: proxy.url }));
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(
        r.json().error.message,
        /^Adobe: GET \/data\/foundation\/flowservice\/connections answered page 2 with a next-page token it had already sent \('c2FtZQ'\); aep-zoho stopped/,
      );
      assert.equal(proxy.seen.filter((line) => line === `GET ${CONNECTIONS}`).length, 2);
      assert.equal(emu.state.connections.size, 0);
    } finally {
      await proxy.close();
    }
  });

  test('a listing with ever new tokens is stopped after 1,000 pages', async () => {
    const proxy = await pages((n) => `page-${n}`);
    try {
      const r = await runCli(['connect', '--json'], cliEnv(emu.env, await tempHome(), { AEP_PLATFORM_URL: proxy.url }));
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(r.json().error.message, /kept answering with a next page for 1000 pages; aep-zoho stopped there/);
      assert.equal(proxy.seen.filter((line) => line === `GET ${CONNECTIONS}`).length, 1000);
    } finally {
      await proxy.close();
    }
  });
});

describe('point 14: a URL too long for the server', () => {
  // Lookups filter on ids (ruling 15) except Catalog's dataset name: a template's dataset name is
  // the one user-given value that still travels in a URL.
  test('a template whose dataset name has 20,000 characters: HTTP 431, the hint names the name and its length, nothing is made', async () => {
    const emu = await emulator();
    try {
      const home = await tempHome();
      const env = cliEnv(emu.env, home);
      assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
      const template = JSON.parse(await readFile(new URL('../../templates/deals.json', import.meta.url), 'utf8'));
      delete template.$schema;
      template.target.dataset.name = 'n'.repeat(20_000);
      const file = join(home, 'long.json');
      await writeFile(file, JSON.stringify(template));
      const before = emu.state.counts();
      const r = await runCli(['dataflow', 'create', '--template', file, '--json'], env);
      assert.equal(r.exitCode, 1, r.stderr);
      const { error } = r.json();
      assert.equal(error.status, 431);
      assert.match(
        error.hint,
        /the name 'n{40}…' \(20\d{3} characters\), sent in the lookup by name\. Use a shorter name/,
      );
      assert.deepEqual(emu.state.counts(), before);
    } finally {
      await emu.close();
    }
  });
});
