// Builds the real Context: the only place (with main.ts) that knows about `process`.
import { setMaxListeners } from 'node:events';
import { readSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Context, GlobalFlags, Io, LockOwner } from '../core/context.js';
import { CancelledError, UsageError } from '../core/errors.js';
import type { HintFlags } from '../core/hint.js';
import { makeLogger, useColor } from './output.js';
import { lazyServices } from './services.js';

/**
 * Drops what was typed or pasted before a question is shown: a README block pasted whole must not
 * answer the prompt with its next line. The stream's own buffer first, then what waits in the
 * terminal (its fd is non-blocking once Node opened it as a TTY: EAGAIN when nothing waits).
 */
function discardTypeahead(stdin: Io['stdin']): void {
  const stream = stdin as Io['stdin'] & { fd?: number; isTTY?: boolean };
  while (stream.readable && stream.read() !== null) {
    /* discard */
  }
  if (!stream.isTTY || typeof stream.fd !== 'number') return;
  const buffer = Buffer.alloc(4096);
  try {
    while (readSync(stream.fd, buffer, 0, buffer.length, null) > 0) {
      /* discard */
    }
  } catch {
    // EAGAIN: nothing (more) is waiting.
  }
}

/** This process as the locks record it; `command` is the command words ('aep-zoho connect'), never the flags. */
export const processLockOwner = (command = 'aep-zoho'): LockOwner => ({ pid: process.pid, command, isAlive });

/** Whether a process runs: signal 0 checks without sending; EPERM means it runs as another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `command` is what the locks record: the command words ('aep-zoho connect'), never the flags. */
export function createContext(
  flags: GlobalFlags,
  io: Io,
  env: Record<string, string | undefined>,
  signal: AbortSignal,
  hintFlags: HintFlags = {},
  command = 'aep-zoho',
): Context {
  // Every request in flight listens for Ctrl-C on this one signal; concurrent dataflows have many.
  setMaxListeners(500, signal);
  // Progress, logs and prompts are on stderr: its colour is the context's.
  const color = useColor(env, io.isTTY.stderr);
  const canPrompt = io.isTTY.stdin && io.isTTY.stderr;

  const ask = async (question: string, options: { secret?: boolean } = {}): Promise<string> => {
    if (!canPrompt)
      throw new UsageError(`Cannot ask '${question.trim()}' without a terminal.`, {
        hint: 'Pass the value as a flag or an environment variable.',
      });
    // Prompts go to stderr; a secret's echo is swallowed.
    let muted = false;
    const output = new Writable({
      write(chunk, _encoding, done) {
        if (!muted) io.stderr.write(chunk);
        done();
      },
    });
    discardTypeahead(io.stdin);
    const rl = createInterface({ input: io.stdin, output, terminal: true });
    const onAbort = () => rl.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const pending = rl.question(question, { signal });
      muted = !!options.secret;
      const answer = await pending;
      if (options.secret) io.stderr.write('\n');
      return answer.trim();
    } catch {
      throw new CancelledError();
    } finally {
      signal.removeEventListener('abort', onAbort);
      rl.close();
    }
  };

  const context: Omit<Context, 'services'> = {
    env,
    io,
    flags,
    color,
    canPrompt,
    log: makeLogger(io, { env, quiet: flags.quiet, debug: flags.debug, hintFlags }),
    hintFlags,
    signal,
    now: () => new Date(),
    lockOwner: processLockOwner(command),
    sleep: (ms) =>
      new Promise((resolve, reject) => {
        if (signal.aborted) return reject(new CancelledError());
        const onAbort = () => {
          clearTimeout(timer);
          reject(new CancelledError());
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ask,
    confirm: async (question, flagHint) => {
      if (flags.yes) return true;
      if (!canPrompt)
        throw new UsageError(
          `Confirmation needed, and there is no terminal to ask on: ${question.replace(/\?\s*$/, '')}.`,
          { hint: `Pass ${flagHint} to confirm.` },
        );
      return /^y(es)?$/i.test(await ask(`${question} [y/N] `));
    },
  };
  return { ...context, services: lazyServices(context) };
}
