// Terminal tables that fit the terminal: cells are truncated with an ellipsis, never wrapped, and
// columns that do not fit are left out with a note (use --json for everything).
import Table from 'cli-table3';
import type { Ui } from '../core/command.js';
import { cellText } from '../core/text.js';

export interface TableOptions {
  /** Widest a single column may get before its cells are truncated. */
  maxColumnWidth?: number;
}

/** Renders rows under headers within ui.columns; returns the headers that were left out. */
export function renderTable(ui: Ui, headers: string[], rows: unknown[][], options: TableOptions = {}): string[] {
  const maxWidth = options.maxColumnWidth ?? 28;
  const natural = headers.map(
    (header, i) => Math.min(maxWidth, Math.max(header.length, ...rows.map((row) => cellText(row[i]).length), 1)) + 2,
  );
  const widths: number[] = [];
  let used = 1; // the left border
  for (const width of natural) {
    if (used + width + 1 > ui.columns && widths.length > 0) break;
    widths.push(Math.min(width, ui.columns - used - 1));
    used += widths[widths.length - 1] + 1;
  }
  const shown = widths.length;
  const table = new Table({
    head: headers.slice(0, shown).map((h) => ui.bold(h)),
    colWidths: widths,
    wordWrap: false,
    truncate: '…',
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
    // No rule between body rows: tall tables stay readable.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(row.slice(0, shown).map(cellText));
  for (const line of table.toString().split('\n')) ui.line(line);
  return headers.slice(shown);
}
