// A path (`--via zoho-source|http-api`) is one object (src/paths/), chosen once where the flag is
// parsed (config/settings.ts `resolveVia`): no other file compares with a path's name, so what
// differs between the paths is answered in one place per path, not by `if`s scattered over src/.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
/** Where a path's name may be compared: the path objects, and the one place that parses --via / AEP_ZOHO_VIA. */
const ALLOWED = [/^paths\//, /^config\/settings\.ts$/, /^emulator\//];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const NAME = String.raw`['"\`](?:zoho-source|http-api)['"\`]`;
/** `=== 'http-api'`, `'zoho-source' !==`, `case 'http-api':` (with any spacing, either quote). */
const COMPARISON = new RegExp(String.raw`(?:[!=]==?\s*${NAME})|(?:${NAME}\s*[!=]==?)|(?:\bcase\s+${NAME}\s*:)`, 'g');

/** Every comparison with a path's name, as `file:line: text`. */
export function comparisons(file: string, text: string): string[] {
  const lines = text.split('\n');
  return [...text.matchAll(COMPARISON)].map((m) => {
    const line = text.slice(0, m.index).split('\n').length;
    return `${file}:${line}: ${lines[line - 1].trim()}`;
  });
}

test('no file outside src/paths/ (and the flag parser) compares with a path name', () => {
  const found = files(SRC)
    .map((file) => relative(SRC, file))
    .filter((file) => !ALLOWED.some((allowed) => allowed.test(file)))
    .flatMap((file) => comparisons(file, readFileSync(join(SRC, file), 'utf8')));
  assert.deepEqual(found, []);
});

test('the scanner finds every form of comparison (so the rule above can fail)', () => {
  const sample = [
    "if (via === 'http-api') a();",
    'if (via !== "zoho-source") b();',
    "const x = 'http-api' == via;",
    '  case `zoho-source`:',
    "const ok = ['zoho-source', 'http-api'];", // a list of names is no comparison
    "hint: 'run aep-zoho connect --via http-api'", // nor is a hint
  ].join('\n');
  assert.deepEqual(
    comparisons('sample.ts', sample).map((c) => c.split(':')[1]),
    ['1', '2', '3', '4'],
  );
});

/** Files under `folders` that import a file under `target/` at run time (not `import type`), as `file → specifier`. */
function runtimeImports(folders: string[], target: string[]): string[] {
  return files(SRC)
    .filter((file) => folders.includes(relative(SRC, file).split('/')[0]))
    .flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)]
        .filter(
          (m) => m[1].startsWith('.') && target.includes(relative(SRC, resolve(dirname(file), m[1])).split('/')[0]),
        )
        .map((m) => `${relative(SRC, file)} → ${m[1]}`),
    );
}

test('src/paths/ registers the two paths once, between converge/ and tasks/', () => {
  const index = readFileSync(join(SRC, 'paths/index.ts'), 'utf8');
  assert.match(index, /PATHS = \{ 'zoho-source': zohoSource, 'http-api': httpApi \} satisfies Record<Via, SourcePath>/);
  // Lower layers get what they need of a path passed in (types only), so they never choose one.
  assert.deepEqual(
    runtimeImports(['aep', 'auth', 'config', 'converge', 'core', 'http', 'template', 'zoho', 'sync'], ['paths']),
    [],
  );
  // A path uses services and converge's helpers; the commands' tasks use it, never the other way.
  assert.deepEqual(runtimeImports(['paths'], ['tasks', 'commands', 'cli', 'emulator']), []);
  // The scanner sees the imports it checks.
  assert.ok(runtimeImports(['tasks'], ['paths']).length > 0);
});
