// Start-up loads heavy modules only where they are used (issue 24.14): `templates list` reads no
// ajv (only validation needs it), `--version` neither yargs nor the command list, `--help` neither
// yargs nor a command module, a command only its own. Asserted on what Node loads (NODE_DEBUG=module names
// every CommonJS file it loads; a module hook every ES module), not on timings; the times are
// `npm run bench`'s.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { BIN } from '../helpers/cli.js';

const ACCOUNTS = fileURLToPath(new URL('../../templates/accounts.json', import.meta.url));

// Names every ES module file Node loads on stderr (`ESM file:///…`), from the hooks' own thread.
const LOADER = `export async function load(url, context, next) {
  if (url.startsWith('file:')) (await import('node:fs')).writeSync(2, 'ESM ' + url + '\\n');
  return next(url, context);
}`;
const HOOK = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(LOADER)}`)});`,
)}`;

function loaded(args: string[]): { stdout: string; modules: string } {
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    env: { PATH: process.env.PATH, NODE_DEBUG: 'module', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  return { stdout: r.stdout, modules: r.stderr };
}

test('templates list loads no ajv, jsonc-parser or fastest-levenshtein; templates validate loads ajv (the check can fail)', () => {
  const list = loaded(['templates', 'list']);
  assert.match(list.stdout, /accounts/);
  assert.doesNotMatch(list.modules, /node_modules\/(ajv|jsonc-parser|fastest-levenshtein)\//);
  assert.match(loaded(['templates', 'validate', ACCOUNTS]).modules, /node_modules\/ajv\//);
});

test("--version loads neither yargs nor the commands; --help and a group's help no yargs; a command's --help does", () => {
  const version = loaded(['--version']);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  assert.doesNotMatch(version.modules, /node_modules\/yargs\//);
  // Drawn by cli/help.ts, the same text as yargs' (test/ux/help-layout.test.ts).
  const help = loaded(['--help']);
  assert.match(help.stdout, /^Commands:$/m);
  assert.doesNotMatch(help.modules, /node_modules\/yargs\//);
  assert.doesNotMatch(loaded(['dataflow']).modules, /node_modules\/yargs\//);
  assert.match(loaded(['dataflow', 'create', '--help']).modules, /node_modules\/yargs\//);
});

/** The command modules (dist/commands/…) a run loaded, e.g. ['dataflow/create']. */
const commandModules = (modules: string) =>
  [...modules.matchAll(/^ESM file:\/\/.*\/dist\/commands\/(.+)\.js$/gm)].map((m) => m[1]).sort();

test('--help loads no command module; a command (or its --help) loads its own only', () => {
  const help = loaded(['--help']);
  assert.match(help.modules, /dist\/cli\/registry\.js/, 'the hook sees the ES modules (so this test can fail)');
  assert.deepEqual(commandModules(help.modules), []);
  assert.deepEqual(commandModules(loaded(['dataflow', '--help']).modules), []);
  assert.deepEqual(commandModules(loaded(['dataflow', 'create', '--help']).modules), ['dataflow/create']);
  assert.deepEqual(commandModules(loaded(['templates', 'list']).modules), ['templates/list']);
  // An option's value that names a command loads that one too (cheap), and the right one runs.
  const list = loaded(['--profile', 'doctor', 'templates', 'list']);
  assert.match(list.stdout, /accounts/);
  assert.deepEqual(commandModules(list.modules), ['doctor', 'templates/list']);
});
