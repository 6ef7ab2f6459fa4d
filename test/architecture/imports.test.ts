// The layering rules, checked on the import statements themselves so they survive refactors:
// the emulator stands alone, command files stay cheap to load, and lower layers never reach up.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

interface Import {
  from: string;
  specifier: string;
  typeOnly: boolean;
  dynamic: boolean;
}

function imports(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm))
    found.push({ from: file, specifier: m[3], typeOnly: !!m[2], dynamic: false });
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm))
    found.push({ from: file, specifier: m[1], typeOnly: false, dynamic: false });
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g))
    found.push({ from: file, specifier: m[1], typeOnly: false, dynamic: true });
  return found;
}

/** The src/ folder an import lands in ('core', 'tasks', …), or undefined for packages and node:*. */
function layer(i: Import): string | undefined {
  if (!i.specifier.startsWith('.')) return undefined;
  return relative(SRC, resolve(dirname(i.from), i.specifier)).split('/')[0];
}

const all = files(SRC).flatMap(imports);
const under = (folder: string) => all.filter((i) => relative(SRC, i.from).startsWith(`${folder}/`));

test('the emulator imports only node:* and its own files', () => {
  const bad = under('emulator').filter((i) => !i.specifier.startsWith('node:') && layer(i) !== 'emulator');
  assert.deepEqual(
    bad.map((i) => `${relative(SRC, i.from)} → ${i.specifier}`),
    [],
  );
});

test('command files load only core/ (and types) at top level; the rest inside run()', () => {
  const bad = under('commands').filter((i) => !i.dynamic && !i.typeOnly && layer(i) !== 'core');
  assert.deepEqual(
    bad.map((i) => `${relative(SRC, i.from)} → ${i.specifier}`),
    [],
  );
});

test('commands never reach into cli/ (they get what they need through Context and Ui)', () => {
  const bad = under('commands').filter((i) => layer(i) === 'cli');
  assert.deepEqual(
    bad.map((i) => `${relative(SRC, i.from)} → ${i.specifier}`),
    [],
  );
});

test('lower layers never import upwards', () => {
  const above: Record<string, string[]> = {
    core: ['cli', 'commands', 'tasks', 'converge', 'aep', 'auth', 'config', 'http', 'zoho', 'template', 'emulator'],
    http: ['cli', 'commands', 'tasks', 'converge', 'aep', 'auth', 'config', 'zoho', 'template', 'emulator'],
    aep: ['cli', 'commands', 'tasks', 'converge', 'emulator'],
    auth: ['cli', 'commands', 'tasks', 'converge', 'emulator'],
    config: ['cli', 'commands', 'tasks', 'converge', 'emulator'],
    template: ['cli', 'commands', 'tasks', 'converge', 'emulator'],
    zoho: ['cli', 'commands', 'tasks', 'converge', 'emulator'],
    converge: ['cli', 'commands', 'tasks', 'emulator'],
    tasks: ['cli', 'commands', 'emulator'],
  };
  const bad = Object.entries(above).flatMap(([folder, forbidden]) =>
    under(folder)
      .filter((i) => !i.typeOnly && forbidden.includes(layer(i) ?? ''))
      .map((i) => `${relative(SRC, i.from)} → ${i.specifier}`),
  );
  assert.deepEqual(bad, []);
});

test('the start-up path imports no heavy module', () => {
  // cli/table.ts is itself loaded with import() when a table is drawn, so its cli-table3 import is not on the path.
  const startup = [
    ...under('cli').filter((i) => !i.from.endsWith('table.ts')),
    ...under('commands'),
    ...under('core'),
  ].filter((i) => !i.dynamic && !i.typeOnly);
  const heavy = ['got', 'listr2', '@adobe/aio-lib-ims', 'ajv', 'cli-table3', 'chalk', 'fastest-levenshtein'];
  const bad = startup.filter((i) => heavy.some((name) => i.specifier === name || i.specifier.startsWith(`${name}/`)));
  assert.deepEqual(
    bad.map((i) => `${relative(SRC, i.from)} → ${i.specifier}`),
    [],
  );
});

test('the scanner sees the imports it checks (so the rules above can fail)', () => {
  assert.ok(under('emulator').some((i) => i.specifier.startsWith('node:')));
  assert.ok(under('commands').some((i) => i.dynamic && layer(i) === 'tasks'));
  assert.ok(under('tasks').some((i) => !i.typeOnly && layer(i) === 'aep'));
  assert.ok(under('cli').some((i) => layer(i) === 'commands'));
});

test('requests are built only in aep/ (each endpoint once) and written only by the one executor', () => {
  const sources = files(SRC).filter((file) => !relative(SRC, file).startsWith('emulator/'));
  // IMS (auth/) and Zoho (zoho/) are their own services' request layers.
  const builds = sources.filter(
    (file) =>
      !/^(aep|http|auth|zoho)\//.test(relative(SRC, file)) &&
      /method:\s*'(GET|POST|PUT|PATCH|DELETE)'/.test(readFileSync(file, 'utf8')),
  );
  assert.deepEqual(
    builds.map((file) => relative(SRC, file)),
    [],
  );
  // Writes go through converge/apply.ts; tasks only read (GETs) or hand steps to it.
  const writers = sources.filter(
    (file) =>
      /\.(create|patch|put|delete|action|createDescriptor|putDescriptor)\(/.test(readFileSync(file, 'utf8')) &&
      /platform\.send\(/.test(readFileSync(file, 'utf8')) &&
      /^tasks\//.test(relative(SRC, file)),
  );
  assert.deepEqual(
    writers.map((file) => relative(SRC, file)),
    ['tasks/flows.ts'],
    'only dataflow enable/disable sends a write outside the executor',
  );
});
