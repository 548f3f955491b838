import { readFrame } from '../store/block-reader.js';
import { writeShards } from '../store/block-writer.js';
import { chooseLayout, type ErasureOptions } from '../erasure/erasure.js';
import { encodeShardParts } from '../shards/shard-encode.js';
import { NotFoundError } from '../errors.js';
import type { KeyLocks } from '../store/key-locks.js';
import { shardCount, shardsNeeded, type Layout, type Tier } from '../erasure/layout.js';
import type { BlockMetadataPort, BlockRecord } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';
import type { Packer } from '../packs/packer.js';
import { deleteShardObject } from '../packs/shard-io.js';
import { forEachLimit, shardObjectSize } from './shard-move.js';

export interface TierMove {
  key: string;
  /** False when the block was on that tier already, or changed under us (nothing was moved). */
  moved: boolean;
  from: Tier;
  to: Tier;
  /** Bytes of shard objects removed from the old tier (packed ones free nothing until compaction) and written to the new one. */
  bytesFreed: number;
  bytesWritten: number;
}

export interface TieringContext {
  pool: NodePool;
  metadata: BlockMetadataPort;
  locks: KeyLocks;
  erasure: ErasureOptions;
  quorumExtra: number;
  hedgeDelayMs: number;
  onDegraded: (key: string, reason: string) => void;
  /** Packs small shard objects of re-encoded blocks, as new writes do. */
  packer?: Packer;
}

/**
 * Move one block to another tier: read and decode its frame from k verified shards, encode it
 * for the target tier's nodes (a tier with fewer nodes gets a narrower code or replicas, so it
 * still survives one node loss), store it there under a new generation, point metadata at it —
 * only if the block did not change meanwhile — and then delete the old shards. Readers holding
 * the old record re-read metadata when its shards vanish, so reads stay transparent.
 */
export async function moveToTier(ctx: TieringContext, key: string, to: Tier): Promise<TierMove> {
  return ctx.locks.run(key, async () => {
    const record = await ctx.metadata.getBlock(key);
    if (!record) throw new NotFoundError('metadata', key);
    const none: TierMove = { key, moved: false, from: record.tier, to, bytesFreed: 0, bytesWritten: 0 };
    if (record.tier === to) return none;
    return { ...none, ...(await reencodeBlock(ctx, record, to, tierLayout(record.frameSize, ctx.pool.writable(to).length, ctx.erasure))) };
  });
}

/**
 * Re-encode a block under `layout` onto `to`'s writable nodes: read and decode its frame from k
 * verified shards, store the new shards under a new generation, point metadata at them — only if
 * the block did not change meanwhile — then delete the old shards. The caller holds the block's
 * lock. Tiering uses it to change tier; drain, to fit a block onto a tier grown narrower than its code.
 */
export async function reencodeBlock(
  ctx: TieringContext,
  record: BlockRecord,
  to: Tier,
  layout: Layout,
): Promise<{ moved: boolean; bytesFreed: number; bytesWritten: number }> {
  const { pool, metadata } = ctx;
  const { key } = record;
  const { frame } = await readFrame(pool, record, { hedgeDelayMs: ctx.hedgeDelayMs });
  const { objects: shards } = await encodeShardParts(frame, layout);
  const quorum = Math.min(shardsNeeded(layout) + ctx.quorumExtra, shardCount(layout));
  const written = await writeShards(pool, key, shards, layout, to, quorum, ctx.packer);
  const relocated = await metadata.relocateBlock(key, record.generation, { tier: to, layout, generation: written.generation, shards: written.shards });
  const newKey = { key, generation: written.generation };
  if (!relocated) {
    await Promise.allSettled(written.shards.map((s) => deleteShardObject(pool.get(s.nodeId), newKey, s)));
    return { moved: false, bytesFreed: 0, bytesWritten: 0 };
  }
  if (written.degraded) ctx.onDegraded(key, `moved to ${to} degraded`);
  await Promise.allSettled(record.shards.map((s) => deleteShardObject(pool.get(s.nodeId), record, s)));
  return {
    moved: true,
    // A packed shard frees nothing yet: it is a dead entry until its pack is compacted.
    bytesFreed: record.shards.filter((s) => !s.pack).length * shardObjectSize(record.layout, record.frameSize),
    bytesWritten: written.shards.length * shardObjectSize(layout, record.frameSize),
  };
}

/**
 * The layout for a frame on a tier of `nodes` writable nodes: the configured code when the tier
 * is wide enough for one shard per node, 2+1 on three to five nodes, else whole copies on each
 * node (two cold nodes hold two replicas: any one may be lost).
 */
export function tierLayout(frameSize: number, nodes: number, erasure: ErasureOptions): Layout {
  if (nodes >= erasure.k + erasure.m) return chooseLayout(frameSize, erasure);
  if (nodes >= 3) return chooseLayout(frameSize, { ...erasure, k: 2, m: 1 });
  return { kind: 'replica', copies: Math.max(1, nodes) };
}

export interface TieringOptions {
  /** Blocks moved in parallel (default 2). */
  concurrency?: number;
  /** Stop after this many blocks moved (a job's batch). */
  limit?: number;
  onProgress?: (p: TieringProgress) => void;
  signal?: AbortSignal;
}

export interface TieringProgress {
  moved: number;
  bytesFreed: number;
  bytesWritten: number;
  /** Blocks that could not be moved this run (unreadable, or the target tier refused the write). */
  failed: string[];
}

/**
 * The tiering job's body: move hot blocks not read since `before` to the cold tier, least
 * recently read first. Moved blocks leave the query's answer, so a rerun resumes by itself.
 */
export async function moveColdBlocks(ctx: TieringContext, before: Date, opts: TieringOptions = {}): Promise<TieringProgress> {
  const progress: TieringProgress = { moved: 0, bytesFreed: 0, bytesWritten: 0, failed: [] };
  const limit = opts.limit ?? Infinity;
  if (ctx.pool.writable('cold').length === 0) return progress; // nowhere to go: not an error per block
  while (!opts.signal?.aborted && progress.moved < limit) {
    const page = await ctx.metadata.blocksNotReadSince(before, { tier: 'hot', limit: 200 + progress.failed.length });
    const todo = page.filter((k) => !progress.failed.includes(k)).slice(0, limit - progress.moved);
    if (todo.length === 0) break;
    await forEachLimit(
      todo,
      opts.concurrency ?? 2,
      async (key) => {
        try {
          const r = await moveToTier(ctx, key, 'cold');
          if (r.moved) {
            progress.moved++;
            progress.bytesFreed += r.bytesFreed;
            progress.bytesWritten += r.bytesWritten;
          }
        } catch {
          progress.failed.push(key);
        }
        opts.onProgress?.({ ...progress, failed: [...progress.failed] });
      },
      opts.signal,
    );
  }
  return progress;
}
