// Where output goes: results to stdout (one JSON document with --json, else the command's human
// view), everything else to stderr. Colour only on a terminal, never with NO_COLOR or --json.
// Every line passes through redact().
import type { Ui } from '../core/command.js';
import type { Io, Logger } from '../core/context.js';
import { redact } from '../core/redact.js';

export function useColor(env: Record<string, string | undefined>, io: Io, json: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return !json && io.isTTY.stderr && env.TERM !== 'dumb';
}

const paint = (on: boolean, open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);

export function makeUi(io: Io, color: boolean, stream: 'stdout' | 'stderr' = 'stdout'): Ui {
  const out = io[stream];
  const ui: Ui = {
    line: (text = '') => void out.write(`${redact(text)}\n`),
    bold: paint(color, 1, 22),
    dim: paint(color, 2, 22),
    green: paint(color, 32, 39),
    yellow: paint(color, 33, 39),
    red: paint(color, 31, 39),
    columns: io.columns,
    // cli-table3 loads only when a command draws a table.
    table: async (headers, rows, options) => (await import('./table.js')).renderTable(ui, headers, rows, options),
  };
  return ui;
}

export function makeLogger(io: Io, color: boolean, debug: boolean): Logger {
  const ui = makeUi(io, color, 'stderr');
  return {
    info: (message) => ui.line(message),
    warn: (message) => ui.line(`${ui.yellow('warning:')} ${message}`),
    debug: (message) => {
      if (debug) ui.line(ui.dim(`[debug ${new Date().toISOString().slice(11, 23)}] ${message}`));
    },
  };
}

/** Prints a command's result: JSON on stdout with --json, else the command's human renderer. */
export async function printResult(io: Io, json: boolean, result: unknown, human: ((ui: Ui) => void | Promise<void>) | undefined, ui: Ui): Promise<void> {
  if (json) {
    io.stdout.write(`${redact(JSON.stringify(result, null, 2))}\n`);
    return;
  }
  if (human) await human(ui);
  else if (result !== undefined) ui.line(JSON.stringify(result, null, 2));
}
