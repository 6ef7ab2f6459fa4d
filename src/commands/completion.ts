// `completion [shell]`: a completion script for bash, zsh or fish. Each asks the binary for its
// answers (`aep-zoho --get-yargs-completions <words>`), so commands, options, template names and
// flag values stay in step with the installed version.
import { defineCommand } from '../core/command.js';
import { UsageError } from '../core/errors.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const SCRIPTS: Record<Shell, string> = {
  bash: `###-begin-aep-zoho-completions-###
# aep-zoho completion for bash. Install: aep-zoho completion bash >> ~/.bashrc
_aep_zoho_completions() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" IFS=$'\\n'
  COMPREPLY=($(compgen -W "$(aep-zoho --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)" -- "$cur"))
}
# -o default: where no value is known (a template file, a Developer Console download), file names.
complete -o default -F _aep_zoho_completions aep-zoho
###-end-aep-zoho-completions-###
`,
  zsh: `#compdef aep-zoho
# aep-zoho completion for zsh. Install: aep-zoho completion zsh >> ~/.zshrc (after compinit)
_aep_zoho() {
  local -a candidates
  candidates=("\${(@f)$(aep-zoho --get-yargs-completions "\${(@)words[1,CURRENT]}" 2>/dev/null)}")
  if [[ -n "\${candidates[1]}" ]]; then compadd -- "\${candidates[@]}"; else _files; fi
}
compdef _aep_zoho aep-zoho
`,
  fish: `# aep-zoho completion for fish. Install: aep-zoho completion fish > ~/.config/fish/completions/aep-zoho.fish
function __aep_zoho_complete
    aep-zoho --get-yargs-completions (commandline -opc) (commandline -ct) 2>/dev/null
end
complete -c aep-zoho -a '(__aep_zoho_complete)'
`,
};

export default defineCommand<{ shell?: string }, { shell: Shell; script: string }>({
  command: 'completion [shell]',
  describe: 'Print a shell completion script for bash, zsh or fish (default: the one in $SHELL)',
  examples: [
    ['$0 completion bash >> ~/.bashrc', 'bash: complete commands, options, template names and values'],
    ['$0 completion zsh >> ~/.zshrc', 'zsh (after compinit)'],
    ['$0 completion fish > ~/.config/fish/completions/aep-zoho.fish', 'fish'],
  ],
  builder: (y) => y.positional('shell', { type: 'string', describe: 'bash, zsh or fish' }),
  completions: { shell: SHELLS },
  async run(args, ctx) {
    const fromEnv = /(bash|zsh|fish)$/.exec(ctx.env.SHELL ?? '')?.[1];
    const shell = (args.shell?.trim().toLowerCase() || fromEnv || 'bash') as Shell;
    if (!SHELLS.includes(shell))
      throw new UsageError(`No completion for shell '${args.shell}'.`, { hint: `Choose one of ${SHELLS.join(', ')}.` });
    return { shell, script: SCRIPTS[shell] };
  },
  human(result, ui) {
    // The script as is: no wrapping, no notes, so it can be redirected into a file.
    ui.raw(result.script);
  },
});
