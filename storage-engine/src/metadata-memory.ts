import type { Tier } from './layout.js';
import type { BlockMetadataPort, BlockRecord, ShardLocation } from './metadata-port.js';

/**
 * The metadata port kept in a Map: for the engine's own tests and benchmarks.
 * Records are copied in and out so callers cannot change stored state by accident.
 */
export class MemoryBlockMetadata implements BlockMetadataPort {
  private readonly blocks = new Map<string, BlockRecord>();

  async getBlock(key: string): Promise<BlockRecord | undefined> {
    const found = this.blocks.get(key);
    return found ? copy(found) : undefined;
  }

  async insertBlock(record: BlockRecord): Promise<BlockRecord | undefined> {
    const existing = this.blocks.get(record.key);
    if (existing) return copy(existing);
    this.blocks.set(record.key, copy(record));
    return undefined;
  }

  async updateShards(key: string, shards: ShardLocation[], tier?: Tier): Promise<void> {
    const found = this.blocks.get(key);
    if (!found) return;
    found.shards = shards.map((s) => ({ ...s }));
    if (tier) found.tier = tier;
  }

  async deleteBlock(key: string): Promise<void> {
    this.blocks.delete(key);
  }

  /** Every record, for tests and repair sweeps. */
  all(): BlockRecord[] {
    return [...this.blocks.values()].map(copy);
  }

  get size(): number {
    return this.blocks.size;
  }
}

function copy(r: BlockRecord): BlockRecord {
  return { ...r, layout: { ...r.layout }, shards: r.shards.map((s) => ({ ...s })) };
}
