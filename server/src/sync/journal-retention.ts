/**
 * Journal retention (issue 23): entries older than the window go, so the journal stays
 * proportional to recent activity, not to the server's age. Each namespace keeps its newest entry
 * whatever its age: a device that has seen everything holds that seq as its cursor and stays
 * servable, and the head never vanishes (cursor.ts). A device whose cursor falls before what is
 * left gets 410 `reset` (REST) or a `reset` event (websocket) and lists its tree again.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';

/** Deletes entries before `cutoff` (batched, so no one statement holds the table long); the count deleted. */
export async function pruneJournal(db: Db, cutoff: Date, batch = 5000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = rowsOf<{ seq: string | number }>(
      await db.execute(sql`
        delete from journal where seq in (
          select j.seq from journal j
          where j.at < ${cutoff.toISOString()}::timestamptz
            and j.seq < (select max(n.seq) from journal n where n.namespace_id = j.namespace_id)
          order by j.seq
          limit ${batch})
        returning seq`),
    );
    deleted += rows.length;
    if (rows.length < batch) return deleted;
  }
}

export interface JournalStats {
  rows: number;
  bytes: number;
  oldestSeq: number | null;
  oldestAt: string | null;
  headSeq: number | null;
}

/** What the admin sees of the journal: its rows, size on disk, oldest entry and head. */
export async function journalStats(db: Db): Promise<JournalStats> {
  const [r] = rowsOf<{ rows: string | number; bytes: string | number; oldest_seq: string | number | null; oldest_at: Date | string | null; head: string | number | null }>(
    await db.execute(sql`
      select (select count(*) from journal) as rows,
             pg_total_relation_size('journal') as bytes,
             o.seq as oldest_seq, o.at as oldest_at,
             (select max(seq) from journal) as head
      from (select 1) one left join (select seq, at from journal order by seq limit 1) o on true`),
  );
  const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    rows: Number(r?.rows ?? 0),
    bytes: Number(r?.bytes ?? 0),
    oldestSeq: num(r?.oldest_seq),
    oldestAt: r?.oldest_at ? new Date(r.oldest_at).toISOString() : null,
    headSeq: num(r?.head),
  };
}
