// The CLI's entry: parses argv with yargs, runs the chosen command with a Context, prints its
// result, and maps every error to the contract's output and exit code. Nothing else exits.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import type { CommandDef, CommandGroup } from '../core/command.js';
import type { Context, GlobalFlags, Io } from '../core/context.js';
import { ApiError, CancelledError, NetworkError, UsageError, UserError, isUserError } from '../core/errors.js';
import { carryFlags, invokedAs, type HintFlags } from '../core/hint.js';
import { redact } from '../core/redact.js';
import { createContext, processIo } from './context.js';
import { makeUi, printResult } from './output.js';
import type { registry as Registry } from './registry.js';

export interface MainOptions {
  io?: Io;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** The path the bin was started by (default process.argv[1]): hints say `npx aep-zoho` when it was npx. */
  argv1?: string;
}

type Env = Record<string, string | undefined>;

// yargs 17's CommonJS build loads in a third of the time of its ESM build (one file, lazily
// compiled): the biggest single cost of `aep-zoho --help`. Loaded when argv is parsed, with the
// command list, so that `--version` needs neither.
let yargs: typeof import('yargs/yargs');
let registry: typeof Registry;
async function loadParser(): Promise<void> {
  yargs ??= createRequire(import.meta.url)('yargs/yargs') as typeof import('yargs/yargs');
  registry ??= (await import('./registry.js')).registry;
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The options every command takes, in the order help lists them. */
const GLOBALS = ['profile', 'sandbox', 'json', 'quiet', 'debug', 'yes', 'help', 'version'];

interface Parsed {
  def?: CommandDef;
  args?: Record<string, any>;
  /** Text yargs produced instead of running a command (--help, --version, completions). */
  output?: string;
  /** The words that name the command, e.g. ['dataflow', 'create']. */
  path?: string[];
}

const nameOf = (entry: CommandDef | CommandGroup) => entry.command.split(' ')[0];
const isGroup = (entry: CommandDef | CommandGroup): entry is CommandGroup => 'subcommands' in entry;

/** The command (or group) the words name, as far as they go. */
function lookup(words: string[]): { group?: CommandGroup; def?: CommandDef; path: string[] } {
  const first = registry.find((entry) => nameOf(entry) === words[0]);
  if (!first) return { path: [] };
  if (!isGroup(first)) return { def: first, path: [words[0]] };
  const def = first.subcommands.find((sub) => nameOf(sub) === words[1]);
  return { group: first, def, path: def ? [words[0], words[1]] : [words[0]] };
}

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
  if (
    !argv.some((arg) => !arg.startsWith('-')) &&
    !argv.some((arg) => ['--help', '-h', '--version', '--get-yargs-completions'].includes(arg))
  )
    return [...argv, '--help'];
  return argv;
}

/**
 * Parses without running: the seam for flag-validation tests. Throws UsageError on bad usage.
 * `as`: how the user runs the tool, the name help's usage lines and examples give it.
 */
export async function parseArgs(rawArgv: string[], env: Env = {}, columns = 80, as = 'aep-zoho'): Promise<Parsed> {
  await loadParser();
  const argv = normaliseArgv(rawArgv);
  const parsed: Parsed = {};
  const y = yargs(argv)
    .scriptName(as)
    .usage(
      '$0 <command> [options]\n\nProvision a Zoho CRM source in Adobe Experience Platform: connect, explore, and create scheduled dataflows from templates.',
    )
    .option('profile', {
      type: 'string',
      default: env.AEP_ZOHO_PROFILE?.trim() || 'default',
      describe: 'Profile of stored credentials and state (AEP_ZOHO_PROFILE)',
      global: true,
    })
    .option('sandbox', {
      type: 'string',
      describe: 'Experience Platform sandbox (AEP_SANDBOX; default prod)',
      global: true,
    })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'Print one JSON document on stdout (progress stays on stderr)',
      global: true,
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      describe: 'No progress and no notes; only results, warnings and errors',
      global: true,
    })
    .option('debug', {
      type: 'boolean',
      default: false,
      describe: 'Log each request and show stack traces (secrets are always masked)',
      global: true,
    })
    .option('yes', {
      alias: 'y',
      type: 'boolean',
      default: false,
      describe: 'Answer yes to confirmations',
      global: true,
    })
    .group(GLOBALS, 'Global options:')
    // yargs answers `--get-yargs-completions <words>` (what the completion scripts ask); the script
    // itself comes from the `completion` command. The hidden name keeps yargs' own script out of the way.
    .completion('__yargs-completion', false, (async (
      current: string,
      _argv: unknown,
      defaults: (then: (error: Error | null, candidates?: string[]) => void) => void,
      done: (candidates: string[]) => void,
    ) => {
      const { complete } = await import('./complete.js');
      defaults((_error, candidates) => void complete(argv.slice(2), current, candidates ?? [], env).then(done));
    }) as any)
    .recommendCommands()
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(columns, 110))
    .epilogue(
      'Exit codes: 0 success, 1 operation failed, 2 bad usage or input, 3 a dry run with --exit-code plans changes, 130 interrupted.\nDocs: README.md, https://experienceleague.adobe.com/docs/experience-platform/sources/connectors/crm/zoho.html',
    )
    .exitProcess(false)
    .fail((message, error) => {
      throw error && !message ? error : usageError(message ?? String(error), argv);
    });

  for (const entry of registry) {
    if (isGroup(entry)) registerGroup(y, entry, parsed, as);
    else registerCommand(y, entry, parsed, [nameOf(entry)]);
  }

  if (argv[0] === '--get-yargs-completions') {
    // Asked by a completion script: the candidates, one a line (yargs answers these asynchronously).
    const candidates = await new Promise<string[]>((resolve, reject) =>
      y.getCompletion(argv.slice(1), (error, found) => (error ? reject(error) : resolve([...(found ?? [])]))),
    );
    return { output: candidates.join('\n') };
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

/** yargs' messages, made specific: an unknown word is an unknown command, with a suggestion. */
function usageError(message: string, argv: string[]): UsageError {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const { group, def, path } = lookup(words);
  const command = path.join(' ');
  const help = `Run 'aep-zoho ${command ? `${command} ` : ''}--help' for its options.`;
  const flag = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1].split(', ');
  const suggested = /^Did you mean (.+)\?$/.exec(message)?.[1];
  const commands = registry.map(nameOf);

  // Words after the command's name that are not option values: a stray positional argument.
  const strays = words
    .slice(path.length)
    .filter((word) => !argv.some((arg, i) => arg.startsWith('-') && argv[i + 1] === word && !arg.includes('=')));
  if (suggested && group)
    return new UsageError(`Unknown subcommand '${words[1]}' for 'aep-zoho ${words[0]}'.`, {
      hint: `Did you mean 'aep-zoho ${words[0]} ${suggested}'? 'aep-zoho ${words[0]} --help' lists them.`,
    });
  if (suggested)
    return new UsageError(`Unknown command '${words.find((word) => !commands.includes(word)) ?? ''}'.`, {
      hint: `Did you mean 'aep-zoho ${suggested}'? 'aep-zoho --help' lists the commands.`,
    });
  if (unknown && words[0] && !path.length) {
    const near = nearest(words[0], commands);
    return new UsageError(`Unknown command '${words[0]}'.`, {
      hint: `${near ? `Did you mean 'aep-zoho ${near}'? ` : ''}'aep-zoho --help' lists the commands.`,
    });
  }
  if (unknown && group && !def && words[1]) {
    const subs = group.subcommands.map(nameOf);
    const near = nearest(words[1], subs);
    return new UsageError(`Unknown subcommand '${words[1]}' for 'aep-zoho ${words[0]}'.`, {
      hint: `${near ? `Did you mean 'aep-zoho ${words[0]} ${near}'? ` : ''}The subcommands are ${subs.join(', ')} ('aep-zoho ${words[0]} --help' describes them).`,
    });
  }
  if (unknown) {
    const flags = unknown.filter((name) => argv.some((arg) => arg === flag(name) || arg.startsWith(`${flag(name)}=`)));
    // yargs names an unknown --dry-rn twice (dry-rn, dryRn): the camelCase copy is no stray word.
    const extra = unknown.filter((name) => !flags.includes(name) && !flags.some((f) => camel(f) === name));
    if (extra.length && def) return strayArgument(def, command, extra, help);
    const known = def ? optionNames(def) : GLOBALS;
    const near = flags.length === 1 ? nearest(flags[0], known) : undefined;
    return new UsageError(
      `Unknown option${flags.length > 1 ? 's' : ''} ${flags.map(flag).join(', ')}${command ? ` for 'aep-zoho ${command}'` : ''}.`,
      {
        hint: near ? `Did you mean --${near}? ${help}` : help,
      },
    );
  }
  const choice = /^Invalid values:\s*Argument: (\S+), Given: (.+), Choices: (.+)$/s.exec(message);
  if (choice)
    return new UsageError(`Invalid value ${choice[2].trim()} for --${choice[1]}.`, {
      hint: `Use one of ${choice[3].trim()}.`,
    });
  if (/^Not enough non-option arguments/.test(message)) {
    const needs = def?.command.match(/<[^>]+>/g);
    if (def && needs)
      return new UsageError(`'aep-zoho ${command}' needs ${needs.join(' ')}.`, {
        hint: `For example: ${def.examples[0]?.[0].replace('$0', 'aep-zoho') ?? `aep-zoho ${def.command}`}. ${help}`,
      });
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(message)?.[1].split(', ');
  // yargs checks required options before unknown ones: `--tempalte accounts` is a typo of the
  // option it says is missing, and the typo is what to name.
  const typos = def ? unknownFlags(argv, optionNames(def)) : [];
  if (missing && typos.length) {
    const near = typos.map((typo) => nearest(typo, [...missing, ...optionNames(def!)]));
    const meant = near.every(Boolean) ? `Did you mean ${near.map((n) => `--${n}`).join(', ')}? ` : '';
    return new UsageError(
      `Unknown option${typos.length > 1 ? 's' : ''} ${typos.map(flag).join(', ')} for 'aep-zoho ${command}'.`,
      { hint: `${meant}${help}` },
    );
  }
  if (missing && def?.positionalOption && missing.includes(def.positionalOption) && strays.length)
    return strayArgument(def, command, strays, help);
  if (missing)
    return new UsageError(
      `Missing required option${missing.length > 1 ? 's' : ''} ${missing.map(flag).join(', ')}${command ? ` for 'aep-zoho ${command}'` : ''}.`,
      { hint: help },
    );
  return new UsageError(message.replace(/\s*\n\s*/g, ' '), { hint: help });
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The --options in argv that the command does not take (`--no-x` is x), as typed. */
function unknownFlags(argv: string[], known: string[]): string[] {
  const names = new Set([...known, ...known.map(camel), 'h', 'q', 'y', 'help', 'version']);
  return argv
    .filter((arg) => arg.startsWith('--') && arg.length > 2)
    .map((arg) => arg.slice(2).split('=')[0])
    .filter((name) => !names.has(name) && !names.has(name.replace(/^no-/, '')));
}

/** `dataflow create accounts`: the word is most likely the value of the command's main option. */
function strayArgument(def: CommandDef, command: string, strays: string[], help: string): UsageError {
  const as = def.positionalOption;
  return new UsageError(`'aep-zoho ${command}' takes no argument '${strays[0]}'.`, {
    hint: as ? `Did you mean 'aep-zoho ${command} --${as} ${strays.join(',')}'? ${help}` : help,
  });
}

/** The closest name by edit distance, if it is close enough to be what was meant. */
function nearest(word: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = editDistance(word.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best !== undefined &&
    (bestDistance <= Math.max(2, Math.floor(best.length / 3)) || best.startsWith(word) || word.startsWith(best))
    ? best
    : undefined;
}

/** Levenshtein distance: fastest-levenshtein, loaded only when a usage error needs a suggestion (not at start-up). */
function editDistance(a: string, b: string): number {
  return (createRequire(import.meta.url)('fastest-levenshtein') as typeof import('fastest-levenshtein')).distance(a, b);
}

/** A command's own options and the global ones, as typed (kebab-case). */
function optionNames(def: CommandDef): string[] {
  const probe = yargs([]);
  const built = def.builder ? def.builder(probe) : probe;
  return [
    ...Object.keys((built as any).getOptions().key as Record<string, unknown>).filter(
      (key) => !/[A-Z]/.test(key) && key !== 'help' && key !== 'version',
    ),
    ...GLOBALS,
  ];
}

function registerCommand(y: Argv<any>, def: CommandDef, parsed: Parsed, path: string[]): void {
  y.command(
    def.command,
    def.describe,
    (builder) => {
      const built = def.builder ? def.builder(builder) : builder;
      // The command's own options first, the global block after them.
      const own = Object.keys((built as any).getOptions().key as Record<string, unknown>).filter(
        (key) => !GLOBALS.includes(key) && key !== 'y' && key !== 'q' && key !== 'h',
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

function registerGroup(y: Argv<any>, group: CommandGroup, parsed: Parsed, as: string): void {
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

/** The --profile and --sandbox given on the command line, which hints must carry, and the tool's name as run. */
function hintFlagsOf(argv: string[], flags: GlobalFlags | undefined, as: string): HintFlags {
  const given = (name: string) => argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  return {
    as,
    ...(given('profile') && flags ? { profile: flags.profile } : {}),
    ...(given('sandbox') && flags?.sandbox ? { sandbox: flags.sandbox } : {}),
  };
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const io = options.io ?? processIo(env);
  const signal = options.signal ?? new AbortController().signal;
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const as = invokedAs(options.argv1 ?? process.argv[1], env);
  let flags: GlobalFlags | undefined;
  let parsed: Parsed | undefined;
  // `--version` alone (or with --json) is answered before the parser and the commands load.
  if (argv.includes('--version') && argv.every((arg) => arg === '--version' || arg === '--json')) {
    io.stdout.write(json ? `${JSON.stringify({ version: VERSION })}\n` : `${VERSION}\n`);
    return 0;
  }
  try {
    parsed = await parseArgs(argv, env, io.columns, as);
    if (!parsed.def) {
      if (parsed.output !== undefined)
        io.stdout.write(
          json && argv.includes('--version')
            ? `${JSON.stringify({ version: VERSION })}\n`
            : // Help: the commands its descriptions name, as the user runs the tool.
              `${carryFlags(parsed.output, { as })}\n`,
        );
      return 0;
    }
    const args = parsed.args!;
    flags = globalFlags(args);
    const ctx = createContext(
      flags,
      io,
      env,
      signal,
      hintFlagsOf(argv, flags, as),
      ['aep-zoho', ...(args._ as unknown[]).map(String)].join(' '),
    );
    const result = await runCommand(parsed.def, args, ctx);
    if (signal.aborted) throw interrupted(parsed, args);
    const human = parsed.def.human;
    // A result may fail without throwing (doctor, runs --watch): it carries its exit code, which is
    // not printed, and the contract's `error` object on stdout.
    // Exit code 3 (a dry run with --exit-code that plans changes) is a finding, not a failure.
    const { exitCode = 0, ...printed } = (result ?? {}) as { exitCode?: number; error?: unknown };
    if (exitCode !== 0 && exitCode !== 3)
      printed.error ??= { message: `aep-zoho ${parsed.def.command.split(' ')[0]} failed.` };
    const ui = makeUi(io, { env, quiet: flags.quiet, hintFlags: hintFlagsOf(argv, flags, as) });
    await printResult(
      io,
      flags.json,
      result === undefined ? undefined : printed,
      human ? (u) => human(result, u, args) : undefined,
      ui,
    );
    return exitCode;
  } catch (error) {
    const reported = signal.aborted ? interrupted(parsed, parsed?.args) : error;
    return reportError(reported, { io, env, json, debug, flags, hintFlags: hintFlagsOf(argv, flags, as) });
  }
}

/** Runs the command, holding the lock of its profile and sandbox when it writes. */
async function runCommand(def: CommandDef, args: Record<string, any>, ctx: Context): Promise<unknown> {
  if (!def.writes) return def.run(args, ctx);
  const { lockCommand } = await import('../config/settings.js');
  const release = await lockCommand(ctx);
  try {
    return await def.run(args, ctx);
  } finally {
    await release();
  }
}

/** The global flags, checked: an empty --profile or --sandbox is a mistake, not the default. */
function globalFlags(args: Record<string, any>): GlobalFlags {
  for (const name of ['profile', 'sandbox']) {
    if (args[name] !== undefined && !String(args[name]).trim()) {
      throw new UsageError(`--${name} is empty.`, {
        hint:
          name === 'profile'
            ? "Name a profile (letters, digits, dot, dash, underscore), or leave out --profile for 'default'."
            : 'Name a sandbox (e.g. prod or dev-1), or leave out --sandbox for AEP_SANDBOX, else prod.',
      });
    }
  }
  const flags: GlobalFlags = {
    profile: String(args.profile).trim(),
    sandbox: args.sandbox?.trim() || undefined,
    json: !!args.json,
    quiet: !!args.quiet,
    debug: !!args.debug,
    yes: !!args.yes,
  };
  if (!/^[A-Za-z0-9_.-]+$/.test(flags.profile)) {
    throw new UsageError(`Invalid profile name '${flags.profile}'.`, {
      hint: 'Use letters, digits, dot, dash and underscore.',
    });
  }
  return flags;
}

/** Ctrl-C: the command's own words for it (the emulator stops, a watch ends) or the default. */
function interrupted(parsed: Parsed | undefined, args: Record<string, any> | undefined): CancelledError {
  const own = parsed?.def?.interrupted?.(args ?? {});
  if (!own) return new CancelledError();
  return Object.assign(new CancelledError(own.message, own.hint ?? ''), { printed: own.json === false });
}

/** A machine code for every error: Adobe's when it gave one, else the kind of failure. */
function errorCode(error: unknown): string {
  if (!isUserError(error)) return 'INTERNAL';
  if (error.code) return error.code;
  if (error instanceof CancelledError) return 'CANCELLED';
  if (error instanceof UsageError) return 'USAGE';
  if (error instanceof NetworkError) return 'NETWORK';
  if (error instanceof ApiError) return 'API';
  return 'FAILED';
}

/** Adobe answers an unknown sandbox with FLOW-2100-404 from every service: one message for it everywhere. */
function sandboxNotFound(error: UserError, env: Env, flags: GlobalFlags | undefined): UserError {
  // The sandbox that was sent, which the HTTP layer's hint names; else what this run asked for.
  const name =
    /\('([a-z0-9-]+)'\)/.exec(error.hint ?? '')?.[1] ??
    /[Ss]andbox '([a-z0-9-]+)'/.exec(error.message)?.[1] ??
    flags?.sandbox ??
    (env.AEP_SANDBOX?.trim() || 'prod');
  return new UserError(`Sandbox '${name}' not found in this organization.`, {
    hint: "Pass --sandbox (or set AEP_SANDBOX) to one of your organization's sandboxes, as the Experience Platform UI lists them (aep-zoho doctor --sandbox <name> checks one).",
    status: error.status,
    requestId: error.requestId,
    code: error.code,
  });
}

interface ReportOptions {
  io: Io;
  env: Env;
  json: boolean;
  debug: boolean;
  flags?: GlobalFlags;
  hintFlags: HintFlags;
}

/** The single place errors become output and exit codes (gh's cmd.go, wrangler's handleError). */
function reportError(raw: unknown, { io, env, json, debug, flags, hintFlags }: ReportOptions): number {
  const error = isUserError(raw) && raw.code === 'FLOW-2100-404' ? sandboxNotFound(raw, env, flags) : raw;
  const known = isUserError(error);
  const exitCode = known ? error.exitCode : 1;
  const message = carryFlags(
    known ? error.message : `Internal error: ${(error as Error)?.message ?? String(error)}`,
    hintFlags,
  );
  const rawHint = known
    ? (error.hint ??
      (error instanceof UsageError ? "Run 'aep-zoho --help' (or '<command> --help') for usage." : undefined))
    : 'This is a bug in aep-zoho. Re-run with --debug and report the output (secrets are masked).';
  const hint = rawHint ? carryFlags(rawHint, hintFlags) : undefined;
  const ui = makeUi(io, { env }, 'stderr');
  if (json && (error as { printed?: boolean }).printed) {
    // The command's one JSON document is out already (the emulator's): Ctrl-C adds nothing.
  } else if (json) {
    // Printed once: the JSON document is the whole report.
    const body = {
      error: {
        message,
        code: errorCode(error),
        ...(hint ? { hint } : {}),
        ...(known && error.status ? { status: error.status } : {}),
        ...(known && error.requestId ? { requestId: error.requestId } : {}),
      },
    };
    io.stdout.write(`${redact(JSON.stringify(body, null, 2))}\n`);
  } else {
    ui.line(`${ui.red('Error:')} ${message}`);
    if (hint) ui.line(`${ui.dim('Hint:')} ${hint}`);
    if (known && error.requestId) ui.line(ui.dim(`Request id: ${error.requestId}`));
  }
  if (debug && error instanceof Error && error.stack) ui.line(ui.dim(error.stack));
  return exitCode;
}
