// The README's first command: `npm run demo` (and `-- --via http-api`) runs the whole job against the
// embedded emulator and exits 0. The demo is the first thing a new user runs; a change that breaks it
// (a scope the emulator now checks, a renamed flag) must fail the suite, not the user.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../../scripts/demo.js', import.meta.url));

function demo(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO, ...args], {
      env: { PATH: process.env.PATH, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('npm run demo: the Zoho-source path, connect to the first run', async () => {
  const { code, output } = await demo([]);
  assert.equal(code, 0, output);
  assert.match(output, /Run [0-9a-f-]+ succeeded/);
  assert.match(output, /Demo finished\./);
});

test('npm run demo -- --via http-api: the pause (exit 75 with --no-wait), then every Accounts record sent', async () => {
  const { code, output } = await demo(['--via', 'http-api']);
  assert.equal(code, 0, output);
  assert.match(output, /accounts: [\d,]+ records read from Accounts, [\d,]+ sent to AEP/);
  assert.match(output, /Demo finished\./);
});
