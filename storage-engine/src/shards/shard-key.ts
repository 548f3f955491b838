import type { BlockRecord } from '../metadata/metadata-port.js';

/**
 * Object name of one shard on a node: a two-character fan-out directory, the block's stored key,
 * the write's generation and the shard index. Names reveal nothing of the content or owner.
 */
export function shardObjectKey(record: Pick<BlockRecord, 'key' | 'generation'>, index: number): string {
  return `${record.key.slice(0, 2)}/${record.key}.${record.generation}.${index}`;
}

/** The parts of a shard object name, or undefined for a name the engine did not write. */
export function parseShardObjectKey(name: string): { key: string; generation: string; index: number } | undefined {
  const m = /^[0-9a-f]{2}\/([0-9a-f]+)\.([0-9a-f]+)\.(\d+)$/.exec(name);
  if (!m || !m[1]!.startsWith(name.slice(0, 2))) return undefined;
  return { key: m[1]!, generation: m[2]!, index: Number(m[3]) };
}
