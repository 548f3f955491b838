import { mkdir, open as openFile, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Db, RawQuery } from './handle.js';
import { pgliteRawQuery } from './pglite-statements.js';
import { assertNotNewerThanCode } from './schema-version.js';
import { TokenCache } from './token-cache.js';
import * as schema from './schema.js';

export { rowsOf, type Db } from './handle.js';

/** Stops a subscription made by `Database.listen`. */
export type Unlisten = () => Promise<void>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Token lookups kept in memory: on the embedded database only (token-cache.ts says why). */
  tokens: TokenCache | null;
  /**
   * LISTEN on `channel`: `onPayload` gets each NOTIFY payload (delivered after the notifying
   * transaction commits). `onListen` runs each time the subscription is (re)established: after a
   * reconnect, notifications sent during the gap are lost, so callers re-read what they watch.
   */
  listen(channel: string, onPayload: (payload: string) => void, onListen?: () => void): Promise<Unlisten>;
  /** The embedded database only: a consistent copy of its data directory (tar.gz, after a checkpoint), for backups. */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

/** Left in the data directory by `coffer-admin migrate-db`: the embedded database moved to PostgreSQL. */
export const MIGRATED_MARKER = 'pglite.migrated';

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'drizzle');
/**
 * The embedded database's memory budget (server/README.md, "Memory"). PGlite's PostgreSQL runs
 * in the server's own wasm memory, which never shrinks, and its default shared_buffers (128 MB)
 * end up touched in full: ~120 MiB of the process for a cache of files the OS caches anyway.
 * 16 MB measured the same insert rate (200k rows) at ~140 MiB peak instead of ~260 (with
 * --liftoff-only, server/README.md), and a first boot's initdb at ~500 MiB peak instead of ~630.
 * maintenance_work_mem bounds CREATE INDEX in migrations; temp_buffers, temp tables (none now).
 */
export const PGLITE_MEMORY = ['-c', 'shared_buffers=16MB', '-c', 'maintenance_work_mem=16MB', '-c', 'temp_buffers=2MB'];

/** Arbitrary constant: the advisory lock that lets one server instance at a time migrate. */
const MIGRATION_LOCK = 0x636f6666;

/**
 * The metadata database, migrated to the current schema: PostgreSQL when a URL is given,
 * otherwise PGlite in the data directory (embedded default: one process, one machine).
 */
export async function openDatabase(opts: { url?: string; dataDir: string }): Promise<Database> {
  return opts.url ? openPostgres(opts.url) : openPglite(join(opts.dataDir, 'pglite'));
}

async function openPostgres(url: string): Promise<Database> {
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  const orm = drizzlePostgres(sql, { schema });
  const db = withRaw(orm, (text, params) => sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }));
  // Several server instances may boot at once: one migrates, the others wait for it.
  try {
    const lock = await sql.reserve();
    try {
      await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await assertNotNewerThanCode((text) => lock.unsafe(text), migrationsFolder);
      await migratePostgres(orm, { migrationsFolder });
    } finally {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => undefined);
      lock.release();
    }
  } catch (err) {
    await sql.end({ timeout: 5 }).catch(() => undefined);
    throw err;
  }
  return {
    db,
    kind: 'postgres',
    tokens: null,
    // postgres.js keeps one dedicated connection for all LISTENs and re-issues them (calling
    // onListen again) when that connection is replaced.
    listen: async (channel, onPayload, onListen) => {
      const sub = await sql.listen(channel, onPayload, onListen);
      return () => sub.unlisten();
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

async function openPglite(dir: string): Promise<Database> {
  // A copy left behind for going back, no longer the live one: a server must not quietly run on it.
  const moved = await readFile(join(dirname(dir), MIGRATED_MARKER), 'utf8').catch(() => undefined);
  if (moved !== undefined) throw new Error(`the embedded database was ${moved.trim()}: set DATABASE_URL (or remove ${join(dirname(dir), MIGRATED_MARKER)} to go back)`);
  await mkdir(dir, { recursive: true });
  const releaseLock = await takeLock(`${dir}.lock`);
  try {
    // Loaded only when used: PGlite's module alone costs ~35 MiB of RSS a PostgreSQL server need not carry.
    const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    // initdb gets them too (first boot: its bootstrap runs with them, and writes them into postgresql.conf).
    const client = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, ...PGLITE_MEMORY], initDbStartParams: PGLITE_MEMORY });
    const orm = drizzlePglite(client, { schema });
    const db = withRaw(orm, pgliteRawQuery(client));
    try {
      await assertNotNewerThanCode(async (text) => (await client.query<Record<string, unknown>>(text)).rows, migrationsFolder);
    } catch (err) {
      await client.close();
      throw err;
    }
    await migratePglite(orm, { migrationsFolder });
    const tokens = await TokenCache.listening((channel, onNotice) => client.listen(channel, onNotice));
    return {
      db,
      kind: 'pglite',
      tokens,
      // In-process: the one session sees its own notifications at commit; it never reconnects.
      listen: async (channel, onPayload, onListen) => {
        const unlisten = await client.listen(channel, onPayload);
        onListen?.();
        return () => unlisten();
      },
      // dumpDataDir runs between queries (PGlite serialises them); the checkpoint first puts every page in the files.
      dump: async () => {
        await client.exec('checkpoint');
        return client.dumpDataDir('gzip');
      },
      close: async () => {
        await client.close();
        await releaseLock();
      },
    };
  } catch (err) {
    await releaseLock();
    throw err;
  }
}

/**
 * PGlite does not stop a second process from opening its directory (and a committed row was
 * seen lost that way), so the directory is guarded by a lockfile holding the owner's pid.
 * A lock left by a process that no longer runs is taken over.
 */
export async function takeLock(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await openFile(path, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`the embedded database ${dirname(path)} is in use by process ${pid}; stop it first (or use PostgreSQL for several server processes)`);
      }
      if (pid === process.pid) throw new Error(`the embedded database ${dirname(path)} is already open in this process`);
      await unlink(path).catch(() => undefined);
    }
  }
  throw new Error(`could not lock ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The drizzle handle, given its driver's direct runner for hot-path statements (raw.ts). */
function withRaw(db: object, raw: RawQuery): Db {
  return Object.defineProperty(db, '$raw', { value: raw, enumerable: false }) as Db;
}
