/**
 * Copying every table of one Coffer database into another of the same schema version, exactly:
 * rows leave as `row_to_json` text and arrive through `json_populate_recordset`, so every type
 * (uuid, timestamptz, jsonb, bytea, bigint) goes through PostgreSQL's own text forms on both
 * sides, whatever the two servers' versions. Pages follow the physical row order (ctid).
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';

const PAGE = 2000;

export async function tablesOf(db: Db): Promise<string[]> {
  return rowsOf<{ t: string }>(await db.execute(sql`select tablename as t from pg_tables where schemaname = 'public' order by tablename`)).map((r) => r.t);
}

export async function sequencesOf(db: Db): Promise<{ name: string; last: string; called: boolean }[]> {
  const names = rowsOf<{ s: string }>(await db.execute(sql`select sequencename as s from pg_sequences where schemaname = 'public'`)).map((r) => r.s);
  const out = [];
  for (const name of names) {
    const [row] = rowsOf<{ last: string; called: boolean }>(await db.execute(sql.raw(`select last_value::text as last, is_called as called from public."${name}"`)));
    out.push({ name, last: row!.last, called: row!.called });
  }
  return out;
}

/** The table's rows as JSON texts, a page at a time. */
export async function* pagesOf(db: Db, table: string): AsyncGenerator<string[]> {
  let after = '(0,0)';
  for (;;) {
    const rows = rowsOf<{ c: string; j: string }>(
      await db.execute(sql.raw(`select ctid::text as c, row_to_json(t)::text as j from public."${table}" t where ctid > '${after}'::tid order by ctid limit ${PAGE}`)),
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.j);
    after = rows.at(-1)!.c;
    if (rows.length < PAGE) return;
  }
}

/** Insert a page of JSON rows into `table` (on a transaction with triggers off). */
export async function insertPage(tx: Db, table: string, rows: readonly string[]): Promise<void> {
  const json = `[${rows.join(',')}]`;
  await tx.execute(sql`insert into ${sql.raw(`public."${table}"`)} select * from json_populate_recordset(null::${sql.raw(`public."${table}"`)}, ${json}::json)`);
}
