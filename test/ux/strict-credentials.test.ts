// `aep-zoho emulator --strict-credentials` refuses what the real services refuse (issue 24.13): a
// grant token Zoho's accounts server never issued (invalid_code), and a Platform call whose org is
// not the credential's (the gateway's 403025 "Profile is not valid"). Through the real binary: the
// emulator as a child process, the CLI pointed at it with the variables it prints.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, spawnCli, tempHome } from '../helpers/cli.js';

async function strictEmulator(t: { after(fn: () => unknown): void }): Promise<Record<string, string>> {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--strict-credentials', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH },
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.after(async () => {
    child.kill('SIGINT');
    await exited;
  });
  let stdout = '';
  const started = await new Promise<{ env: Record<string, string> }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      try {
        resolve(JSON.parse(stdout));
      } catch {
        /* not whole yet */
      }
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${stdout}`)));
  });
  return started.env;
}

test('strict: a made-up grant token is invalid_code, and nothing is stored', async (t) => {
  const emuEnv = await strictEmulator(t);
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH, AEP_ZOHO_HOME: home, NO_COLOR: '1', ...emuEnv };
  const madeUp = `1000.${'0123456789abcdef'.repeat(2)}.${'fedcba9876543210'.repeat(2)}`;
  const r = await spawnCli(['zoho', 'token', '--grant-token', madeUp], env);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /Zoho rejected the grant token \(invalid_code\)/);
  const file = join(home, 'credentials.json');
  assert.ok(!existsSync(file) || !/refresh/i.test(await readFile(file, 'utf8')), 'no Zoho token stored');
});

test('strict: an org id that is not the credential org is refused by the Platform gateway, with a fix', async (t) => {
  const emuEnv = await strictEmulator(t);
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH, AEP_ZOHO_HOME: home, NO_COLOR: '1', ...emuEnv };
  const wrong = await spawnCli(['doctor', '--json'], { ...env, AEP_ORG_ID: '0123456789ABCDEF01234567@AdobeOrg' });
  assert.equal(wrong.exitCode, 1, wrong.stdout);
  const check = wrong.json().checks.find((c: any) => c.name === 'Org and sandbox');
  assert.equal(check.status, 'fail', JSON.stringify(check));
  assert.match(check.detail, /403025/);
  assert.match(check.fix, /org id is not the credential's organization: set AEP_ORG_ID/);

  const right = await spawnCli(['doctor', '--json'], env);
  const ok = right.json().checks.find((c: any) => c.name === 'Org and sandbox');
  assert.equal(ok.status, 'pass', JSON.stringify(ok));
});
