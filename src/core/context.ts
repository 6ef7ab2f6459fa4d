// What a command receives instead of `process`: streams, environment, flags, a logger, the one
// result printer, the resolved paths, and lazily built services. Built only in cli/context.ts.
import type { Readable, Writable } from 'node:stream';
import type { HintFlags } from './hint.js';

export interface GlobalFlags {
  profile: string;
  sandbox?: string;
  json: boolean;
  /** No progress and no notes (--quiet). */
  quiet: boolean;
  debug: boolean;
  yes: boolean;
}

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  isTTY: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** Terminal width for tables (80 when unknown). */
  columns: number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Only with --debug; always redacted. */
  debug(message: string): void;
}

/** This process, as the locks under AEP_ZOHO_HOME record it (only cli/ knows `process`). */
export interface LockOwner {
  pid: number;
  /** The command words, e.g. 'aep-zoho dataflow create': never its flags, which may hold secrets. */
  command: string;
  /** Whether a process of this host still runs (a lock whose owner is gone is taken over). */
  isAlive(pid: number): boolean;
}

export interface Context {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Io;
  readonly flags: GlobalFlags;
  /** Colour on stderr (progress, logs, prompts); stdout decides its own. */
  readonly color: boolean;
  /** The --profile/--sandbox given on the command line, for commands suggested in messages. */
  readonly hintFlags: HintFlags;
  /** A terminal on stdin and stderr: questions can be asked. */
  readonly canPrompt: boolean;
  readonly log: Logger;
  /** Aborted on SIGINT/SIGTERM; long operations check it. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly lockOwner: LockOwner;
  sleep(ms: number): Promise<void>;
  /** Asks on a TTY; without one (or with --yes) returns the default or fails with a UsageError naming the flag. */
  confirm(question: string, flagHint: string): Promise<boolean>;
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
}
