/**
 * One statement straight to the driver, for the few statements every request or upload runs
 * (the functions of migration 0005). Measured on PGlite: a drizzle-built statement costs ~400 µs
 * of CPU (its builder, and per-query parser overrides PGlite merges into its whole type table on
 * every call), the same text as a plain `query` ~200 µs, and prepared once, then executed by the
 * simple protocol with literal values (pglite-statements.ts) ~120 µs. On PostgreSQL it is a
 * server-side prepared statement (postgres.js `prepare: true`; drizzle sends unnamed ones unless
 * `.prepare()`d). Everything else stays on drizzle: this is for hot paths whose rows are mapped by hand.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from './handle.js';

/**
 * The rows of one statement. Values come as the driver parses them (map them with tableRow);
 * parameters should be strings, numbers, booleans or null (JSON as a string with a ::jsonb cast).
 * Inside a transaction (a drizzle `tx`, which has no driver of its own here) it goes through drizzle.
 */
export async function rawRows(db: Db, text: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
  if (db.$raw) return db.$raw(text, params);
  return rowsOf<Record<string, unknown>>(await db.execute(withParams(text, params)));
}

/**
 * The one value a statement answers in its column `v` (`select some_function(…) as v`), as the
 * driver parses it (both parse json and jsonb); null for SQL null or no row. The hot-path
 * functions of migration 0005 answer JSON: one column is the cheapest result to return and parse.
 */
export async function rawValue<T>(db: Db, text: string, params: readonly unknown[]): Promise<T | null> {
  const [row] = await rawRows(db, text, params);
  return (row?.v ?? null) as T | null;
}

/** A text[] parameter as an array literal (a string binds the same way on every driver). */
export function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** `text` with its $n placeholders bound as drizzle parameters. */
function withParams(text: string, params: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [sql.raw(parts[0]!)];
  for (let i = 1; i < parts.length; i += 2) {
    chunks.push(sql`${params[Number(parts[i]) - 1]}`, sql.raw(parts[i + 1]!));
  }
  return sql.join(chunks);
}
