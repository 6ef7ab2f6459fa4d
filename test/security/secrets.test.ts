// No secret ever reaches output, logs, errors, debug traces or state files: every command runs with
// --debug, DEBUG=* and AIO_LOG_LEVEL=debug, with --json and without, succeeding and failing, and
// every byte of stdout and stderr and every file under AEP_ZOHO_HOME except credentials.json is
// scanned for every secret in play, including the tokens the emulator minted during the run.
// The binary runs the build (`npx tsc -p .`; `npm test` builds first): rebuilding it here would
// rewrite dist/ under the other test files' binaries running at the same time.
import { strict as assert } from 'node:assert';
import { chmod, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { SECRETS, cliEnv, runCli, spawnCli, tempHome, type CliResult } from '../helpers/cli.js';
import { startProxy, type Proxy } from '../helpers/proxy.js';
import { plain, ptyRun } from '../helpers/pty.js';

type Emu = Emulator & { env: Record<string, string> };

const CONSOLE_SECRET = 'p8e-console-download-secret-0005';
const DEBUG_ENV = { DEBUG: '*', AIO_LOG_LEVEL: 'debug', DEBUG_SHOW_HIDDEN: 'true' };
const REDIRECT = 'https://example.com/zoho/callback';

/** Asks the emulated Zoho authorization page for a grant code, following its redirect by hand. */
async function grantCode(emu: Emu): Promise<string> {
  const url = new URL(`${emu.url}/oauth/v2/auth`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: '1000.ZOHOCLIENTID',
    scope: 'ZohoCRM.modules.READ,ZohoCRM.settings.READ',
    access_type: 'offline',
    redirect_uri: REDIRECT,
  }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const code = new URL(res.headers.get('location')!).searchParams.get('code');
  assert.ok(code);
  return code;
}

/** Every secret the run has seen so far: planted ones, and what IMS and Zoho issued. */
function secretsOf(emus: Emu[], extra: string[] = []): string[] {
  const found = new Set<string>([...Object.values(SECRETS), CONSOLE_SECRET, ...extra]);
  for (const emu of emus) {
    for (const exchange of emu.exchanges) {
      const response = exchange.response as Record<string, unknown> | undefined;
      if (!response || typeof response !== 'object') continue;
      if (exchange.path.startsWith('/ims/token/') || exchange.path === '/oauth/v2/token') {
        for (const key of ['access_token', 'refresh_token'])
          if (typeof response[key] === 'string') found.add(response[key] as string);
      }
    }
  }
  return [...found].filter((s) => s.length >= 8);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as any).path, e.name));
}

function scan(label: string, text: string, secrets: string[]): void {
  for (const secret of secrets) {
    const at = text.indexOf(secret);
    if (at >= 0)
      assert.fail(`${label}: secret ${secret.slice(0, 8)}… leaked near: ${text.slice(Math.max(0, at - 200), at + 40)}`);
  }
}

describe('secrets never leave the credentials store', () => {
  let emu: Emu;
  let home: string;
  let dir: string;
  /** Every output of every run, with a label, scanned at the end against every secret seen. */
  const outputs: Array<[string, string]> = [];
  const codes: string[] = [];
  let proxy: Proxy | undefined;

  const record = (label: string, r: CliResult) => {
    outputs.push([`${label} stdout`, r.stdout], [`${label} stderr`, r.stderr]);
    return r;
  };
  /** The CLI in-process with every debug switch on; the stored Zoho tokens come from `zoho token`. */
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv(emu.env, home, { ...DEBUG_ENV, ZOHO_ACCESS_TOKEN: undefined, ZOHO_REFRESH_TOKEN: undefined, ...extra });
  const both = async (label: string, argv: string[], extra: Record<string, string | undefined> = {}, expected = 0) => {
    const results: CliResult[] = [];
    for (const json of [true, false]) {
      const args = [...argv, '--debug', ...(json ? ['--json'] : [])];
      const r = record(`${label}${json ? ' --json' : ''}`, await runCli(args, env(extra)));
      assert.equal(r.exitCode, expected, `${args.join(' ')} exited ${r.exitCode}:\n${r.stdout}\n${r.stderr}`);
      if (json) r.json(); // exactly one JSON document, also for errors
      results.push(r);
    }
    return results;
  };

  before(async () => {
    emu = await emulator();
    home = await tempHome();
    dir = await tempHome();
  });
  after(async () => {
    await proxy?.close();
    await emu.close();
  });

  test('init --from-console, zoho authorize-url and zoho token (grant codes from the emulated redirect)', async () => {
    const file = join(dir, 'credential.json');
    await writeFile(
      file,
      JSON.stringify({
        CLIENT_ID: 'test-client-id',
        CLIENT_SECRETS: [CONSOLE_SECRET],
        ORG_ID: '5C1328435BF324E90A49402A@AdobeOrg',
        SCOPES: ['openid', 'AdobeID'],
      }),
    );
    // The file's secret is the one stored: no AEP_CLIENT_SECRET in the environment for init.
    await both('init --from-console', ['init', '--from-console', file, '--zoho-client-id', '1000.ZOHOCLIENTID'], {
      AEP_CLIENT_SECRET: undefined,
    });
    await both('zoho authorize-url', ['zoho', 'authorize-url', '--redirect-uri', REDIRECT]);
    for (const json of [true, false]) {
      const code = await grantCode(emu);
      codes.push(code);
      const args = [
        'zoho',
        'token',
        '--grant-token',
        code,
        '--redirect-uri',
        REDIRECT,
        '--debug',
        ...(json ? ['--json'] : []),
      ];
      const r = record(`zoho token${json ? ' --json' : ''}`, await runCli(args, env()));
      assert.equal(r.exitCode, 0, r.stderr);
    }
    // The same code again: Zoho's invalid_code, still nothing secret in the error.
    const again = record(
      'zoho token reused',
      await runCli(['zoho', 'token', '--grant-token', codes[0], '--debug', '--json'], env()),
    );
    assert.equal(again.exitCode, 1);
    const minted = emu.exchanges.filter((e) => e.path === '/oauth/v2/token' && (e.response as any)?.refresh_token);
    assert.equal(minted.length, 2, 'the emulator minted two token pairs');
    const stored = JSON.parse(await readFile(join(home, 'credentials.json'), 'utf8'));
    assert.equal(
      stored.profiles.default.zoho.refreshToken,
      (minted[1].response as any).refresh_token,
      'the last minted tokens are stored',
    );
    assert.equal(stored.profiles.default.aep.clientSecret, CONSOLE_SECRET);
  });

  test('the real binary: auth status with aio-lib-ims debug switched on, succeeding and with a wrong secret', async () => {
    for (const json of [true, false]) {
      const r = record(
        `bin auth status${json ? ' --json' : ''}`,
        await spawnCli(
          ['auth', 'status', '--debug', ...(json ? ['--json'] : [])],
          env({ AEP_CLIENT_SECRET: undefined }),
        ),
      );
      assert.equal(r.exitCode, 0, r.stderr);
      if (json) assert.equal(r.json().orgId, '5C1328435BF324E90A49402A@AdobeOrg');
    }
    const imsTokens = emu.exchanges.filter(
      (e) => e.path.startsWith('/ims/token/') && (e.response as any)?.access_token,
    );
    assert.ok(imsTokens.length >= 1, 'IMS issued a token');
    // The library's own debug lines would contain the secret; they must not reach any stream.
    const strict = await emulator({ imsClients: { 'test-client-id': 'the-right-secret-9999' } });
    try {
      for (const json of [true, false]) {
        const r = record(
          `bin auth status wrong secret${json ? ' --json' : ''}`,
          await spawnCli(
            ['auth', 'status', '--debug', ...(json ? ['--json'] : [])],
            cliEnv(strict.env, await tempHome(), DEBUG_ENV),
          ),
        );
        assert.equal(r.exitCode, 1, r.stderr);
        assert.match(r.stderr, /Adobe IMS refused the OAuth Server-to-Server credentials \(HTTP 401/);
        assert.doesNotMatch(r.stdout + r.stderr, /getAccessTokenByClientCredentials|aio-lib-ims/);
      }
      const connect = record(
        'bin connect wrong secret',
        await spawnCli(['connect', '--debug', '--json'], cliEnv(strict.env, await tempHome(), DEBUG_ENV)),
      );
      assert.equal(connect.exitCode, 1);
      const doctor = record(
        'bin doctor wrong secret',
        await spawnCli(['doctor', '--debug'], cliEnv(strict.env, await tempHome(), DEBUG_ENV)),
      );
      assert.equal(doctor.exitCode, 1, doctor.stdout + doctor.stderr);
      assert.equal(strict.state.connections.size, 0);
    } finally {
      await strict.close();
    }
  });

  test('allowlist, auth status, connect (+ --update-credentials, --dry-run), explore, templates', async () => {
    await both('allowlist', ['allowlist']);
    await both('auth status', ['auth', 'status']);
    const [made] = await both('connect', ['connect']);
    assert.ok(made.json().connectionId);
    const connection = emu.state.connections.get(made.json().connectionId)!;
    const minted = emu.exchanges
      .filter((e) => e.path === '/oauth/v2/token' && (e.response as any)?.refresh_token)
      .at(-1)!.response as any;
    assert.equal(
      connection.auth.params.refreshToken,
      minted.refresh_token,
      'connect hands Adobe the stored (minted) tokens',
    );
    await both('connect --update-credentials', ['connect', '--update-credentials']);
    const [plan] = await both('connect --dry-run', ['connect', '--name', 'planned only', '--dry-run']);
    assert.equal(plan.json().plan[0].request.body.auth.params.refreshToken, '***');
    await both('explore', ['explore']);
    await both('explore Accounts', ['explore', 'Accounts', '--limit', '3']);
    await both('templates list', ['templates', 'list']);
    await both('templates show', ['templates', 'show', 'accounts']);
  });

  test('dataflow create (+ --dry-run), dataflow list/status/runs, destroy --dry-run, doctor', async () => {
    await both('dataflow create --dry-run', ['dataflow', 'create', '--template', 'accounts', '--dry-run']);
    const [created] = await both('dataflow create', ['dataflow', 'create', '--template', 'accounts']);
    const flowId = created.json().dataflows[0].flowId as string;
    assert.ok(flowId);
    const help = (await runCli(['--help'], env())).stdout + (await runCli(['dataflow', '--help'], env())).stdout;
    // doctor fails its debug-logging check here: these runs set DEBUG=* on purpose.
    const optional: Array<[string, string[], number?]> = [
      ['dataflow list', ['dataflow', 'list']],
      ['dataflow status', ['dataflow', 'status', flowId]],
      ['dataflow runs', ['dataflow', 'runs', flowId]],
      ['destroy', ['destroy', '--dry-run']],
      ['doctor', ['doctor'], 1],
    ];
    for (const [name, argv, exit] of optional) {
      assert.ok(help.includes(`aep-zoho ${name}`), `'aep-zoho ${name}' is a command`);
      await both(name, argv, {}, exit ?? 0);
    }
  });

  test('failures: an unknown sandbox, and a 500 whose body echoes the request (Authorization and secrets)', async () => {
    await both('explore unknown sandbox', ['explore'], { AEP_SANDBOX: 'nosuch' }, 1);
    // A broken gateway that reflects what it received, headers and body, in its error message.
    proxy = await startProxy(({ method, path, body, headers }) => {
      // Lookups pass; the create (whose body carries the Zoho client secret and tokens) fails.
      if (method !== 'POST' || path !== '/data/foundation/flowservice/connections') return undefined;
      const detail = `upstream failed for ${method} ${path}; authorization: ${headers.authorization}; body: ${body}`;
      return {
        status: 500,
        body: JSON.stringify({
          type: 'https://ns.adobe.com/aep/errors/FLOW-1100-500',
          title: 'Internal Server Error',
          status: 500,
          detail,
        }),
        headers: { 'content-type': 'application/json' },
      };
    }, emu.url);
    const before = emu.state.counts();
    const [failed] = await both(
      'connect via a 500 proxy',
      ['connect', '--name', 'through a broken proxy'],
      { AEP_PLATFORM_URL: proxy.url },
      1,
    );
    assert.match(failed.json().error.message, /HTTP 500/);
    assert.match(failed.json().error.message, /authorization: Bearer \*\*\*/, 'the reflected token is masked');
    assert.match(failed.json().error.message, /"clientSecret":"\*\*\*"/, 'the reflected body is masked');
    assert.ok(proxy.seen.includes('POST /data/foundation/flowservice/connections'));
    assert.deepEqual(emu.state.counts(), before);
  });

  test('IMS (and Zoho’s accounts server) answering an error that echoes the request (client_secret, headers): no secret on any progress line, with and without --debug, through the binary without a TTY', async () => {
    // A broken IMS (or a gateway before it) that reflects the token request in its error: the body
    // (the form with client_secret), its headers, and the secret again in several spellings.
    const ims = await startProxy(({ method, path, body, headers }) => {
      if (method !== 'POST' || !path.startsWith('/ims/token/')) return undefined;
      const echo = `rejected ${method} ${path} ${JSON.stringify(headers)} ${body} client_secret=${SECRETS.AEP_CLIENT_SECRET}`;
      return {
        status: 400,
        body: JSON.stringify({ error: 'invalid_request', error_description: echo, message: echo }),
        headers: { 'content-type': 'application/json' },
      };
    });
    let zoho: Proxy | undefined;
    try {
      const commands: Array<[string, string[]]> = [
        ['auth status', ['auth', 'status']],
        ['connect', ['connect']],
        ['connect --via http-api', ['connect', '--via', 'http-api']],
        ['explore', ['explore']],
        ['dataflow create', ['dataflow', 'create', '--template', 'accounts']],
        ['dataflow list', ['dataflow', 'list']],
        ['sync', ['sync']],
        ['destroy', ['destroy', '--yes']],
        ['doctor', ['doctor']],
      ];
      for (const [name, argv] of commands) {
        for (const flags of [[], ['--debug'], ['--debug', '--json']]) {
          const fresh = await tempHome();
          const extra = { AEP_IMS_URL: ims.url, ...(flags.includes('--debug') ? DEBUG_ENV : {}) };
          const r = record(
            `bin ${name} ${flags.join(' ')} (IMS echoes the request)`,
            await spawnCli([...argv, ...flags], cliEnv(emu.env, fresh, extra)),
          );
          assert.notEqual(r.exitCode, 0, `${name} ${flags.join(' ')}: ${r.stdout}${r.stderr}`);
          scan(`${name} ${flags.join(' ')}`, r.stdout + r.stderr, Object.values(SECRETS));
          for (const file of await filesUnder(fresh)) scan(file, await readFile(file, 'utf8'), Object.values(SECRETS));
          await rm(fresh, { recursive: true, force: true });
        }
      }
      assert.ok(
        ims.seen.some((line) => line.startsWith('POST /ims/token/')),
        'IMS was asked',
      );
      // On a terminal, the live renderer's lines too (and it still draws and ends).
      for (const argv of [['connect'], ['dataflow', 'create', '--template', 'accounts']]) {
        const fresh = await tempHome();
        const r = await ptyRun(argv, cliEnv(emu.env, fresh, { AEP_IMS_URL: ims.url }));
        outputs.push([`pty ${argv.join(' ')} (IMS echoes the request)`, r.output]);
        assert.equal(r.exitCode, 1, plain(r.output));
        assert.match(plain(r.output), /Adobe IMS refused the OAuth Server-to-Server credentials \(HTTP 400/);
        scan(`pty ${argv.join(' ')}`, r.output, Object.values(SECRETS));
        await rm(fresh, { recursive: true, force: true });
      }
      // Zoho's accounts server echoing the refresh request (client_secret, refresh_token) the same way.
      zoho = await startProxy(({ method, path, body, headers }) => {
        if (method !== 'POST' || path !== '/oauth/v2/token') return undefined;
        const echo = `rejected ${JSON.stringify(headers)} ${body} client_secret=${SECRETS.ZOHO_CLIENT_SECRET}`;
        return {
          status: 400,
          body: JSON.stringify({ error: 'invalid_client', error_description: echo }),
          headers: { 'content-type': 'application/json' },
        };
      });
      for (const [name, argv] of [
        ['connect --via http-api', ['connect', '--via', 'http-api']],
        ['explore --via http-api', ['explore', '--via', 'http-api']],
      ] as const) {
        for (const flags of [[], ['--debug']]) {
          const fresh = await tempHome();
          const extra = {
            ZOHO_ACCOUNTS_URL: zoho.url,
            ZOHO_ACCESS_TOKEN: undefined,
            ...(flags.includes('--debug') ? DEBUG_ENV : {}),
          };
          const r = record(
            `bin ${name} ${flags.join(' ')} (Zoho echoes the request)`,
            await spawnCli([...argv, ...flags], cliEnv(emu.env, fresh, extra)),
          );
          assert.notEqual(r.exitCode, 0, `${name} ${flags.join(' ')}: ${r.stdout}${r.stderr}`);
          scan(`${name} ${flags.join(' ')}`, r.stdout + r.stderr, Object.values(SECRETS));
          for (const file of await filesUnder(fresh)) scan(file, await readFile(file, 'utf8'), Object.values(SECRETS));
          await rm(fresh, { recursive: true, force: true });
        }
      }
      assert.ok(zoho.seen.includes('POST /oauth/v2/token'), 'Zoho was asked');
    } finally {
      await ims.close();
      await zoho?.close();
    }
  });

  test('no secret in any output or in any file under AEP_ZOHO_HOME but credentials.json (mode 0600)', async () => {
    const secrets = secretsOf([emu], codes);
    // Sanity: the scan knows the IMS token and both minted Zoho pairs, and the runs did print debug lines.
    assert.ok(secrets.length >= Object.values(SECRETS).length + 1 + 1 + 4, `secrets found: ${secrets.length}`);
    assert.ok(
      outputs.some(([, text]) => /\[debug /.test(text)),
      'debug output was produced',
    );
    for (const [label, text] of outputs) scan(label, text, secrets);
    const files = await filesUnder(home);
    assert.ok(
      files.some((f) => f.endsWith(join('state', 'default.json'))),
      `a state file exists: ${files.join(', ')}`,
    );
    for (const file of files) {
      if (file === join(home, 'credentials.json')) continue;
      assert.doesNotMatch(file, /\.tmp$/, 'no temp file left behind');
      scan(file, await readFile(file, 'utf8'), secrets);
    }
    const store = join(home, 'credentials.json');
    assert.equal((await stat(store)).mode & 0o777, 0o600);
    const text = await readFile(store, 'utf8');
    assert.ok(text.includes(CONSOLE_SECRET) && text.includes('"tokens"'), 'the store holds the secrets it should');
  });

  test('a credentials store others can read is refused (exit 1, advice: chmod 600) and left as it was', async () => {
    const store = join(home, 'credentials.json');
    const content = await readFile(store, 'utf8');
    const before = emu.state.counts();
    for (const mode of [0o644, 0o640, 0o604]) {
      await chmod(store, mode);
      for (const argv of [
        ['connect', '--json'],
        ['auth', 'status'],
      ]) {
        const r = await runCli(argv, env());
        assert.equal(r.exitCode, 1, `mode ${mode.toString(8)} ${argv.join(' ')}: ${r.stderr}`);
        const text = argv.includes('--json') ? `${r.json().error.message} ${r.json().error.hint}` : r.stderr;
        assert.match(text, /can be read by other users/);
        assert.match(text, new RegExp(`chmod 600 ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        assert.doesNotMatch(r.stderr, /\n\s+at /);
        scan(`mode ${mode.toString(8)}`, r.stdout + r.stderr, secretsOf([emu], codes));
      }
      assert.equal((await stat(store)).mode & 0o777, mode, 'aep-zoho does not change the mode itself');
      assert.equal(await readFile(store, 'utf8'), content);
    }
    assert.deepEqual(emu.state.counts(), before);
    await chmod(store, 0o600);
    assert.equal((await runCli(['auth', 'status', '--json'], env())).exitCode, 0);
  });
});
