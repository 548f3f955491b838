import type { StorageNode } from '../nodes/node.js';
import { parseShardObjectKey } from '../shards/shard-key.js';
import { scanPack } from './pack-format.js';
import { PACK_PREFIX } from './packer.js';

/** One shard object found in a pack, with where it sits (what metadata's `pack` field records). */
export interface PackedShard {
  /** The block, write generation and shard index the entry's name says. */
  key: string;
  generation: string;
  index: number;
  pack: { object: string; offset: number; length: number };
  /** Whether the entry's bytes match its CRC. */
  intact: boolean;
}

export interface NodePackIndex {
  shards: PackedShard[];
  /** Packs whose tail did not check out (torn by a crash mid-write, or truncated): what follows the last whole entry was ignored. */
  tornPacks: string[];
}

/**
 * Rebuild a node's pack index from the packs themselves: every entry of every pack, front to
 * back, stopping at a torn tail. What metadata says stays the authority for what is live; this is
 * how a lost or doubted index is recovered, and how an audit compares the two.
 */
export async function readPackIndex(node: StorageNode): Promise<NodePackIndex> {
  const shards: PackedShard[] = [];
  const tornPacks: string[] = [];
  for await (const object of node.list(PACK_PREFIX)) {
    if (!object.endsWith('.pack')) continue;
    const scanned = scanPack(await node.get(object));
    if (scanned.tornTail) tornPacks.push(object);
    for (const e of scanned.entries) {
      const parsed = parseShardObjectKey(e.name);
      if (!parsed) continue;
      shards.push({ ...parsed, pack: { object, offset: e.offset, length: e.length }, intact: e.intact });
    }
  }
  return { shards, tornPacks };
}
