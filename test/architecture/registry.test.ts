// The registry (src/cli/registry.ts) lists each command's name and description so that help and
// completion need not import the 22 command modules; what it says must be what each module says.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isGroup, registry, type CommandEntry } from '../../src/cli/registry.js';

const COMMANDS = fileURLToPath(new URL('../../src/commands/', import.meta.url));

const entries: Array<[string, CommandEntry]> = registry.flatMap((entry) =>
  isGroup(entry)
    ? entry.subcommands.map((sub): [string, CommandEntry] => [`${entry.command.split(' ')[0]} ${sub.command}`, sub])
    : [[entry.command, entry]],
);

test("every registry entry's command and description are its module's", async () => {
  const wrong: string[] = [];
  for (const [name, entry] of entries) {
    const def = await entry.load();
    if (def.command !== entry.command) wrong.push(`${name}: the module says command '${def.command}'`);
    if (def.describe !== entry.describe)
      wrong.push(
        `${name}: the module describes it as ${JSON.stringify(def.describe)}, the registry as ${JSON.stringify(entry.describe)}`,
      );
    if (typeof def.run !== 'function') wrong.push(`${name}: the module has no run()`);
  }
  assert.deepEqual(wrong, []);
});

test('every command module is in the registry, once', async () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  // A command module defines a command (defineCommand); helpers beside them (dataflow/history.ts) do not.
  const modules = files(COMMANDS).filter((file) => /defineCommand[<(]/.test(readFileSync(file, 'utf8')));
  const defs = await Promise.all(entries.map(([, entry]) => entry.load()));
  assert.equal(new Set(defs).size, defs.length, 'two entries load the same command');
  const loaded = new Set<unknown>(defs);
  for (const file of modules) {
    const exported = Object.values((await import(file)) as Record<string, unknown>).filter(
      (value) => typeof value === 'object' && value !== null && 'run' in value && 'command' in value,
    );
    assert.ok(exported.length, `${relative(COMMANDS, file)} exports no command`);
    for (const def of exported)
      assert.ok(
        loaded.has(def),
        `${relative(COMMANDS, file)}: '${(def as { command: string }).command}' is not in the registry`,
      );
  }
});
