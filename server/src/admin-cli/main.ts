/**
 * `coffer-admin`: the operator's command, run inside the container or next to the data. It works
 * on the server's configuration, database and nodes directly (the same environment as the server),
 * never through the HTTP API. One file per command under commands/; exit codes: 0 ok, 1 refused or
 * failed (one line on stderr), 2 usage.
 */
import { UsageError } from './usage-error.js';

type Command = (args: string[]) => Promise<number | void>;

/**
 * Each command's module is loaded when it runs: loading them all (the database, the storage
 * engine, S3 and backup libraries) cost ~3.5 s and ~300 MiB before even `--help` answered.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  backup: async () => (await import('./commands/backup.js')).backup,
  restore: async () => (await import('./commands/restore.js')).restore,
  verify: async () => (await import('./commands/verify.js')).verify,
  'rotate-master-key': async () => (await import('./commands/rotate-master-key.js')).rotateMasterKey,
  'reset-password': async () => (await import('./commands/reset-password.js')).resetPassword,
  users: async () => (await import('./commands/users.js')).users,
  quota: async () => (await import('./commands/quota.js')).quota,
  nodes: async () => (await import('./commands/nodes.js')).nodes,
  'migrate-db': async () => (await import('./commands/migrate-db.js')).migrateDb,
  import: async () => (await import('./commands/import.js')).importTree,
  export: async () => (await import('./commands/export.js')).exportTree,
};

export const HELP = `usage: coffer-admin COMMAND [ARGS]   (uses the server's environment: DATABASE_URL, COFFER_DATA_DIR, COFFER_MASTER_KEY, …)

  backup --to FILE|s3://BUCKET/KEY --passphrase-file F [--s3-endpoint URL]
                                        database snapshot + master key + server secret, encrypted (age, scrypt)
  restore FROM --passphrase-file F [--force] [--s3-endpoint URL]
                                        into an empty database (--force: replace what is there); writes the keys
  verify [--read-data]                  every file's blocks resolve and have their shards (--read-data: read and check each)
  rotate-master-key --new-key-file F    re-wrap every data key under a new master key (servers stopped)
  reset-password USER [--password-stdin]  set a new password (printed when generated); signs the user out
  users                                 list accounts
  quota USER SIZE                       set a quota (10G, 500M, …)
  nodes list | add NAME URL [--tier hot|cold] | drain NAME | retire NAME
  migrate-db --to postgres://… [--env-file FILE]
                                        copy the embedded database into PostgreSQL, everything kept
  import DIR --user USER [--to /PATH]   bulk-load a folder tree into a user's files
  export USER DIR [--from /PATH]        write a user's files out, byte-identical

S3 credentials for backup and restore: --s3-endpoint, or the environment (S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(HELP + '\n');
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`coffer-admin: unknown command "${name}" (try coffer-admin --help)\n`);
    return 2;
  }
  try {
    const command = await load();
    return (await command(args)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`coffer-admin ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`coffer-admin ${name}: ${messageOf(err)}\n`);
    if (process.env.COFFER_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

function messageOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' && e.path) return `${e.path}: no such file or directory`;
  if (e?.code === 'ECONNREFUSED') return `cannot reach the database or a node (${e.message})`;
  return (e?.message ?? String(err)).split('\n')[0]!;
}
