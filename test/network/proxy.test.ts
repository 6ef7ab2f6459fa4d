// Issue 13, points 5 and 6: every request (IMS, Platform, Zoho's token exchange) takes the proxy
// that HTTPS_PROXY / HTTP_PROXY name (either case), except hosts in NO_PROXY; https goes through a
// CONNECT tunnel. Certificate failures say they are certificate failures and name
// NODE_EXTRA_CA_CERTS. The real binary against the emulator, a forward proxy and an HTTPS front.
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { assertNoSecrets, cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { startForwardProxy } from '../helpers/forward-proxy.js';
import { startTlsFront, TLS_CERT, type TlsFront } from '../helpers/tls.js';

type Emu = Emulator & { env: Record<string, string> };
const ZOHO_CODE = '1000.00112233445566778899aabbccddeeff.ffeeddccbbaa99887766554433221100';

// One emulator, reached directly over http and through an HTTPS front, for every test of the file.
let emu: Emu;
let tls: TlsFront;
before(async () => {
  emu = await emulator();
  tls = await startTlsFront(emu.url);
});
after(async () => {
  await tls.close();
  await emu.close();
});

describe('proxies: HTTPS_PROXY, HTTP_PROXY and NO_PROXY for every request', () => {
  /** The emulator's three services behind the HTTPS front (https://localhost:<port>). */
  const httpsEnv = () => ({
    AEP_PLATFORM_URL: tls.url,
    AEP_IMS_URL: tls.url,
    ZOHO_ACCOUNTS_URL: tls.url,
    NODE_EXTRA_CA_CERTS: TLS_CERT,
  });

  test('https: IMS, Platform and the Zoho token exchange all go through the CONNECT tunnel of HTTPS_PROXY', async () => {
    const proxy = await startForwardProxy();
    try {
      const env = cliEnv(emu.env, await tempHome(), { ...httpsEnv(), HTTPS_PROXY: proxy.url });
      const token = await spawnCli(['zoho', 'token', '--grant-token', ZOHO_CODE, '--json'], env);
      assert.equal(token.exitCode, 0, token.stderr);
      const connect = await spawnCli(['connect', '--json'], env);
      assert.equal(connect.exitCode, 0, connect.stderr);
      assert.equal(connect.json().created, true);
      // One tunnel per connection (keep-alive reuses them), every one to the HTTPS front; nothing else.
      assert.ok(proxy.seen.length >= 2, proxy.seen.join('\n'));
      assert.deepEqual([...new Set(proxy.seen)], [`CONNECT localhost:${tls.port}`]);
      const posts = emu.exchanges.filter((e) => e.method === 'POST').map((e) => e.path);
      assert.ok(
        posts.includes('/oauth/v2/token') &&
          posts.includes('/ims/token/v2') &&
          posts.includes('/data/foundation/flowservice/connections'),
        posts.join(', '),
      );
    } finally {
      await proxy.close();
    }
  });

  test('http: lowercase http_proxy carries every request too (through a tunnel)', async () => {
    const proxy = await startForwardProxy();
    try {
      const r = await spawnCli(
        ['connect', '--json'],
        cliEnv(emu.env, await tempHome(), { http_proxy: proxy.url, AEP_ZOHO_PROFILE: 'lower' }),
      );
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok(proxy.seen.length > 0);
      assert.deepEqual([...new Set(proxy.seen)], [`CONNECT 127.0.0.1:${emu.port}`]);
    } finally {
      await proxy.close();
    }
  });

  test('NO_PROXY (either case) sends the named hosts direct', async () => {
    const proxy = await startForwardProxy();
    try {
      for (const [name, value] of [
        ['NO_PROXY', '127.0.0.1'],
        ['no_proxy', `example.com, 127.0.0.1:${emu.port}`],
      ] as const) {
        const r = await spawnCli(
          ['auth', 'status', '--json'],
          cliEnv(emu.env, await tempHome(), { HTTP_PROXY: proxy.url, [name]: value }),
        );
        assert.equal(r.exitCode, 0, r.stderr);
      }
      assert.deepEqual(proxy.seen, []);
    } finally {
      await proxy.close();
    }
  });

  test('proxy credentials in the URL reach the proxy and never any output', async () => {
    const proxy = await startForwardProxy({ user: 'alice', password: 'proxy-pass-7781' });
    try {
      const env = cliEnv(emu.env, await tempHome(), {
        ...httpsEnv(),
        HTTPS_PROXY: proxy.url.replace('http://', 'http://alice:proxy-pass-7781@'),
      });
      const r = await spawnCli(['connect', '--json', '--debug'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok(
        proxy.credentials.length > 0 &&
          proxy.credentials.every((c) => c === `Basic ${Buffer.from('alice:proxy-pass-7781').toString('base64')}`),
      );
      assertNoSecrets(r.stdout + r.stderr, ['proxy-pass-7781']);

      const refused = await spawnCli(['connect', '--json'], { ...env, HTTPS_PROXY: proxy.url });
      assert.equal(refused.exitCode, 1);
      assert.match(
        refused.json().error.message,
        /through the proxy http:\/\/127\.0\.0\.1:\d+ \(HTTPS_PROXY\): the proxy refused to open a tunnel to it \(HTTP 407\)/,
      );
      assert.match(refused.json().error.hint, /HTTPS_PROXY, as http:\/\/user:password@host:port/);
    } finally {
      await proxy.close();
    }
  });

  test('a proxy that is down: the message names the proxy and its variable', async () => {
    const proxy = await startForwardProxy();
    await proxy.close(); // its port now refuses connections
    const r = await spawnCli(
      ['auth', 'status', '--json'],
      cliEnv(emu.env, await tempHome(), { HTTP_PROXY: proxy.url, AEP_ZOHO_RETRY_BASE_MS: '1' }),
    );
    assert.equal(r.exitCode, 1);
    const { error } = r.json();
    assert.match(
      error.message,
      new RegExp(
        `^Cannot reach Adobe IMS at 127\\.0\\.0\\.1:${emu.port} through the proxy ${proxy.url.replace(/\./g, '\\.')} \\(HTTP_PROXY\\): the proxy refused the connection`,
      ),
    );
    assert.match(error.hint, /NO_PROXY/);
    assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace without --debug
  });

  test('a malformed proxy variable is bad input (exit 2) naming the variable', async () => {
    const r = await spawnCli(
      ['auth', 'status', '--json'],
      cliEnv(emu.env, await tempHome(), { HTTP_PROXY: 'http://[not a host' }),
    );
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.json().error.message, /^HTTP_PROXY is not a valid proxy URL/);
  });
});

describe('TLS: certificate failures are explained, with NODE_EXTRA_CA_CERTS', () => {
  for (const [label, argv, env, service] of [
    ['IMS', ['auth', 'status'], (url: string) => ({ AEP_IMS_URL: url }), 'Adobe IMS'],
    ['Platform', ['connect'], (url: string) => ({ AEP_PLATFORM_URL: url }), 'Adobe Experience Platform'],
    [
      'Zoho',
      ['zoho', 'token', '--grant-token', ZOHO_CODE],
      (url: string) => ({ ZOHO_ACCOUNTS_URL: url }),
      "Zoho's accounts server",
    ],
  ] as const) {
    test(`${label}: a certificate this machine does not trust`, async () => {
      const r = await spawnCli([...argv, '--json'], cliEnv(emu.env, await tempHome(), env(tls.url)));
      assert.equal(r.exitCode, 1, r.stderr);
      const { error } = r.json();
      assert.match(
        error.message,
        new RegExp(
          `^Cannot reach ${service} at localhost:${tls.port}: the TLS certificate check failed \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): its certificate is not signed by an authority this machine trusts`,
        ),
      );
      assert.match(error.hint, /certificate problem.*NODE_EXTRA_CA_CERTS/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  test('a trusted certificate for another name (https://127.0.0.1, certificate for localhost)', async () => {
    const r = await spawnCli(
      ['connect', '--json'],
      cliEnv(emu.env, await tempHome(), {
        AEP_PLATFORM_URL: `https://127.0.0.1:${tls.port}`,
        NODE_EXTRA_CA_CERTS: TLS_CERT,
      }),
    );
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(
      r.json().error.message,
      /TLS certificate check failed \(ERR_TLS_CERT_ALTNAME_INVALID\): its certificate is for another host name/,
    );
  });

  test('with NODE_EXTRA_CA_CERTS naming the CA, the same commands work', async () => {
    const env = cliEnv(emu.env, await tempHome(), {
      AEP_IMS_URL: tls.url,
      AEP_PLATFORM_URL: tls.url,
      ZOHO_ACCOUNTS_URL: tls.url,
      NODE_EXTRA_CA_CERTS: TLS_CERT,
    });
    for (const argv of [
      ['zoho', 'token', '--grant-token', `${ZOHO_CODE.slice(0, -1)}9`],
      ['auth', 'status'],
      ['connect'],
    ]) {
      const r = await spawnCli([...argv, '--json'], env);
      assert.equal(r.exitCode, 0, `${argv.join(' ')}: ${r.stderr}`);
    }
  });
});
