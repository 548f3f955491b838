/**
 * PostgreSQL's own tools for PostgreSQL's data: `pg_dump` (custom format: one consistent snapshot,
 * taken in one repeatable-read transaction while the servers keep running) and `pg_restore`
 * (in one transaction: all or nothing). The connection goes in PG* environment variables, so the
 * password never shows in a process list. pg_dump must be at least the server's major version.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { AdminError } from './context.js';

export function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env, PGHOST: decodeURIComponent(u.hostname), PGDATABASE: decodeURIComponent(u.pathname.slice(1)) };
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode') ?? (u.searchParams.get('ssl') === 'true' ? 'require' : undefined);
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

/** pg_dump's output as a stream; `done` settles when it has exited (rejects on a non-zero exit). */
export function pgDump(url: string): { stream: Readable; done: Promise<void> } {
  const child = spawn('pg_dump', ['--format=custom', '--no-owner', '--no-privileges'], { env: pgEnv(url), stdio: ['ignore', 'pipe', 'pipe'] });
  return { stream: child.stdout, done: exited(child, 'pg_dump') };
}

/** Restore a custom-format dump into the (emptied) database, in one transaction. */
export async function pgRestore(url: string, dumpFile: string): Promise<void> {
  const child = spawn('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--dbname', decodeURIComponent(new URL(url).pathname.slice(1))], {
    env: pgEnv(url),
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  createReadStream(dumpFile).pipe(child.stdin);
  await exited(child, 'pg_restore');
}

function exited(child: ReturnType<typeof spawn>, tool: string): Promise<void> {
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (err.length < 4000) err += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new AdminError(`${tool} is not installed (Debian: apt-get install postgresql-client, of the server's major version or newer)`) : e),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new AdminError(`${tool} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}
