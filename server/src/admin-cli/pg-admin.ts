/** Questions about the PostgreSQL database itself, before commands that must have it to themselves or empty. */
import postgres from 'postgres';
import { AdminError } from './context.js';

export function adminConnection(url: string) {
  return postgres(url, { max: 1, onnotice: () => {} });
}

/** Refuse while other sessions (running servers) use the database, unless forced. */
export async function mustBeAlone(sql: postgres.Sql, force: boolean, doing: string): Promise<void> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  if (row!.n > 0 && !force) {
    throw new AdminError(`${row!.n} other connection(s) to the database: stop every Coffer server before ${doing} (or --force)`);
  }
}

/** Rows in the users table (undefined: no Coffer schema there at all). */
export async function userCount(sql: postgres.Sql): Promise<number | undefined> {
  const [t] = await sql<{ t: string | null }[]>`select to_regclass('public.users')::text as t`;
  if (!t?.t) return undefined;
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from public.users`;
  return row!.n;
}

/** Drop Coffer's schemas (the tables, the migrations' record) so a dump can be restored into a clean database. */
export async function clearSchemas(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx.unsafe('drop schema if exists drizzle cascade');
    await tx.unsafe('drop schema if exists public cascade');
    await tx.unsafe('create schema public');
  });
}
