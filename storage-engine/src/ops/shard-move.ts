import { fetchShard } from '../store/block-reader.js';
import { rebuildShards, shardPayloadSize } from '../erasure/erasure.js';
import { UnrecoverableError } from '../errors.js';
import { shardsNeeded, type Layout } from '../erasure/layout.js';
import type { BlockMetadataPort, BlockRecord } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';
import type { StorageNode } from '../nodes/node.js';
import { SHARD_HEADER_SIZE } from '../shards/shard-format.js';
import { shardObjectKey } from '../shards/shard-key.js';
import { deleteShardObject } from '../packs/shard-io.js';

/**
 * The bytes of shard `index`, verified: read from where metadata says it is, or, when that copy
 * is missing, corrupt or unreachable, rebuilt byte-identical from k intact others.
 */
export async function shardBytes(pool: NodePool, record: BlockRecord, index: number): Promise<{ bytes: Buffer; checksum: number }> {
  const loc = record.shards.find((s) => s.index === index);
  if (loc) {
    try {
      return { bytes: await fetchShard(pool, record, loc), checksum: loc.checksum };
    } catch {
      // fall through to a rebuild
    }
  }
  const need = shardsNeeded(record.layout);
  const sources = new Map<number, Buffer>();
  for (const other of record.shards) {
    if (sources.size >= need) break;
    if (other.index === index) continue;
    try {
      sources.set(other.index, await fetchShard(pool, record, other));
    } catch {
      // try the next one
    }
  }
  if (sources.size < need) {
    throw new UnrecoverableError(`block ${record.key.slice(0, 12)}…: shard ${index} unreadable and only ${sources.size} of ${need} others intact`);
  }
  const built = (await rebuildShards(sources, record.layout, record.frameSize, [index])).get(index);
  if (!built) throw new UnrecoverableError(`block ${record.key.slice(0, 12)}…: shard ${index} could not be rebuilt`);
  return built;
}

/**
 * Move shard `index` of a block to the first of `targets` that takes it: copy, then record the
 * new location, and only then delete the old copy — a crash at any point leaves metadata pointing
 * at a complete shard. The caller holds the block's lock. Returns the bytes moved, or undefined
 * when the block or shard is gone or no target accepted it.
 */
export async function moveShard(
  pool: NodePool,
  metadata: BlockMetadataPort,
  key: string,
  index: number,
  targets: readonly StorageNode[],
): Promise<number | undefined> {
  const record = await metadata.getBlock(key);
  const from = record?.shards.find((s) => s.index === index);
  if (!record || !from) return undefined;
  const shard = await shardBytes(pool, record, index);
  const objectKey = shardObjectKey(record, index);
  for (const target of targets) {
    if (target.id === from.nodeId) continue;
    try {
      await target.put(objectKey, shard.bytes);
      pool.reportSuccess(target.id);
    } catch {
      pool.reportFailure(target.id);
      continue;
    }
    const shards = record.shards.map((s) => (s.index === index ? { index, nodeId: target.id, checksum: shard.checksum } : s));
    // Generation-checked, so a block re-encoded meanwhile (tiering on another instance) is not
    // pointed back at its old objects.
    const { tier, layout, generation } = record;
    if (!(await metadata.relocateBlock(key, generation, { tier, layout, generation, shards }))) {
      await target.delete(objectKey).catch(() => undefined);
      return undefined;
    }
    // Best effort: a copy left behind on a down node is swept when that node is drained or GC'd.
    await deleteShardObject(pool.get(from.nodeId), record, from).catch(() => undefined);
    return shard.bytes.length;
  }
  return undefined;
}

/** Bytes of one shard object of a block (header + payload), as stored on a node. */
export function shardObjectSize(layout: Layout, frameSize: number): number {
  return SHARD_HEADER_SIZE + (layout.kind === 'rs' ? shardPayloadSize(frameSize, layout.k) : frameSize);
}

/** Run `fn` over items with at most `limit` in flight, stopping early when `signal` aborts. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, limit) }, async () => {
      while (next < items.length && !signal?.aborted) await fn(items[next++] as T);
    }),
  );
}
