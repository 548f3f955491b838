import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Refusing a database that newer code has migrated. drizzle's migrator records each applied
 * migration in drizzle.__drizzle_migrations with its journal timestamp (`created_at`) and only
 * applies journal entries newer than the newest row; it never notices rows it does not know.
 * Older code would then run against tables it does not understand (columns it does not fill,
 * constraints it breaks), so the server stops before migrating instead.
 */
export class DatabaseTooNewError extends Error {
  override readonly name = 'DatabaseTooNewError';
  constructor(
    readonly databaseMigrations: number,
    readonly codeMigrations: number,
  ) {
    super(
      `the database was migrated by a newer version of Coffer (it has ${databaseMigrations} migrations, this version knows ${codeMigrations}). ` +
        'Run the newer version again, or restore the backup taken before the upgrade (README, "Upgrade").',
    );
  }
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

/** The migrations this code ships: their count and the newest timestamp. */
export function codeSchemaVersion(migrationsFolder: string): { count: number; newest: number } {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as Journal;
  return { count: journal.entries.length, newest: Math.max(0, ...journal.entries.map((e) => e.when)) };
}

/** One query answering rows; both drivers (postgres.js, PGlite) fit behind it. */
export type RowsQuery = (text: string) => Promise<Record<string, unknown>[]>;

/** Throws DatabaseTooNewError when the database holds a migration newer than the code's newest. */
export async function assertNotNewerThanCode(query: RowsQuery, migrationsFolder: string): Promise<void> {
  const exists = await query(`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!exists[0]?.present) return; // a fresh database: nothing migrated yet
  const code = codeSchemaVersion(migrationsFolder);
  const rows = await query(`select count(*)::int as n, coalesce(max(created_at), 0)::text as newest from drizzle.__drizzle_migrations`);
  const n = Number(rows[0]?.n ?? 0);
  const newest = Number(rows[0]?.newest ?? 0);
  if (newest > code.newest || n > code.count) throw new DatabaseTooNewError(n, code.count);
}
