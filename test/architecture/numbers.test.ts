// The code keeps itself readable (issue 19): outside the emulator, a file is at most 450 lines and
// hardly a line is over 160 characters (long messages are written with `para`, or live in
// src/core/hints.ts). A failure lists the offenders, so the fix starts from the message.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const MAX_LINE = 160;
const MAX_LONG_LINES = 20;
const MAX_FILE_LINES = 450;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every .ts file under src/ but the emulator's, with its lines (a final newline ends the last line). */
const sources = files(SRC)
  .map((file) => relative(SRC, file).split('\\').join('/'))
  .filter((file) => !file.startsWith('emulator/'))
  .sort()
  .map((file) => {
    const text = readFileSync(join(SRC, file), 'utf8');
    return { file: `src/${file}`, lines: text.replace(/\n$/, '').split('\n') };
  });

/** Characters as an editor counts them (code points, not UTF-16 units). */
const width = (line: string) => [...line].length;

test(`at most ${MAX_LONG_LINES} lines over ${MAX_LINE} characters in src/ outside the emulator`, () => {
  const perFile = sources
    .map(({ file, lines }) => ({
      file,
      at: lines.flatMap((line, i) => (width(line) > MAX_LINE ? [i + 1] : [])),
    }))
    .filter(({ at }) => at.length)
    .sort((a, b) => b.at.length - a.at.length || a.file.localeCompare(b.file));
  const total = perFile.reduce((sum, { at }) => sum + at.length, 0);
  assert.ok(
    total <= MAX_LONG_LINES,
    `${total} lines over ${MAX_LINE} characters (at most ${MAX_LONG_LINES}); write long messages with para ` +
      `(src/core/text.ts) or in src/core/hints.ts, and let the formatter break code:\n` +
      perFile
        .map(({ file, at }) => `  ${at.length} ${file}: line${at.length > 1 ? 's' : ''} ${at.join(', ')}`)
        .join('\n'),
  );
});

test(`no file in src/ outside the emulator is over ${MAX_FILE_LINES} lines`, () => {
  const long = sources
    .filter(({ lines }) => lines.length > MAX_FILE_LINES)
    .sort((a, b) => b.lines.length - a.lines.length)
    .map(({ file, lines }) => `${file}: ${lines.length} lines`);
  assert.deepEqual(long, [], `files over ${MAX_FILE_LINES} lines: split them by what they do`);
});

test('the counts see the code (so the rules above can fail)', () => {
  assert.ok(sources.length > 50, `only ${sources.length} source files found under ${SRC}`);
  assert.ok(
    sources.some(({ file }) => file === 'src/core/text.ts'),
    'src/core/text.ts is among the files counted',
  );
  assert.ok(!sources.some(({ file }) => file.startsWith('src/emulator/')), 'the emulator is left out');
  const longest = Math.max(...sources.map(({ lines }) => lines.length));
  assert.ok(longest > 100, `the longest file has ${longest} lines: the files were not read`);
  assert.equal(width('é'.repeat(MAX_LINE + 1)), MAX_LINE + 1);
});
