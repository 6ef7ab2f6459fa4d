// The CLI's entry: parses argv with yargs (cli/parse.ts), runs the chosen command with a Context,
// prints its result, and maps every error to the contract's output and exit code (cli/report.ts).
// Nothing else exits. Start-up loads only what the run needs: `--version` neither the parser nor a
// command, `--help` neither yargs nor a command module (cli/help.ts), a command yargs and its own
// module (cli/registry.ts).
import type { CommandDef } from '../core/command.js';
import type { Context, GlobalFlags, Io } from '../core/context.js';
import { CancelledError, UsageError } from '../core/errors.js';
import { carryFlags, invokedAs, type HintFlags } from '../core/hint.js';
import type { Parsed } from './parse.js';
import { VERSION } from './version.js';

export interface MainOptions {
  io?: Io;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** The path the bin was started by (default process.argv[1]): hints say `npx aep-zoho` when it was npx. */
  argv1?: string;
}

type Env = Record<string, string | undefined>;

/** The process's streams; COLUMNS, when set, is the width the user asked for, else the terminal's own. */
function processIo(env: Env): Io {
  const asked = Number(env.COLUMNS);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    isTTY: { stdin: !!process.stdin.isTTY, stdout: !!process.stdout.isTTY, stderr: !!process.stderr.isTTY },
    columns: Number.isInteger(asked) && asked > 0 ? asked : process.stdout.columns || process.stderr.columns || 80,
  };
}

/** The --profile and --sandbox given on the command line, which hints must carry, and the tool's name as run. */
function hintFlagsOf({ argv, flags, as }: Run): HintFlags {
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
  const as = invokedAs(options.argv1 ?? process.argv[1], env);
  const run: Run = { argv, io, env, signal, as };
  // `--version` alone (or with --json) is answered before the parser and the commands load.
  if (argv.includes('--version') && argv.every((arg) => arg === '--version' || arg === '--json')) {
    io.stdout.write(json ? `${JSON.stringify({ version: VERSION })}\n` : `${VERSION}\n`);
    return 0;
  }
  try {
    const { parseArgs } = await import('./parse.js');
    run.parsed = await parseArgs(argv, env, io.columns, as);
    if (run.parsed.def) return await execute(run, run.parsed.def, run.parsed.args!);
    if (run.parsed.output !== undefined)
      io.stdout.write(
        json && argv.includes('--version')
          ? `${JSON.stringify({ version: VERSION })}\n`
          : // Help: the commands its descriptions name, as the user runs the tool.
            `${carryFlags(run.parsed.output, { as })}\n`,
      );
    return 0;
  } catch (error) {
    const reported = signal.aborted ? interrupted(run.parsed, run.parsed?.args) : error;
    const { reportError } = await import('./report.js');
    const { flags } = run;
    return reportError(reported, {
      io,
      env,
      json,
      debug: argv.includes('--debug'),
      flags,
      hintFlags: hintFlagsOf(run),
    });
  }
}

/** One run of the CLI: what main() was given, what the parser made of it, and the global flags. */
interface Run {
  argv: string[];
  io: Io;
  env: Env;
  signal: AbortSignal;
  /** How the user runs the tool (core/hint.ts's invokedAs). */
  as: string;
  parsed?: Parsed;
  flags?: GlobalFlags;
}

/** Runs the parsed command and prints its result; resolves to the exit code. */
async function execute(run: Run, def: CommandDef, args: Record<string, any>): Promise<number> {
  const { io, env, signal } = run;
  const flags = globalFlags(args);
  run.flags = flags;
  const [{ createContext }, { makeUi, printResult }] = await Promise.all([
    import('./context.js'),
    import('./output.js'),
  ]);
  const command = ['aep-zoho', ...(args._ as unknown[]).map(String)].join(' ');
  const ctx = createContext(flags, io, env, signal, hintFlagsOf(run), command);
  const result = await runCommand(def, args, ctx);
  if (signal.aborted) throw interrupted(run.parsed, args);
  const human = def.human;
  // A result may fail without throwing (doctor, runs --watch): it carries its exit code, which is
  // not printed, and the contract's `error` object on stdout.
  // Exit code 3 (a dry run with --exit-code that plans changes) is a finding, not a failure.
  const { exitCode = 0, ...printed } = (result ?? {}) as { exitCode?: number; error?: unknown };
  if (exitCode !== 0 && exitCode !== 3) printed.error ??= { message: `aep-zoho ${def.command.split(' ')[0]} failed.` };
  const ui = makeUi(io, { env, quiet: flags.quiet, hintFlags: hintFlagsOf(run) });
  await printResult(
    io,
    flags.json,
    result === undefined ? undefined : printed,
    human ? (u) => human(result, u, args) : undefined,
    ui,
  );
  return exitCode;
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
