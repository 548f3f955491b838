/** `coffer completion bash|zsh|fish`: a completion script made from the help table (help.ts). */
import { UsageError } from '../../api/errors.js';
import { COMMAND_HELP } from '../help.js';
import { parse } from '../context.js';

/** Each command's long flags and sub-commands, as completion words. */
function wordsOf(name: string): string[] {
  const h = COMMAND_HELP[name]!;
  const flags = h.options.flatMap(([f]) => f.split(', ').map((x) => x.split(' ')[0]!)).filter((x) => x.startsWith('--'));
  return [...(h.subcommands ?? []), ...flags, '--help'];
}

export function bashScript(): string {
  const cases = Object.keys(COMMAND_HELP)
    .map((c) => `    ${c}) words="${wordsOf(c).join(' ')}" ;;`)
    .join('\n');
  return `# coffer completion for bash: source <(coffer completion bash)
_coffer() {
  local cur=\${COMP_WORDS[COMP_CWORD]} words
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${Object.keys(COMMAND_HELP).join(' ')} --version --help" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    *) words="" ;;
  esac
  if [[ "$cur" == -* || ( "$COMP_CWORD" -eq 2 && -n "$words" && "$words" != --* ) ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _coffer coffer
`;
}

export function zshScript(): string {
  const cmds = Object.entries(COMMAND_HELP)
    .map(([c, h]) => `    '${c}:${h.summary.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`)
    .join('\n');
  const cases = Object.keys(COMMAND_HELP)
    .map((c) => `    ${c}) compadd -- ${wordsOf(c).join(' ')}; _files ;;`)
    .join('\n');
  return `#compdef coffer
# coffer completion for zsh: coffer completion zsh > "\${fpath[1]}/_coffer"
_coffer() {
  local -a cmds
  cmds=(
${cmds}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' cmds
    return
  fi
  case $words[2] in
${cases}
    *) _files ;;
  esac
}
compdef _coffer coffer
`;
}

export function fishScript(): string {
  const lines = ['# coffer completion for fish: coffer completion fish > ~/.config/fish/completions/coffer.fish', 'complete -c coffer -f'];
  for (const [c, h] of Object.entries(COMMAND_HELP)) {
    lines.push(`complete -c coffer -n __fish_use_subcommand -a ${c} -d ${JSON.stringify(h.summary)}`);
    for (const s of h.subcommands ?? []) lines.push(`complete -c coffer -n '__fish_seen_subcommand_from ${c}' -a ${s}`);
    for (const [flags, what] of h.options) {
      const long = flags.split(', ').map((x) => x.split(' ')[0]!).find((x) => x.startsWith('--'));
      if (long) lines.push(`complete -c coffer -n '__fish_seen_subcommand_from ${c}' -l ${long.slice(2)} -d ${JSON.stringify(what)}`);
    }
    lines.push(`complete -c coffer -n '__fish_seen_subcommand_from ${c}' -F`);
  }
  return lines.join('\n') + '\n';
}

const SCRIPTS: Record<string, () => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };

export async function completion(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, { min: 1, max: 1, usage: 'coffer completion bash|zsh|fish' });
  const script = SCRIPTS[positionals[0]!];
  if (!script) throw new UsageError(`no completion for "${positionals[0]}": bash, zsh or fish`);
  process.stdout.write(script());
}
