// What sync trusts of the inlet's answers and where it sends records: a record is delivered only
// when the answer carries Adobe's receipt (an `xactionId`, or the per-message `responses[]` of a
// 207); anything else in the inlet's place (a captive portal's 200 page, a proxy's empty 200, a
// load balancer's 204) is a failure that keeps the cursor. Records and the IMS token go only to an
// https inlet on Adobe's collection domain or to the configured Platform origin (the emulator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { InletClient, inletRefusal } from '../../src/aep/inlet.js';
import { processLockOwner } from '../../src/cli/context.js';
import { StateStore } from '../../src/config/state.js';
import { SECRETS } from '../helpers/cli.js';
import { platformHeaders, TEST_CLIENT, TEST_ORG } from '../helpers/emulator.js';
import { startForwardProxy } from '../helpers/forward-proxy.js';
import { startTlsFront, TLS_CERT } from '../helpers/tls.js';
import { inletPosts, mark, syncWorld, zohoIds, type SyncWorld } from './setup.js';

function assertAllArrived(w: SyncWorld): void {
  const streamed = new Set(w.streamedIds());
  const missing = zohoIds(w.emu).filter((id) => !streamed.has(id));
  assert.deepEqual(missing, [], 'every Zoho record is in the dataset');
}

/** What something in the inlet's place answers, with what the error must say of it. */
const MIDDLEBOXES = [
  {
    name: 'a captive portal’s 200 HTML page',
    fault: {
      kind: 'answer',
      status: 200,
      contentType: 'text/html; charset=utf-8',
      // A portal that echoes what it caught: the secret must not reach the message.
      body: `<html><head><title>Sign in to CorpNet</title></head><body>client_secret=${SECRETS.AEP_CLIENT_SECRET} ${'x'.repeat(500)}</body></html>`,
    },
    says: [/HTTP 200/, /text\/html/, /<html><head><title>Sign in to CorpNet/],
  },
  { name: 'an empty 200', fault: { kind: 'answer', status: 200 }, says: [/HTTP 200/, /empty/] },
  { name: 'a 204', fault: { kind: 'answer', status: 204 }, says: [/HTTP 204/, /empty/] },
] as const;

test('an inlet answer without Adobe’s receipt (200 HTML, empty 200, 204) is not a delivery: exit 1, the cursor stays, the error names what came back; the next sync delivers every record', async (t) => {
  const w = await syncWorld(t);
  for (const box of MIDDLEBOXES) {
    w.emu.faults.clear().add({ method: 'POST', path: '/collection/', times: 1_000_000, fault: box.fault });
    const from = mark(w.emu);
    const r = await w.cli(['sync', '--json']);
    assert.equal(r.exitCode, 1, `${box.name}: ${r.stdout}${r.stderr}`);
    assert.ok(inletPosts(w.emu, from).length >= 1, `${box.name}: posts reached the inlet's place`);
    const {
      syncs: [s],
      error,
    } = r.json();
    assert.equal(s.sent, 0, box.name);
    assert.ok(s.failed >= 1, box.name);
    assert.equal(s.cursor, null, `${box.name}: the cursor did not move`);
    assert.equal((await w.entry()).cursor, undefined, `${box.name}: the state's cursor did not move`);
    assert.equal(error.code, 'SYNC_INCOMPLETE');
    for (const pattern of box.says) assert.match(error.message, pattern, box.name);
    assert.match(error.message, /receipt|xactionId/, box.name);
    assert.match(error.hint, /proxy/i, box.name);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRETS.AEP_CLIENT_SECRET), `${box.name}: no secret`);
    assert.equal(w.streamedIds().length, 0, 'nothing reached the dataset');
  }
  w.emu.faults.clear();
  const again = await w.cli(['sync', '--json']);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  assertAllArrived(w);
});

test('a 207 counts per message: a receipt in responses[] is a delivery, a statusCode and message there is a failure naming Adobe’s message', async (t) => {
  const w = await syncWorld(t);
  const h = await platformHeaders(w.emu);
  const token = h.authorization.replace(/^Bearer /, '');
  const inlet = new InletClient({
    env: {},
    log: { info() {}, warn() {}, debug() {} },
    apiKey: TEST_CLIENT,
    orgId: TEST_ORG,
    platformUrl: w.emu.url,
    auth: { token: async () => ({ token }), refresh: async () => ({ token }) },
  });
  const multi = (responses: unknown[]) =>
    ({
      kind: 'answer',
      status: 207,
      contentType: 'application/json',
      body: JSON.stringify({ inletId: 'x', batchId: '1565628583792:1485:153', receivedTimeMs: 1, responses }),
    }) as const;
  w.emu.faults.add({ path: '/collection/', fault: multi([{ xactionId: '1565628583792:1485:153:0' }]) });
  assert.deepEqual(await inlet.post(w.inletUrl, w.flowId, '{"id":"1"}'), {
    ok: true,
    xactionId: '1565628583792:1485:153:0',
  });
  w.emu.faults.add({
    path: '/collection/',
    fault: multi([{ statusCode: 400, message: 'inletId: [x] imsOrgId: [y] Message has unknown xdm format' }]),
  });
  const refused = await inlet.post(w.inletUrl, w.flowId, '{"id":"2"}');
  assert.equal(refused.ok, false);
  assert.match((refused as { message: string }).message, /Message has unknown xdm format/);
  assert.equal((refused as { status?: number }).status, 400);
  w.emu.faults.add({ path: '/collection/', fault: multi([]) });
  assert.equal((await inlet.post(w.inletUrl, w.flowId, '{"id":"3"}')).ok, false, 'no receipt for the message');
  // Adobe's own 200 carries the receipt.
  const real = await inlet.post(w.inletUrl, w.flowId, '{"id":"4"}');
  assert.equal(real.ok, true);
  assert.match((real as { xactionId?: string }).xactionId ?? '', /^\d+:\d+:\d+$/);
});

/** A host that counts every connection made to it, and closes it at once. */
async function standIn(t: { after(fn: () => unknown): void }) {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  return { port, connections: () => connections };
}

test('an inlet URL on another host or over plain http gets neither records nor the token: refused before any request, exit 1, naming the URL and why', async (t) => {
  const other = await standIn(t);
  // Platform's answer names an inlet on another host, over plain http.
  const w = await syncWorld(t, { emulator: { inletOrigin: `http://127.0.0.1:${other.port}` } });
  assert.match(w.inletUrl, new RegExp(`^http://127\\.0\\.0\\.1:${other.port}/collection/`));
  // Any request to any other host would go through the stand-in too: it would see it.
  const proxied = {
    HTTPS_PROXY: `http://127.0.0.1:${other.port}`,
    HTTP_PROXY: `http://127.0.0.1:${other.port}`,
    NO_PROXY: new URL(w.emu.url).host,
  };
  const setInlet = (inletUrl: string) =>
    new StateStore(w.home, 'default', { owner: processLockOwner() }).update('prod', (s) => {
      s.syncs!.accounts.inletUrl = inletUrl;
    });
  const cases = [
    { url: w.inletUrl, why: /plain http, not https, on 127\.0\.0\.1/ },
    { url: `https://localhost:${other.port}/collection/abc`, why: /localhost is neither Adobe's collection domain/ },
    { url: 'http://dcs.adobedc.net/collection/abc', why: /plain http, not https/ },
    { url: 'https://dcs.adobedc.net.example.com/collection/abc', why: /neither Adobe's collection domain/ },
    { url: 'https://evil-adobedc.net/collection/abc', why: /neither Adobe's collection domain/ },
  ];
  for (const { url, why } of cases) {
    await setInlet(url);
    const from = mark(w.emu);
    for (const args of [
      ['sync', '--json'],
      ['sync', '--debug'],
    ]) {
      const r = await w.cli(args, proxied);
      assert.equal(r.exitCode, 1, `${url}: ${r.stdout}${r.stderr}`);
      const text = args.includes('--json') ? r.json().error.message : r.stdout + r.stderr;
      assert.ok(text.includes(url), `${url}: the error names the URL: ${text}`);
      assert.match(text, why);
      if (args.includes('--json')) assert.equal(r.json().error.code, 'INLET_REFUSED');
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, /eyJ[A-Za-z0-9_-]{8,}\./, 'no token in the output');
    }
    assert.equal(other.connections(), 0, `${url}: nothing reached another host`);
    assert.equal(inletPosts(w.emu, from).length, 0, `${url}: nothing was posted`);
    assert.equal((await w.entry()).cursor, undefined, 'the cursor did not move');
  }
  assert.equal(w.streamedIds().length, 0);
  // Adobe's own hosts over https, and the configured Platform origin (the emulator), are trusted.
  for (const url of ['https://dcs.adobedc.net/collection/abc', 'https://dcs-int.adobedc.net/collection/abc'])
    assert.equal(inletRefusal(url, 'https://platform.adobe.io'), undefined, url);
  assert.equal(inletRefusal(`${w.emu.url}/collection/abc`, w.emu.url), undefined);
  assert.match(inletRefusal('https://user:pw@dcs.adobedc.net/collection/abc', w.emu.url) ?? '', /user name/);
  // Back to the emulator's own inlet (the Platform origin): every record arrives.
  await setInlet(w.inletUrl.replace(`http://127.0.0.1:${other.port}`, w.emu.url));
  const r = await w.cli(['sync', '--json'], proxied);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assertAllArrived(w);
  assert.equal(other.connections(), 0);
});

test('the inlet’s own error text (report.message of Adobe’s streaming error body) reaches the user', async (t) => {
  const w = await syncWorld(t);
  // The inlet takes XDM messages only now: a raw record is refused with DCS's 400.
  const [connection] = w.emu.state.connections.all().filter((c) => c.auth?.params?.inletUrl === w.inletUrl);
  connection.auth.params.dataType = 'xdm';
  const r = await w.cli(['sync', '--json']);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  const { error } = r.json();
  assert.match(error.message, /HTTP 400: Bad Request: \[[^\]]+\] Message has unknown xdm format/);
  const plain = await w.cli(['sync']);
  assert.match(plain.stdout + plain.stderr, /Message has unknown xdm format/);
  assert.equal((await w.entry()).cursor, undefined);
});

test('posts run on node:http (not got), through HTTP_PROXY’s tunnel too, with Adobe’s headers; a reset post is sent again and counts once it has its receipt', async (t) => {
  const w = await syncWorld(t);
  const proxy = await startForwardProxy();
  t.after(() => proxy.close());
  const h = await platformHeaders(w.emu);
  const token = h.authorization.replace(/^Bearer /, '');
  const debug: string[] = [];
  const inlet = new InletClient({
    env: { HTTP_PROXY: proxy.url },
    log: { info() {}, warn() {}, debug: (line) => debug.push(line) },
    apiKey: TEST_CLIENT,
    orgId: TEST_ORG,
    platformUrl: w.emu.url,
    retryBaseMs: 1,
    auth: { token: async () => ({ token }), refresh: async () => ({ token }) },
  });
  const from = mark(w.emu);
  for (const id of ['t-1', 't-2'])
    assert.equal((await inlet.post(w.inletUrl, w.flowId, JSON.stringify({ id }))).ok, true);
  w.emu.faults.add({ path: '/collection/', fault: { kind: 'reset' } });
  assert.equal((await inlet.post(w.inletUrl, w.flowId, JSON.stringify({ id: 't-3' }))).ok, true);
  assert.deepEqual([...new Set(proxy.seen)], [`CONNECT 127.0.0.1:${w.emu.port}`], 'every post went through the tunnel');
  const posts = inletPosts(w.emu, from);
  // The reset one is cut before its body is read: the emulator records the fault, then the post sent again.
  assert.deepEqual(
    posts.map((e) => e.fault ?? (e.body as { id: string }).id),
    ['t-1', 't-2', 'reset', 't-3'],
    'the reset post was sent again',
  );
  for (const e of posts) {
    assert.equal(e.headers.authorization, `Bearer ${token}`);
    assert.equal(e.headers['x-api-key'], TEST_CLIENT);
    assert.equal(e.headers['x-gw-ims-org-id'], TEST_ORG);
    assert.equal(e.headers['x-adobe-flow-id'], w.flowId);
    assert.equal(e.headers['content-type'], 'application/json');
    // got asks for compressed answers (gzip, deflate, br); the node transport does not: this is the path that ran.
    assert.equal(e.headers['accept-encoding'], undefined);
  }
  assert.ok(
    debug.some((line) => /^← 200 POST \/collection\//.test(line)),
    debug.join('\n'),
  );
  assert.ok(
    debug.some((line) => /^retrying POST \/collection\/.* \(attempt 1: ECONNRESET\)/.test(line)),
    debug.join('\n'),
  );
  assert.doesNotMatch(debug.join('\n'), new RegExp(token.slice(0, 40)));
});

test('the real binary over https through HTTPS_PROXY (the inlet on node:https): every record arrives, through the CONNECT tunnel only', async (t) => {
  const w = await syncWorld(t);
  const tls = await startTlsFront(w.emu.url);
  t.after(() => tls.close());
  const proxy = await startForwardProxy();
  t.after(() => proxy.close());
  // Platform and its inlet behind the HTTPS front: the inlet is on the configured Platform origin (trusted).
  const inletUrl = w.inletUrl.replace(w.emu.url, tls.url);
  await new StateStore(w.home, 'default', { owner: processLockOwner() }).update('prod', (s) => {
    s.syncs!.accounts.inletUrl = inletUrl;
  });
  const from = mark(w.emu);
  const r = await w.cli(['sync', '--json'], {
    AEP_PLATFORM_URL: tls.url,
    NODE_EXTRA_CA_CERTS: TLS_CERT,
    HTTPS_PROXY: proxy.url,
  });
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assertAllArrived(w);
  assert.equal(inletPosts(w.emu, from).length, zohoIds(w.emu).length, 'each record posted once');
  assert.deepEqual([...new Set(proxy.seen)], [`CONNECT localhost:${tls.port}`]);
});
