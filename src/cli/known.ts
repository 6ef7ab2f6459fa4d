// What the parser knows of the commands: yargs itself, loaded on first use, and the modules of the
// commands argv names, loaded before parsing (yargs calls a command's builder synchronously).
import { createRequire } from 'node:module';
import type { CommandDef } from '../core/command.js';
import { type CommandEntry, type Entry, type GroupEntry, isGroup, registry } from './registry.js';

type Yargs = typeof import('yargs/yargs');
let yargs: Yargs | undefined;

/**
 * yargs 17's CommonJS build loads in a third of the time of its ESM build (one file, lazily
 * compiled): the biggest single cost of a command's start-up, so `--version` and the helps that
 * cli/help.ts draws never load it.
 */
export function parser(): Yargs {
  yargs ??= createRequire(import.meta.url)('yargs/yargs') as Yargs;
  return yargs;
}

/** The options every command takes, in the order help lists them. */
export const GLOBALS = ['profile', 'sandbox', 'json', 'quiet', 'debug', 'yes', 'help', 'version'];

export const nameOf = (entry: { command: string }) => entry.command.split(' ')[0];

const loaded = new Map<CommandEntry, CommandDef>();

/**
 * Imports the modules of the commands the words may name: a top-level command named by a word, a
 * subcommand named by a word when its group is. A word may be an option's value (`--sandbox
 * dataflow`): that loads one module too many, which costs little; the command yargs runs (the
 * first word that is no option's value) is always among them.
 */
export async function loadNamed(words: string[]): Promise<void> {
  const named = (entry: Entry) => words.includes(nameOf(entry));
  const wanted = registry
    .filter(named)
    .flatMap((entry) => (isGroup(entry) ? entry.subcommands.filter(named) : [entry]))
    .filter((entry) => !loaded.has(entry));
  const defs = await Promise.all(wanted.map((entry) => entry.load()));
  for (const [i, entry] of wanted.entries()) loaded.set(entry, defs[i]);
}

/** The command's module, once loadNamed() has loaded it. */
export const loadedDef = (entry: CommandEntry): CommandDef | undefined => loaded.get(entry);

/** The command (or group) the words name, as far as they go. */
export function lookup(words: string[]): { group?: GroupEntry; def?: CommandDef; path: string[] } {
  const first = registry.find((entry) => nameOf(entry) === words[0]);
  if (!first) return { path: [] };
  if (!isGroup(first)) return { def: loaded.get(first), path: [words[0]] };
  const sub = first.subcommands.find((entry) => nameOf(entry) === words[1]);
  const def = sub && loaded.get(sub);
  return { group: first, def, path: def ? [words[0], words[1]] : [words[0]] };
}

/** What a yargs instance knows of its options (yargs' own API has no typed getter for them). */
const optionsOf = (y: unknown) =>
  (y as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();

/** The keys of the options a yargs instance knows. */
export const optionKeys = (y: unknown): string[] => Object.keys(optionsOf(y).key);

/** True when `key` is a short name of another option (`o` of `output`, `y` of `yes`). */
export const isAlias = (y: unknown, key: string): boolean =>
  Object.values(optionsOf(y).alias).some((names) => names.includes(key));

/** A command's own options and the global ones, as typed (kebab-case). */
export function optionNames(def: CommandDef): string[] {
  const probe = parser()([]);
  const built = def.builder ? def.builder(probe) : probe;
  return [...optionKeys(built).filter((key) => !/[A-Z]/.test(key) && key !== 'help' && key !== 'version'), ...GLOBALS];
}
