// Issue 13, point 1: credentials never follow a redirect to another origin (Platform, IMS, Zoho's
// token endpoint), and a redirect within the origin is followed only when no body (which may carry
// secrets) would be sent again. A front server answers the redirects; a second server on another
// port (another origin) records whatever reaches it: nothing may.
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertNoSecrets, cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { startProxy, type Proxy, type Rule } from '../helpers/proxy.js';

type Emu = Emulator & { env: Record<string, string> };
const CONNECTIONS = '/data/foundation/flowservice/connections';
const redirect = (status: number, location: string) => ({ status, body: '', headers: { location } });

describe('redirects never carry credentials to another host, nor resend a body', () => {
  let emu: Emu;
  let elsewhere: Proxy;
  let front: Proxy | undefined;
  before(async () => {
    emu = await emulator();
    elsewhere = await startProxy(() => ({ status: 200, body: '{}', headers: { 'content-type': 'application/json' } }));
  });
  after(async () => {
    await front?.close();
    await elsewhere.close();
    await emu.close();
  });
  const through = async (rule: Rule) => {
    await front?.close();
    front = await startProxy(rule, emu.url);
    return front;
  };

  test('Platform: a 302 to another host on a GET is refused, and that host receives nothing', async () => {
    const proxy = await through(({ method, path }) =>
      method === 'GET' && path === CONNECTIONS ? redirect(302, `${elsewhere.url}${CONNECTIONS}`) : undefined,
    );
    const home = await tempHome();
    const r = await runCli(['connect', '--json', '--debug'], cliEnv(emu.env, home, { AEP_PLATFORM_URL: proxy.url }));
    assert.equal(r.exitCode, 1, r.stderr);
    const { error } = r.json();
    assert.match(
      error.message,
      new RegExp(
        `^Adobe Experience Platform: GET ${CONNECTIONS} was redirected \\(HTTP 302\\) to another host, ${elsewhere.url.replace(/\./g, '\\.')}\\. aep-zoho does not follow it`,
      ),
    );
    assert.match(error.hint, /Check AEP_PLATFORM_URL/);
    assert.deepEqual(elsewhere.seen, []);
    assert.equal(emu.state.connections.size, 0);
    assertNoSecrets(r.stdout + r.stderr);
  });

  test('Platform: a 307 on POST /connections within the origin is not followed: the Zoho secrets are sent once', async () => {
    const proxy = await through(({ method, path }) =>
      method === 'POST' && path === CONNECTIONS ? redirect(307, `${CONNECTIONS}/elsewhere`) : undefined,
    );
    const home = await tempHome();
    const r = await runCli(['connect', '--json'], cliEnv(emu.env, home, { AEP_PLATFORM_URL: proxy.url }));
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(
      r.json().error.message,
      new RegExp(
        `POST ${CONNECTIONS} was redirected \\(HTTP 307\\) to ${CONNECTIONS}/elsewhere, which would mean sending its body \\(it may carry secrets\\) again; aep-zoho does not`,
      ),
    );
    assert.equal(proxy.seen.filter((line) => line.startsWith(`POST ${CONNECTIONS}`)).length, 1);
    assert.equal(emu.state.connections.size, 0);
    // Nothing was created, so nothing is recorded.
    const state = await readFile(join(home, 'state', 'default.json'), 'utf8').catch(() => '{}');
    assert.equal(JSON.parse(state).sandboxes?.prod?.connection, undefined);
  });

  test('Platform: a 302 within the origin on a GET is followed', async () => {
    let redirected = 0;
    const spec = '/data/foundation/flowservice/connectionSpecs/929e4450-0237-4ed2-9404-b7e1e0a00309';
    const proxy = await through(({ method, path }) =>
      method === 'GET' && path === spec && redirected++ === 0 ? redirect(302, spec) : undefined,
    );
    const r = await runCli(
      ['connect', '--json'],
      cliEnv(emu.env, await tempHome(), { AEP_PLATFORM_URL: proxy.url, AEP_ZOHO_PROFILE: 'followed' }),
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(proxy.seen.filter((line) => line === `GET ${spec}`).length, 2);
  });

  test("Zoho's token endpoint: a 307 to another host is refused; the client secret and grant code go nowhere else", async () => {
    const proxy = await through(({ path }) =>
      path === '/oauth/v2/token' ? redirect(307, `${elsewhere.url}/oauth/v2/token`) : undefined,
    );
    const r = await runCli(
      ['zoho', 'token', '--grant-token', '1000.deadbeefdeadbeefdeadbeef.cafebabecafebabecafebabe', '--json'],
      cliEnv(emu.env, await tempHome(), { ZOHO_ACCOUNTS_URL: proxy.url }),
    );
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(
      r.json().error.message,
      /^Zoho's accounts server: POST \/oauth\/v2\/token was redirected \(HTTP 307\) to another host/,
    );
    assert.match(r.json().error.hint, /ZOHO_ACCOUNTS_URL/);
    assert.deepEqual(elsewhere.seen, []);
  });

  test("Zoho's token endpoint: a 307 within the origin is not followed (the form would be resent)", async () => {
    const proxy = await through(({ path }) =>
      path === '/oauth/v2/token' ? redirect(307, '/oauth/v2/token2') : undefined,
    );
    const r = await runCli(
      ['zoho', 'token', '--grant-token', '1000.deadbeefdeadbeefdeadbeef.cafebabecafebabecafebabe', '--json'],
      cliEnv(emu.env, await tempHome(), { ZOHO_ACCOUNTS_URL: proxy.url }),
    );
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(
      r.json().error.message,
      /was redirected \(HTTP 307\) to \/oauth\/v2\/token2, which would mean sending its body/,
    );
    assert.deepEqual(proxy.seen, ['POST /oauth/v2/token']);
  });

  test('IMS: a 307 to another host is refused; the client secret goes nowhere else', async () => {
    const proxy = await through(({ path }) =>
      path === '/ims/token/v2' ? redirect(307, `${elsewhere.url}/ims/token/v2`) : undefined,
    );
    const r = await runCli(['auth', 'status', '--json'], cliEnv(emu.env, await tempHome(), { AEP_IMS_URL: proxy.url }));
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(
      r.json().error.message,
      /^Adobe IMS: POST \/ims\/token\/v2 was redirected \(HTTP 307\) to another host/,
    );
    assert.match(r.json().error.hint, /AEP_IMS_URL/);
    assert.deepEqual(elsewhere.seen, []);
    assert.deepEqual(proxy.seen, ['POST /ims/token/v2']);
  });
});
