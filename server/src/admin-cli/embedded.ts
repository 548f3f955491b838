/**
 * The embedded database (PGlite in DATA/pglite) for backups and restores. While a server runs, it
 * holds the database alone, so the dump comes from it over its backup socket (db/dump-socket.ts);
 * with no server running, the database is opened here directly. A restore needs the server
 * stopped: it loads the dump into a new data directory under the same lock the server takes.
 */
import { connect } from 'node:net';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DUMP_SOCKET } from '../db/dump-socket.js';
import { openDatabase, takeLock } from '../db/open.js';
import { AdminError } from './context.js';
import { appliedMigrations } from './migrations.js';

export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

/**
 * The data directory as tar.gz: from the running server if there is one, else opened here; with
 * the count of migrations it holds (the backup's manifest records it, so a restore by older code
 * is refused).
 */
export async function dumpEmbedded(dataDir: string): Promise<{ bytes: Buffer; from: 'running server' | 'data directory'; migrations: number }> {
  const live = await askServer(join(dataDir, DUMP_SOCKET));
  if (live) return { bytes: live, from: 'running server', migrations: await migrationsInDump(live) };
  const database = await openDatabase({ dataDir });
  try {
    const migrations = await appliedMigrations(database.db);
    return { bytes: Buffer.from(await (await database.dump!()).arrayBuffer()), from: 'data directory', migrations };
  } finally {
    await database.close();
  }
}

/** Opens a dump in memory (the server holds the directory) and counts its applied migrations. */
async function migrationsInDump(bytes: Buffer): Promise<number> {
  const { PGlite } = await import('@electric-sql/pglite');
  const client = await PGlite.create({ loadDataDir: new Blob([bytes], { type: 'application/x-gzip' }) });
  try {
    const present = await client.query<{ present: boolean }>(`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
    if (!present.rows[0]?.present) return 0;
    const rows = await client.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
    return Number(rows.rows[0]?.n ?? 0);
  } finally {
    await client.close();
  }
}

/** The dump from the server's socket; undefined when no server listens there. */
function askServer(path: string): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let connected = false;
    const conn = connect(path, () => {
      connected = true;
      conn.write('dump\n');
    });
    conn.on('data', (d: Buffer) => parts.push(d));
    conn.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')) resolve(undefined);
      else reject(new AdminError(`the running server's backup socket failed: ${err.message}`));
    });
    conn.on('end', () => {
      if (parts.length === 0) reject(new AdminError('the running server sent no dump (see its log)'));
      else resolve(Buffer.concat(parts));
    });
  });
}

/** Whether the embedded database holds anything (a data directory with files in it). */
export async function embeddedExists(dataDir: string): Promise<boolean> {
  return (await readdir(pgliteDir(dataDir)).catch(() => [])).length > 0;
}

/**
 * Load a dump as the embedded database. An existing one is moved aside (DATA/pglite.replaced-TIME),
 * never deleted. Takes the server's lock, so a running server refuses it.
 */
export async function loadEmbedded(dataDir: string, dumpFile: string): Promise<string | undefined> {
  const dir = pgliteDir(dataDir);
  await mkdir(dataDir, { recursive: true });
  const release = await takeLock(`${dir}.lock`);
  let aside: string | undefined;
  try {
    if (await embeddedExists(dataDir)) {
      aside = `${dir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(dir, aside);
    }
    const { PGlite } = await import('@electric-sql/pglite');
    const blob = new Blob([await readFile(dumpFile)], { type: 'application/x-gzip' });
    const client = await PGlite.create(dir, { loadDataDir: blob });
    await client.exec('checkpoint');
    await client.close();
  } finally {
    await release();
  }
  return aside;
}
