// Tab completion's answers. yargs finds the commands, subcommands, options and `choices` values;
// this adds what yargs cannot know: the values of an option or positional that a command lists in
// `completions` (template names, regions, shells, stored profiles), comma lists continued
// (`--template accounts,co` → `accounts,contacts`), and nothing at all where a free value (a name,
// a file) is due, so the shell falls back to completing file names.
import type { CommandDef, CompletionSource } from '../core/command.js';
import { isGroup, registry } from './registry.js';

const nameOf = (entry: { command: string }) => entry.command.split(' ')[0];

/** The module of the command the words name (its completions and positional), if they name one. */
async function commandOf(words: string[]): Promise<CommandDef | undefined> {
  const first = registry.find((entry) => nameOf(entry) === words[0]);
  const entry = first && isGroup(first) ? first.subcommands.find((sub) => nameOf(sub) === words[1]) : first;
  return entry?.load();
}

/** Options that take no value: a word after one of them is not that option's value. */
const FLAGS = new Set([
  '--json',
  '--quiet',
  '-q',
  '--debug',
  '--yes',
  '-y',
  '--help',
  '-h',
  '--version',
  '--dry-run',
  '--watch',
  '--all',
  '--force',
  '--update-credentials',
  '--exit-code',
  '--offline',
]);

type Env = Readonly<Record<string, string | undefined>>;

async function values(source: CompletionSource, env: Env): Promise<string[]> {
  if (typeof source !== 'string') return [...source];
  switch (source) {
    case 'templates':
      return (await import('../template/load.js')).builtInNames();
    case 'zoho-regions':
      return Object.keys((await import('../zoho/regions.js')).ZOHO_REGIONS);
    case 'aep-regions':
      return Object.keys((await import('../aep/allowlist.js')).ALLOWLIST);
    case 'profiles': {
      const [{ homeDir }, { CredentialsStore }] = await Promise.all([
        import('../config/settings.js'),
        import('../config/credentials.js'),
      ]);
      // Read only: the owner is never used for a lock here.
      const store = await new CredentialsStore(homeDir(env), {
        pid: process.pid,
        command: 'aep-zoho completion',
        isAlive: () => true,
      })
        .read()
        .catch(() => undefined);
      return Object.keys(store?.profiles ?? {});
    }
  }
}

/**
 * `words`: what follows `aep-zoho` on the line, the word being completed last. `defaults`: what
 * yargs proposed.
 */
export async function complete(words: string[], current: string, defaults: string[], env: Env): Promise<string[]> {
  const def = await commandOf(words.filter((word) => !word.startsWith('-')));
  const previous = words.length >= 2 ? words[words.length - 2] : '';
  // yargs proposes every option and command word; the shells want those that start with the word.
  const proposed = defaults.filter((candidate) => candidate.startsWith(current) && !/^--.$/.test(candidate));
  if (current.startsWith('-')) return proposed;

  let source: CompletionSource | undefined;
  if (previous.startsWith('--') && !FLAGS.has(previous)) {
    const option = previous.slice(2);
    source = option === 'profile' ? 'profiles' : def?.completions?.[option];
    // A value is due: yargs' choices if it has them, else nothing (the shell completes file names).
    if (!source) return proposed.filter((candidate) => !candidate.startsWith('-') && !isCommandWord(candidate));
  } else {
    const positional = def && /[<[](\w+)[\]>]/.exec(def.command)?.[1];
    source = positional ? def.completions?.[positional] : undefined;
    if (!source) return proposed;
  }
  // A comma list goes on from its last comma.
  const comma = current.lastIndexOf(',');
  const [done, partial] = comma >= 0 ? [current.slice(0, comma + 1), current.slice(comma + 1)] : ['', current];
  const taken = new Set(done.split(',').filter(Boolean));
  return (await values(source, env))
    .filter((value) => value.startsWith(partial) && !taken.has(value))
    .map((value) => `${done}${value}`);
}

const isCommandWord = (word: string) =>
  registry.some(
    (entry) =>
      nameOf(entry) === word || ('subcommands' in entry && entry.subcommands.some((sub) => nameOf(sub) === word)),
  );
