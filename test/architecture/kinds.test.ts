// The kinds table: every Kind has its file under src/converge/kinds/, and every file there is the
// spec registered for its kind (the `satisfies Record<Kind, KindSpec>` in kinds/index.ts is the
// compile-time half: a kind missing from the table, or a piece missing from a kind, does not build).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KINDS } from '../../src/converge/kinds/index.ts';

const DIR = fileURLToPath(new URL('../../src/converge/kinds/', import.meta.url));
const TYPES = fileURLToPath(new URL('../../src/converge/types.ts', import.meta.url));

/** The members of `type Kind = | 'a' | 'b' …` as types.ts declares them. */
function declaredKinds(): string[] {
  const union = /export type Kind =([^;]+);/.exec(readFileSync(TYPES, 'utf8'))?.[1] ?? '';
  return [...union.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
}

const kindFiles = () =>
  readdirSync(DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();

test('every Kind has one file in src/converge/kinds/, and every file there is a Kind', () => {
  const kinds = declaredKinds();
  assert.ok(kinds.length >= 10, `read only ${kinds.length} kinds from types.ts`);
  assert.deepEqual(kindFiles(), kinds);
  assert.deepEqual(Object.keys(KINDS).sort(), kinds);
});

test("every kind file's spec is the one registered for its kind", async () => {
  for (const file of kindFiles()) {
    const module = await import(pathToFileURL(`${DIR}${file}.ts`).href);
    const specs = Object.values(module).filter(
      (value) => !!value && typeof value === 'object' && 'label' in value && 'retire' in value,
    );
    assert.equal(specs.length, 1, `${file}.ts exports ${specs.length} kind specs, not one`);
    assert.equal(specs[0], KINDS[file as keyof typeof KINDS], `${file}.ts is not what kinds/index.ts registers`);
  }
});
