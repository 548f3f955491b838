import type { BlockMetadataPort } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';
import type { StorageNode } from '../nodes/node.js';
import { NotFoundError } from '../errors.js';
import { ENTRY_HEADER_SIZE, scanPack } from '../packs/pack-format.js';
import { liveEntries, packedLocation, type LiveEntry } from '../packs/pack-live.js';
import { PACK_PREFIX, packWrittenAt, type Packer } from '../packs/packer.js';
import type { KeyLocks } from '../store/key-locks.js';

export interface CompactOptions {
  /** Packs younger than this are left alone: their entries may not be in metadata yet (default 1 h). */
  minAgeMs?: number;
  /** A pack whose live entries hold less than this share of its bytes is rewritten (default 0.5). */
  liveBelow?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface CompactResult {
  /** Packs looked at (old enough). */
  scanned: number;
  /** Packs deleted: none of their entries was live any more, or all were rewritten elsewhere. */
  deleted: number;
  /** Live entries copied into new packs. */
  movedEntries: number;
  /** Bytes of packs deleted minus bytes of live entries written anew. */
  bytesFreed: number;
}

export interface CompactContext {
  pool: NodePool;
  metadata: BlockMetadataPort;
  locks: KeyLocks;
  packer: Packer;
}

/**
 * GC of one node's packs: a pack with no live entry is deleted; one whose live entries fill less
 * than `liveBelow` of it has them copied into a new pack (one group-committed write), metadata
 * repointed per block (generation-checked, under the block's lock), and is then deleted — unless
 * some entry could not be moved (damaged, or its block changed meanwhile), when it stays for a
 * later pass. Readers holding the old location re-read metadata when the pack is gone.
 */
export async function compactPacks(ctx: CompactContext, nodeId: string, opts: CompactOptions = {}): Promise<CompactResult> {
  const node = ctx.pool.get(nodeId);
  if (!node) throw new NotFoundError('pool', nodeId);
  const now = (opts.now ?? Date.now)();
  const minAge = opts.minAgeMs ?? 60 * 60 * 1000;
  const result: CompactResult = { scanned: 0, deleted: 0, movedEntries: 0, bytesFreed: 0 };
  const names: string[] = [];
  for await (const name of node.list(PACK_PREFIX)) {
    const at = packWrittenAt(name);
    if (at !== undefined && now - at >= minAge) names.push(name);
  }
  for (const object of names) {
    if (opts.signal?.aborted) break;
    result.scanned++;
    const bytes = await node.get(object);
    const live = await liveEntries(ctx.metadata, node.id, object, scanPack(bytes).entries);
    // Whole entries (header and name too): what a rewrite writes again.
    const liveBytes = live.reduce((n, e) => n + ENTRY_HEADER_SIZE + e.entry.name.length + e.entry.length, 0);
    if (live.length > 0 && liveBytes >= (opts.liveBelow ?? 0.5) * bytes.length) continue;
    const moved = await Promise.all(live.map((e) => moveEntry(ctx, node, object, bytes, e)));
    result.movedEntries += moved.filter(Boolean).length;
    if (moved.every(Boolean)) {
      await node.delete(object);
      result.deleted++;
      result.bytesFreed += bytes.length - liveBytes;
    }
  }
  return result;
}

/** Copy one live entry into the node's next pack and repoint its block; false when it did not move. */
async function moveEntry(ctx: CompactContext, node: StorageNode, object: string, bytes: Buffer, live: LiveEntry): Promise<boolean> {
  if (!live.entry.intact) return false; // bitrot: scrub and repair rebuild it from the other shards first
  return ctx.locks.run(live.key, async () => {
    const record = await ctx.metadata.getBlock(live.key);
    const loc = record && packedLocation(record, live.entry, node.id, object);
    if (!record || !loc) return true; // died or moved meanwhile: nothing left here to keep
    const pack = await ctx.packer.put(node, live.entry.name, [bytes.subarray(live.entry.offset, live.entry.offset + live.entry.length)]);
    const shards = record.shards.map((s) => (s === loc ? { ...s, pack } : s));
    const { tier, layout, generation } = record;
    return ctx.metadata.relocateBlock(live.key, generation, { tier, layout, generation, shards });
  });
}
