// argv to a command and its arguments, with yargs: the global options, the commands from the
// registry (the modules of those argv names only), help with examples, and completion's answers.
// The top-level help and a group's are drawn by cli/help.ts without loading yargs.
import type { Argv } from 'yargs';
import type { CommandDef } from '../core/command.js';
import { UsageError } from '../core/errors.js';
import { EPILOGUE, GLOBAL_OPTIONS, quickHelp, USAGE } from './help.js';
import { GLOBALS, isAlias, loadedDef, loadNamed, lookup, nameOf, optionKeys, parser } from './known.js';
import { type CommandEntry, type GroupEntry, isGroup, registry } from './registry.js';
import { usageError } from './usage.js';
import { VERSION } from './version.js';

type Env = Record<string, string | undefined>;

export interface Parsed {
  def?: CommandDef;
  args?: Record<string, any>;
  /** Text yargs produced instead of running a command (--help, --version, completions). */
  output?: string;
  /** The words that name the command, e.g. ['dataflow', 'create']. */
  path?: string[];
}

/** The global options that take a value (`--profile=x` is one word). */
const VALUED_GLOBALS = new Set(['--profile', '--sandbox']);

/** `aep-zoho help dataflow create` is `aep-zoho dataflow create --help`; no command at all is --help. */
function normaliseArgv(rawArgv: string[]): string[] {
  // yargs reads a lone `-` as a positional word; `--grant-token -` means "the value is stdin".
  const argv = rawArgv.flatMap((arg, i) =>
    arg === '-' && rawArgv[i - 1]?.startsWith('--')
      ? []
      : rawArgv[i + 1] === '-' && arg.startsWith('--') && !arg.includes('=')
        ? [`${arg}=-`]
        : [arg],
  );
  if (argv[0] === 'help') return [...argv.slice(1), '--help'];
  // `aep-zoho --profile staging` names no command: the word after a global option is its value.
  const words = argv.filter((arg, i) => !arg.startsWith('-') && !VALUED_GLOBALS.has(argv[i - 1]));
  if (!words.length && !argv.some((arg) => ['--help', '-h', '--version', '--get-yargs-completions'].includes(arg)))
    return [...argv, '--help'];
  return argv;
}

/**
 * Parses without running: the seam for flag-validation tests. Throws UsageError on bad usage.
 * `as`: how the user runs the tool, the name help's usage lines and examples give it. The top-level
 * help and a group's are drawn without yargs (cli/help.ts), the same text.
 */
export async function parseArgs(rawArgv: string[], env: Env = {}, columns = 80, as = 'aep-zoho'): Promise<Parsed> {
  const argv = normaliseArgv(rawArgv);
  const help = quickHelp(argv, env, Math.min(columns, 110), as);
  return help === undefined ? parseWithYargs(rawArgv, env, columns, as) : { output: withExamples(help, argv, as) };
}

/** parseArgs() with yargs for every argv, help included (test/ux/help-layout.test.ts compares the two). */
export async function parseWithYargs(rawArgv: string[], env: Env = {}, columns = 80, as = 'aep-zoho'): Promise<Parsed> {
  const argv = normaliseArgv(rawArgv);
  await loadNamed(argv.filter((arg) => !arg.startsWith('-')));
  const parsed: Parsed = {};
  let answer: Answer = { resolve: () => {}, reject: () => {} };
  const answered = new Promise<string[]>((resolve, reject) => (answer = { resolve, reject }));
  const y = configure(argv, env, columns, as, answer);
  for (const entry of registry) {
    if (isGroup(entry)) registerGroup(y, entry, parsed, as);
    else registerCommand(y, entry, parsed, [nameOf(entry)]);
  }
  if (argv[0] === '--get-yargs-completions') {
    // Asked by a completion script: the candidates, one a line, from the completion function
    // configure() gives yargs. Its answer is taken from there, not from getCompletion's callback:
    // words that name a command send yargs through that command's builder, where it prints the
    // answer itself and never calls the callback (the run would end with exit code 13).
    y.getCompletion(argv.slice(1), (error) => error && answer.reject(error));
    return { output: (await answered).join('\n') };
  }
  const output = await new Promise<string>((resolve, reject) => {
    y.parse(argv, {}, (error, _argv, text) => (error ? reject(error) : resolve(text)));
  }).catch((error: Error) => {
    throw error instanceof UsageError ? error : new UsageError(error.message);
  });
  if (parsed.def && parsed.args) {
    normaliseRepeats(parsed.args, parsed.def.lists ?? []);
    return parsed;
  }
  parsed.output ??= output;
  if (parsed.output && argv.some((arg) => arg === '--help' || arg === '-h'))
    parsed.output = withExamples(parsed.output, argv, as);
  return parsed;
}

/** The options every command takes (the `Global options:` block of every help). */
function globalOptions(y: Argv<any>, env: Env): Argv<any> {
  for (const { name, alias, type, describe, default: value } of GLOBAL_OPTIONS)
    y.option(name, {
      ...(alias ? { alias } : {}),
      type,
      ...(value ? { default: value(env) } : {}),
      describe,
      global: true,
    });
  return y.group(GLOBALS, 'Global options:');
}

/** Where the completion function sends its candidates. */
interface Answer {
  resolve(candidates: string[]): void;
  reject(error: unknown): void;
}

/** The parser for argv, without the commands: usage, global options, completion, help, version, errors. */
function configure(argv: string[], env: Env, columns: number, as: string, answer: Answer): Argv<any> {
  return (
    globalOptions(parser()(argv).scriptName(as).usage(USAGE), env)
      // yargs answers `--get-yargs-completions <words>` (what the completion scripts ask); the script
      // itself comes from the `completion` command. The hidden name keeps yargs' own script out of the way.
      .completion('__yargs-completion', false, ((
        current: string,
        _argv: unknown,
        defaults: (then: (error: Error | null, candidates?: string[]) => void) => void,
        _done: unknown,
      ) => {
        import('./complete.js')
          .then(({ complete }) =>
            defaults((_error, candidates) =>
              complete(argv.slice(2), current, candidates ?? [], env).then(answer.resolve, answer.reject),
            ),
          )
          .catch(answer.reject);
      }) as any)
      .recommendCommands()
      .strict()
      .version(VERSION)
      .help()
      .alias('help', 'h')
      .wrap(Math.min(columns, 110))
      .epilogue(EPILOGUE)
      .exitProcess(false)
      .fail((message, error) => {
        throw error && !message ? error : usageError(message ?? String(error), argv);
      })
  );
}

/** Repeated options: lists add up (`--template a --template b,c`), anything else takes the last value (gh, terraform). */
function normaliseRepeats(args: Record<string, any>, lists: string[]): void {
  const listKeys = new Set(
    lists.flatMap((name) => [name, name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())]),
  );
  for (const [key, value] of Object.entries(args)) {
    if (key === '_') continue;
    if (listKeys.has(key)) {
      if (value !== undefined)
        args[key] = [value]
          .flat()
          .flatMap((item) => String(item).split(','))
          .map((item) => item.trim())
          .filter(Boolean);
    } else if (Array.isArray(value)) {
      args[key] = value.at(-1);
    }
  }
}

/**
 * Examples after the options, one per paragraph: a comment saying what it does, then the command
 * whole on its own line (never squeezed into a column), so it can be copied.
 */
function withExamples(help: string, argv: string[], as: string): string {
  const { group, def } = lookup(argv.filter((arg) => !arg.startsWith('-')));
  const examples = def?.examples ?? group?.examples ?? [];
  if (!examples.length) return help;
  const block = examples.map(([command, what]) => `  # ${what}\n  ${command.replace(/\$0/g, as)}`).join('\n\n');
  return `${help.trimEnd()}\n\nExamples:\n${block}`;
}

function registerCommand(y: Argv<any>, entry: CommandEntry, parsed: Parsed, path: string[]): void {
  const def = loadedDef(entry);
  y.command(
    entry.command,
    entry.describe,
    (builder) => {
      // Never reached: argv names every command yargs runs, so loadNamed() loaded it.
      if (!def) throw new Error(`The module of 'aep-zoho ${path.join(' ')}' was not loaded.`);
      const built = def.builder ? def.builder(builder) : builder;
      // The command's own options first, the global block after them. Not an alias (`-o` beside
      // `--output`) nor a positional (`<flow>`): yargs would list each of those a second time.
      const positionals = [...entry.command.matchAll(/[<[]([\w-]+)/g)].map((m) => m[1]);
      const own = optionKeys(built).filter(
        (key) => !GLOBALS.includes(key) && !positionals.includes(key) && !isAlias(built, key),
      );
      return built.group(own, 'Options:').group(GLOBALS, 'Global options:');
    },
    (args) => {
      parsed.def = def;
      parsed.args = args;
      parsed.path = path;
    },
  );
}

function registerGroup(y: Argv<any>, group: GroupEntry, parsed: Parsed, as: string): void {
  let self: Argv<any> | undefined;
  y.command(
    nameOf(group),
    group.describe,
    (builder) => {
      self = builder;
      for (const sub of group.subcommands) registerCommand(builder, sub, parsed, [nameOf(group), nameOf(sub)]);
      return builder;
    },
    // `aep-zoho dataflow` alone: the group's help, exit 0 (gh, terraform).
    () => {
      self?.showHelp((text: string) => (parsed.output = withExamples(text, [nameOf(group)], as)));
    },
  );
}
