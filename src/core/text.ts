// Text for terminals: control characters from servers made visible, lines wrapped at words,
// one time format, and Adobe's timestamps (epoch numbers or ISO strings) read one way.

/** Our own colour codes (SGR: ESC [ … m); every other escape sequence is someone else's. */
const SGR = /\u001b\[[0-9;]*m/g;
// C0 controls but tab and newline, DEL, and the C1 range (0x9b is a one-byte CSI on some terminals).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const visible = (char: string) =>
  char === '\u001b' ? '\\e' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * A value from a server (a flow, dataset or connection name anyone in the sandbox can set), safe to
 * print: every control character, newlines and colour codes included, shown as an escape (`\e`,
 * `\x0d`), so a name cannot move the cursor, retitle the window, or forge a line.
 */
export function safe(value: unknown): string {
  return String(value ?? '')
    .replace(/[\t\n]/g, (c) => (c === '\t' ? '\\t' : '\\n'))
    .replace(CONTROL, visible);
}

/** A table cell: one line, a Zoho lookup ({name, id}) by its name, control characters escaped. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return typeof record.name === 'string' ? cellText(record.name) : safe(JSON.stringify(value));
  }
  return safe(String(value).replace(/\s+/g, ' '));
}

/** A whole line about to be written: our colour codes kept, any other control character escaped. */
export function safeLine(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(SGR)) {
    out += text.slice(last, match.index).replace(CONTROL, visible) + match[0];
    last = match.index! + match[0].length;
  }
  return out + text.slice(last).replace(CONTROL, visible);
}

/** Printed width: colour codes take none. */
export const visibleLength = (text: string): number => [...text.replace(SGR, '')].length;

/**
 * Wraps at spaces to `width` columns, never inside a word. A continuation lines up under the value
 * of a `label  value` line (the text after the last run of two or more spaces in the line's first
 * half: doctor's checks, status's fields), else keeps the line's indent; runs of spaces that align
 * columns are kept. A word longer than the room is broken after a `,` where it is a list (scopes),
 * else (a URL, an id) stays whole on its own line, as little indented as it needs, rather than cut.
 */
export function wrapWords(text: string, width: number): string[] {
  if (width < 20 || visibleLength(text) <= width) return [text];
  // The lead: colour codes and the indent before the first word.
  const lead = /^(?:\u001b\[[0-9;]*m|\s)*/.exec(text)![0];
  const body = text.slice(lead.length);
  let hang = lead.replace(SGR, '').length;
  for (const match of text.matchAll(/\S( {2,})(?=\S)/g)) {
    const column = visibleLength(text.slice(0, match.index! + match[0].length));
    if (column <= width / 2) hang = column;
  }
  const indent = ' '.repeat(hang);
  const lines: string[] = [];
  let current = lead;
  let started = false;
  // Words with the spaces before them, so aligned columns keep their spacing on the first line.
  for (const [, gap, word] of body.matchAll(/( *)(\S+)/g)) {
    for (const [i, piece] of pieces(word, width - hang).entries()) {
      const candidate = `${current}${started && i === 0 ? gap : ''}${piece}`;
      if (started && visibleLength(candidate) > width) {
        lines.push(current);
        // Less indent for a piece that would not fit under the value: the terminal must not cut it.
        current = `${indent.slice(0, Math.max(0, width - visibleLength(piece)))}${piece}`;
      } else current = candidate;
      started = true;
    }
  }
  if (started) lines.push(current);
  return lines;
}

/** A word longer than `room`: a list split after its commas, the parts as long as fit; a URL or id stays whole (to copy). */
function pieces(word: string, room: number): string[] {
  if (room < 10 || visibleLength(word) <= room || word.includes('://')) return [word];
  const parts = word.split(/(?<=,)/);
  const out: string[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    if (last !== undefined && visibleLength(last + part) <= room) out[out.length - 1] = last + part;
    else out.push(part);
  }
  return out;
}

/**
 * Adobe's timestamps as epoch milliseconds: numbers (seconds when they are too small to be
 * milliseconds, as `scheduleParams.startTime` is), numeric strings, or ISO 8601 strings.
 */
export function epochMs(value: unknown, unit: 'ms' | 's' = 'ms'): number | undefined {
  if (value === null || value === undefined || value === '' || typeof value === 'boolean') return undefined;
  if (typeof value === 'string' && !/^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    const parsed = Date.parse(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  const n = Number(value);
  if (!Number.isFinite(n)) return undefined;
  return unit === 's' || n < 1e11 ? n * 1000 : n;
}

/** ISO 8601 for JSON, or undefined when the value is no time. */
export const isoTime = (value: unknown, unit: 'ms' | 's' = 'ms'): string | undefined => {
  const ms = epochMs(value, unit);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

/** The one time format of human output: `2026-12-02 08:42 UTC`. */
export function humanTime(value: string | number | Date | undefined): string {
  if (value === undefined) return '';
  const ms = value instanceof Date ? value.getTime() : epochMs(value);
  return ms === undefined ? String(value) : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

// Long messages written over several source lines (the formatter keeps code within 120 columns):
// `para` joins a template's lines into one paragraph, each line break and the indentation around
// it becoming one space. Interpolated values are kept as they are.

/** One paragraph from a template literal written over several lines. */
export function para(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = '';
  strings.forEach((part, i) => {
    out += part.replace(/[ \t]*\n[ \t]*/g, ' ');
    if (i < values.length) out += String(values[i]);
  });
  return out;
}
