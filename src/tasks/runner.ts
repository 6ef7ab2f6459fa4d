// Runs a listr2 task list with progress on stderr only: the live renderer on a terminal, plain
// lines elsewhere (CI, pipes, --json), nothing with --quiet. Errors propagate unchanged. Everything
// listr2 writes (task titles, a failed task's error message, its output) passes through redact().
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { Context } from '../core/context.js';
import { redact } from '../core/redact.js';

export type Task<C> = ListrTask<C, any, any>;

export async function runTasks<C extends object>(
  ctx: Context,
  tasks: Array<Task<C>>,
  context: C,
  options: { concurrent?: boolean | number } = {},
): Promise<C> {
  const stderr = redacting(ctx.io.stderr as NodeJS.WriteStream);
  const logger = new ListrLogger({
    processOutput: new ProcessOutput(stderr, stderr, { dump: [], leaveEmptyLine: false }),
  });
  const live = liveProgress(ctx);
  const list = new Listr<C, 'default', 'simple'>(tasks, {
    ctx: context,
    concurrent: options.concurrent ?? false,
    exitOnError: true,
    registerSignalListeners: false, // cli/main.ts owns SIGINT/SIGTERM (exit 130)
    // --quiet: no progress at all (warnings and errors go through ctx.log and the error report).
    renderer: ctx.flags.quiet ? 'silent' : 'default',
    fallbackRenderer: ctx.flags.quiet ? 'silent' : 'simple',
    fallbackRendererCondition: !live,
    rendererOptions: { logger, collapseSubtasks: false, showErrorMessage: false },
    fallbackRendererOptions: { logger, timestamp: undefined },
    forceColor: ctx.color,
  } as any);
  return list.run();
}

/**
 * Progress redrawn in place: a terminal on stderr that reports its width (one that reports none
 * gets plain lines), without --debug, --json or --quiet.
 */
export function liveProgress(ctx: Context): boolean {
  const stderr = ctx.io.stderr as NodeJS.WriteStream;
  return ctx.io.isTTY.stderr && (stderr.columns ?? 0) > 0 && !ctx.flags.debug && !ctx.flags.json && !ctx.flags.quiet;
}

/** The stream as it is (a terminal's columns, isTTY, events), with every write redacted. */
function redacting(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const original = stream.write;
  const write = (chunk: unknown, ...rest: unknown[]) =>
    (original as (...args: unknown[]) => boolean).apply(stream, [
      typeof chunk === 'string' || Buffer.isBuffer(chunk) ? redact(String(chunk)) : chunk,
      ...rest,
    ]);
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    // The live renderer takes the stream's `write` while it draws (other writes wait in its
    // buffer) and hands back the one it took, ours: the stream gets its own back.
    set(target, property, value) {
      if (property === 'write') {
        target.write = value === write ? original : value;
        return true;
      }
      return Reflect.set(target, property, value, target);
    },
  });
}
