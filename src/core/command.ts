// A command is one declarative object: yargs wiring, a run() that returns its result, and an
// optional human renderer. run() never checks --json; cli/main.ts prints the result either way.
import type { Argv } from 'yargs';
import type { Context } from './context.js';

export interface Ui {
  /** Writes a line of the result to stdout (wrapped at words on a terminal; control characters escaped). */
  line(text?: string): void;
  /** Writes text to stdout exactly as given (never wrapped): scripts and JSON meant to be redirected into a file. */
  raw(text: string): void;
  /**
   * A note about the result ("Next: …", "3 columns hidden"): on stdout when it is a terminal, else
   * on stderr, so that a pipe gets only the data; never with --quiet.
   */
  note(text: string): void;
  /** Colour helpers; no-ops when colour is off for this stream. */
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  /**
   * `aep-zoho <args>` as the user runs the tool (`npx aep-zoho …` after npx), carrying the --profile and --sandbox this
   * run was given, for hints to copy.
   */
  cmd(args: string): string;
  /** stdout is a terminal: tables are drawn and lines wrapped; else plain tab-separated rows. */
  tty: boolean;
  columns: number;
  /**
   * Rows under headers. On a terminal: a table fitted to the width (cells truncated, never wrapped),
   * returning the headers left out. Off one: tab-separated rows with every column and no header
   * (gh's model) unless `header` asks for one (for columns that vary, such as preview rows).
   */
  table(
    headers: string[],
    rows: unknown[][],
    options?: { maxColumnWidth?: number; header?: boolean },
  ): Promise<string[]>;
}

/** Where completion values come from: fixed words, or one of the lists the completer loads when asked. */
export type CompletionSource = readonly string[] | 'templates' | 'zoho-regions' | 'aep-regions' | 'profiles';

export interface CommandDef<A = any, R = unknown> {
  /** yargs command string, e.g. 'explore [table]'. */
  command: string;
  describe: string;
  examples: Array<[string, string]>;
  builder?: (yargs: Argv) => Argv<any>;
  /**
   * The command changes resources, state or credentials: cli/main.ts holds the lock of the home,
   * profile and sandbox around run(), so a second such run waits for it (or fails naming it).
   */
  writes?: boolean;
  run(args: A, ctx: Context): Promise<R>;
  /** Human view of the result (may load a renderer lazily). */
  human?(result: R, ui: Ui, args: A): void | Promise<void>;
  /**
   * Options that take a list: repeated and comma-separated values add up. Any other repeated option takes its last
   * value.
   */
  lists?: string[];
  /** A stray word is most likely this option's value: `dataflow create accounts` suggests `--template accounts`. */
  positionalOption?: string;
  /** Tab-completion values, by option or positional name: a list, or a kind cli/complete.ts knows how to find. */
  completions?: Record<string, CompletionSource>;
  /**
   * What Ctrl-C means here (default: run the same command again to finish; nothing is duplicated).
   * `json: false`: the command has printed its JSON document already, so --json adds none.
   */
  interrupted?(args: A): { message: string; hint?: string; json?: false };
}

/** A family of subcommands, e.g. `dataflow create|list|status|runs`. */
export interface CommandGroup {
  command: string;
  describe: string;
  subcommands: CommandDef[];
  examples?: Array<[string, string]>;
}

export const defineCommand = <A = any, R = unknown>(def: CommandDef<A, R>): CommandDef<A, R> => def;
