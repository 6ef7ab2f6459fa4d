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

test('destroy deletes a kind before what it depends on, and a kind found within another finds that one first', async () => {
  const { DESTROY_ORDER } = await import('../../src/converge/kinds/index.ts');
  for (const [kind, spec] of Object.entries(KINDS)) {
    for (const dep of spec.dependsOn)
      assert.ok(DESTROY_ORDER.indexOf(kind as never) < DESTROY_ORDER.indexOf(dep), `${kind} is deleted after ${dep}`);
    if (spec.within)
      assert.ok(spec.within in KINDS && spec.within !== kind, `${kind} is found within '${spec.within}'`);
  }
  // A chain of `within` ends at a kind with a list of its own (no cycle).
  for (
    let [kind, seen] = ['dataset', new Set<string>()] as [string | undefined, Set<string>];
    kind;
    kind = KINDS[kind as keyof typeof KINDS].within
  ) {
    assert.ok(!seen.has(kind), `'within' cycles through ${kind}`);
    seen.add(kind);
  }
});

test('every kind names its resource: a template kind with its suffix, the base connection by profile', () => {
  // contacts: a template with an identity (the descriptor is named by it).
  const template = JSON.parse(readFileSync(new URL('../../templates/contacts.json', import.meta.url), 'utf8'));
  for (const [kind, spec] of Object.entries(KINDS)) {
    const name = spec.name({ profile: 'p', template, tenantId: 't', fallback: false });
    assert.ok(name.length > 0, `${kind} has no name`);
    if (spec.scope === 'template' && !spec.unnamed && kind !== 'mappingSet')
      assert.ok(name.endsWith(' (aep-zoho p/contacts)'), `${kind}: ${name}`);
  }
  assert.equal(KINDS.connection.name({ profile: 'p' }), 'aep-zoho p');
  assert.equal(KINDS.mappingSet.name({ profile: 'p-1', template }), 'aep_zoho_p_1_contacts');
});
