// The real binary, end to end: the emulator command a user starts by hand, --help/--version,
// completion, and init from a Developer Console download followed by commands that use it.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BIN, SECRETS, cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';

const CONTRACT_COMMANDS = [
  'init',
  'zoho authorize-url',
  'zoho token',
  'allowlist',
  'auth status',
  'connect',
  'explore',
  'dataflow create',
  'dataflow list',
  'dataflow status',
  'dataflow runs',
  'dataflow run',
  'templates list',
  'templates show',
  'templates validate',
  'templates init',
  'destroy',
  'doctor',
  'emulator',
  'completion',
];

describe('aep-zoho emulator', () => {
  test('prints the contract line once it listens, serves the CLI, and stops on SIGINT with 130', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const match = /^aep-zoho emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
      });
      const env = cliEnv({ AEP_PLATFORM_URL: url, AEP_IMS_URL: url, ZOHO_ACCOUNTS_URL: url }, await tempHome());
      const r = await spawnCli(['connect', '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.json().created, true);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      assert.equal(await exited, 130);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a port in use is a usage error with a hint', async () => {
    const emu = await emulator();
    try {
      const r = await spawnCli(['emulator', '--port', String(emu.port), '--json'], {});
      assert.equal(r.exitCode, 2);
      assert.match(r.json().error.message, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${emu.port}`));
      assert.match(r.json().error.hint, /another --port/);
    } finally {
      await emu.close();
    }
  });
});

describe('help, version and completion', () => {
  test('--version is the package version; --help lists every command of the contract, each with examples', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const version = await spawnCli(['--version'], {});
    assert.equal(version.stdout.trim(), pkg.version);
    const help = await spawnCli(['--help'], {});
    assert.equal(help.exitCode, 0);
    for (const group of ['zoho', 'auth', 'dataflow', 'templates'])
      assert.match(help.stdout, new RegExp(`^  aep-zoho ${group} `, 'm'));
    for (const command of CONTRACT_COMMANDS) {
      const r = await runCli([...command.split(' '), '--help'], {});
      assert.equal(r.exitCode, 0, command);
      if (command === 'completion') continue; // yargs' own command: a plain usage line
      assert.match(r.stdout, /Examples:/, `${command} --help has examples`);
      for (const option of ['--profile', '--sandbox', '--json', '--debug', '--yes'])
        assert.ok(r.stdout.includes(option), `${command} --help lists ${option}`);
    }
  });

  test('completion prints a shell completion script', async () => {
    const r = await spawnCli(['completion'], {});
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /aep-zoho/);
    assert.match(r.stdout, /complete -o/);
  });
});

describe('init', () => {
  test('--from-console reads the CLIENT_SECRETS array, says which keys it read, and later commands use the profile', async () => {
    const emu = await emulator();
    try {
      const home = await tempHome();
      const file = join(home, 'credential.json');
      await writeFile(
        file,
        JSON.stringify({
          CLIENT_ID: 'console-client',
          CLIENT_SECRETS: [SECRETS.AEP_CLIENT_SECRET, 'older-secret'],
          ORG_ID: 'ABC123@AdobeOrg',
          SCOPES: ['openid', 'AdobeID'],
          TECHNICAL_ACCOUNT_ID: 'x@techacct.adobe.com',
        }),
      );
      const env = { PATH: process.env.PATH, AEP_ZOHO_HOME: home, ...emu.env };
      const r = await runCli(['init', '--from-console', file, '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.deepEqual(r.json().readKeys, ['CLIENT_SECRETS', 'SCOPES', 'CLIENT_ID', 'ORG_ID']);
      assert.equal(r.json().aep.clientSecret, true);
      assert.equal((await stat(join(home, 'credentials.json'))).mode & 0o777, 0o600);
      const human = await runCli(['init', '--from-console', file], env);
      assert.match(human.stdout, /Read CLIENT_SECRETS, SCOPES, CLIENT_ID, ORG_ID from the Developer Console file/);

      const status = await runCli(['auth', 'status', '--json'], env);
      assert.equal(status.exitCode, 0, status.stderr);
      assert.deepEqual(
        { org: status.json().orgId, client: status.json().clientId },
        { org: 'ABC123@AdobeOrg', client: 'console-client' },
      );
      const token = emu.exchanges.find((e) => e.path === '/ims/token/v2')!;
      assert.equal((token.body as Record<string, string>).client_secret, SECRETS.AEP_CLIENT_SECRET);
      assert.equal((token.body as Record<string, string>).scope, 'openid,AdobeID');
      assert.ok(!status.stdout.includes(SECRETS.AEP_CLIENT_SECRET));
    } finally {
      await emu.close();
    }
  });

  test('a single CLIENT_SECRET and the flag form work; without a terminal, what is missing is named', async () => {
    const home = await tempHome();
    const file = join(home, 'single.json');
    await writeFile(
      file,
      JSON.stringify({ CLIENT_ID: 'c2', CLIENT_SECRET: 'single-secret-value', ORG_ID: 'DEF456@AdobeOrg' }),
    );
    const env = { AEP_ZOHO_HOME: home };
    const single = await runCli(['init', '--from-console', file, '--profile', 'single', '--json'], env);
    assert.equal(single.exitCode, 0, single.stderr);
    assert.ok(single.json().readKeys.includes('CLIENT_SECRET'));
    const missing = await runCli(['init', '--client-id', 'abc', '--profile', 'flags', '--json'], env);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.json().error.message, /missing AEP_CLIENT_SECRET, --org-id \(or AEP_ORG_ID\)/);
    const flags = await runCli(
      ['init', '--client-id', 'abc', '--org-id', 'GHI789@AdobeOrg', '--profile', 'flags', '--json'],
      { ...env, AEP_CLIENT_SECRET: 'flag-form-secret' },
    );
    assert.equal(flags.exitCode, 0, flags.stderr);
    const store = JSON.parse(await readFile(join(home, 'credentials.json'), 'utf8'));
    assert.deepEqual(Object.keys(store.profiles).sort(), ['flags', 'single']);
    assert.equal(store.profiles.flags.aep.clientSecret, 'flag-form-secret');
  });
});
