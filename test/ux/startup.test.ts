// Start-up loads heavy modules only where they are used (issue 24.14): `templates list` reads no
// ajv (only validation needs it), `--version` neither yargs nor the command list. Asserted on what
// Node loads (NODE_DEBUG=module names every CommonJS file it loads), not on timings; the times
// are `npm run bench`'s.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { BIN } from '../helpers/cli.js';

const ACCOUNTS = fileURLToPath(new URL('../../templates/accounts.json', import.meta.url));

function loaded(args: string[]): { stdout: string; modules: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, NODE_DEBUG: 'module', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  return { stdout: r.stdout, modules: r.stderr };
}

test('templates list loads no ajv; templates validate does (the check can fail)', () => {
  const list = loaded(['templates', 'list']);
  assert.match(list.stdout, /accounts/);
  assert.doesNotMatch(list.modules, /node_modules\/ajv\//);
  assert.match(loaded(['templates', 'validate', ACCOUNTS]).modules, /node_modules\/ajv\//);
});

test('--version loads neither yargs nor the commands; --help does', () => {
  const version = loaded(['--version']);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  assert.doesNotMatch(version.modules, /node_modules\/yargs\//);
  assert.match(loaded(['--help']).modules, /node_modules\/yargs\//);
});
