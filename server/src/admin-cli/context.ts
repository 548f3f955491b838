/**
 * What every `coffer-admin` command shares: argument parsing (node:util parseArgs, as the `coffer`
 * command does), the server's own configuration from the environment, and opening its database
 * and storage the way the server does (same migrations, same node reconciliation).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/open.js';
import type { Storage } from '../storage.js';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A mistake in how the command was called: exit code 2. */
export { UsageError };

/** A refusal or a failure the operator can act on: one line, exit code 1. */
export class AdminError extends Error {}

/** parseArgs with strict options and a positional count check; mistakes are UsageError. */
export function parse<O extends Options>(args: string[], options: O, positionals: { min: number; max: number; usage: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: coffer-admin ${positionals.usage}`);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) throw new UsageError(`usage: coffer-admin ${positionals.usage}`);
  return parsed;
}

export function config(): Config {
  return loadConfig(process.env);
}

/** The metadata database of this install (migrated, as the server opens it); closed by the caller. */
export async function openInstall(c: Config = config()): Promise<Database> {
  return openDatabase({ url: c.databaseUrl, dataDir: c.dataDir });
}

/** The database and the storage engine, opened as the server opens them; `close()` closes both. */
export async function openInstallWithStorage(c: Config = config()): Promise<{ database: Database; storage: Storage; close(): Promise<void> }> {
  // Loaded here, not with this module: the engine and its S3 client cost commands that only
  // touch the database (users, quota, reset-password) about a second of start-up.
  const [{ openStorage }, { S3Node }] = await Promise.all([import('../storage.js'), import('@coffer/storage-engine')]);
  const database = await openInstall(c);
  let storage: Storage;
  try {
    storage = await openStorage(c, database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  return {
    database,
    storage,
    async close() {
      try {
        await storage.blocks.close();
        // Their keep-alive sockets would hold the process open after the command is done.
        for (const node of storage.nodes) if (node instanceof S3Node) node.close();
      } finally {
        await database.close();
      }
    },
  };
}

/** Run `fn` on the opened database, always closing it. */
export async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openInstall();
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

export function print(line: string): void {
  process.stdout.write(line + '\n');
}

export function note(line: string): void {
  process.stderr.write(line + '\n');
}
