// The CLI's entry: parses argv with yargs, runs the chosen command with a Context, prints its
// result, and maps every error to the contract's output and exit code. Nothing else exits.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import type { CommandDef, CommandGroup } from '../core/command.js';
import type { Context, GlobalFlags, Io } from '../core/context.js';
import { CancelledError, UsageError, isUserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { createContext, processIo } from './context.js';
import { makeUi, printResult, useColor } from './output.js';
import { registry } from './registry.js';

export interface MainOptions {
  io?: Io;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

// yargs 17's CommonJS build loads in a third of the time of its ESM build (one file, lazily
// compiled): the biggest single cost of `aep-zoho --help`.
const yargs = createRequire(import.meta.url)('yargs/yargs') as typeof import('yargs/yargs');

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface Parsed {
  def?: CommandDef;
  args?: Record<string, any>;
  /** Text yargs produced instead of running a command (--help, --version, completion). */
  output?: string;
}

/** Parses without running: the seam for flag-validation tests. Throws UsageError on bad usage. */
export async function parseArgs(argv: string[], env: Record<string, string | undefined> = {}, columns = 80): Promise<Parsed> {
  const parsed: Parsed = {};
  const y = yargs(argv)
    .scriptName('aep-zoho')
    .usage('$0 <command> [options]\n\nProvision a Zoho CRM source in Adobe Experience Platform: connect, explore, and create scheduled dataflows from templates.')
    .option('profile', { type: 'string', default: env.AEP_ZOHO_PROFILE?.trim() || 'default', describe: 'Profile of stored credentials and state (AEP_ZOHO_PROFILE)', global: true })
    .option('sandbox', { type: 'string', describe: 'Experience Platform sandbox (AEP_SANDBOX; default prod)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document on stdout (progress stays on stderr)', global: true })
    .option('debug', { type: 'boolean', default: false, describe: 'Log each request and show stack traces (secrets are always masked)', global: true })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Answer yes to confirmations', global: true })
    .group(['profile', 'sandbox', 'json', 'debug', 'yes', 'help', 'version'], 'Global options:')
    .completion('completion', 'Print a shell completion script (bash/zsh): aep-zoho completion >> ~/.bashrc')
    .demandCommand(1, 'Name a command: aep-zoho --help lists them.')
    .recommendCommands()
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(columns, 110))
    .epilogue('Exit codes: 0 success, 1 operation failed, 2 bad usage or input, 130 interrupted.\nDocs: README.md, https://experienceleague.adobe.com/docs/experience-platform/sources/connectors/crm/zoho.html')
    .exitProcess(false)
    .fail((message, error) => {
      throw error && !message ? error : usageError(message ?? String(error), argv);
    });

  for (const entry of registry) {
    if ('subcommands' in entry) registerGroup(y, entry, parsed);
    else registerCommand(y, entry, parsed);
  }

  const output = await new Promise<string>((resolve, reject) => {
    y.parse(argv, {}, (error, _argv, text) => (error ? reject(error) : resolve(text)));
  }).catch((error: Error) => {
    throw error instanceof UsageError ? error : new UsageError(error.message);
  });
  if (!parsed.def) parsed.output = output;
  return parsed;
}

/** yargs' messages, made specific: an unknown first word is an unknown command, with a suggestion. */
function usageError(message: string, argv: string[]): UsageError {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1].split(', ');
  const commands = registry.map((entry) => entry.command.split(' ')[0]);
  const suggested = /^Did you mean (.+)\?$/.exec(message)?.[1];
  const known = new Set(registry.flatMap((entry) => [entry.command.split(' ')[0], ...('subcommands' in entry ? entry.subcommands.map((sub) => sub.command.split(' ')[0]) : [])]));
  if (suggested) return new UsageError(`Unknown command '${words.find((word) => !known.has(word)) ?? ''}'.`, { hint: `Did you mean '${suggested}'? 'aep-zoho --help' lists the commands.` });
  if (unknown && words[0] && unknown.includes(words[0]) && !commands.includes(words[0])) {
    const near = commands.filter((name) => name.startsWith(words[0].slice(0, 3)) || words[0].startsWith(name.slice(0, 3)));
    return new UsageError(`Unknown command '${words[0]}'.`, { hint: `${near.length ? `Did you mean ${near.map((n) => `'aep-zoho ${n}'`).join(' or ')}? ` : ''}'aep-zoho --help' lists the commands.` });
  }
  // The rest in one paragraph, naming the flag as it is typed, with the help that lists the options.
  const command = words.filter((word) => known.has(word)).join(' ');
  const help = `Run 'aep-zoho ${command ? `${command} ` : ''}--help' for its options.`;
  const flag = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
  const flags = unknown?.filter((name) => argv.some((arg) => arg === flag(name) || arg.startsWith(`${flag(name)}=`)));
  if (unknown && flags?.length === unknown.length) return new UsageError(`Unknown option${flags.length > 1 ? 's' : ''} ${flags.map(flag).join(', ')}${command ? ` for 'aep-zoho ${command}'` : ''}.`, { hint: help });
  const choice = /^Invalid values:\s*Argument: (\S+), Given: (.+), Choices: (.+)$/s.exec(message);
  if (choice) return new UsageError(`Invalid value ${choice[2].trim()} for --${choice[1]}.`, { hint: `Use one of ${choice[3].trim()}.` });
  const groupOf = registry.find((entry): entry is CommandGroup => 'subcommands' in entry && entry.command.split(' ')[0] === words[0]);
  if (groupOf && /^Name a subcommand/.test(message)) {
    const subs = groupOf.subcommands.map((sub) => sub.command.split(' ')[0]);
    const hint = `The subcommands of 'aep-zoho ${words[0]}' are ${subs.join(', ')} ('aep-zoho ${words[0]} --help' describes them).`;
    if (words[1] && !subs.includes(words[1])) return new UsageError(`Unknown subcommand '${words[1]}' for 'aep-zoho ${words[0]}'.`, { hint });
    return new UsageError(`'aep-zoho ${words[0]}' needs a subcommand: ${subs.join(', ')}.`, { hint });
  }
  if (/^Not enough non-option arguments/.test(message)) {
    const group = registry.find((entry): entry is CommandGroup => 'subcommands' in entry && entry.command.split(' ')[0] === words[0]);
    const def = group?.subcommands.find((sub) => sub.command.split(' ')[0] === words[1]) ?? registry.find((entry): entry is CommandDef => !('subcommands' in entry) && entry.command.split(' ')[0] === words[0]);
    if (group && (!def || !words[1])) return new UsageError(`'aep-zoho ${group.command.split(' ')[0]}' needs a subcommand: ${group.subcommands.map((sub) => sub.command.split(' ')[0]).join(', ')}.`, { hint: help });
    const needs = def?.command.match(/<[^>]+>/g);
    if (def && needs) return new UsageError(`'aep-zoho ${command}' needs ${needs.join(' ')}.`, { hint: `For example: ${def.examples[0]?.[0].replace('$0', 'aep-zoho') ?? `aep-zoho ${def.command}`}. ${help}` });
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(message)?.[1].split(', ');
  if (missing) return new UsageError(`Missing required option${missing.length > 1 ? 's' : ''} ${missing.map(flag).join(', ')}${command ? ` for 'aep-zoho ${command}'` : ''}.`, { hint: help });
  return new UsageError(message.replace(/\s*\n\s*/g, ' '), { hint: help });
}

function registerCommand(y: Argv<any>, def: CommandDef, parsed: Parsed): void {
  y.command(
    def.command,
    def.describe,
    (builder) => {
      const built = def.builder ? def.builder(builder) : builder;
      for (const [example, description] of def.examples) built.example(example, description);
      return built;
    },
    (args) => {
      parsed.def = def;
      parsed.args = args;
    },
  );
}

function registerGroup(y: Argv<any>, group: CommandGroup, parsed: Parsed): void {
  y.command(group.command, group.describe, (builder) => {
    for (const sub of group.subcommands) registerCommand(builder, sub, parsed);
    return builder.demandCommand(1, `Name a subcommand: aep-zoho ${group.command.split(' ')[0]} --help lists them.`);
  });
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const env = options.env ?? process.env;
  const signal = options.signal ?? new AbortController().signal;
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  try {
    const parsed = await parseArgs(argv, env, io.columns);
    if (!parsed.def) {
      if (parsed.output) io.stdout.write(`${parsed.output}\n`);
      return 0;
    }
    const args = parsed.args!;
    const flags: GlobalFlags = { profile: String(args.profile).trim() || 'default', sandbox: args.sandbox?.trim() || undefined, json: !!args.json, debug: !!args.debug, yes: !!args.yes };
    if (!/^[A-Za-z0-9_.-]+$/.test(flags.profile)) {
      throw new UsageError(`Invalid profile name '${flags.profile}'.`, { hint: 'Use letters, digits, dot, dash and underscore.' });
    }
    const ctx = createContext(flags, io, env, signal, ['aep-zoho', ...(args._ as unknown[]).map(String)].join(' '));
    const result = await runCommand(parsed.def, args, ctx);
    if (signal.aborted) throw new CancelledError();
    const human = parsed.def.human;
    // A result may fail without throwing (doctor, runs --watch): it carries its exit code, which is
    // not printed, and the contract's `error` object on stdout.
    // Exit code 3 (a dry run with --exit-code that plans changes) is a finding, not a failure.
    const { exitCode = 0, ...printed } = (result ?? {}) as { exitCode?: number; error?: unknown };
    if (exitCode !== 0 && exitCode !== 3) printed.error ??= { message: `aep-zoho ${parsed.def.command.split(' ')[0]} failed.` };
    await printResult(io, flags.json, result === undefined ? undefined : printed, human ? (ui) => human(result, ui, args) : undefined, makeUi(io, ctx.color));
    return exitCode;
  } catch (error) {
    return reportError(signal.aborted ? new CancelledError() : error, io, env, json, debug);
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

/** The single place errors become output and exit codes (gh's cmd.go, wrangler's handleError). */
function reportError(error: unknown, io: Io, env: Record<string, string | undefined>, json: boolean, debug: boolean): number {
  const known = isUserError(error);
  const exitCode = known ? error.exitCode : 1;
  const message = known ? error.message : `Internal error: ${(error as Error)?.message ?? String(error)}`;
  const hint = known
    ? error.hint ?? (error instanceof UsageError ? "Run 'aep-zoho --help' (or '<command> --help') for usage." : undefined)
    : 'This is a bug in aep-zoho. Re-run with --debug and report the output (secrets are masked).';
  if (json) {
    const body = { error: { message, ...(hint ? { hint } : {}), ...(known && error.status ? { status: error.status } : {}), ...(known && error.requestId ? { requestId: error.requestId } : {}) } };
    io.stdout.write(`${redact(JSON.stringify(body, null, 2))}\n`);
  }
  const ui = makeUi(io, useColor(env, io, false), 'stderr');
  ui.line(`${ui.red('Error:')} ${message}`);
  if (hint) ui.line(`${ui.dim('Hint:')} ${hint}`);
  if (known && error.requestId) ui.line(ui.dim(`Request id: ${error.requestId}`));
  if (debug && error instanceof Error && error.stack) ui.line(ui.dim(error.stack));
  return exitCode;
}
