// The emulator's fault injection itself: each kind does what it says, only to the requests it
// targets, only as many times as asked, and every firing is recorded.
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { call, emulator, platformHeaders, zohoConnectionBody, type Emulator } from '../helpers/emulator.js';

type Emu = Emulator & { env: Record<string, string> };
const CONNECTIONS = '/data/foundation/flowservice/connections';

/** A raw request that reports a network failure as { error } instead of throwing. */
async function attempt(
  emu: Emu,
  method: string,
  path: string,
  payload: unknown,
  headers: Record<string, string>,
  timeoutMs = 5000,
) {
  try {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe('emulator fault injection', () => {
  let emu: Emu;
  let headers: Record<string, string>;
  before(async () => {
    emu = await emulator();
    headers = await platformHeaders(emu);
  });
  after(() => emu.close());

  test('off by default: nothing fires', async () => {
    const r = await call(emu, 'GET', CONNECTIONS, undefined, headers);
    assert.equal(r.status, 200);
    assert.deepEqual(emu.faults.fired, []);
  });

  test('status with Retry-After, on the nth matching request, N times', async () => {
    emu.faults.add({
      method: 'GET',
      path: /\/connections$/,
      nth: 2,
      times: 2,
      fault: { kind: 'status', status: 429, retryAfter: '3' },
    });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await attempt(emu, 'GET', CONNECTIONS, undefined, headers);
      statuses.push(r.status!);
      if (r.status === 429) retryAfter = r.headers!.get('retry-after');
    }
    assert.deepEqual(statuses, [200, 429, 429, 200]);
    assert.equal(retryAfter, '3');
    assert.deepEqual(
      emu.faults.fired.map((f) => [f.kind, f.method, f.path]),
      [
        ['status', 'GET', CONNECTIONS],
        ['status', 'GET', CONNECTIONS],
      ],
    );
    assert.equal(emu.exchanges.filter((e) => e.fault === 'status').length, 2);
    emu.faults.clear();
  });

  test('the k-th request overall, counted across every service', async () => {
    const k = emu.faults.seen + 2;
    emu.faults.add({ at: k, fault: { kind: 'status', status: 503 } });
    const first = await attempt(emu, 'GET', CONNECTIONS, undefined, headers);
    const second = await attempt(emu, 'GET', `${CONNECTIONS}?limit=1`, undefined, headers);
    assert.equal(first.status, 200);
    assert.equal(second.status, 503);
    assert.equal(emu.faults.fired.at(-1)!.seq, k);
    emu.faults.clear();
  });

  test('reset: the service never sees the request', async () => {
    const before = emu.state.connections.size;
    emu.faults.add({ method: 'POST', path: CONNECTIONS, fault: { kind: 'reset' } });
    const r = await attempt(emu, 'POST', CONNECTIONS, zohoConnectionBody('reset'), headers);
    assert.ok('error' in r, 'the client sees a network error');
    assert.equal(emu.state.connections.size, before);
  });

  test('drop: the create happens, the client never hears', async () => {
    const before = emu.state.connections.size;
    emu.faults.add({ method: 'POST', path: CONNECTIONS, fault: { kind: 'drop' } });
    const r = await attempt(emu, 'POST', CONNECTIONS, zohoConnectionBody('dropped'), headers);
    assert.ok('error' in r, 'the client sees a network error');
    assert.equal(emu.state.connections.size, before + 1);
    assert.equal(emu.exchanges.at(-1)!.fault, 'drop');
    assert.equal(emu.exchanges.at(-1)!.status, 0);
  });

  test('delay after handling: created, answered too late for the client', async () => {
    const before = emu.state.connections.size;
    emu.faults.add({ method: 'POST', path: CONNECTIONS, fault: { kind: 'delay', ms: 400, handle: 'after' } });
    const r = await attempt(emu, 'POST', CONNECTIONS, zohoConnectionBody('late'), headers, 100);
    assert.equal((r as { error: string }).error, 'TimeoutError');
    assert.equal(emu.state.connections.size, before + 1);
  });

  test('delay before handling: a client that gives up leaves nothing behind', async () => {
    const before = emu.state.connections.size;
    let fired = 0;
    emu.faults.add({ method: 'POST', path: CONNECTIONS, fault: { kind: 'delay', ms: 400 }, onFire: () => fired++ });
    const r = await attempt(emu, 'POST', CONNECTIONS, zohoConnectionBody('abandoned'), headers, 100);
    assert.ok('error' in r);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(fired, 1);
    assert.equal(emu.state.connections.size, before);
    assert.equal(emu.faults.fired.at(-1)!.abandoned, true);
  });

  test('expire-tokens: tokens issued so far get 401, new ones work', async () => {
    emu.faults.add({ method: 'GET', path: CONNECTIONS, fault: { kind: 'expire-tokens' } });
    const r = await attempt(emu, 'GET', CONNECTIONS, undefined, headers);
    assert.equal(r.status, 401);
    assert.equal(JSON.parse(r.body!).error_code, '401013');
    assert.equal((await attempt(emu, 'GET', CONNECTIONS, undefined, headers)).status, 401, 'still expired');
    await new Promise((resolve) => setTimeout(resolve, 2));
    headers = await platformHeaders(emu);
    assert.equal((await attempt(emu, 'GET', CONNECTIONS, undefined, headers)).status, 200);
  });
});

describe('IMS tokens with a short lifetime and an injectable clock', () => {
  test('a token expires when the clock passes its lifetime', async () => {
    let clock = Date.now();
    const emu = await emulator({ tokenLifetimeMs: 60_000, now: () => clock });
    try {
      const headers = await platformHeaders(emu);
      assert.equal((await call(emu, 'GET', CONNECTIONS, undefined, headers)).status, 200);
      clock += 61_000;
      assert.equal((await call(emu, 'GET', CONNECTIONS, undefined, headers)).status, 401);
    } finally {
      await emu.close();
    }
  });
});
