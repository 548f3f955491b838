import type { Tier } from '../erasure/layout.js';
import type { BlockMetadataPort, BlockRecord, Relocation, ShardLocation } from './metadata-port.js';

/**
 * The metadata port kept in a Map: for the engine's own tests and benchmarks.
 * Records are copied in and out so callers cannot change stored state by accident.
 */
export class MemoryBlockMetadata implements BlockMetadataPort {
  private readonly blocks = new Map<string, BlockRecord>();
  /** Last read per block (ms), kept beside the record as the database keeps a column. */
  private readonly lastAccess = new Map<string, number>();

  /** `now` is the clock that stamps a new block's last access (tests advance it). */
  constructor(private readonly now: () => number = Date.now) {}

  async getBlock(key: string): Promise<BlockRecord | undefined> {
    const found = this.blocks.get(key);
    return found ? copy(found) : undefined;
  }

  async getBlocks(keys: readonly string[]): Promise<Map<string, BlockRecord>> {
    const out = new Map<string, BlockRecord>();
    for (const k of keys) {
      const found = this.blocks.get(k);
      if (found) out.set(k, copy(found));
    }
    return out;
  }

  async insertBlock(record: BlockRecord): Promise<BlockRecord | undefined> {
    const existing = this.blocks.get(record.key);
    if (existing) return copy(existing);
    this.blocks.set(record.key, copy(record));
    this.lastAccess.set(record.key, this.now());
    return undefined;
  }

  async updateShards(key: string, shards: ShardLocation[], tier?: Tier): Promise<void> {
    const found = this.blocks.get(key);
    if (!found) return;
    found.shards = shards.map(copyShard);
    if (tier) found.tier = tier;
  }

  async relocateBlock(key: string, from: string, to: Relocation): Promise<boolean> {
    const found = this.blocks.get(key);
    if (!found || found.generation !== from) return false;
    Object.assign(found, { tier: to.tier, layout: { ...to.layout }, generation: to.generation, shards: to.shards.map(copyShard) });
    return true;
  }

  async deleteBlock(key: string): Promise<void> {
    this.blocks.delete(key);
    this.lastAccess.delete(key);
  }

  async blocksOnNode(nodeId: string): Promise<string[]> {
    return [...this.blocks.values()].filter((b) => b.shards.some((s) => s.nodeId === nodeId)).map((b) => b.key);
  }

  async listBlocks(opts: { after?: string; limit: number; tier?: Tier }): Promise<string[]> {
    const { after, tier } = opts;
    return [...this.blocks.values()]
      .filter((b) => (after === undefined || b.key > after) && (!tier || b.tier === tier))
      .map((b) => b.key)
      .sort()
      .slice(0, opts.limit);
  }

  async blocksNotReadSince(before: Date, opts: { tier?: Tier; limit?: number } = {}): Promise<string[]> {
    const cut = before.getTime();
    return [...this.blocks.values()]
      .filter((b) => (!opts.tier || b.tier === opts.tier) && (this.lastAccess.get(b.key) ?? 0) < cut)
      .sort((a, b) => (this.lastAccess.get(a.key) ?? 0) - (this.lastAccess.get(b.key) ?? 0))
      .slice(0, opts.limit ?? Infinity)
      .map((b) => b.key);
  }

  async touchBlocks(keys: string[], at: Date): Promise<void> {
    for (const key of keys) {
      const prev = this.lastAccess.get(key);
      if (prev !== undefined && prev < at.getTime()) this.lastAccess.set(key, at.getTime());
    }
  }

  /** When a block was last read (ms), for tests. */
  lastRead(key: string): number | undefined {
    return this.lastAccess.get(key);
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
  return { ...r, layout: { ...r.layout }, shards: r.shards.map(copyShard) };
}

function copyShard(s: ShardLocation): ShardLocation {
  return s.pack ? { ...s, pack: { ...s.pack } } : { ...s };
}
