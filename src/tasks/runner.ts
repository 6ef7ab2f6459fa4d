// Runs a listr2 task list with progress on stderr only: the live renderer on a terminal, plain
// lines elsewhere (CI, pipes, --json), nothing with --quiet. Errors propagate unchanged.
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { Context } from '../core/context.js';

export type Task<C> = ListrTask<C, any, any>;

export async function runTasks<C extends object>(
  ctx: Context,
  tasks: Array<Task<C>>,
  context: C,
  options: { concurrent?: boolean | number } = {},
): Promise<C> {
  const stderr = ctx.io.stderr as NodeJS.WriteStream;
  const logger = new ListrLogger({
    processOutput: new ProcessOutput(stderr, stderr, { dump: [], leaveEmptyLine: false }),
  });
  // The live renderer redraws to the terminal's width: a terminal that reports none gets plain lines.
  const live = ctx.io.isTTY.stderr && (stderr.columns ?? 0) > 0 && !ctx.flags.debug && !ctx.flags.json;
  const list = new Listr<C, 'default', 'simple'>(tasks, {
    ctx: context,
    concurrent: options.concurrent ?? false,
    exitOnError: true,
    registerSignalListeners: false, // cli/main.ts owns SIGINT/SIGTERM (exit 130)
    renderer: 'default',
    fallbackRenderer: 'simple',
    fallbackRendererCondition: !live,
    // --quiet: no progress at all (warnings and errors go through ctx.log and the error report).
    silentRendererCondition: ctx.flags.quiet,
    rendererOptions: { logger, collapseSubtasks: false, showErrorMessage: false },
    fallbackRendererOptions: { logger, timestamp: undefined },
    forceColor: ctx.color,
  } as any);
  return list.run();
}
