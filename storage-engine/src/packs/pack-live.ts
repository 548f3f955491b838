import type { BlockMetadataPort } from '../metadata/metadata-port.js';
import type { StorageNode } from '../nodes/node.js';
import { parseShardObjectKey } from '../shards/shard-key.js';
import { scanPack } from './pack-format.js';

/**
 * How many of a pack's entries metadata still points at (same block, generation, shard index,
 * node and pack). A pack with none live holds only dead entries and may be deleted; one with few
 * is what compaction would rewrite.
 */
export async function packLiveness(node: StorageNode, object: string, metadata: BlockMetadataPort): Promise<{ live: number; total: number }> {
  const { entries } = scanPack(await node.get(object));
  let live = 0;
  for (const e of entries) {
    const parts = parseShardObjectKey(e.name);
    if (!parts) continue;
    const record = await metadata.getBlock(parts.key);
    const loc = record?.generation === parts.generation ? record.shards.find((s) => s.index === parts.index) : undefined;
    if (loc?.nodeId === node.id && loc.pack?.object === object) live++;
  }
  return { live, total: entries.length };
}
