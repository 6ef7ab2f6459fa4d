// Commands suggested in hints and notes carry the --profile and --sandbox the user ran with: a hint
// to "Run 'aep-zoho init'" after `--profile staging` must not write the default profile.

export interface HintFlags {
  /** Given on the command line (an AEP_ZOHO_PROFILE or AEP_SANDBOX in the environment carries over by itself). */
  profile?: string;
  sandbox?: string;
}

// Commands for which a profile or sandbox means nothing.
const NEITHER = /^(allowlist|emulator|completion|help|templates (list|show))\b|(^|\s)--help\b/;
const NO_SANDBOX = /^(zoho|templates)\b/;

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

/** Every quoted `'aep-zoho …'` command in a message or hint, with the run's flags carried in. */
export function carryFlags(text: string, flags: HintFlags): string {
  if (!flags.profile && !flags.sandbox) return text;
  return text.replace(/'aep-zoho ([^']+)'/g, (_match, args: string) => `'aep-zoho ${withFlags(args, flags)}'`);
}
