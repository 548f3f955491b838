/**
 * The `coffer` command line: dispatch to a command, turn failures into one line on stderr and
 * an exit code (0 ok, 1 error — the server's own message when it sent one, 2 usage).
 */
import { ApiError, UsageError } from '../api/errors.js';
import { debugging } from '../env.js';
import { get, put } from './commands/transfer.js';
import { login, logout } from './commands/login.js';
import { ls, mkdir, mv, rm } from './commands/files.js';
import { link } from './commands/links.js';
import { restore, revs } from './commands/revisions.js';
import { share, shares } from './commands/shares.js';
import { status } from './commands/status.js';
import { sync } from './commands/sync.js';

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = { login, logout, ls, put, get, mkdir, mv, rm, revs, restore, status, sync, share, shares, link };

export const HELP = `usage: coffer COMMAND [ARGS]

  login URL [--username U] [--password-stdin] [--fingerprint XX:..|--yes|--ca FILE]
            [--device-name N] [--insecure-http]      sign in; trust the certificate on first use
  logout                                            revoke this device's token, forget the login
  status                                            server, user, device, quota
  ls [PATH] [-l]                                    list a folder
  put LOCAL [REMOTE] [--overwrite|--base-rev N]     upload (only blocks the server lacks)
  get REMOTE [LOCAL] [--rev N]                      download (atomic; skipped when up to date)
  mkdir [-p] PATH...                                make folders
  mv FROM TO                                        move or rename
  rm PATH...                                        move to the trash
  revs PATH [-n LIMIT]                              a file's revisions, newest first
  revs PATH --keep REV | --unkeep REV               keep a revision forever (retention never thins it), or not
  restore PATH REV                                  make an old revision the newest
  sync DIR [REMOTE] [--once] [--stats FILE]         keep DIR and REMOTE (default /DIRNAME) in sync
  share PATH (--user U|--group G) [--role viewer|editor] [--allow-reshare]
                                                    share a folder or file (default role: viewer)
  shares list [--outgoing]                          shared with me (or what I shared), with ids
  shares accept ID [--name NAME]                    mount a share at your root (under NAME)
  shares decline ID | revoke ID | role ID ROLE      decline or leave; revoke; change the role
  link create PATH [--drop] [--password-stdin] [--expires 7d|ISO] [--max-downloads N]
                                                    a public link (or a file drop); prints its URL once
  link list | disable ID | enable ID | delete ID    your links

put and get take --stats (bytes moved, as JSON on stderr).
The login is kept in $COFFER_CONFIG_DIR, $XDG_CONFIG_HOME/coffer or ~/.config/coffer (mode 0600).`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(HELP + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`coffer: unknown command "${name}" (try coffer --help)\n`);
    return 2;
  }
  try {
    await command(args);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`coffer ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`coffer ${name}: ${messageOf(err)}\n`);
    if (debugging() && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNREFUSED') return `cannot reach the server (${e.message})`;
  if (e?.code === 'ENOENT' && e.path) return `${e.path}: no such file or directory`;
  return (e?.message ?? String(err)).split('\n')[0]!;
}
