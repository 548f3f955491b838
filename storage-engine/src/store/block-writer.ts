import { randomBytes } from 'node:crypto';
import { QuorumError } from '../errors.js';
import { shardCount, shardsNeeded, type Layout, type Tier } from '../erasure/layout.js';
import type { ShardLocation } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';
import type { StorageNode } from '../nodes/node.js';
import { assignShards, rankNodes } from '../nodes/placement.js';
import { shardObjectKey } from '../shards/shard-key.js';
import type { Packer } from '../packs/packer.js';
import { deleteShardObject } from '../packs/shard-io.js';

export interface WrittenShards {
  generation: string;
  shards: ShardLocation[];
  /** Fewer shards than the layout wants, or some node holds two of them. */
  degraded: boolean;
  /** Nanoseconds spent storing, for the benchmark's breakdown. */
  timings: { store: number };
}

/**
 * Store a block's shard objects on distinct healthy nodes of a tier, in rendezvous
 * order; a node that fails is replaced by the next one in that order. Succeeds once the write
 * quorum holds and the stored shards survive the loss of any one node; otherwise removes what it
 * wrote and throws QuorumError, so nothing half-written is ever acknowledged. Small shard objects
 * go into the node's next pack when a `packer` is given (group commit: resolves once it is durable).
 */
export async function writeShards(
  pool: NodePool,
  key: string,
  objects: readonly { parts: readonly Uint8Array[]; checksum: number }[],
  layout: Layout,
  tier: Tier,
  quorum: number,
  packer?: Packer,
): Promise<WrittenShards> {
  const generation = randomBytes(6).toString('hex');
  const t1 = process.hrtime.bigint();
  const total = shardCount(layout);
  const ranked = rankNodes(pool.writable(tier), key);
  const targets = assignShards(ranked, total);
  const spares = ranked.slice(total);
  const placed: ShardLocation[] = [];
  const failed = new Set<string>();
  // A failed shard goes to the next unused node in rendezvous order; when none is left, to the
  // working node holding the fewest shards of this block (repair spreads them out later).
  // Shards assigned to each node, in flight included, so concurrent failures spread out.
  const load = new Map<string, number>();
  for (const n of targets) load.set(n.id, (load.get(n.id) ?? 0) + 1);
  const replacement = (): StorageNode | undefined => {
    const next =
      spares.shift() ??
      ranked.filter((n) => !failed.has(n.id)).sort((a, b) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0))[0];
    if (next) load.set(next.id, (load.get(next.id) ?? 0) + 1);
    return next;
  };

  const putOne = async (index: number, first: StorageNode | undefined): Promise<void> => {
    const obj = objects[index];
    if (!obj) return;
    const objectKey = shardObjectKey({ key, generation }, index);
    const packed = packer?.accepts(obj.parts.reduce((n, p) => n + p.byteLength, 0)) ?? false;
    for (let node = first; node; node = replacement()) {
      if (failed.has(node.id)) continue;
      try {
        if (packed) {
          const pack = await packer!.put(node, objectKey, obj.parts);
          placed.push({ index, nodeId: node.id, checksum: obj.checksum, pack });
        } else {
          await node.put(objectKey, obj.parts);
          placed.push({ index, nodeId: node.id, checksum: obj.checksum });
        }
        pool.reportSuccess(node.id);
        return;
      } catch {
        load.set(node.id, (load.get(node.id) ?? 1) - 1);
        failed.add(node.id);
        pool.reportFailure(node.id);
      }
    }
  };
  await Promise.all(targets.map((node, index) => putOne(index, node)));
  const t2 = process.hrtime.bigint();

  placed.sort((a, b) => a.index - b.index);
  const need = shardsNeeded(layout);
  const multiNode = pool.all(tier).length > 1;
  if (placed.length < quorum || (multiNode && !survivesOneLoss(placed, need))) {
    await Promise.allSettled(
      placed.map((s) => deleteShardObject(pool.get(s.nodeId), { key, generation }, s)),
    );
    throw new QuorumError(
      `block ${key.slice(0, 12)}…: ${placed.length} of ${total} shards stored on ${new Set(placed.map((s) => s.nodeId)).size} nodes; quorum is ${quorum} shards surviving one node loss`,
    );
  }
  const distinct = new Set(placed.map((s) => s.nodeId)).size;
  return {
    generation,
    shards: placed,
    degraded: placed.length < total || distinct < placed.length,
    timings: { store: Number(t2 - t1) },
  };
}

/** Whether `need` shards remain after losing whichever single node holds the most of them. */
export function survivesOneLoss(shards: readonly ShardLocation[], need: number): boolean {
  const perNode = new Map<string, number>();
  for (const s of shards) perNode.set(s.nodeId, (perNode.get(s.nodeId) ?? 0) + 1);
  const worst = Math.max(0, ...perNode.values());
  return shards.length - worst >= need;
}
