/** How far a database's schema is: the count of drizzle migrations applied, against this code's. */
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';

const JOURNAL = new URL('../../drizzle/meta/_journal.json', import.meta.url);

export async function codeMigrations(): Promise<number> {
  const journal = JSON.parse(await readFile(JOURNAL, 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

export async function appliedMigrations(db: Db): Promise<number> {
  const rows = rowsOf<{ n: number | string }>(await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`));
  return Number(rows[0]?.n ?? 0);
}
