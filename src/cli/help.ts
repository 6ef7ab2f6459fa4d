// `aep-zoho --help` and a group's help (`aep-zoho dataflow`) without loading yargs: loading it
// and drawing help with its layout library (cliui) is most of the start-up of `--help` (issue
// 24.14). The text is yargs' own, byte for byte: the global options and the usage text are
// declared here once for both, and the layout below is cliui's (its columns, word wrap and
// right-aligned extras) for the rows yargs draws in these two helps. test/ux/help-layout.test.ts
// compares both at every width from 1 to 200 columns. Anything else (a command's own help, a
// locale yargs translates, YARGS_DISABLE_WRAP, non-ASCII text) goes to yargs as before.
import { para } from '../core/text.js';
import { type GroupEntry, isGroup, registry } from './registry.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The options every command takes (the `Global options:` block of every help), in the order help lists them. */
export const GLOBAL_OPTIONS: Array<{
  name: string;
  alias?: string;
  type: 'string' | 'boolean';
  describe: string;
  default?: (env: Env) => string | boolean;
}> = [
  {
    name: 'profile',
    type: 'string',
    default: (env) => env.AEP_ZOHO_PROFILE?.trim() || 'default',
    describe: 'Profile of stored credentials and state (AEP_ZOHO_PROFILE)',
  },
  { name: 'sandbox', type: 'string', describe: 'Experience Platform sandbox (AEP_SANDBOX; default prod)' },
  {
    name: 'json',
    type: 'boolean',
    default: () => false,
    describe: 'Print one JSON document on stdout (progress stays on stderr)',
  },
  {
    name: 'quiet',
    alias: 'q',
    type: 'boolean',
    default: () => false,
    describe: 'No progress and no notes; only results, warnings and errors',
  },
  {
    name: 'debug',
    type: 'boolean',
    default: () => false,
    describe: 'Log each request and show stack traces (secrets are always masked)',
  },
  { name: 'yes', alias: 'y', type: 'boolean', default: () => false, describe: 'Answer yes to confirmations' },
];

export const USAGE = `$0 <command> [options]\n\n${para`Provision a Zoho CRM source in Adobe Experience Platform: connect,
  explore, and create scheduled dataflows from templates.`}`;

export const EPILOGUE = `${para`Exit codes: 0 success, 1 operation failed, 2 bad usage or input, 3 a dry run with
  --exit-code plans changes, 130 interrupted.`}
Docs: README.md, https://experienceleague.adobe.com/docs/experience-platform/sources/connectors/crm/zoho.html`;

/**
 * The help yargs would print for argv (normalised, cli/parse.ts) when it is the top-level help or
 * a group's, else undefined. `wrap`: the width yargs is given.
 */
export function quickHelp(argv: string[], env: Env, wrap: number, as: string): string | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const flags = argv.filter((arg) => arg.startsWith('-'));
  const group = words.length === 1 ? registry.find((entry) => entry.command.split(' ')[0] === words[0]) : undefined;
  if (words.length > 1 || (words.length === 1 && !(group && isGroup(group)))) return undefined;
  // One --help or -h; a group's name alone shows its help too.
  if (!(flags.length === 1 && (flags[0] === '--help' || flags[0] === '-h')) && !(group && !flags.length))
    return undefined;
  if (!english() || process.env.YARGS_DISABLE_WRAP || !(wrap >= 1)) return undefined;
  const shown = group && isGroup(group) ? group : undefined;
  // The layout below counts a character as one column: true of printable ASCII only (not of wide,
  // combining or control characters, nor of a tab, which cliui reads as a column break).
  const texts = [
    as,
    String(GLOBAL_OPTIONS[0].default?.(env)),
    shown?.describe ?? '',
    ...(shown ? shown.subcommands : registry).flatMap((e) => [e.command, e.describe]),
  ];
  if (!texts.every((text) => /^[\x20-\x7e]*$/.test(text))) return undefined;
  return render(shown, env, wrap, as);
}

/** yargs translates its own words ('Commands:', '[boolean]', 'Show help') by the locale it finds in the environment. */
function english(): boolean {
  const { LC_ALL, LC_MESSAGES, LANG, LANGUAGE } = process.env;
  const locale = (LC_ALL || LC_MESSAGES || LANG || LANGUAGE || 'en_US').replace(/[.:].*/, '');
  return /^(C|POSIX|en(_[A-Za-z]+)?)$/.test(locale);
}

/** yargs' usage.help() for these two helps: usage, commands, global options, epilogue. */
function render(group: GroupEntry | undefined, env: Env, wrap: number, as: string): string {
  const ui = new Layout(wrap);
  if (group) {
    ui.div({ text: `${as} ${group.command.split(' ')[0]}` });
    ui.div({ text: group.describe, padding: [1, 0, 0, 0] });
  } else ui.div({ text: USAGE.replace(/\$0/g, as) });
  ui.div();
  const prefix = group ? `${as} ${group.command.split(' ')[0]} ` : `${as} `;
  // yargs knows a group by its name alone ('dataflow', not 'dataflow <command>'): cli/parse.ts registers it so.
  const commands = (group ? group.subcommands : registry).map((entry) => [
    `${prefix}${isGroup(entry) ? entry.command.split(' ')[0] : entry.command}`,
    entry.describe,
  ]);
  ui.div('Commands:');
  const commandWidth = Math.min(Math.max(...commands.map(([command]) => command.length)), Math.floor(wrap * 0.5)) + 4;
  for (const [command, describe] of commands) {
    ui.span({ text: command, padding: [0, 2, 0, 2], width: commandWidth }, { text: describe });
    ui.div();
  }
  ui.div();
  const options: Array<[string, number, string, string]> = [
    ...GLOBAL_OPTIONS.map((o): [string, number, string, string] => {
      const value = o.default?.(env);
      const shown =
        value === undefined ? '' : typeof value === 'string' ? ` [default: "${value}"]` : ` [default: ${value}]`;
      return [o.alias ? `-${o.alias}, --${o.name}` : `--${o.name}`, o.alias ? 0 : 4, o.describe, `[${o.type}]${shown}`];
    }),
    ['-h, --help', 0, 'Show help', '[boolean]'],
    ['--version', 4, 'Show version number', '[boolean]'],
  ];
  ui.div('Global options:');
  const optionWidth =
    Math.min(Math.max(...options.map(([s, indent]) => s.length + indent)), Math.floor(wrap * 0.5)) + 4;
  for (const [switches, indent, describe, extra] of options) {
    ui.span({ text: switches, padding: [0, 2, 0, 2 + indent], width: optionWidth }, describe);
    ui.div({ text: extra, padding: [0, 0, 0, 2], align: 'right' });
  }
  ui.div();
  if (!group) ui.div(`${EPILOGUE.replace(/\$0/g, as)}\n`);
  return ui.toString().replace(/\s*$/, '');
}

type Padding = [number, number, number, number];
interface Column {
  text: string;
  width?: number;
  padding?: Padding;
  align?: 'right';
}
type Row = Column[] & { span?: boolean };
interface Line {
  text: string;
  span?: boolean;
  hidden?: boolean;
}

const [TOP, RIGHT, BOTTOM, LEFT] = [0, 1, 2, 3];

/** cliui 8 (yargs' layout) for text whose every character is one column wide. */
class Layout {
  private rows: Row[] = [];
  constructor(private width: number) {}

  span(...columns: Array<Column | string>): void {
    this.div(...columns).span = true;
  }

  div(...columns: Array<Column | string>): Row {
    if (!columns.length) return this.div('');
    if (columns.length === 1 && typeof columns[0] === 'string' && /[\t\n]/.test(columns[0])) {
      // cliui's layout DSL: a row a line (our text has no tabs).
      for (const line of columns[0].split('\n')) this.div({ text: line.trim(), padding: padding(line) });
      return this.rows[this.rows.length - 1];
    }
    const row: Row = columns.map((c) => (typeof c === 'string' ? { text: c, padding: padding(c) } : c));
    this.rows.push(row);
    return row;
  }

  toString(): string {
    const lines: Line[] = [];
    for (const row of this.rows) this.rowToString(row, lines);
    return lines
      .filter((line) => !line.hidden)
      .map((line) => line.text)
      .join('\n');
  }

  private rowToString(row: Row, lines: Line[]): void {
    for (const [r, raster] of this.rasterize(row).entries()) {
      let str = '';
      raster.forEach((col, c) => {
        const { width } = row[c];
        const wrapWidth = negatePadding(row[c]);
        let ts = col;
        if (wrapWidth > col.length) ts += ' '.repeat(wrapWidth - col.length);
        if (row[c].align === 'right') {
          ts = alignRight(ts, wrapWidth);
          if (ts.length < wrapWidth) ts += ' '.repeat((width || 0) - ts.length - 1);
        }
        const pad = row[c].padding ?? [0, 0, 0, 0];
        if (pad[LEFT]) str += ' '.repeat(pad[LEFT]);
        str += ts;
        if (pad[RIGHT]) str += ' '.repeat(pad[RIGHT]);
        if (r === 0 && lines.length > 0) str = renderInline(str, lines[lines.length - 1]);
      });
      lines.push({ text: str.replace(/ +$/, ''), span: row.span });
    }
  }

  private rasterize(row: Row): string[][] {
    const rasters: string[][] = [];
    const widths = this.columnWidths(row);
    row.forEach((col, c) => {
      col.width = widths[c];
      const wrapped = wrapText(col.text, negatePadding(col)).split('\n');
      if (col.padding) {
        wrapped.unshift(...new Array<string>(col.padding[TOP] || 0).fill(''));
        wrapped.push(...new Array<string>(col.padding[BOTTOM] || 0).fill(''));
      }
      wrapped.forEach((str, r) => {
        if (!rasters[r]) rasters.push([]);
        const raster = rasters[r];
        for (let i = 0; i < c; i++) if (raster[i] === undefined) raster.push('');
        raster.push(str);
      });
    });
    return rasters;
  }

  private columnWidths(row: Row): number[] {
    let unset = row.length;
    let remaining = this.width;
    const widths = row.map((col) => {
      if (!col.width) return undefined;
      unset--;
      remaining -= col.width;
      return col.width;
    });
    const unsetWidth = unset ? Math.floor(remaining / unset) : 0;
    return widths.map(
      (w, i) => w ?? Math.max(unsetWidth, 1 + (row[i].padding?.[LEFT] || 0) + (row[i].padding?.[RIGHT] || 0)),
    );
  }
}

const padding = (text: string): Padding => [0, /\s*$/.exec(text)![0].length, 0, /^\s*/.exec(text)![0].length];

function negatePadding(col: Column): number {
  return (col.width || 0) - (col.padding ? (col.padding[LEFT] || 0) + (col.padding[RIGHT] || 0) : 0);
}

function alignRight(str: string, width: number): string {
  const text = str.trim();
  return text.length < width ? ' '.repeat(width - text.length) + text : text;
}

/** A row after a span row is drawn on the span's last line when it fits there. */
function renderInline(source: string, previous: Line): string {
  const leading = /^ */.exec(source)![0].length;
  const target = previous.text;
  const targetWidth = target.trimEnd().length;
  if (!previous.span || leading < targetWidth) return source;
  previous.hidden = true;
  return target.trimEnd() + ' '.repeat(leading - targetWidth) + source.trimStart();
}

/** wrap-ansi 7 with { hard: true } (cliui's word wrap), for text without escape codes. */
function wrapText(text: string, columns: number): string {
  return text
    .normalize()
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => wrapLine(line, columns))
    .join('\n');
}

function wrapLine(line: string, columns: number): string {
  if (line.trim() === '') return '';
  const words = line.split(' ');
  const rows = [''];
  for (const [index, word] of words.entries()) {
    rows[rows.length - 1] = rows[rows.length - 1].trimStart();
    let rowLength = rows[rows.length - 1].length;
    if (index !== 0 && rowLength > 0) {
      rows[rows.length - 1] += ' ';
      rowLength++;
    }
    if (word.length > columns) {
      const breaksStartingThisLine = 1 + Math.floor((word.length - (columns - rowLength) - 1) / columns);
      const breaksStartingNextLine = Math.floor((word.length - 1) / columns);
      if (breaksStartingNextLine < breaksStartingThisLine) rows.push('');
      wrapWord(rows, word, columns);
      continue;
    }
    if (rowLength + word.length > columns && rowLength > 0 && word.length > 0) rows.push('');
    rows[rows.length - 1] += word;
  }
  return rows.map(trimSpacesRight).join('\n');
}

/** A word longer than the row, broken across rows. */
function wrapWord(rows: string[], word: string, columns: number): void {
  const characters = [...word];
  let visible = rows[rows.length - 1].length;
  for (const [index, character] of characters.entries()) {
    if (visible + 1 <= columns) rows[rows.length - 1] += character;
    else {
      rows.push(character);
      visible = 0;
    }
    visible += 1;
    if (visible === columns && index < characters.length - 1) {
      rows.push('');
      visible = 0;
    }
  }
  if (!visible && rows[rows.length - 1].length > 0 && rows.length > 1) rows[rows.length - 2] += rows.pop();
}

function trimSpacesRight(row: string): string {
  const words = row.split(' ');
  let last = words.length;
  while (last > 0 && words[last - 1].length === 0) last--;
  return last === words.length ? row : words.slice(0, last).join(' ') + words.slice(last).join('');
}
