// Every rule the code cites resolves inside the repository: `ruling N` is a numbered ruling in
// docs/aep-api.md, and `aep-*.md §N` a section heading of that note in docs/.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = join(ROOT, 'docs');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : /\.(ts|js)$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

const sources = ['src', 'test', 'scripts'].flatMap((dir) => files(join(ROOT, dir)));
const note = (name: string) => readFileSync(join(DOCS, name), 'utf8');

/** The numbers of the rulings listed in aep-api.md's "Rulings for this project". */
function rulings(): Set<string> {
  const text = note('aep-api.md');
  const section = text.slice(text.indexOf('## Rulings'), text.indexOf('\n## ', text.indexOf('## Rulings') + 1));
  return new Set([...section.matchAll(/^(\d+)\. /gm)].map((m) => m[1]));
}

/** The section numbers of a note's headings (`## 3.`, `### 3.2 …`), and `0.N` for the Nth headline finding. */
function sections(name: string): Set<string> {
  const text = note(name);
  const found = new Set([...text.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)].map((m) => m[1]));
  const headline = text.match(/^## 0\. [^\n]*\n([\s\S]*?)^## /m)?.[1] ?? '';
  for (const m of headline.matchAll(/^(\d+)\. /gm)) found.add(`0.${m[1]}`);
  return found;
}

test('every "ruling N" a comment cites is in docs/aep-api.md', () => {
  const known = rulings();
  assert.ok(known.size >= 19, `found only ${known.size} rulings`);
  const missing = sources.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\b[Rr]uling (\d+)\b/g)]
      .filter((m) => !known.has(m[1]))
      .map((m) => `${relative(ROOT, file)}: ruling ${m[1]}`),
  );
  assert.deepEqual(missing, []);
});

test('every "aep-*.md §N" a comment cites is a section of that note in docs/', () => {
  const notes = new Map(['aep-api.md', 'aep-updates.md', 'aep-fallback.md'].map((n) => [n, sections(n)]));
  const missing: string[] = [];
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(aep-(?:api|updates|fallback)\.md)((?:,? ?§ ?\d+(?:\.\d+)*)+)/g)) {
      for (const s of m[2].matchAll(/\d+(?:\.\d+)*/g))
        if (!notes.get(m[1])!.has(s[0])) missing.push(`${relative(ROOT, file)}: ${m[1]} §${s[0]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('no comment sends the reader outside the repository for a rule', () => {
  const outside = sources.filter((file) => /\.\.\/shared\/aep-/.test(readFileSync(file, 'utf8')));
  assert.deepEqual(
    outside.map((f) => relative(ROOT, f)),
    [],
  );
});
