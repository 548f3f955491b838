import type { BlockRecord } from './metadata-port.js';

/**
 * Object name of one shard on a node: a two-character fan-out directory, the block's stored key,
 * the write's generation and the shard index. Names reveal nothing of the content or owner.
 */
export function shardObjectKey(record: Pick<BlockRecord, 'key' | 'generation'>, index: number): string {
  return `${record.key.slice(0, 2)}/${record.key}.${record.generation}.${index}`;
}
