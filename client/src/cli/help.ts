/**
 * Every command's help: one line of summary, its usage, its options and examples. `coffer help`,
 * `coffer COMMAND --help` and the shell completions are all made from this one table.
 */

export interface CommandHelp {
  summary: string;
  usage: string;
  /** [flag(s), what it does]. */
  options: [string, string][];
  examples: string[];
  /** Sub-commands (for completion). */
  subcommands?: string[];
}

const JSON_OPT: [string, string] = ['--json', 'print the result as JSON (shapes: @coffer/protocol, shapes/cli-output.ts)'];

export const COMMAND_HELP: Record<string, CommandHelp> = {
  login: {
    summary: 'sign in; trust the certificate on first use',
    usage: 'coffer login URL [--username U] [--password-stdin] [--code C] [--fingerprint XX:..|--yes|--ca FILE] [--device-name N] [--insecure-http]',
    options: [
      ['-u, --username U', 'the account (asked for on a terminal)'],
      ['--password-stdin', 'read the password (or an app password) from stdin'],
      ['--code C', 'an authenticator or recovery code, for accounts with two-factor sign-in'],
      ['--fingerprint XX:..', 'pin this SHA-256 fingerprint (a certificate no CA vouches for)'],
      ['-y, --yes', 'trust a certificate no CA vouches for without asking'],
      ['--ca FILE', 'trust certificates issued by this CA (PEM) besides the system CAs'],
      ['--device-name N', 'the name this device gets on the server (default: the host name)'],
      ['--insecure-http', 'allow plain http:// (password and token travel in clear)'],
      JSON_OPT,
    ],
    examples: ['coffer login cloud.example.com', 'coffer login localhost:18443 --username ann --password-stdin --yes < pw.txt', 'coffer login https://10.0.0.5:8443 --ca ./ca.pem'],
  },
  logout: { summary: "revoke this device's token, forget the login", usage: 'coffer logout', options: [], examples: ['coffer logout'] },
  status: { summary: 'server, user, device, quota', usage: 'coffer status [--json]', options: [JSON_OPT], examples: ['coffer status', 'coffer status --json | jq .me.usedBytes'] },
  ls: {
    summary: 'list a folder',
    usage: 'coffer ls [PATH] [-l] [--json]',
    options: [['-l, --long', 'kind, size, date and revision of each entry'], JSON_OPT],
    examples: ['coffer ls /Photos -l', 'coffer ls --json | jq -r ".entries[].name"'],
  },
  put: {
    summary: 'upload a file, or a folder with -r (only blocks the server lacks)',
    usage: 'coffer put LOCAL [REMOTE] [-r] [--overwrite | --base-rev N] [--stats] [--json]',
    options: [
      ['-r, --recursive', 'upload a folder and everything in it (small files in batches; a file refused is reported and the rest go on)'],
      ['-f, --overwrite', 'replace an existing file with a new revision'],
      ['--base-rev N', 'replace only if the file is still at revision N (exit 3 otherwise)'],
      ['--stats', 'bytes moved, as JSON on stderr'],
      JSON_OPT,
    ],
    examples: ['coffer put report.pdf /Documents/', 'coffer put -r ./Photos /Photos', 'coffer put notes.txt /notes.txt --overwrite'],
  },
  get: {
    summary: 'download a file, or a folder with -r (atomic; skipped when up to date)',
    usage: 'coffer get REMOTE [LOCAL] [-r] [--rev N] [--stats] [--json]',
    options: [
      ['-r, --recursive', 'download a folder and everything in it'],
      ['--rev N', 'an older revision of a file'],
      ['--stats', 'bytes moved, as JSON on stderr'],
      JSON_OPT,
    ],
    examples: ['coffer get /Documents/report.pdf', 'coffer get -r /Photos ./Photos', 'coffer get /notes.txt old.txt --rev 3'],
  },
  mkdir: { summary: 'make folders', usage: 'coffer mkdir [-p] PATH... [--json]', options: [['-p, --parents', 'make missing parent folders too'], JSON_OPT], examples: ['coffer mkdir -p /Projects/2026/q1'] },
  mv: { summary: 'move or rename', usage: 'coffer mv FROM TO [--json]', options: [JSON_OPT], examples: ['coffer mv /draft.txt /Documents/', 'coffer mv /old-name /new-name'] },
  rm: { summary: 'move to the trash', usage: 'coffer rm PATH... [--json]', options: [JSON_OPT], examples: ['coffer rm /tmp.txt /Old'] },
  revs: {
    summary: "a file's revisions, newest first; or keep one forever (retention never thins it)",
    usage: 'coffer revs PATH [-n LIMIT] [--json] | PATH --keep REV | PATH --unkeep REV',
    options: [['-n, --limit LIMIT', 'at most this many (default 100)'], ['--keep REV', 'keep this revision forever (it counts against the quota)'], ['--unkeep REV', 'let retention thin it again'], JSON_OPT],
    examples: ['coffer revs /notes.txt -n 5', 'coffer revs /thesis.pdf --keep 12'],
  },
  restore: { summary: 'make an old revision the newest', usage: 'coffer restore PATH REV [--json]', options: [JSON_OPT], examples: ['coffer restore /notes.txt 3'] },
  sync: {
    summary: 'keep a local folder and a remote one in sync (the sync agent)',
    usage: 'coffer sync DIR [REMOTE] [--create] [--once] [--stats FILE] [--quiet] | --status [--json] | --install DIR [REMOTE]',
    options: [
      ['--create', 'make DIR when it does not exist (refused otherwise)'],
      ['--once', 'one pass, then exit'],
      ['--stats FILE', 'count blocks moved into FILE (JSON)'],
      ['-q, --quiet', 'no "idle" lines'],
      ['--status', 'what the running agent is doing: queue, last error, last sync'],
      ['--install', 'start the agent at login (a systemd user unit on Linux, a launchd agent on macOS)'],
      JSON_OPT,
    ],
    examples: ['coffer sync ~/Coffer', 'coffer sync ~/Work /Work --create', 'coffer sync --status', 'coffer sync --install ~/Coffer'],
  },
  share: {
    summary: 'share a folder or file (default role: viewer)',
    usage: 'coffer share PATH (--user U | --group G) [--role viewer|editor] [--allow-reshare] [--json]',
    options: [
      ['--user U', 'share with this user'],
      ['--group G', 'share with this group'],
      ['--role R', 'viewer (default) or editor'],
      ['--allow-reshare', 'let an editor share it further'],
      JSON_OPT,
    ],
    examples: ['coffer share /Team --group staff --role editor'],
  },
  shares: {
    summary: 'shares: list, accept, decline, revoke, change the role',
    usage: 'coffer shares list [--outgoing] [--json] | accept ID [--name NAME] | decline ID | revoke ID | role ID viewer|editor',
    options: [['--outgoing', 'list what I shared (default: shared with me)'], ['--name NAME', 'accept: mount under this name'], JSON_OPT],
    examples: ['coffer shares list', 'coffer shares accept 42 --name Team'],
    subcommands: ['list', 'accept', 'decline', 'revoke', 'role'],
  },
  link: {
    summary: 'public links and file drops',
    usage: 'coffer link create PATH [--drop] [--password-stdin] [--expires 7d|ISO] [--max-downloads N] [--json] | list [--json] | disable ID | enable ID | delete ID',
    options: [
      ['--drop', 'a file drop (others upload into the folder)'],
      ['--password-stdin', 'protect the link with a password read from stdin'],
      ['--expires WHEN', '7d, 12h, 30m from now, or an ISO date'],
      ['--max-downloads N', 'stop after N downloads'],
      JSON_OPT,
    ],
    examples: ['coffer link create /Photos/trip --expires 7d', 'coffer link list'],
    subcommands: ['create', 'list', 'disable', 'enable', 'delete'],
  },
  trust: {
    summary: 'certificates pinned on first use: show, or forget one',
    usage: 'coffer trust [--json] | reset [URL]',
    options: [JSON_OPT],
    examples: ['coffer trust', 'coffer trust reset https://cloud.example.com'],
    subcommands: ['reset'],
  },
  completion: {
    summary: 'print a shell completion script',
    usage: 'coffer completion bash|zsh|fish',
    options: [],
    examples: ['source <(coffer completion bash)', 'coffer completion zsh > "${fpath[1]}/_coffer"', 'coffer completion fish > ~/.config/fish/completions/coffer.fish'],
    subcommands: ['bash', 'zsh', 'fish'],
  },
  help: { summary: 'this help, or a command’s', usage: 'coffer help [COMMAND]', options: [], examples: ['coffer help put'] },
};

export const EXIT_CODES_TEXT = `exit codes: 0 ok, 1 error, 2 usage, 3 conflict (the remote changed meanwhile or exists),
4 not signed in / sign-in expired, 130 interrupted (SIGINT), 143 terminated (SIGTERM)`;

export function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMAND_HELP).map((c) => c.length));
  const lines = Object.entries(COMMAND_HELP).map(([name, h]) => `  ${name.padEnd(width)}  ${h.summary}`);
  return [
    'usage: coffer COMMAND [ARGS] [--json]',
    '',
    ...lines,
    '',
    'coffer COMMAND --help shows a command’s options and examples; coffer --version its version.',
    'The login is kept in $COFFER_CONFIG_DIR, $XDG_CONFIG_HOME/coffer or ~/.config/coffer (mode 0600).',
    'NO_COLOR or COFFER_NO_PROGRESS=1 (or output that is not a terminal): no progress bars.',
    EXIT_CODES_TEXT,
  ].join('\n');
}

export function commandHelp(name: string): string | undefined {
  const h = COMMAND_HELP[name];
  if (!h) return undefined;
  const width = Math.max(0, ...h.options.map(([f]) => f.length));
  return [
    `coffer ${name}: ${h.summary}`,
    '',
    `usage: ${h.usage}`,
    ...(h.options.length ? ['', 'options:', ...h.options.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`)] : []),
    '',
    'examples:',
    ...h.examples.map((e) => `  ${e}`),
  ].join('\n');
}
