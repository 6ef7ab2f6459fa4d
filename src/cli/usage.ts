// Usage errors: yargs' messages made specific (an unknown word is an unknown command, a typo of an
// option is named with the option meant), one paragraph and a hint each.
import { createRequire } from 'node:module';
import type { CommandDef } from '../core/command.js';
import { UsageError } from '../core/errors.js';
import { para } from '../core/text.js';
import { GLOBALS, lookup, nameOf, optionNames } from './known.js';
import { registry } from './registry.js';

/** yargs' messages, made specific: an unknown word is an unknown command, with a suggestion. */
export function usageError(message: string, argv: string[]): UsageError {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const { group, def, path } = lookup(words);
  const command = path.join(' ');
  const help = `Run 'aep-zoho ${command ? `${command} ` : ''}--help' for its options.`;
  const flag = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1].split(', ');
  const suggested = /^Did you mean (.+)\?$/.exec(message)?.[1];
  const commands = registry.map(nameOf);

  // Words after the command's name that are not option values: a stray positional argument.
  const strays = words
    .slice(path.length)
    .filter((word) => !argv.some((arg, i) => arg.startsWith('-') && argv[i + 1] === word && !arg.includes('=')));
  if (suggested && group)
    return new UsageError(`Unknown subcommand '${words[1]}' for 'aep-zoho ${words[0]}'.`, {
      hint: `Did you mean 'aep-zoho ${words[0]} ${suggested}'? 'aep-zoho ${words[0]} --help' lists them.`,
    });
  if (suggested)
    return new UsageError(`Unknown command '${words.find((word) => !commands.includes(word)) ?? ''}'.`, {
      hint: `Did you mean 'aep-zoho ${suggested}'? 'aep-zoho --help' lists the commands.`,
    });
  if (unknown && words[0] && !path.length) {
    const near = nearest(words[0], commands);
    return new UsageError(`Unknown command '${words[0]}'.`, {
      hint: `${near ? `Did you mean 'aep-zoho ${near}'? ` : ''}'aep-zoho --help' lists the commands.`,
    });
  }
  if (unknown && group && !def && words[1]) {
    const subs = group.subcommands.map(nameOf);
    const near = nearest(words[1], subs);
    return new UsageError(`Unknown subcommand '${words[1]}' for 'aep-zoho ${words[0]}'.`, {
      hint: para`${near ? `Did you mean 'aep-zoho ${words[0]} ${near}'? ` : ''}The subcommands are ${subs.join(', ')}
        ('aep-zoho ${words[0]} --help' describes them).`,
    });
  }
  if (unknown) {
    const flags = unknown.filter((name) => argv.some((arg) => arg === flag(name) || arg.startsWith(`${flag(name)}=`)));
    // yargs names an unknown --dry-rn twice (dry-rn, dryRn): the camelCase copy is no stray word.
    const extra = unknown.filter((name) => !flags.includes(name) && !flags.some((f) => camel(f) === name));
    if (extra.length && def) return strayArgument(def, command, extra, help);
    const known = def ? optionNames(def) : GLOBALS;
    const near = flags.length === 1 ? nearest(flags[0], known) : undefined;
    return new UsageError(
      `Unknown option${flags.length > 1 ? 's' : ''} ${flags.map(flag).join(', ')}${command ? ` for 'aep-zoho ${command}'` : ''}.`,
      {
        hint: near ? `Did you mean --${near}? ${help}` : help,
      },
    );
  }
  const choice = /^Invalid values:\s*Argument: (\S+), Given: (.+), Choices: (.+)$/s.exec(message);
  if (choice)
    return new UsageError(`Invalid value ${choice[2].trim()} for --${choice[1]}.`, {
      hint: `Use one of ${choice[3].trim()}.`,
    });
  if (/^Not enough non-option arguments/.test(message)) {
    const needs = def?.command.match(/<[^>]+>/g);
    if (def && needs)
      return new UsageError(`'aep-zoho ${command}' needs ${needs.join(' ')}.`, {
        hint: `For example: ${def.examples[0]?.[0].replace('$0', 'aep-zoho') ?? `aep-zoho ${def.command}`}. ${help}`,
      });
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(message)?.[1].split(', ');
  // yargs checks required options before unknown ones: `--tempalte accounts` is a typo of the
  // option it says is missing, and the typo is what to name.
  const typos = def ? unknownFlags(argv, optionNames(def)) : [];
  if (missing && typos.length) {
    const near = typos.map((typo) => nearest(typo, [...missing, ...optionNames(def!)]));
    const meant = near.every(Boolean) ? `Did you mean ${near.map((n) => `--${n}`).join(', ')}? ` : '';
    return new UsageError(
      `Unknown option${typos.length > 1 ? 's' : ''} ${typos.map(flag).join(', ')} for 'aep-zoho ${command}'.`,
      { hint: `${meant}${help}` },
    );
  }
  if (missing && def?.positionalOption && missing.includes(def.positionalOption) && strays.length)
    return strayArgument(def, command, strays, help);
  if (missing)
    return new UsageError(
      `Missing required option${missing.length > 1 ? 's' : ''} ${missing.map(flag).join(', ')}${command ? ` for 'aep-zoho ${command}'` : ''}.`,
      { hint: help },
    );
  return new UsageError(message.replace(/\s*\n\s*/g, ' '), { hint: help });
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The --options in argv that the command does not take (`--no-x` is x), as typed. */
function unknownFlags(argv: string[], known: string[]): string[] {
  const names = new Set([...known, ...known.map(camel), 'h', 'q', 'y', 'help', 'version']);
  return argv
    .filter((arg) => arg.startsWith('--') && arg.length > 2)
    .map((arg) => arg.slice(2).split('=')[0])
    .filter((name) => !names.has(name) && !names.has(name.replace(/^no-/, '')));
}

/** `dataflow create accounts`: the word is most likely the value of the command's main option. */
function strayArgument(def: CommandDef, command: string, strays: string[], help: string): UsageError {
  const as = def.positionalOption;
  return new UsageError(`'aep-zoho ${command}' takes no argument '${strays[0]}'.`, {
    hint: as ? `Did you mean 'aep-zoho ${command} --${as} ${strays.join(',')}'? ${help}` : help,
  });
}

/** The closest name by edit distance, if it is close enough to be what was meant. */
function nearest(word: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = editDistance(word.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best !== undefined &&
    (bestDistance <= Math.max(2, Math.floor(best.length / 3)) || best.startsWith(word) || word.startsWith(best))
    ? best
    : undefined;
}

/** Levenshtein distance: fastest-levenshtein, loaded only when a usage error needs a suggestion (not at start-up). */
function editDistance(a: string, b: string): number {
  return (createRequire(import.meta.url)('fastest-levenshtein') as typeof import('fastest-levenshtein')).distance(a, b);
}
