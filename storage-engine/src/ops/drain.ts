import { InvalidArgumentError } from '../errors.js';
import { shardCount } from '../erasure/layout.js';
import type { BlockRecord } from '../metadata/metadata-port.js';
import { rankNodes } from '../nodes/placement.js';
import { forEachLimit, moveShard } from './shard-move.js';
import { parseShardObjectKey } from '../shards/shard-key.js';
import { PACK_PREFIX } from '../packs/packer.js';
import { packLiveness } from '../packs/pack-live.js';
import { reencodeBlock, tierLayout, type TieringContext } from './tiering.js';

export interface DrainOptions {
  /** Blocks moved in parallel (default 4). */
  concurrency?: number;
  onProgress?: (p: DrainProgress) => void;
  /** Stop after the blocks in flight; a later drain resumes where this one stopped. */
  signal?: AbortSignal;
}

export interface DrainProgress {
  /** Blocks found on the node so far (a block written meanwhile adds to it). */
  total: number;
  done: number;
  movedShards: number;
  movedBytes: number;
  /** Blocks re-encoded to a narrower code: the nodes that stay were fewer than their shards. */
  reencoded: number;
  /**
   * Blocks left on the node: no other node could take the shard (every free node of the tier is
   * in use or down), or the block could not be read. Draining them needs another node, or repair.
   */
  stuck: string[];
}

export interface DrainResult extends DrainProgress {
  /** Blocks that still have a shard on the node (0 once drained; the stuck ones otherwise). */
  remainingBlocks: number;
  /** Objects left on the node that no block referenced (crash leftovers), deleted at the end. */
  sweptObjects: number;
  /** Packs deleted from the node because none of their entries was live any more. */
  sweptPacks: number;
  /**
   * No block has a shard on the node and it holds no shard objects: it may be retired. (False
   * for a dead node even when remainingBlocks is 0: its objects could not be listed.)
   */
  empty: boolean;
}

/** What re-encoding needs besides the nodes and metadata (a block wider than the tier that stays). */
type DrainContext = TieringContext;

/**
 * Move every shard off a node so it can be retired. The node is set 'draining' first, so no new
 * shard lands on it while reads still use it. Each shard goes to the best-ranked writable node
 * of the same tier that holds no shard of its block (copy, record, then delete the old copy), so
 * reads never miss a shard metadata points at. A block whose code is wider than the nodes that
 * stay (written while more nodes took shards: six nodes, 4+2, drained down to three) is
 * re-encoded for them, with the code a write gets there now — when at least three stay; a node
 * merely down is waited for instead (the block is reported stuck, and a rerun retries).
 * Idempotent: metadata is the progress, and a second run picks up the blocks still listed on the
 * node. Finally, objects nobody references (a move that crashed between recording and deleting)
 * are swept.
 */
export async function drainNode(ctx: DrainContext, nodeId: string, opts: DrainOptions = {}): Promise<DrainResult> {
  const { pool, metadata, locks } = ctx;
  const tier = pool.tierOf(nodeId);
  const node = pool.get(nodeId);
  if (!tier || !node) throw new InvalidArgumentError(`no node ${nodeId} in the pool`);
  pool.setState(nodeId, 'draining');
  const progress: DrainProgress = { total: 0, done: 0, movedShards: 0, movedBytes: 0, reencoded: 0, stuck: [] };
  const seen = new Set<string>();

  const drainBlock = (key: string) =>
    locks.run(key, async () => {
      for (;;) {
        const record = await metadata.getBlock(key);
        const loc = record?.shards.find((s) => s.nodeId === nodeId);
        if (!record || !loc) return;
        const used = new Set(record.shards.map((s) => s.nodeId));
        // Placement rule: rendezvous order over the tier's writable nodes, minus those in use.
        const targets = rankNodes(pool.writable(tier), key).filter((n) => !used.has(n.id));
        if (targets.length === 0 && (await narrow(record))) continue;
        const moved = await moveShard(pool, metadata, key, loc.index, targets);
        if (moved === undefined) return void progress.stuck.push(key);
        progress.movedShards++;
        progress.movedBytes += moved;
      }
    });

  /** Re-encode a block wider than the nodes that stay; false when it is not that case (or failed). */
  const narrow = async (record: BlockRecord): Promise<boolean> => {
    const staying = pool.all(tier).filter((n) => n.id !== nodeId && pool.state(n.id) !== 'draining').length;
    if (staying >= shardCount(record.layout) || staying < 3) return false;
    const r = await reencodeBlock(ctx, record, tier, tierLayout(record.frameSize, staying, ctx.erasure));
    if (!r.moved) return false;
    progress.reencoded++;
    progress.movedBytes += r.bytesWritten;
    return true;
  };

  // Writers that picked this node just before it turned 'draining' may record blocks on it late:
  // a few passes catch them.
  for (let pass = 0; pass < 3 && !opts.signal?.aborted; pass++) {
    const keys = (await metadata.blocksOnNode(nodeId)).filter((k) => !progress.stuck.includes(k));
    const fresh = keys.filter((k) => !seen.has(k));
    for (const k of fresh) seen.add(k);
    progress.total += fresh.length;
    if (keys.length === 0) break;
    await forEachLimit(
      keys,
      opts.concurrency ?? 4,
      async (key) => {
        try {
          await drainBlock(key);
        } catch {
          progress.stuck.push(key); // unreadable (too many shards lost): repair's business, not drain's
        }
        progress.done = Math.min(progress.done + 1, progress.total);
        opts.onProgress?.({ ...progress, stuck: [...progress.stuck] });
      },
      opts.signal,
    );
  }

  const remainingBlocks = (await metadata.blocksOnNode(nodeId)).length;
  let sweptObjects = 0;
  let sweptPacks = 0;
  let empty = false;
  if (remainingBlocks === 0 && !opts.signal?.aborted) {
    try {
      ({ sweptObjects, sweptPacks } = await sweep(ctx, nodeId));
      empty = await isEmpty(ctx, nodeId);
    } catch {
      // A dead node cannot be listed: its blocks are all elsewhere, but emptiness is unproven.
    }
  }
  return { ...progress, remainingBlocks, sweptObjects, sweptPacks, empty };
}

/** Delete shard objects on the node that no block's metadata points at, and packs holding only such entries. */
async function sweep(ctx: DrainContext, nodeId: string): Promise<{ sweptObjects: number; sweptPacks: number }> {
  const node = ctx.pool.get(nodeId);
  if (!node) return { sweptObjects: 0, sweptPacks: 0 };
  const names: string[] = [];
  for await (const name of node.list('')) names.push(name);
  let swept = 0;
  let sweptPacks = 0;
  for (const name of names) {
    if (isPack(name)) {
      // No block is left on the node (the caller checked), so no write is adding one to a pack here.
      if ((await packLiveness(node, name, ctx.metadata)).live === 0) {
        await node.delete(name);
        sweptPacks++;
      }
      continue;
    }
    const parts = parseShardObjectKey(name);
    if (!parts) continue; // not ours: leave it
    await ctx.locks.run(parts.key, async () => {
      const record = await ctx.metadata.getBlock(parts.key);
      const referenced =
        record?.generation === parts.generation && record.shards.some((s) => s.index === parts.index && s.nodeId === nodeId);
      if (referenced) return;
      await node.delete(name);
      swept++;
    });
  }
  return { sweptObjects: swept, sweptPacks };
}

async function isEmpty(ctx: DrainContext, nodeId: string): Promise<boolean> {
  const node = ctx.pool.get(nodeId);
  if (!node) return false;
  for await (const name of node.list('')) if (parseShardObjectKey(name) || isPack(name)) return false;
  return true;
}

const isPack = (name: string) => name.startsWith(PACK_PREFIX) && name.endsWith('.pack');
