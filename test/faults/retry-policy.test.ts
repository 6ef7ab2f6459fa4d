// The retry policy of the one HTTP layer (src/http/platform.ts), request by request against
// injected faults: what is retried, how often, how long it waits, what never is, and re-auth.
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { Platform } from '../../src/http/platform.js';
import {
  emulator,
  platformHeaders,
  TEST_CLIENT,
  TEST_ORG,
  zohoConnectionBody,
  type Emulator,
} from '../helpers/emulator.js';

type Emu = Emulator & { env: Record<string, string> };
const CONNECTIONS = '/data/foundation/flowservice/connections';
/** Collects debug lines: the retry decisions (and their delays) are logged there. */
const debugLines: string[] = [];
const quiet = { info() {}, warn() {}, debug: (line: string) => void debugLines.push(line) };

describe('Platform retry policy against injected faults', () => {
  let emu: Emu;
  let platform: Platform;
  let refreshes = 0;
  /** Requests the emulator saw for a method and path since `mark`. */
  const seen = (mark: number, method: string, path: string) =>
    emu.exchanges.slice(mark).filter((e) => e.method === method && e.path.startsWith(path)).length;
  before(async () => {
    emu = await emulator();
    const token = async () => ({ token: (await platformHeaders(emu)).authorization.slice('Bearer '.length) });
    let current = token();
    platform = new Platform({
      baseUrl: emu.url,
      apiKey: TEST_CLIENT,
      orgId: TEST_ORG,
      sandbox: 'prod',
      log: quiet,
      retryBaseMs: 10,
      timeoutMs: 300,
      auth: {
        token: () => current,
        refresh: () => {
          refreshes++;
          current = token();
          return current;
        },
      },
    });
  });
  after(() => emu.close());

  test('GET: 503s are retried with backoff until it works', async () => {
    const mark = emu.exchanges.length;
    emu.faults.add({ method: 'GET', path: CONNECTIONS, times: 2, fault: { kind: 'status', status: 503 } });
    await platform.get(CONNECTIONS);
    assert.equal(seen(mark, 'GET', CONNECTIONS), 3);
  });

  test('GET: Retry-After is honoured (the retry waits the 1000 ms asked for plus jitter, not the short backoff)', async () => {
    debugLines.length = 0;
    emu.faults.add({ method: 'GET', path: CONNECTIONS, fault: { kind: 'status', status: 429, retryAfter: '1' } });
    await platform.get(CONNECTIONS);
    const delays = debugLines
      .filter((line) => line.startsWith('retrying'))
      .map((line) => Number(/in (\d+) ms/.exec(line)?.[1]));
    assert.equal(delays.length, 1);
    // At least what the server asked, and at most a quarter (plus 100 ms) more, so throttled requests spread out.
    assert.ok(delays[0] >= 1000 && delays[0] <= 1350, `delay ${delays[0]}`);
  });

  test('GET: bounded in count (the first try and four retries), then the error', async () => {
    const mark = emu.exchanges.length;
    emu.faults.add({ method: 'GET', path: CONNECTIONS, times: 10, fault: { kind: 'status', status: 500 } });
    await assert.rejects(platform.get(CONNECTIONS), { status: 500 });
    assert.equal(seen(mark, 'GET', CONNECTIONS), 5);
    emu.faults.clear();
  });

  test('GET: resets, dropped answers and timeouts are retried', async () => {
    const mark = emu.exchanges.length;
    emu.faults.add({ method: 'GET', path: CONNECTIONS, fault: { kind: 'reset' } });
    emu.faults.add({ method: 'GET', path: CONNECTIONS, fault: { kind: 'drop' } });
    emu.faults.add({ method: 'GET', path: CONNECTIONS, fault: { kind: 'delay', ms: 600, handle: 'after' } });
    await platform.get(CONNECTIONS);
    assert.equal(seen(mark, 'GET', CONNECTIONS), 4);
  });

  test('POST: never repeated after a 5xx, a reset, a dropped answer or a timeout', async () => {
    for (const fault of [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
      { kind: 'reset' },
      { kind: 'drop' },
      { kind: 'delay', ms: 600, handle: 'after' },
    ] as const) {
      const mark = emu.exchanges.length;
      emu.faults.add({ method: 'POST', path: CONNECTIONS, fault });
      await assert.rejects(
        platform.request({ method: 'POST', path: CONNECTIONS, body: zohoConnectionBody(`post ${fault.kind}`) }),
      );
      if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, 400)); // recorded when answered
      assert.equal(seen(mark, 'POST', CONNECTIONS), 1, fault.kind);
    }
  });

  test('POST: a 429 was refused, so it is sent again after Retry-After and creates one', async () => {
    const before = emu.state.connections.size;
    const mark = emu.exchanges.length;
    emu.faults.add({ method: 'POST', path: CONNECTIONS, fault: { kind: 'status', status: 429, retryAfter: '0' } });
    const { status } = await platform.request({
      method: 'POST',
      path: CONNECTIONS,
      body: zohoConnectionBody('post 429'),
    });
    assert.equal(status, 201);
    assert.equal(seen(mark, 'POST', CONNECTIONS), 2);
    assert.equal(emu.state.connections.size, before + 1);
  });

  test('PATCH: retried only with If-Match; DELETE: retried', async () => {
    const { body } = await platform.request<{ id: string; etag: string }>({
      method: 'POST',
      path: CONNECTIONS,
      body: zohoConnectionBody('patch me'),
    });
    const ops = [{ op: 'replace', path: '/description', value: 'x' }];
    let mark = emu.exchanges.length;
    emu.faults.add({ method: 'PATCH', path: CONNECTIONS, fault: { kind: 'status', status: 503 } });
    await platform.request({
      method: 'PATCH',
      path: `${CONNECTIONS}/${body.id}`,
      body: ops,
      headers: { 'if-match': body.etag },
    });
    assert.equal(seen(mark, 'PATCH', CONNECTIONS), 2);

    mark = emu.exchanges.length;
    emu.faults.add({ method: 'PATCH', path: CONNECTIONS, fault: { kind: 'status', status: 503 } });
    await assert.rejects(platform.request({ method: 'PATCH', path: `${CONNECTIONS}/${body.id}`, body: ops }), {
      status: 503,
    });
    assert.equal(seen(mark, 'PATCH', CONNECTIONS), 1);

    mark = emu.exchanges.length;
    emu.faults.add({ method: 'DELETE', path: CONNECTIONS, fault: { kind: 'reset' } });
    await platform.request({ method: 'DELETE', path: `${CONNECTIONS}/${body.id}` });
    assert.equal(seen(mark, 'DELETE', CONNECTIONS), 2);
  });

  test('401: a token expiring mid-run costs one refresh, shared by every request in flight', async () => {
    const before = refreshes;
    emu.faults.expireTokens();
    await new Promise((resolve) => setTimeout(resolve, 2));
    await Promise.all(Array.from({ length: 6 }, () => platform.get(CONNECTIONS)));
    assert.equal(refreshes, before + 1);
    // A second expiry in the same run is not re-authenticated again: the error reaches the user.
    await new Promise((resolve) => setTimeout(resolve, 2));
    emu.faults.expireTokens();
    await assert.rejects(platform.get(CONNECTIONS), { status: 401 });
  });
});
