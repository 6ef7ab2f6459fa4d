// The composition root (src/cli/services.ts, gh's Factory): only src/cli/ touches `process` and
// `console`, reads the settings, and builds the clients; everything else gets them from the context
// (ctx.services(), ctx.env, ctx.io, ctx.now). That is what lets tests run commands in-process, side
// by side, each with its own environment, streams and clock.
//
// `process` and `console` are found as esbuild finds globals (esbuild is what tsx runs these tests
// with): `define` replaces only free references to the global, so a comment, a string
// ('api-console.zoho.com'), a property (`o.process`) or a parameter named `process` is not one.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/**
 * Not checked: src/cli/, the composition root and the one place that knows the process; and
 * src/emulator/, a program of its own (the server `aep-zoho emulator` starts, or a test hosts) that
 * imports nothing of the CLI (imports.test.ts): what it does with its process (process.pid in the
 * inlet's xactionId, as Adobe's carry a process's number) cannot reach a command's run.
 */
const EXEMPT = [/^cli\//, /^emulator\//];
const checked = files(SRC)
  .map((file) => relative(SRC, file))
  .filter((file) => !EXEMPT.some((exempt) => exempt.test(file)));

const MARK = { process: '__AEP_ZOHO_PROCESS__', console: '__AEP_ZOHO_CONSOLE__' };

/** An import of node:process or node:console (the module is the global by another name). */
const IMPORT = /(?:from\s*|import\s*\(?\s*)['"](?:node:)?(?:process|console)['"]/;

/** Every use of the global `process` or `console`, or an import of their modules, as `file: text`. */
export function processUses(file: string, source: string): string[] {
  const imports = source.split('\n').filter((line) => IMPORT.test(line));
  const { code } = transformSync(source, {
    loader: 'ts',
    define: {
      process: MARK.process,
      console: MARK.console,
      'globalThis.process': MARK.process,
      'globalThis.console': MARK.console,
    },
  });
  const globals = code.split('\n').filter((line) => line.includes(MARK.process) || line.includes(MARK.console));
  return [...imports, ...globals].map(
    (line) => `${file}: ${line.trim().replaceAll(MARK.process, 'process').replaceAll(MARK.console, 'console')}`,
  );
}

test('only src/cli/ touches process and console', () => {
  const found = checked.flatMap((file) => processUses(file, readFileSync(join(SRC, file), 'utf8')));
  assert.deepEqual(found, []);
});

test('the scanner finds the globals, and only them (so the rule above can fail)', () => {
  const source = [
    '// process.env in a comment',
    "const url = 'https://api-console.zoho.com';",
    'function f(process: { pid: number }) { return process.pid; }',
    'const o = { process: 1 }; o.process;',
    'export const home = process.env.HOME;',
    'console.log(url);',
    'globalThis.process.exitCode = 1;',
    "import { argv } from 'node:process';",
  ].join('\n');
  assert.deepEqual(processUses('x.ts', source), [
    "x.ts: import { argv } from 'node:process';",
    'x.ts: export const home = process.env.HOME;',
    'x.ts: console.log(url);',
    'x.ts: process.exitCode = 1;',
  ]);
  assert.ok(
    processUses('cli/context.ts', readFileSync(join(SRC, 'cli/context.ts'), 'utf8')).length > 0,
    'cli/context.ts reads the process',
  );
});

/** Reading the settings and building a client: the composition root's work alone. */
const BUILDS = [/\bloadSettings\(/, /\bZohoCrm\.open\(/, /\bnew (ImsAuth|Platform|InletClient)\(/];

test('only src/cli/ reads the settings and builds the clients; the rest asks ctx.services()', () => {
  const found = checked
    .filter((file) => file !== 'config/settings.ts') // where loadSettings is defined
    .flatMap((file) =>
      readFileSync(join(SRC, file), 'utf8')
        .split('\n')
        .map((line, i) => ({ line: line.trim(), at: `${file}:${i + 1}` }))
        .filter(({ line }) => !line.startsWith('//') && !line.startsWith('*') && BUILDS.some((b) => b.test(line)))
        .map(({ line, at }) => `${at}: ${line}`),
    );
  assert.deepEqual(found, []);
  const root = readFileSync(join(SRC, 'cli/services.ts'), 'utf8');
  assert.ok(
    BUILDS.every((build) => build.test(root)),
    'cli/services.ts builds them all',
  );
});
