/**
 * What the metrics read from the metadata database at scrape time: storage used at each stage
 * of the write path, degraded blocks, the job queue, the latest repair and scrub, and the
 * database's own connections. One round of statements per scrape (cached briefly), never on a
 * request's path.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';

export interface StoreStats {
  /** Plaintext bytes as files reference them (a block counted once per version holding it). */
  logicalBytes: number;
  /** Plaintext bytes of distinct blocks (after dedup). */
  uniqueBytes: number;
  /** Bytes of the sealed frames (after compression and encryption). */
  compressedBytes: number;
  /** Bytes of every shard object (after erasure coding). */
  erasureCodedBytes: number;
  blocks: number;
  degradedBlocks: number;
  /** Jobs by kind and state. */
  jobs: { kind: string; state: string; count: number }[];
  /** The running (else the latest) repair and scrub job's progress. */
  latest: { kind: string; state: string; progress: Record<string, unknown>; finishedAt: Date | null }[];
  /** PostgreSQL only: this database's connections by state (every instance's); null on PGlite. */
  connections: { state: string; count: number }[] | null;
}

export async function readStoreStats(db: Db, kind: 'postgres' | 'pglite'): Promise<StoreStats> {
  const [usage] = rowsOf<Record<string, string | number | null>>(
    await db.execute(sql`
      select coalesce(sum(size::numeric * greatest(refcount, 0)), 0) as logical,
             coalesce(sum(size), 0) as "unique",
             coalesce(sum(frame_size), 0) as compressed,
             coalesce(sum(case when layout->>'kind' = 'rs'
                               then frame_size::numeric * ((layout->>'k')::int + (layout->>'m')::int) / (layout->>'k')::int
                               else frame_size::numeric * (layout->>'copies')::int end), 0) as coded,
             count(*) as blocks,
             (select count(*) from degraded_blocks) as degraded
      from blocks`),
  );
  const jobs = rowsOf<{ kind: string; state: string; count: string | number }>(
    await db.execute(sql`select kind, state, count(*) as count from jobs group by kind, state`),
  );
  const latest = rowsOf<{ kind: string; state: string; progress: Record<string, unknown> | string; finished_at: Date | string | null }>(
    await db.execute(sql`
      select distinct on (kind) kind, state, progress, finished_at
      from jobs where kind in ('repair', 'scrub')
      order by kind, (state = 'running') desc, created_at desc`),
  );
  const connections =
    kind === 'postgres'
      ? rowsOf<{ state: string | null; count: string | number }>(
          await db.execute(sql`select coalesce(state, 'unknown') as state, count(*) as count from pg_stat_activity where datname = current_database() group by 1`),
        ).map((r) => ({ state: r.state ?? 'unknown', count: Number(r.count) }))
      : null;
  const n = (k: string) => Number(usage?.[k] ?? 0);
  return {
    logicalBytes: n('logical'),
    uniqueBytes: n('unique'),
    compressedBytes: n('compressed'),
    erasureCodedBytes: n('coded'),
    blocks: n('blocks'),
    degradedBlocks: n('degraded'),
    jobs: jobs.map((j) => ({ kind: j.kind, state: j.state, count: Number(j.count) })),
    latest: latest.map((l) => ({
      kind: l.kind,
      state: l.state,
      progress: typeof l.progress === 'string' ? (JSON.parse(l.progress) as Record<string, unknown>) : l.progress,
      finishedAt: l.finished_at ? new Date(l.finished_at) : null,
    })),
    connections,
  };
}
