// `aep-zoho --help` and a group's help are drawn without yargs (src/cli/help.ts, issue 24.14): the
// text must be yargs' own, byte for byte, at every width, for either name of the tool, and with a
// profile from the environment. Compared here with what yargs draws for the same argv.
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { quickHelp } from '../../src/cli/help.js';
import { parseArgs, parseWithYargs } from '../../src/cli/parse.js';
import { isGroup, registry } from '../../src/cli/registry.js';
import { nameOf } from '../../src/cli/known.js';
import { spawnCli } from '../helpers/cli.js';

const GROUPS = registry.filter((entry) => 'subcommands' in entry).map((entry) => entry.command.split(' ')[0]);

/** Runs `fn` with these locale variables (yargs reads them from process.env), then restores them. */
async function withLocale<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const names = ['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const name of names) delete process.env[name];
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}

async function same(argv: string[], columns: number, as = 'aep-zoho', env: Record<string, string> = {}) {
  // As cli/parse.ts normalises them: `help x` is `x --help`, nothing at all is --help.
  const normalised = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv.length ? argv : ['--help'];
  const quick = quickHelp(normalised, env, Math.min(columns, 110), as);
  assert.ok(quick !== undefined, `${argv.join(' ')} is drawn without yargs`);
  const [ours, theirs] = [await parseArgs(argv, env, columns, as), await parseWithYargs(argv, env, columns, as)];
  assert.equal(ours.output, theirs.output, `${as} ${argv.join(' ')} at ${columns} columns`);
}

test('the top-level help is yargs’ own at every width from 1 to 200 columns', async () => {
  await withLocale({ LANG: 'C.UTF-8' }, async () => {
    for (let columns = 1; columns <= 200; columns++) await same(['--help'], columns);
  });
});

test("every group's help is yargs' own (widths 1 to 120), with --help and alone", async () => {
  await withLocale({ LANG: 'en_US.UTF-8' }, async () => {
    for (const group of GROUPS) {
      for (let columns = 1; columns <= 120; columns++) await same([group, '--help'], columns);
      await same([group], 80);
    }
  });
});

test('the other ways to ask, the npx name and a profile from the environment', async () => {
  await withLocale({}, async () => {
    for (const columns of [20, 40, 59, 60, 79, 80, 81, 100, 110, 111, 160]) {
      for (const argv of [[], ['-h'], ['help'], ['help', 'dataflow'], ['templates']]) await same(argv, columns);
      await same(['--help'], columns, 'npx aep-zoho');
      await same(['dataflow', '--help'], columns, 'npx aep-zoho');
      await same(['--help'], columns, 'aep-zoho', { AEP_ZOHO_PROFILE: 'staging-eu' });
      await same(['auth', '--help'], columns, 'aep-zoho', { AEP_ZOHO_PROFILE: ' x ' });
    }
  });
});

test('yargs draws what it translates or what the layout cannot measure', async () => {
  await withLocale({ LANG: 'de_DE.UTF-8' }, async () => {
    assert.equal(quickHelp(['--help'], {}, 80, 'aep-zoho'), undefined);
    const { output } = await parseArgs(['--help'], {}, 80);
    assert.equal(output, (await parseWithYargs(['--help'], {}, 80)).output);
    assert.doesNotMatch(output ?? '', /^Commands:$/m, 'yargs translated its own words');
  });
  await withLocale({ LC_ALL: 'C' }, async () => {
    assert.equal(quickHelp(['--help'], { AEP_ZOHO_PROFILE: 'prod\u00e9' }, 80, 'aep-zoho'), undefined);
    assert.equal(quickHelp(['dataflow', 'create', '--help'], {}, 80, 'aep-zoho'), undefined);
    assert.equal(quickHelp(['--help', '--json'], {}, 80, 'aep-zoho'), undefined);
    assert.equal(quickHelp(['connect'], {}, 80, 'aep-zoho'), undefined);
    assert.ok(quickHelp(['--help'], {}, 80, 'aep-zoho'));
  });
});

test('the top-level and dataflow help read as they did before the help was drawn without yargs (80 columns, off a terminal)', async () => {
  // Both sides above are built from the same texts: these files, printed by the binary before
  // src/cli/help.ts existed, catch a change of wording too.
  for (const [argv, file] of [
    [['--help'], 'top-80.txt'],
    [['dataflow', '--help'], 'dataflow-80.txt'],
  ] as const) {
    const r = await spawnCli([...argv], { LANG: 'C.UTF-8' });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout + r.stderr, await readFile(new URL(`../fixtures/help/${file}`, import.meta.url), 'utf8'));
  }
});

test('global options alone name no command: `--profile staging` or `--sandbox dev` prints the help, as no words at all do', async () => {
  for (const argv of [
    ['--profile', 'staging'],
    ['--sandbox', 'dev'],
    ['--json', '--profile', ''],
  ]) {
    const [alone, asked] = [
      await spawnCli(argv, { LANG: 'C.UTF-8' }),
      await spawnCli([...argv, '--help'], { LANG: 'C.UTF-8' }),
    ];
    assert.equal(alone.exitCode, 0, argv.join(' '));
    assert.match(alone.stdout + alone.stderr, /^Commands:$/m, argv.join(' '));
    assert.equal(alone.stdout + alone.stderr, asked.stdout + asked.stderr, argv.join(' '));
  }
});

test("every command's help lists each option once, and its arguments only under Positionals", async () => {
  const commands = registry.flatMap((entry) =>
    isGroup(entry) ? entry.subcommands.map((sub) => [nameOf(entry), sub.command]) : [[entry.command]],
  );
  assert.ok(commands.length >= 20, `${commands.length} commands`);
  for (const words of commands) {
    const argv = [...words.slice(0, -1), nameOf({ command: words.at(-1)! }), '--help'];
    const { output } = await parseArgs(argv, {}, 80, 'aep-zoho');
    const options = /\nOptions:\n([\s\S]*?)\n\n/.exec(`${output}\n\n`)?.[1] ?? '';
    // Each flag of an option line, aliases too: a line indented less than the descriptions' column.
    const rows = options.split('\n');
    const column = Math.min(
      ...rows.map((row) => /^( +-\S.*? {2,})\S/.exec(row)?.[1].length ?? Number.POSITIVE_INFINITY),
    );
    const flags = rows
      .filter((row) => /^ +-/.test(row) && row.search(/\S/) < column)
      .flatMap((row) =>
        [
          ...row
            .trim()
            .split(/ {2,}/)[0]
            .matchAll(/--[\w-]+/g),
        ].map((f) => f[0]),
      );
    assert.deepEqual(flags, [...new Set(flags)], `${argv.join(' ')}: an option listed twice\n${output}`);
    for (const positional of [...words.at(-1)!.matchAll(/[<[]([\w-]+)/g)].map((m) => m[1]))
      assert.ok(
        !flags.includes(`--${positional}`),
        `${argv.join(' ')}: <${positional}> listed under Options\n${output}`,
      );
  }
});
