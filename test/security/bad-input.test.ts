// The bad-input corpus: every way a user, a file or the network can hand aep-zoho something wrong.
// Each case runs twice (with --json and without) and must give the contract's exit code, one
// paragraph naming the problem plus a hint with the fix, no stack trace, and change nothing: the
// emulator's resources (runs aside) and every file under AEP_ZOHO_HOME stay as they were.
import { strict as assert } from 'node:assert';
import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { answers, startProxy, type Canned, type Proxy } from '../helpers/proxy.js';

type Emu = Emulator & { env: Record<string, string> };
type Env = Record<string, string | undefined>;

interface World {
  emu: Emu;
  proxy: Proxy;
  /** This case's AEP_ZOHO_HOME (a copy of a home that has connected and explored). */
  home: string;
  /** Template variants written once. */
  dir: string;
}

interface Case {
  name: string;
  argv: string[] | ((w: World) => string[]);
  env?: Env | ((w: World) => Env);
  /** Prepares the case's home or the emulator; runs before the snapshot. */
  setup?: (w: World) => Promise<void> | void;
  cleanup?: (w: World) => void;
  exit: 1 | 2;
  /** Names the problem. */
  message: RegExp;
  /** Names the fix (every case must have some hint). */
  hint?: RegExp;
  /** Start from an empty AEP_ZOHO_HOME instead of the connected one. */
  fresh?: boolean;
  /** What the proxy answers for Platform, IMS or Zoho accounts paths (else it forwards to the emulator). */
  answer?: { platform?: Canned; ims?: Canned; zoho?: Canned };
}

const file = (name: string) => (w: World) => join(w.dir, `${name}.json`);
const create =
  (name: string, ...more: string[]) =>
  (w: World) => ['dataflow', 'create', '--template', file(name)(w), ...more];
const writeStore = (content: string) => async (w: World) =>
  writeFile(join(w.home, 'credentials.json'), content, { mode: 0o600 });
const writeState = (content: string) => async (w: World) => {
  await mkdir(join(w.home, 'state'), { recursive: true });
  await writeFile(join(w.home, 'state', 'default.json'), content);
};
const viaProxy = (w: World): Env => ({ AEP_PLATFORM_URL: w.proxy.url });
let grantCode = '';

const CASES: Case[] = [
  // ---------------------------------------------------------------- templates (exit 2)
  {
    name: 'template: invalid JSON (trailing comma)',
    argv: create('trailing-comma'),
    exit: 2,
    message: /trailing-comma\.json: invalid JSON at line 3, column 1/,
    hint: /Fix the syntax/,
  },
  {
    name: 'template: empty file',
    argv: create('empty'),
    exit: 2,
    message: /empty\.json: invalid JSON at line 1, column 1: unexpected end of file/,
    hint: /Fix the syntax/,
  },
  {
    name: 'template: a JSON array',
    argv: create('array'),
    exit: 2,
    message: /array\.json: \/ must be an object \(got array\)/,
    hint: /templates validate/,
  },
  {
    name: 'template: wrong types',
    argv: create('types'),
    exit: 2,
    message: /2 problems: \/name must be a string \(got integer\); \/mappings must be an array \(got string\)/,
    hint: /template\.schema\.json/,
  },
  {
    name: 'template: unknown properties',
    argv: create('unknown-props'),
    exit: 2,
    message:
      /\/sourc is not a known property \(did you mean 'source'\?\).*\/source\/tabel is not a known property \(did you mean 'table'\?\)/,
    hint: /templates validate/,
  },
  {
    name: 'template: missing required fields',
    argv: create('missing'),
    exit: 2,
    message: /\/target is required but missing; \/source\/table is required but missing/,
    hint: /template\.schema\.json/,
  },
  {
    name: 'template: mapping with neither source nor expression',
    argv: create('no-source'),
    exit: 2,
    message: /\/mappings\/1 must have exactly one of "source" \(a column\) or "expression"/,
    hint: /templates validate/,
  },
  {
    name: 'template: unknown delta column',
    argv: create('unknown-delta'),
    exit: 2,
    message: /delta column 'Last_Synced_Time' is not a column of table Accounts/,
  },
  {
    name: 'template: unknown identity column',
    argv: create('unknown-identity'),
    exit: 2,
    message: /identity column 'Primary_Email' is not a column of table Accounts/,
  },
  {
    name: 'template: unknown table',
    argv: create('unknown-table'),
    exit: 2,
    message: /Unknown table 'Acounts'/,
    hint: /Did you mean 'Accounts'\?/,
  },
  {
    name: 'template: bad XDM path (empty segment)',
    argv: create('xdm-empty'),
    exit: 2,
    message: /\/mappings\/1\/destination must be a dotted XDM path.*got "account\.\.name"/,
    hint: /templates validate/,
  },
  {
    name: 'template: literal tenant namespace',
    argv: create('xdm-tenant'),
    exit: 2,
    message: /\/mappings\/1\/destination starts with the tenant namespace '_acme': write _\{TENANT_ID\} instead/,
  },
  {
    name: 'template: a field that is also an object',
    argv: create('xdm-parent'),
    exit: 2,
    message: /"accountName" is a field, but \/mappings\/\d+\/destination "accountName\.first" makes it an object/,
  },
  {
    name: 'template: duplicate destinations',
    argv: create('duplicate'),
    exit: 2,
    message: /\/mappings\/2\/destination "accountName" is already the destination of \/mappings\/1/,
  },
  {
    name: 'template: identity not mapped',
    argv: create('identity-unmapped'),
    exit: 2,
    message: /\/identity\/destination "_\{TENANT_ID\}\.zoho\.nowhere" is not the destination of any mapping/,
  },
  {
    name: 'template: schedule every 5 minutes',
    argv: create('schedule-minute'),
    exit: 2,
    message: /\/schedule\/interval must be at least 15 when frequency is "minute" \(got 5\)/,
  },
  {
    name: 'template: unknown schedule frequency',
    argv: create('schedule-fortnight'),
    exit: 2,
    message: /\/schedule\/frequency must be one of "once", "minute", "hour", "day", "week" \(got "fortnight"\)/,
  },
  {
    name: 'template: once with an interval',
    argv: create('schedule-once'),
    exit: 2,
    message: /\/schedule\/interval is not allowed when frequency is "once"/,
  },
  {
    name: 'templates validate: a broken file',
    argv: (w) => ['templates', 'validate', file('duplicate')(w)],
    exit: 2,
    message: /already the destination/,
  },
  {
    name: 'templates show: unknown name',
    argv: ['templates', 'show', 'acounts'],
    exit: 2,
    message: /Unknown template 'acounts'/,
    hint: /Did you mean 'accounts'\?/,
  },
  {
    name: 'dataflow create: unknown template name',
    argv: ['dataflow', 'create', '--template', 'opportunities'],
    exit: 2,
    message: /Unknown template 'opportunities': it is neither a built-in template nor a file/,
    hint: /Built-in templates: accounts, contacts, deals, leads/,
  },
  {
    name: 'dataflow create: template file that does not exist',
    argv: ['dataflow', 'create', '--template', './no/such/template.json'],
    exit: 2,
    message: /Template file '\.\/no\/such\/template\.json' does not exist/,
    hint: /Check the path/,
  },
  {
    name: 'dataflow create: one good template and one broken',
    argv: (w) => ['dataflow', 'create', '--template', `accounts,${file('duplicate')(w)}`],
    exit: 2,
    message: /duplicate\.json/,
  },
  {
    name: 'dataflow create: the same template twice',
    argv: ['dataflow', 'create', '--template', 'accounts,Accounts'],
    exit: 2,
    message: /--template names a template twice/,
  },

  // ---------------------------------------------------------------- schedules and ranges (exit 2)
  {
    name: '--start is not a time',
    argv: ['dataflow', 'create', '--template', 'accounts', '--start', 'tomorrow'],
    exit: 2,
    message: /Invalid --start 'tomorrow'/,
    hint: /ISO 8601/,
  },
  {
    name: '--start is not a date',
    argv: ['dataflow', 'create', '--template', 'accounts', '--start', '2026-13-45'],
    exit: 2,
    message: /Invalid --start '2026-13-45'/,
    hint: /ISO 8601/,
  },
  {
    name: '--interval without --frequency',
    argv: ['dataflow', 'create', '--template', 'accounts', '--interval', '3'],
    exit: 2,
    message: /--interval needs --frequency/,
    hint: /--frequency hour --interval 2/,
  },
  {
    name: '--frequency not a choice',
    argv: ['dataflow', 'create', '--template', 'accounts', '--frequency', 'yearly'],
    exit: 2,
    message: /Invalid value "yearly" for --frequency/,
    hint: /"once", "minute", "hour", "day", "week"/,
  },
  {
    name: '--frequency minute --interval 5',
    argv: ['dataflow', 'create', '--template', 'accounts', '--frequency', 'minute', '--interval', '5'],
    exit: 2,
    message: /at least 15/,
  },
  {
    name: '--frequency once --interval 2',
    argv: ['dataflow', 'create', '--template', 'accounts', '--frequency', 'once', '--interval', '2'],
    exit: 2,
    message: /'once' schedule takes no interval/,
    hint: /Drop --interval/,
  },
  {
    name: '--limit 0',
    argv: ['explore', 'Accounts', '--limit', '0'],
    exit: 2,
    message: /--limit must be a whole number from 1 to 100, got 0/,
  },
  {
    name: '--limit 101',
    argv: ['explore', 'Accounts', '--limit', '101'],
    exit: 2,
    message: /--limit must be a whole number from 1 to 100, got 101/,
  },
  {
    name: '--limit abc',
    argv: ['explore', 'Accounts', '--limit', 'abc'],
    exit: 2,
    message: /--limit must be a whole number from 1 to 100/,
  },

  // ---------------------------------------------------------------- usage (exit 2)
  {
    name: 'unknown option',
    argv: ['connect', '--bogus'],
    exit: 2,
    message: /Unknown option --bogus for 'aep-zoho connect'/,
    hint: /aep-zoho connect --help/,
  },
  {
    name: 'unknown command',
    argv: ['frobnicate'],
    exit: 2,
    message: /Unknown command 'frobnicate'/,
    hint: /aep-zoho --help/,
  },
  { name: 'misspelt command', argv: ['explor'], exit: 2, message: /Unknown command 'explor'/, hint: /explore/ },
  { name: 'unknown subcommand', argv: ['dataflow', 'frob'], exit: 2, message: /frob/, hint: /dataflow/ },
  {
    name: 'missing required option --grant-token',
    argv: ['zoho', 'token'],
    exit: 2,
    message: /Missing required option --grant-token for 'aep-zoho zoho token'/,
    hint: /zoho token --help/,
  },
  {
    name: 'missing required option --template',
    argv: ['dataflow', 'create'],
    exit: 2,
    message: /Missing required option --template/,
  },
  {
    name: 'missing positional',
    argv: ['templates', 'show'],
    exit: 2,
    message: /'aep-zoho templates show' needs <name>/,
    hint: /templates show accounts/,
  },
  {
    name: 'empty --grant-token',
    argv: ['zoho', 'token', '--grant-token', '  '],
    exit: 2,
    message: /--grant-token is empty/,
    hint: /1000\./,
  },
  {
    name: 'zoho token --region xx',
    argv: ['zoho', 'token', '--grant-token', '1000.abc', '--region', 'xx'],
    exit: 2,
    message: /Unknown Zoho data centre 'xx'/,
    hint: /us, eu, in, au, jp, cn, ca, sa/,
  },
  {
    name: 'zoho authorize-url --region xx',
    argv: ['zoho', 'authorize-url', '--region', 'xx'],
    exit: 2,
    message: /Unknown Zoho data centre 'xx'/,
    hint: /us, eu, in, au, jp, cn, ca, sa/,
  },
  {
    name: 'allowlist --region xx',
    argv: ['allowlist', '--region', 'xx'],
    exit: 2,
    message: /Unknown AEP region 'xx'/,
    hint: /va7, nld2, aus5, can2/,
  },
  {
    name: 'zoho authorize-url --scopes with spaces',
    argv: ['zoho', 'authorize-url', '--scopes', 'read everything'],
    exit: 2,
    message: /Invalid --scopes 'read everything'/,
    hint: /ZohoCRM\.modules\.READ/,
  },
  {
    name: 'profile name with a slash',
    argv: ['connect', '--profile', '../../etc'],
    exit: 2,
    message: /Invalid profile name '\.\.\/\.\.\/etc'/,
    hint: /letters, digits, dot, dash and underscore/,
  },
  {
    name: 'profile name with a space (AEP_ZOHO_PROFILE)',
    argv: ['explore'],
    env: { AEP_ZOHO_PROFILE: 'my profile' },
    exit: 2,
    message: /Invalid profile name 'my profile'/,
  },
  {
    name: 'sandbox name with capitals and punctuation',
    argv: ['explore', '--sandbox', 'Prod!'],
    exit: 2,
    message: /Invalid sandbox name 'Prod!'/,
    hint: /lowercase letters, digits and hyphens/,
  },
  {
    name: 'AEP_PLATFORM_URL=notaurl',
    argv: ['explore'],
    env: { AEP_PLATFORM_URL: 'notaurl' },
    exit: 2,
    message: /AEP_PLATFORM_URL is not a valid URL: 'notaurl'/,
    hint: /https:\/\/platform\.adobe\.io/,
  },
  {
    name: 'AEP_IMS_URL without a scheme separator',
    argv: ['auth', 'status'],
    env: { AEP_IMS_URL: 'https//ims' },
    exit: 2,
    message: /AEP_IMS_URL is not a valid URL/,
    hint: /https:\/\/ims-na1\.adobelogin\.com/,
  },
  {
    name: 'ZOHO_ACCOUNTS_URL=ftp://x',
    argv: ['zoho', 'token', '--grant-token', '1000.abc'],
    env: { ZOHO_ACCOUNTS_URL: 'ftp://x' },
    exit: 2,
    message: /ZOHO_ACCOUNTS_URL must be an http\(s\) URL, got 'ftp:\/\/x'/,
    hint: /https:\/\/accounts\.zoho\.com/,
  },
  {
    name: 'init --from-console: no such file',
    argv: ['init', '--from-console', '/nonexistent/credential.json'],
    exit: 2,
    message: /No such file: \/nonexistent\/credential\.json/,
    hint: /Download JSON/,
  },
  {
    name: 'init --from-console: not a Server-to-Server credential',
    argv: (w) => ['init', '--from-console', file('console-no-secret')(w)],
    exit: 2,
    message: /has no OAuth Server-to-Server client id and secret/,
    hint: /OAuth Server-to-Server/,
  },
  {
    name: 'init --org-id without @AdobeOrg',
    argv: ['init', '--org-id', '12345'],
    exit: 2,
    message: /'12345' does not look like an Adobe org id/,
    hint: /@AdobeOrg/,
  },
  {
    name: 'explore Acounts (unknown table)',
    argv: ['explore', 'Acounts'],
    exit: 2,
    message: /Unknown table 'Acounts'/,
    hint: /Did you mean 'Accounts'\?/,
  },
  {
    name: 'templates init --table Acounts',
    argv: ['templates', 'init', '--table', 'Acounts'],
    exit: 2,
    message: /Unknown table 'Acounts'/,
    hint: /Did you mean 'Accounts'\?/,
  },
  {
    name: 'explore --connection with an unknown id',
    argv: ['explore', '--connection', 'nosuch-id'],
    exit: 2,
    message: /No base connection with id 'nosuch-id' in sandbox 'prod'/,
    hint: /omit --connection/,
  },
  {
    name: 'connect --aep-region xx',
    argv: ['connect', '--aep-region', 'xx'],
    exit: 2,
    message: /Unknown AEP region 'xx'/,
    hint: /va7, nld2, aus5, can2/,
  },
  {
    name: 'dataflow status of an unknown flow',
    argv: ['dataflow', 'status', 'nosuch'],
    exit: 2,
    message: /No dataflow 'nosuch' in sandbox 'prod'/,
    hint: /dataflow list --all/,
  },
  {
    name: 'dataflow runs --watch --timeout abc',
    argv: ['dataflow', 'runs', 'contacts', '--watch', '--timeout', 'abc'],
    exit: 2,
    message: /Invalid --timeout 'abc'/,
    hint: /90s, 30m or 2h/,
  },
  {
    name: 'destroy without --yes and without a terminal deletes nothing',
    argv: ['destroy'],
    exit: 2,
    message: /Confirmation needed, and there is no terminal to ask on: /,
    hint: /--yes/,
  },

  // ---------------------------------------------------------------- configuration files (exit 1)
  {
    name: 'credentials.json: invalid JSON',
    argv: ['connect'],
    setup: writeStore('{ "version": 1, "profiles": {'),
    exit: 1,
    message: /credentials store at .*credentials\.json is not valid JSON/,
    hint: /Fix or delete the file/,
  },
  {
    name: 'credentials.json: a JSON array',
    argv: ['auth', 'status'],
    setup: writeStore('[{"aep": {}}]'),
    exit: 1,
    message: /credentials store at .* must hold a JSON object, but it holds an array/,
    hint: /Fix or delete/,
  },
  {
    name: 'credentials.json: a field of the wrong type',
    argv: ['connect'],
    setup: writeStore(JSON.stringify({ version: 1, profiles: { default: { aep: { clientId: 42 } } } })),
    exit: 1,
    message: /damaged: \/profiles\/default\/aep\/clientId must be a string \(got a number\)/,
    hint: /aep-zoho init/,
  },
  {
    name: 'credentials.json: a profile missing fields',
    argv: ['connect'],
    env: { AEP_CLIENT_SECRET: undefined, AEP_ORG_ID: undefined },
    setup: writeStore(JSON.stringify({ version: 1, profiles: { default: { aep: { clientId: 'test-client-id' } } } })),
    exit: 1,
    message: /Adobe credentials are missing for profile 'default': AEP_CLIENT_SECRET, AEP_ORG_ID/,
    hint: /aep-zoho init/,
  },
  {
    name: 'state/default.json: invalid JSON',
    argv: ['explore'],
    setup: writeState('{"version":1,"sandboxes":{"prod":'),
    exit: 1,
    message: /state file at .*default\.json is not valid JSON/,
    hint: /Fix or delete the file/,
  },
  {
    name: 'state/default.json: sandboxes is an array',
    argv: ['connect'],
    setup: writeState('{"version":1,"sandboxes":[]}'),
    exit: 1,
    message: /state file at .* is damaged: \/sandboxes must be an object/,
    hint: /Delete the file/,
  },

  // ---------------------------------------------------------------- credentials and platform values (exit 1)
  {
    name: 'AEP_CLIENT_SECRET is whitespace',
    argv: ['connect'],
    env: { AEP_CLIENT_SECRET: '   ' },
    exit: 1,
    message: /Adobe credentials are missing for profile 'default': AEP_CLIENT_SECRET/,
    hint: /AEP_CLIENT_SECRET/,
  },
  {
    name: 'ZOHO_REFRESH_TOKEN is whitespace',
    argv: ['connect', '--update-credentials'],
    env: { ZOHO_REFRESH_TOKEN: ' \t ' },
    exit: 1,
    message: /Zoho credentials are missing for profile 'default': ZOHO_REFRESH_TOKEN/,
    hint: /zoho token --grant-token/,
  },
  {
    name: 'a wrong IMS secret',
    argv: ['auth', 'status'],
    fresh: true,
    setup: (w) => void (w.emu.options.imsClients = { 'test-client-id': 'the-right-secret' }),
    cleanup: (w) => void (w.emu.options.imsClients = undefined),
    exit: 1,
    message: /Adobe IMS refused the OAuth Server-to-Server credentials \(HTTP 401 invalid_client\)/,
    hint: /AEP_CLIENT_ID and AEP_CLIENT_SECRET/,
  },
  {
    name: 'a sandbox that does not exist',
    argv: ['explore', '--sandbox', 'nosuch'],
    exit: 1,
    message: /Sandbox 'nosuch' not found in this organization\.$/,
    hint: /--sandbox \(or set AEP_SANDBOX\)/,
  },
  {
    name: 'a Zoho grant code exchanged twice',
    argv: () => ['zoho', 'token', '--grant-token', grantCode],
    setup: async (w) => {
      const auth = await fetch(
        `${w.emu.url}/oauth/v2/auth?response_type=code&client_id=1000.ZOHOCLIENTID&scope=ZohoCRM.modules.READ&access_type=offline&redirect_uri=https://example.com/cb`,
        { redirect: 'manual' },
      );
      grantCode = new URL(auth.headers.get('location')!).searchParams.get('code')!;
      const first = await runCli(['zoho', 'token', '--grant-token', grantCode], cliEnv(w.emu.env, await tempHome()));
      assert.equal(first.exitCode, 0, first.stderr);
    },
    exit: 1,
    message: /Zoho rejected the grant token \(invalid_code\): it has expired .* or it was already exchanged once/,
    hint: /Generate a new grant token/,
  },

  // ---------------------------------------------------------------- what the network hands back (exit 1)
  {
    name: 'HTML instead of JSON (HTTP 200)',
    argv: ['explore'],
    env: viaProxy,
    answer: { platform: answers.html(200) },
    exit: 1,
    message: /answered HTTP 200: the server answered with an HTML page instead of JSON/,
    hint: /AEP_PLATFORM_URL .*proxy/,
  },
  {
    name: 'HTML instead of JSON (HTTP 502)',
    argv: ['connect'],
    env: viaProxy,
    answer: { platform: answers.html(502) },
    exit: 1,
    message: /failed with HTTP 502: the server answered with an HTML page/,
    hint: /re-run the command later/,
  },
  {
    name: 'truncated JSON',
    argv: ['explore', 'Accounts'],
    env: viaProxy,
    answer: { platform: answers.truncated() },
    exit: 1,
    message: /the response was not valid JSON/,
    hint: /cut off or corrupted/,
  },
  {
    name: 'a huge garbage response (6 MB)',
    argv: ['explore'],
    env: viaProxy,
    answer: { platform: answers.huge() },
    exit: 1,
    message: /the response was not valid JSON \(truncated or corrupt\)/,
    hint: /cut off or corrupted/,
  },
  {
    name: 'IMS answers an HTML page',
    argv: ['auth', 'status'],
    env: (w) => ({ AEP_IMS_URL: w.proxy.url }),
    answer: { ims: answers.html(200) },
    exit: 1,
    message: /Adobe IMS at http:\/\/127\.0\.0\.1:\d+ returned an HTML page instead of JSON/,
    hint: /AEP_IMS_URL/,
  },
  {
    name: 'IMS answers truncated JSON',
    argv: ['connect'],
    env: (w) => ({ AEP_IMS_URL: w.proxy.url }),
    answer: { ims: answers.truncated() },
    exit: 1,
    message: /returned a response that is not valid JSON/,
    hint: /AEP_IMS_URL/,
  },
  {
    name: "Zoho's accounts server answers HTML",
    argv: ['zoho', 'token', '--grant-token', '1000.abc'],
    env: (w) => ({ ZOHO_ACCOUNTS_URL: w.proxy.url }),
    answer: { zoho: answers.html(200) },
    exit: 1,
    message: /answered HTTP 200 with something that is not JSON \(an HTML page\)/,
    hint: /ZOHO_ACCOUNTS_URL/,
  },
  {
    name: "Zoho's accounts server answers a huge body",
    argv: ['zoho', 'token', '--grant-token', '1000.abc'],
    env: (w) => ({ ZOHO_ACCOUNTS_URL: w.proxy.url }),
    answer: { zoho: answers.huge() },
    exit: 1,
    message: /not JSON/,
    hint: /ZOHO_ACCOUNTS_URL/,
  },
];

/** Every file under a folder with its mode and content. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? (entry as any).path, entry.name);
    // A refreshed cache timestamp (explore re-lists the tables before calling one unknown) is no change.
    const text = (await readFile(path, 'utf8')).replace(/"fetchedAt": "[^"]*"/g, '"fetchedAt": "…"');
    out[path.slice(dir.length)] = `${((await stat(path)).mode & 0o777).toString(8)} ${text}`;
  }
  return out;
}

const resources = (emu: Emu) => {
  const { runs: _runs, ...rest } = emu.state.counts();
  return rest;
};

describe('bad input: exit code, one paragraph with a hint, no stack, nothing created or lost', () => {
  let emu: Emu;
  let proxy: Proxy;
  let base: string;
  let dir: string;
  let answer: Case['answer'];

  before(async () => {
    emu = await emulator();
    proxy = await startProxy(({ path }) => {
      if (path.startsWith('/ims/')) return answer?.ims;
      if (path.startsWith('/oauth/')) return answer?.zoho;
      return answer?.platform;
    }, emu.url);
    base = await tempHome();
    const env = cliEnv(emu.env, base);
    for (const argv of [['connect'], ['explore'], ['dataflow', 'create', '--template', 'contacts']]) {
      const r = await runCli(argv, env);
      assert.equal(r.exitCode, 0, r.stderr);
    }
    dir = await tempHome();
    const accounts = JSON.parse((await runCli(['templates', 'show', 'accounts', '--json'], env)).stdout);
    const raw = (name: string, text: string) => writeFile(join(dir, `${name}.json`), text);
    const variant = async (name: string, change: (t: any) => void) => {
      const t = structuredClone(accounts);
      change(t);
      await raw(name, JSON.stringify(t, null, 2));
    };
    await raw('trailing-comma', '{\n  "name": "x",\n}\n');
    await raw('empty', '');
    await raw('array', JSON.stringify([accounts]));
    await variant('types', (t) => {
      t.name = 5;
      t.mappings = 'x';
    });
    await variant('unknown-props', (t) => {
      t.sourc = {};
      t.source.tabel = 'Accounts';
    });
    await variant('missing', (t) => {
      delete t.source.table;
      delete t.target;
    });
    await variant('no-source', (t) => delete t.mappings[1].source);
    await variant('unknown-delta', (t) => (t.source.deltaColumn = 'Last_Synced_Time'));
    await variant('unknown-identity', (t) => {
      t.identity = {
        source: 'Primary_Email',
        destination: '_{TENANT_ID}.zoho.primaryEmail',
        namespace: 'Email',
        primary: true,
      };
      t.mappings.push({ source: 'Primary_Email', destination: '_{TENANT_ID}.zoho.primaryEmail' });
    });
    await variant('unknown-table', (t) => (t.source.table = 'Acounts'));
    await variant('xdm-empty', (t) => (t.mappings[1].destination = 'account..name'));
    await variant('xdm-tenant', (t) => (t.mappings[1].destination = '_acme.name'));
    await variant('xdm-parent', (t) => t.mappings.push({ source: 'Account_Site', destination: 'accountName.first' }));
    await variant('duplicate', (t) => (t.mappings[2].destination = t.mappings[1].destination));
    await variant(
      'identity-unmapped',
      (t) =>
        (t.identity = { source: 'id', destination: '_{TENANT_ID}.zoho.nowhere', namespace: 'Email', primary: true }),
    );
    await variant('schedule-minute', (t) => (t.schedule = { frequency: 'minute', interval: 5 }));
    await variant('schedule-fortnight', (t) => (t.schedule = { frequency: 'fortnight', interval: 1 }));
    await variant('schedule-once', (t) => (t.schedule = { frequency: 'once', interval: 1 }));
    await writeFile(join(dir, 'console-no-secret.json'), JSON.stringify({ CLIENT_ID: 'abc', API_KEY: 'abc' }));
  });
  after(async () => {
    await proxy.close();
    await emu.close();
  });

  test(`the corpus has at least 40 cases (${CASES.length})`, () => {
    assert.ok(CASES.length >= 40);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const home = await tempHome();
      if (!c.fresh) await cp(base, home, { recursive: true });
      const world: World = { emu, proxy, home, dir };
      await c.setup?.(world);
      answer = c.answer;
      try {
        const env = cliEnv(emu.env, home, typeof c.env === 'function' ? c.env(world) : c.env);
        const argv = typeof c.argv === 'function' ? c.argv(world) : c.argv;
        const files = await snapshot(home);
        const counts = resources(emu);

        // --json: exactly the error document on stdout.
        const json = await runCli([...argv, '--json'], env);
        const context = `${argv.join(' ')} --json → exit ${json.exitCode}\nstdout: ${json.stdout.slice(0, 2000)}\nstderr: ${json.stderr.slice(-2000)}`;
        assert.equal(json.exitCode, c.exit, context);
        const doc = json.json();
        assert.deepEqual(Object.keys(doc), ['error'], context);
        const { error } = doc;
        assert.ok(
          Object.keys(error).every((key) => ['message', 'code', 'hint', 'status', 'requestId'].includes(key)),
          context,
        );
        assert.equal(typeof error.code, 'string', `a machine code: ${context}`);
        assert.equal(typeof error.message, 'string');
        assert.match(error.message, c.message, context);
        assert.doesNotMatch(error.message, /Internal error|\n/, 'one paragraph, not a bug report');
        assert.equal(typeof error.hint, 'string', `a hint: ${context}`);
        assert.doesNotMatch(error.hint, /\n/);
        if (c.hint) assert.match(error.hint, c.hint, context);
        if (error.status !== undefined) assert.equal(typeof error.status, 'number');
        assert.doesNotMatch(json.stdout + json.stderr, /\n\s+at /, 'no stack trace without --debug');

        // Human: the same paragraph and hint on stderr, nothing on stdout.
        const human = await runCli(argv, env);
        assert.equal(human.exitCode, c.exit, human.stderr);
        assert.equal(human.stdout, '');
        // (Not always the same text as the --json run: concurrent lookups may fail in another order.)
        const lines = human.stderr.split('\n');
        const at = lines.findLastIndex((line) => line.startsWith('Error: '));
        assert.ok(at >= 0, `an 'Error:' line:\n${human.stderr}`);
        assert.match(lines[at], c.message);
        assert.match(lines[at + 1], /^Hint: \S/, `a 'Hint:' line right after:\n${human.stderr}`);
        if (c.hint) assert.match(lines[at + 1], c.hint);
        assert.ok(!json.stderr.includes('Error: '), 'with --json the error is printed once, on stdout');
        assert.doesNotMatch(human.stderr, /\n\s+at /);

        // Nothing created, nothing lost or rewritten.
        assert.deepEqual(resources(emu), counts, 'no resource created or deleted');
        assert.deepEqual(await snapshot(home), files, 'every file under AEP_ZOHO_HOME unchanged');
      } finally {
        answer = undefined;
        c.cleanup?.(world);
      }
    });
  }

  test('--debug adds the stack trace (and only then)', async () => {
    const env = cliEnv(emu.env, await tempHome(), { AEP_PLATFORM_URL: 'notaurl' });
    const plain = await runCli(['explore'], env);
    const debug = await runCli(['explore', '--debug'], env);
    assert.equal(debug.exitCode, 2);
    assert.doesNotMatch(plain.stderr, /\n\s+at /);
    assert.match(debug.stderr, /UsageError: AEP_PLATFORM_URL is not a valid URL[\s\S]*\n\s+at /);
  });
});
