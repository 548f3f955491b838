import type { BlockMetadataPort, BlockRecord, ShardLocation } from '../metadata/metadata-port.js';
import type { StorageNode } from '../nodes/node.js';
import { parseShardObjectKey } from '../shards/shard-key.js';
import { scanPack, type ScannedEntry } from './pack-format.js';

/** An entry of a pack that metadata still names, and its block. */
export interface LiveEntry {
  entry: ScannedEntry;
  key: string;
}

/**
 * The entries of a pack metadata still points at: same block generation and shard index, on this
 * node, in this pack at this offset. The rest are dead (deleted, moved, or a write that lost).
 */
export async function liveEntries(metadata: BlockMetadataPort, nodeId: string, object: string, entries: readonly ScannedEntry[]): Promise<LiveEntry[]> {
  const live: LiveEntry[] = [];
  for (const entry of entries) {
    const parts = parseShardObjectKey(entry.name);
    if (!parts) continue;
    const record = await metadata.getBlock(parts.key);
    if (record && packedLocation(record, entry, nodeId, object)) live.push({ entry, key: parts.key });
  }
  return live;
}

/** The block's shard location that is this pack entry, if metadata still names it. */
export function packedLocation(record: BlockRecord, entry: ScannedEntry, nodeId: string, object: string): ShardLocation | undefined {
  const parts = parseShardObjectKey(entry.name);
  if (!parts || record.key !== parts.key || record.generation !== parts.generation) return undefined;
  const loc = record.shards.find((s) => s.index === parts.index);
  return loc?.nodeId === nodeId && loc.pack?.object === object && loc.pack.offset === entry.offset ? loc : undefined;
}

/** How many of a pack's entries are live: none, and the pack may go (drain's sweep); few, and compaction rewrites it. */
export async function packLiveness(node: StorageNode, object: string, metadata: BlockMetadataPort): Promise<{ live: number; total: number }> {
  const { entries } = scanPack(await node.get(object));
  return { live: (await liveEntries(metadata, node.id, object, entries)).length, total: entries.length };
}
