// The README's commands, run as written: the emulator section through a real shell and `npx`, as
// a user pastes it after `npm install`; the walk-through "From zero to a running dataflow" through
// the real binary. Only what a real org supplies is swapped in: the Developer Console file, the
// grant code from the consent redirect, and the servers' URLs.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { emulator } from '../helpers/emulator.js';
import { spawnCli, tempHome } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function readmeSection(title: string, next: string): Promise<string> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  return readme.slice(readme.indexOf(title), readme.indexOf(next, readme.indexOf(title) + title.length));
}

/** The command lines of a section's code blocks, comments dropped. */
const commandLines = (section: string) =>
  section
    .split('\n')
    .map((line) => line.trim().replace(/\s+#.*$/, ''))
    .filter((line) => line.startsWith('npx aep-zoho '));

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** A fresh login-less shell: only PATH and a home of its own, in the project folder (as after npm install). */
function shell(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-e', '-c', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the emulator section, pasted into two shells: npx aep-zoho emulator prints the export block, and the commands after it succeed', async () => {
  const section = await readmeSection('## The emulator', '## Development');
  const [start, ...after] = commandLines(section);
  assert.equal(start, 'npx aep-zoho emulator --port 4010');
  assert.ok(after.length >= 3, `commands after the emulator: ${after.join('; ')}`);
  const port = await freePort(); // 4010 may be taken on a shared machine; nothing else is changed
  const home = await tempHome();
  // Its own process group, so that Ctrl-C (SIGINT to the group) reaches npx and the CLI as in a terminal.
  const first = spawn('bash', ['--noprofile', '--norc', '-c', start.replace('4010', String(port))], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, AEP_ZOHO_HOME: home },
    detached: true,
  });
  try {
    const printed = await new Promise<string>((resolve, reject) => {
      let out = '';
      first.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        if (/^# Ctrl-C/m.test(out)) resolve(out);
      });
      first.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
    });
    assert.match(printed, new RegExp(`^aep-zoho emulator listening on http://127\\.0\\.0\\.1:${port}$`, 'm'));
    const exports = printed.split('\n').filter((line) => line.startsWith('export '));
    for (const name of [
      'AEP_PLATFORM_URL',
      'AEP_IMS_URL',
      'ZOHO_ACCOUNTS_URL',
      'AEP_CLIENT_ID',
      'AEP_CLIENT_SECRET',
      'AEP_ORG_ID',
      'ZOHO_CLIENT_ID',
      'ZOHO_CLIENT_SECRET',
      'ZOHO_ACCESS_TOKEN',
      'ZOHO_REFRESH_TOKEN',
    ]) {
      assert.ok(
        exports.some((line) => line.startsWith(`export ${name}=`)),
        `exports ${name}`,
      );
    }
    // The second shell: the pasted block, then the README's commands, each of which must exit 0.
    const second = await shell([...exports, ...after].join('\n'), { AEP_ZOHO_HOME: home });
    assert.equal(second.code, 0, `${second.stdout}\n${second.stderr}`);
    assert.match(second.stdout, /Created base connection/);
    assert.match(second.stdout, /✔ Run .* succeeded/);
  } finally {
    process.kill(-first.pid!, 'SIGINT');
  }
});

test('without the export block, connect names every missing credential at once, Adobe and Zoho together', async () => {
  const emu = await emulator();
  try {
    const r = await shell('npx aep-zoho connect', { AEP_ZOHO_HOME: await tempHome(), ...emu.env });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error: Adobe credentials are missing .*AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID\. Zoho credentials are missing .*ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_ACCESS_TOKEN, ZOHO_REFRESH_TOKEN\.$/m,
    );
    assert.equal(r.stderr.match(/^Error:/gm)?.length, 1, 'one error, not one after the other');
    assert.equal(emu.exchanges.length, 0, 'nothing sent');
  } finally {
    await emu.close();
  }
});

test("the README walk-through's commands run, in order, through the binary, and end with a successful run", async () => {
  const commands = commandLines(await readmeSection('## From zero to a running dataflow', '## Day two')).map((line) =>
    line.split(/\s+/).slice(2),
  );
  assert.ok(commands.length >= 10, `found ${commands.length} commands`);
  const emu = await emulator({ runDurationMs: 50 });
  try {
    const home = await tempHome();
    const credential = join(home, 'credential.json');
    await writeFile(
      credential,
      JSON.stringify({
        CLIENT_ID: 'readme-client',
        CLIENT_SECRETS: ['readme-secret-0001'],
        ORG_ID: 'README000000000000000000@AdobeOrg',
        SCOPES: ['openid', 'AdobeID', 'read_organizations'],
      }),
    );
    // Step 3's `export`: the Zoho client; the URLs point at the emulator (ZOHO_ACCOUNTS_URL beats --region).
    const env = {
      PATH: process.env.PATH,
      AEP_ZOHO_HOME: home,
      ...emu.env,
      ZOHO_CLIENT_ID: '1000.README',
      ZOHO_CLIENT_SECRET: 'readme-zoho-secret',
    };
    let authorizeUrl = '';
    for (const command of commands) {
      const argv = command.map((arg) => (arg === '~/Downloads/credential.json' ? credential : arg));
      let stdin: string | undefined;
      if (command[0] === 'zoho' && command[1] === 'token') {
        // What the user does with the printed URL: consent, then paste the address Zoho redirects to
        // at the hidden prompt (here on stdin: the test has no terminal).
        const consent = await fetch(authorizeUrl, { redirect: 'manual' });
        stdin = consent.headers.get('location')!;
        argv.push('--grant-token', '-');
      }
      const r = await spawnCli([...argv, '--json'], env, { stdin });
      assert.equal(r.exitCode, 0, `aep-zoho ${command.join(' ')}\n${r.stdout}${r.stderr}`);
      if (command[0] === 'zoho' && command[1] === 'authorize-url') authorizeUrl = r.json().url;
      if (command[0] === 'dataflow' && command[1] === 'runs') assert.equal(r.json().watched.status, 'success');
    }
    assert.equal(emu.state.flows.size, 1);
    const exchange = emu.exchanges.find((e) => e.path === '/oauth/v2/token')!;
    assert.equal(
      (exchange.body as Record<string, string>).redirect_uri,
      'https://example.com/callback',
      'the redirect URI authorize-url was given',
    );
  } finally {
    await emu.close();
  }
});
