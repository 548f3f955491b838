/**
 * How many bytes storing the data takes at each stage: what users stored (logical: the kept
 * versions charged to quotas), each distinct block once (after dedup), the blocks' frames (after
 * compression, with the encryption framing), and the shards on the nodes (after erasure coding or
 * replication: a frame of k data shards plus m parity ones takes (k+m)/k of it; whole copies take
 * one frame each). Per tier, and in all.
 */
import { sql } from 'drizzle-orm';
import type { TierUsage } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { rowsOf } from '../db/open.js';

export interface Stages {
  logicalBytes: number;
  dedupBytes: number;
  compressedBytes: number;
  storedBytes: number;
  tiers: TierUsage[];
}

/** Bytes on the nodes for a block of this layout and frame (shards are padded to 8 bytes). */
const STORED = sql`case when layout->>'kind' = 'rs'
  then ((layout->>'k')::int + (layout->>'m')::int) * (ceil(ceil(frame_size::numeric / (layout->>'k')::int) / 8) * 8)
  else (layout->>'copies')::int * frame_size end`;

export async function storageStages(db: Db): Promise<Stages> {
  const tierRows = rowsOf<{ tier: 'hot' | 'cold'; blocks: string; dedup: string; compressed: string; stored: string }>(
    await db.execute(sql`
      select tier, count(*) as blocks, coalesce(sum(size), 0) as dedup, coalesce(sum(frame_size), 0) as compressed, coalesce(sum(${STORED}), 0) as stored
      from blocks where refcount > 0 group by tier order by tier desc`),
  );
  const [logical] = rowsOf<{ bytes: string }>(await db.execute(sql`select coalesce(sum(used_bytes), 0) as bytes from users`));
  const tiers: TierUsage[] = tierRows.map((r) => ({
    tier: r.tier,
    blocks: Number(r.blocks),
    // Per tier, logical is the blocks' own size (versions are not per tier).
    logicalBytes: Number(r.dedup),
    dedupBytes: Number(r.dedup),
    compressedBytes: Number(r.compressed),
    storedBytes: Number(r.stored),
  }));
  const sum = (k: keyof TierUsage) => tiers.reduce((n, t) => n + (t[k] as number), 0);
  return { logicalBytes: Number(logical?.bytes ?? 0), dedupBytes: sum('dedupBytes'), compressedBytes: sum('compressedBytes'), storedBytes: sum('storedBytes'), tiers };
}
