// `completion [shell]`: a completion script for bash, zsh or fish. Each asks the binary for its
// answers (`aep-zoho --get-yargs-completions <words>`), so commands, options, template names and
// flag values stay in step with the installed version.
import { defineCommand } from '../core/command.js';
import { UsageError } from '../core/errors.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const SCRIPTS: Record<Shell, string> = {
  // Both \`aep-zoho …\` (a global install) and \`npx aep-zoho …\` (a project's install, where no
  // \`aep-zoho\` is on PATH): after npx, the answers come from the project's node_modules/.bin/aep-zoho
  // (what npx runs, found from the current folder up, without npx's start-up), else from npx itself.
  bash: `###-begin-aep-zoho-completions-###
# aep-zoho completion for bash: aep-zoho … and npx aep-zoho …. Install: npx aep-zoho completion bash >> ~/.bashrc
_aep_zoho_completions() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" IFS=$'\\n' dir=$PWD first=0
  local -a cmd=(aep-zoho)
  COMPREPLY=()
  if [[ \${COMP_WORDS[0]} == npx ]]; then
    if (( COMP_CWORD == 1 )); then COMPREPLY=($(compgen -W aep-zoho -- "$cur")); return; fi
    [[ \${COMP_WORDS[1]} == aep-zoho ]] || return
    first=1
    while [[ -n $dir && ! -x $dir/node_modules/.bin/aep-zoho ]]; do dir=\${dir%/*}; done
    if [[ -n $dir ]]; then cmd=("$dir/node_modules/.bin/aep-zoho"); else cmd=(npx --no aep-zoho); fi
  fi
  COMPREPLY=($(compgen -W "$("\${cmd[@]}" --get-yargs-completions "\${COMP_WORDS[@]:first:COMP_CWORD+1-first}" 2>/dev/null)" -- "$cur"))
}
# -o default: where no value is known (a template file, a Developer Console download), file names.
complete -o default -F _aep_zoho_completions aep-zoho npx
###-end-aep-zoho-completions-###
`,
  zsh: `#compdef aep-zoho npx
# aep-zoho completion for zsh: aep-zoho … and npx aep-zoho …. Install: npx aep-zoho completion zsh >> ~/.zshrc (after compinit)
_aep_zoho() {
  local -a candidates cmd=(aep-zoho) line=("\${(@)words[1,CURRENT]}")
  local dir=$PWD
  if [[ \${words[1]} == npx ]]; then
    if (( CURRENT == 2 )); then compadd aep-zoho; _files; return; fi
    [[ \${words[2]} == aep-zoho ]] || { _files; return; }
    line=("\${(@)words[2,CURRENT]}")
    while [[ -n $dir && ! -x $dir/node_modules/.bin/aep-zoho ]]; do dir=\${dir%/*}; done
    if [[ -n $dir ]]; then cmd=("$dir/node_modules/.bin/aep-zoho"); else cmd=(npx --no aep-zoho); fi
  fi
  candidates=("\${(@f)$("\${cmd[@]}" --get-yargs-completions "\${line[@]}" 2>/dev/null)}")
  if [[ -n "\${candidates[1]}" ]]; then compadd -- "\${candidates[@]}"; else _files; fi
}
compdef _aep_zoho aep-zoho npx
`,
  fish: `# aep-zoho completion for fish (aep-zoho … on PATH). Install: npx aep-zoho completion fish > ~/.config/fish/completions/aep-zoho.fish
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
