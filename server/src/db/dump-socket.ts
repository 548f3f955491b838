/**
 * The embedded database's backup door. PGlite is one process's alone (open.ts holds a lockfile),
 * so `coffer-admin backup` cannot open it while the server runs; instead the server answers a
 * dump over a Unix socket in the data directory (mode 0600: whoever may read the data directory
 * may read a dump of it, nobody else). The request is the line "dump"; the answer, the data
 * directory as tar.gz (Database.dump), then the connection closes. Nothing else is served.
 */
import { createServer, type Server } from 'node:net';
import { chmod, unlink } from 'node:fs/promises';
import type { Database } from './open.js';

export const DUMP_SOCKET = 'pglite.sock';

/** Serve dumps at `path`; answers the function that stops it. A path that cannot be used is logged, not fatal. */
export async function serveDumps(database: Database, path: string, log: (line: string) => void = console.error): Promise<() => Promise<void>> {
  const dump = database.dump?.bind(database);
  if (!dump) return async () => undefined;
  // A socket file left by a process that ended without closing it.
  await unlink(path).catch(() => undefined);
  const server: Server = createServer((conn) => {
    conn.on('error', () => conn.destroy());
    let asked = '';
    conn.on('data', (chunk) => {
      asked += chunk.toString('latin1');
      if (!asked.includes('\n')) {
        if (asked.length > 16) conn.destroy();
        return;
      }
      conn.removeAllListeners('data');
      if (asked.trim() !== 'dump') return void conn.destroy();
      dump().then(
        async (blob) => conn.end(Buffer.from(await blob.arrayBuffer())),
        (err: unknown) => {
          log(`embedded database dump failed: ${err instanceof Error ? err.message : String(err)}`);
          conn.destroy();
        },
      );
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    await chmod(path, 0o600);
  } catch (err) {
    log(`the backup socket ${path} could not be opened (${(err as Error).message}); coffer-admin backup then needs the server stopped`);
    server.close();
    return async () => undefined;
  }
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      void unlink(path).catch(() => undefined);
    });
}
