// A command is one declarative object: yargs wiring, a run() that returns its result, and an
// optional human renderer. run() never checks --json; cli/main.ts prints the result either way.
import type { Argv } from 'yargs';
import type { Context } from './context.js';

export interface Ui {
  /** Writes a line to stdout (human output only). */
  line(text?: string): void;
  /** Colour helpers; no-ops when colour is off. */
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  columns: number;
  /** A table fitted to the terminal width (cells truncated, never wrapped); returns the headers left out. */
  table(headers: string[], rows: unknown[][], options?: { maxColumnWidth?: number }): Promise<string[]>;
}

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
}

/** A family of subcommands, e.g. `dataflow create|list|status|runs`. */
export interface CommandGroup {
  command: string;
  describe: string;
  subcommands: CommandDef[];
}

export const defineCommand = <A = any, R = unknown>(def: CommandDef<A, R>): CommandDef<A, R> => def;
