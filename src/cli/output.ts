// Where output goes: results to stdout (one JSON document with --json, else the command's human
// view), everything else to stderr. Colour is decided per stream (a redirected stdout gets none
// while stderr on a terminal keeps it), honouring NO_COLOR, FORCE_COLOR and TERM=dumb. Every line
// passes through redact(), and control characters that are not our own colour codes are escaped.
import type { Ui } from '../core/command.js';
import type { Io, Logger } from '../core/context.js';
import { carryFlags, command, type HintFlags } from '../core/hint.js';
import { redact } from '../core/redact.js';
import { cellText, safeLine, wrapWords } from '../core/text.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Colour for one stream: NO_COLOR wins, then FORCE_COLOR, then a terminal that is not `dumb`. */
export function useColor(env: Env, tty: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return tty && env.TERM !== 'dumb';
}

const paint = (on: boolean, open: number, close: number) => (text: string) =>
  on ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export interface UiOptions {
  env: Env;
  quiet?: boolean;
  hintFlags?: HintFlags;
}

/** A Ui writing to one stream; its notes go to stdout only when stdout is a terminal. */
export function makeUi(io: Io, options: UiOptions, stream: 'stdout' | 'stderr' = 'stdout'): Ui {
  const out = io[stream];
  const tty = io.isTTY[stream];
  const color = useColor(options.env, tty);
  const hintFlags = options.hintFlags ?? {};
  const write = (target: NodeJS.WritableStream, wrap: boolean, text: string) => {
    // Commands in results, notes and logs as the user runs the tool (core/hint.ts); raw() is verbatim.
    const line = safeLine(redact(carryFlags(text, hintFlags)));
    // Wrapping needs a real terminal: a pipe or a CI log keeps each line whole, for grep.
    for (const part of wrap ? wrapWords(line, io.columns) : [line]) target.write(`${part}\n`);
  };
  const ui: Ui = {
    line: (text = '') => write(out, tty, text),
    raw: (text) => void out.write(safeLine(redact(text))),
    note: (text) => {
      if (options.quiet) return;
      if (tty || stream === 'stderr') write(out, tty, text);
      else write(io.stderr, io.isTTY.stderr, text);
    },
    bold: paint(color, 1, 22),
    dim: paint(color, 2, 22),
    green: paint(color, 32, 39),
    yellow: paint(color, 33, 39),
    red: paint(color, 31, 39),
    cmd: (args) => paint(color, 1, 22)(command(args, hintFlags)),
    tty,
    columns: io.columns,
    // cli-table3 loads only when a command draws a table on a terminal.
    table: async (headers, rows, tableOptions) =>
      tty
        ? (await import('./table.js')).renderTable(ui, headers, rows, tableOptions)
        : plainRows(ui, headers, rows, tableOptions?.header),
  };
  return ui;
}

/** Off a terminal: tab-separated rows with every column, for cut, awk and spreadsheets. */
function plainRows(ui: Ui, headers: string[], rows: unknown[][], header = false): string[] {
  if (header) ui.line(headers.join('\t'));
  for (const row of rows) ui.line(headers.map((_h, i) => cellText(row[i])).join('\t'));
  return [];
}

export function makeLogger(io: Io, options: UiOptions & { debug: boolean }): Logger {
  const ui = makeUi(io, options, 'stderr');
  return {
    info: (message) => {
      if (!options.quiet) ui.line(message);
    },
    warn: (message) => ui.line(`${ui.yellow('warning:')} ${message}`),
    debug: (message) => {
      if (options.debug) ui.line(ui.dim(`[debug ${new Date().toISOString().slice(11, 23)}] ${message}`));
    },
    debugging: options.debug,
  };
}

/** Prints a command's result: JSON on stdout with --json, else the command's human renderer. */
export async function printResult(
  io: Io,
  json: boolean,
  result: unknown,
  human: ((ui: Ui) => void | Promise<void>) | undefined,
  ui: Ui,
): Promise<void> {
  if (json) {
    io.stdout.write(`${redact(JSON.stringify(result, null, 2))}\n`);
    return;
  }
  if (human) await human(ui);
  else if (result !== undefined) ui.line(JSON.stringify(result, null, 2));
}
