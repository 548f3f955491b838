/**
 * The persisted list of blocks that lack redundancy. The engine reports them (onDegraded) on
 * reads and writes; metadata shows others (fewer shards recorded than the layout wants, or two on
 * one node). The repair job works through the list and clears what it made whole.
 */
import { asc, count, eq, gt, sql } from 'drizzle-orm';
import type { DegradedBlock } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { degradedBlocks } from '../db/schema.js';

/** Record (or refresh) a degraded block. Never throws: a report must not fail the read that made it. */
export async function recordDegraded(db: Db, key: string, reason: string): Promise<void> {
  try {
    await db
      .insert(degradedBlocks)
      .values({ blockKey: key, reason: reason.slice(0, 500) })
      .onConflictDoUpdate({ target: degradedBlocks.blockKey, set: { reason: reason.slice(0, 500), lastSeenAt: sql`now()` } });
  } catch {
    // The block was deleted meanwhile (foreign key) or the database is unreachable; scrub and
    // the metadata sweep find such blocks again, so nothing is lost by dropping the report.
  }
}

/** Add every block whose recorded shards are fewer than its layout wants, or share a node. */
export async function sweepMetadataDegraded(db: Db): Promise<void> {
  await db.execute(sql`
    insert into degraded_blocks (block_key, reason)
    select b.key, 'metadata: shards missing or sharing a node'
    from blocks b left join block_shards s on s.block_key = b.key
    group by b.key, b.layout
    having count(s.index) < (case when b.layout->>'kind' = 'rs'
                                  then (b.layout->>'k')::int + (b.layout->>'m')::int
                                  else (b.layout->>'copies')::int end)
        or count(distinct s.node_id) < count(s.index)
    on conflict (block_key) do nothing`);
}

/** Every block with a shard on a node that went down: at risk now, and the node may return empty. */
export async function markNodeBlocksDegraded(db: Db, nodeId: string): Promise<void> {
  await db.execute(sql`
    insert into degraded_blocks (block_key, reason)
    select distinct block_key, ${`node ${nodeId} was down`} from block_shards where node_id = ${nodeId}
    on conflict (block_key) do update set reason = excluded.reason, last_seen_at = now()`);
}

export type DegradedRow = typeof degradedBlocks.$inferSelect;

/** A page of the list in key order (keyset: after `afterKey`). */
export async function listDegraded(db: Db, opts: { afterKey?: string; limit: number }): Promise<DegradedRow[]> {
  const q = db.select().from(degradedBlocks);
  return (opts.afterKey ? q.where(gt(degradedBlocks.blockKey, opts.afterKey)) : q).orderBy(asc(degradedBlocks.blockKey)).limit(opts.limit);
}

export async function countDegraded(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(degradedBlocks);
  return Number(row?.n ?? 0);
}

export async function clearDegraded(db: Db, key: string): Promise<void> {
  await db.delete(degradedBlocks).where(eq(degradedBlocks.blockKey, key));
}

export async function noteRepairFailed(db: Db, key: string, error: string): Promise<void> {
  await db
    .update(degradedBlocks)
    .set({ repairAttempts: sql`${degradedBlocks.repairAttempts} + 1`, lastError: error.slice(0, 500) })
    .where(eq(degradedBlocks.blockKey, key));
}

/** A degraded block as the admin API shows it. */
export function degradedView(b: DegradedRow): DegradedBlock {
  return {
    key: b.blockKey,
    reason: b.reason,
    firstSeenAt: b.firstSeenAt.toISOString(),
    lastSeenAt: b.lastSeenAt.toISOString(),
    repairAttempts: b.repairAttempts,
    lastError: b.lastError,
  };
}
