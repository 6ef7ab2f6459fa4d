// Commands suggested in hints and notes are printed the way the user runs the tool, and carry the
// --profile and --sandbox the user ran with: a hint to "Run 'aep-zoho init'" after `--profile
// staging` must not write the default profile, and after `npx aep-zoho …` it must say `npx
// aep-zoho init` (a plain `npm install` puts no `aep-zoho` on PATH).

export interface HintFlags {
  /** Given on the command line (an AEP_ZOHO_PROFILE or AEP_SANDBOX in the environment carries over by itself). */
  profile?: string;
  sandbox?: string;
  /** How the user runs the tool (`invokedAs`): 'aep-zoho' (the default) or 'npx aep-zoho'. */
  as?: string;
}

/**
 * How the user ran this process, from the path the bin was started by (process.argv[1]) and what
 * npm puts in the environment of what it starts:
 * - `npx aep-zoho`, `npm exec aep-zoho`, an npm script or `./node_modules/.bin/aep-zoho`: the bin is
 *   the link in a project's (or npx's cache's) `node_modules/.bin`, where no shell looks: 'npx aep-zoho'.
 *   On Windows npm's shims start node with the package's own file (`node_modules\aep-zoho\bin\…`),
 *   and `npm_command=exec` says it was npx.
 * - a global install (`npm install -g`, `npm link`): the link in npm's bin folder, on PATH: 'aep-zoho'.
 * - anything else (a checkout run as `node bin/aep-zoho.js`): 'aep-zoho'.
 */
export function invokedAs(argv1: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const path = (argv1 ?? '').replace(/\\/g, '/');
  if (/\/node_modules\/\.bin\//.test(path)) return 'npx aep-zoho';
  if (/\/node_modules\//.test(path) && (env.npm_command === 'exec' || env.npm_lifecycle_event === 'npx'))
    return 'npx aep-zoho';
  return 'aep-zoho';
}

// Commands for which a profile or sandbox means nothing.
const NEITHER = /^(allowlist|emulator|completion|help|templates (list|show))\b|(^|\s)--help\b/;
const NO_SANDBOX = /^(zoho|templates)\b/;

/** The top-level command words (test/ux/invocation.test.ts checks them against the registry). */
export const COMMAND_WORDS = [
  'init',
  'zoho',
  'allowlist',
  'auth',
  'connect',
  'explore',
  'dataflow',
  'sync',
  'templates',
  'destroy',
  'doctor',
  'emulator',
  'completion',
  'help',
];

/** `args` (the words after `aep-zoho`) with the run's --profile and --sandbox appended where they matter. */
export function withFlags(args: string, flags: HintFlags): string {
  const words = args.trim();
  if (NEITHER.test(words)) return words;
  const extra: string[] = [];
  if (flags.profile && !/(^|\s)--profile\b/.test(words)) extra.push(`--profile ${flags.profile}`);
  if (flags.sandbox && !NO_SANDBOX.test(words) && !/(^|\s)--sandbox\b/.test(words))
    extra.push(`--sandbox ${flags.sandbox}`);
  return [words, ...extra].join(' ');
}

/** `aep-zoho <args>` as the user runs it, with the run's flags: what a hint asks to type. */
export const command = (args: string, flags: HintFlags) => `${flags.as ?? 'aep-zoho'} ${withFlags(args, flags)}`;

// `aep-zoho` as a command: a command word (or --help/--version) follows, and it is not part of a
// path, a longer name, an `npx aep-zoho` already, a resource's name (`aep-zoho default/accounts`)
// or a title (`aep-zoho doctor: …`).
const AS_COMMAND = new RegExp(
  `(?<![\\w./@-]|npx )aep-zoho(?= (?:${COMMAND_WORDS.join('|')})(?![\\w/:-])| --(?:help|version)\\b)`,
  'g',
);

/**
 * Every command in a message, hint or note as the user runs the tool (`npx aep-zoho …` after npx),
 * and every quoted `'aep-zoho …'` with the run's flags carried in. Applying it twice changes nothing.
 */
export function carryFlags(text: string, flags: HintFlags): string {
  const carried =
    flags.profile || flags.sandbox
      ? text.replace(/'aep-zoho ([^']+)'/g, (_match, args: string) => `'aep-zoho ${withFlags(args, flags)}'`)
      : text;
  return flags.as && flags.as !== 'aep-zoho' ? carried.replace(AS_COMMAND, flags.as) : carried;
}
