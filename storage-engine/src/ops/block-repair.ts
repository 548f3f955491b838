import { fetchShard } from '../store/block-reader.js';
import { rebuildShards } from '../erasure/erasure.js';
import { NodeDownError, NotFoundError, UnrecoverableError } from '../errors.js';
import { shardCount, shardsNeeded } from '../erasure/layout.js';
import type { BlockMetadataPort, BlockRecord, ShardLocation } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';
import { rankNodes } from '../nodes/placement.js';
import { shardObjectKey } from '../shards/shard-key.js';
import { deleteShardObject, hasShardObject } from '../packs/shard-io.js';

export interface RepairResult {
  /** Shard indexes written anew (missing, corrupt, unreachable, or moved off a shared node). */
  rebuilt: number[];
  /** Shard indexes still not on a distinct healthy node (no such node was free). */
  remaining: number[];
  /** Indexes found missing or corrupt. */
  damaged: number[];
}

/** What an inspection found of one shard: intact (bytes when read), missing or corrupt, or unreachable. */
export type ShardStatus = { loc: ShardLocation; bytes?: Buffer } | 'missing' | 'unavailable';
type Status = ShardStatus;

/**
 * Bring one block back to full redundancy: find which shards are missing or corrupt (deep reads
 * and verifies every shard, as scrub does; shallow only asks whether the object exists), rebuild
 * them from k intact ones, and store each on a node that holds no other shard of the block.
 * Shards on an unreachable node are rebuilt elsewhere when a free node exists.
 */
export async function repairBlock(
  pool: NodePool,
  metadata: BlockMetadataPort,
  key: string,
  opts: { deep: boolean; inspected?: { record: BlockRecord; statuses: ShardStatus[] } },
): Promise<RepairResult> {
  // verify() has just read every shard: reuse what it found rather than read them all again.
  const record = opts.inspected?.record ?? (await metadata.getBlock(key));
  if (!record) throw new NotFoundError('metadata', key);
  const total = shardCount(record.layout);
  const statuses =
    opts.inspected?.statuses ??
    (await Promise.all(Array.from({ length: total }, (_, index) => shardStatus(pool, record, index, opts.deep))));

  const intact: { loc: ShardLocation; bytes?: Buffer }[] = [];
  const toRebuild: number[] = [];
  const damaged: number[] = [];
  const seenNodes = new Set<string>();
  const moves: ShardLocation[] = [];
  statuses.forEach((st, index) => {
    if (st === 'missing') damaged.push(index);
    if (typeof st === 'string') return void toRebuild.push(index);
    intact.push(st);
    // A second shard on one node is intact but moved, so one node's loss costs one shard only.
    if (seenNodes.has(st.loc.nodeId)) moves.push(st.loc);
    seenNodes.add(st.loc.nodeId);
  });
  const need = shardsNeeded(record.layout);
  if (intact.length < need) {
    throw new UnrecoverableError(`block ${key.slice(0, 12)}…: only ${intact.length} of ${need} needed shards intact`);
  }
  if (toRebuild.length === 0 && moves.length === 0) return { rebuilt: [], remaining: [], damaged };

  const sources = new Map<number, Buffer>();
  for (const s of intact) {
    if (sources.size >= need) break;
    sources.set(s.loc.index, s.bytes ?? (await fetchShard(pool, record, s.loc)));
  }
  const want = [...toRebuild, ...moves.map((m) => m.index)];
  const rebuilt = await rebuildShards(sources, record.layout, record.frameSize, want);

  const used = new Set(intact.filter((s) => !moves.includes(s.loc)).map((s) => s.loc.nodeId));
  const ranked = rankNodes(pool.writable(record.tier), key);
  const placed: ShardLocation[] = [];
  const remaining: number[] = [];
  for (const index of want) {
    const shard = rebuilt.get(index);
    const original = record.shards.find((s) => s.index === index);
    const choices = ranked.filter((n) => !used.has(n.id));
    // A node that came back empty takes its own shards back, keeping placement stable.
    choices.sort((a, b) => Number(b.id === original?.nodeId) - Number(a.id === original?.nodeId));
    let done = false;
    for (const node of choices) {
      if (!shard) break;
      try {
        await node.put(shardObjectKey(record, index), shard.bytes);
        pool.reportSuccess(node.id);
        used.add(node.id);
        placed.push({ index, nodeId: node.id, checksum: shard.checksum });
        done = true;
        break;
      } catch {
        pool.reportFailure(node.id);
      }
    }
    if (!done) remaining.push(index);
  }

  const placedIdx = new Set(placed.map((p) => p.index));
  const kept = record.shards.filter((s) => {
    if (placedIdx.has(s.index)) return false;
    const st = statuses[s.index];
    // Keep intact shards, and unreachable ones that could not be rebuilt elsewhere (they may return).
    return typeof st === 'object' ? st.loc === s : st === 'unavailable';
  });
  const shards = [...kept, ...placed].sort((a, b) => a.index - b.index);
  await metadata.updateShards(key, shards);
  // Only now that metadata points at the new copies may the old ones go.
  const replaced = record.shards.filter((s) => placed.some((p) => p.index === s.index && p.nodeId !== s.nodeId));
  await Promise.allSettled(
    replaced.map((s) => deleteShardObject(pool.get(s.nodeId), record, s)),
  );
  return { rebuilt: placed.map((p) => p.index), remaining, damaged };
}

async function shardStatus(pool: NodePool, record: BlockRecord, index: number, deep: boolean): Promise<Status> {
  const loc = record.shards.find((s) => s.index === index);
  if (!loc) return 'missing';
  const node = pool.get(loc.nodeId);
  if (!node) return 'unavailable';
  try {
    if (deep) return { loc, bytes: await fetchShard(pool, record, loc) };
    return (await hasShardObject(node, record, loc)) ? { loc } : 'missing';
  } catch (err) {
    return err instanceof NodeDownError ? 'unavailable' : 'missing';
  }
}
