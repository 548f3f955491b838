import type { BlockRecord, ShardLocation } from '../metadata/metadata-port.js';
import type { StorageNode } from '../nodes/node.js';
import { shardObjectKey } from '../shards/shard-key.js';
import { SHARD_HEADER_SIZE } from '../shards/shard-format.js';
import { shardPayloadSize } from '../erasure/erasure.js';

/**
 * Every read, existence check and delete of a stored shard object goes through here, so a
 * packed shard (metadata names its pack and byte range) and an object of its own are alike to
 * the read path, repair, verify, drain and tiering.
 */

/** The shard object's bytes: its own object, or just its range of the pack (pread / Range GET). */
export function getShardObject(
  node: StorageNode,
  record: Pick<BlockRecord, 'key' | 'generation'> & Partial<Pick<BlockRecord, 'layout' | 'frameSize'>>,
  loc: ShardLocation,
  into?: (bytes: number) => Buffer,
): Promise<Buffer> {
  if (loc.pack) return node.get(loc.pack.object, { start: loc.pack.offset, end: loc.pack.offset + loc.pack.length }, into);
  return node.get(shardObjectKey(record, loc.index), undefined, into, shardObjectBytes(record));
}

/** A whole shard object's size as written (header and payload), when the record says enough to know it. */
function shardObjectBytes(record: Partial<Pick<BlockRecord, 'layout' | 'frameSize'>>): number | undefined {
  if (!record.layout || record.frameSize === undefined) return undefined;
  return SHARD_HEADER_SIZE + (record.layout.kind === 'rs' ? shardPayloadSize(record.frameSize, record.layout.k) : record.frameSize);
}

/** Whether the node holds the shard object (a packed one: its pack is there and long enough). */
export async function hasShardObject(node: StorageNode, record: Pick<BlockRecord, 'key' | 'generation'>, loc: ShardLocation): Promise<boolean> {
  if (!loc.pack) return (await node.head(shardObjectKey(record, loc.index))) !== undefined;
  const head = await node.head(loc.pack.object);
  return head !== undefined && head.size >= loc.pack.offset + loc.pack.length;
}

/**
 * Remove a shard object. A packed one is only marked dead: it is dead once no metadata names it
 * (packs are immutable; compaction, when it exists, rewrites packs whose live share fell low).
 */
export async function deleteShardObject(node: StorageNode | undefined, record: Pick<BlockRecord, 'key' | 'generation'>, loc: ShardLocation): Promise<void> {
  if (!node || loc.pack) return;
  await node.delete(shardObjectKey(record, loc.index));
}
