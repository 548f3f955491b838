import { InvalidArgumentError } from '../errors.js';
import type { KeyLocks } from '../store/key-locks.js';
import { shardCount } from '../erasure/layout.js';
import type { BlockMetadataPort, BlockRecord } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';
import { rankNodes } from '../nodes/placement.js';
import { forEachLimit, moveShard } from './shard-move.js';

export interface RebalanceOptions {
  /** Resume a walk after this block key (the `cursor` of an earlier run's progress). */
  after?: string;
  /** Blocks read from metadata per page (default 500). */
  pageSize?: number;
  /** Blocks moved in parallel (default 4). */
  concurrency?: number;
  onProgress?: (p: RebalanceProgress) => void;
  signal?: AbortSignal;
}

export interface RebalanceProgress {
  scanned: number;
  movedShards: number;
  movedBytes: number;
  /** Last key of the last fully handled page: pass it as `after` to resume. */
  cursor?: string;
}

interface RebalanceContext {
  pool: NodePool;
  metadata: BlockMetadataPort;
  locks: KeyLocks;
}

/**
 * Give a newly added node its share: walk the blocks of its tier, and for each block whose
 * rendezvous placement over the tier's nodes (draining ones aside) now ranks the new node among
 * its shard count, move to it the shard held by a node that fell out of that placement (or,
 * failing that, a second shard doubled up on one node). Copy, record, then delete, as drain does; a block
 * already holding a shard on the new node is left alone, so a rerun moves nothing twice.
 */
export async function rebalanceOnto(ctx: RebalanceContext, nodeId: string, opts: RebalanceOptions = {}): Promise<RebalanceProgress> {
  const { pool, metadata, locks } = ctx;
  const tier = pool.tierOf(nodeId);
  const node = pool.get(nodeId);
  if (!tier || !node) throw new InvalidArgumentError(`no node ${nodeId} in the pool`);
  const progress: RebalanceProgress = { scanned: 0, movedShards: 0, movedBytes: 0, cursor: opts.after };
  const pageSize = opts.pageSize ?? 500;

  const rebalanceBlock = (key: string) =>
    locks.run(key, async () => {
      const record = await metadata.getBlock(key);
      if (!record || record.tier !== tier || record.shards.some((s) => s.nodeId === nodeId)) return;
      // Rank every node that is to stay (down ones too), so a node briefly down causes no churn.
      const staying = pool.all(tier).filter((n) => pool.state(n.id) !== 'draining');
      const victim = shardToMove(record, rankNodes(staying, key), nodeId);
      if (!victim) return;
      const moved = await moveShard(pool, metadata, key, victim, [node]);
      if (moved === undefined) return;
      progress.movedShards++;
      progress.movedBytes += moved;
    });

  while (!opts.signal?.aborted) {
    const keys = await metadata.listBlocks({ after: progress.cursor, limit: pageSize, tier });
    if (keys.length === 0) break;
    await forEachLimit(keys, opts.concurrency ?? 4, async (key) => {
      await rebalanceBlock(key).catch(() => undefined); // an unreadable block is repair's business
      progress.scanned++;
    });
    // Only a whole page moves the cursor, so an abort mid-page redoes that page (harmlessly).
    if (opts.signal?.aborted) break;
    progress.cursor = keys[keys.length - 1];
    opts.onProgress?.({ ...progress });
  }
  return progress;
}

/** Which shard of a block should move to `nodeId` for placement to match the ranking, if any. */
export function shardToMove(record: BlockRecord, ranked: readonly { id: string }[], nodeId: string): number | undefined {
  const top = new Set(ranked.slice(0, shardCount(record.layout)).map((n) => n.id));
  if (!top.has(nodeId)) return undefined;
  const outside = record.shards.find((s) => !top.has(s.nodeId));
  if (outside) return outside.index;
  const seen = new Set<string>();
  for (const s of record.shards) {
    if (seen.has(s.nodeId)) return s.index;
    seen.add(s.nodeId);
  }
  return undefined;
}
