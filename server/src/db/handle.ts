/**
 * The handle every service is given: drizzle over the metadata database, or a transaction of it.
 * Kept apart from open.ts (which makes one) so the helpers that only run statements — raw.ts,
 * token-cache.ts, pglite-statements.ts — do not import the code that opens a database.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

/** Runs `text` (placeholders $1, $2, …) and answers its rows as objects keyed by column name. */
export type RawQuery = (text: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;

export type Db = PgDatabase<PgQueryResultHKT, typeof schema> & {
  /**
   * The database's own way to run a hot-path statement straight through its driver (raw.ts),
   * set by openDatabase on the handle it answers. A transaction has none: its statements go
   * through drizzle on the transaction's connection.
   */
  readonly $raw?: RawQuery;
};

/** The rows of a raw `db.execute`: postgres.js answers an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Rows of one multi-row INSERT: their bound parameters stay far below PostgreSQL's 65,535. */
export const ROWS_PER_INSERT = 1000;
