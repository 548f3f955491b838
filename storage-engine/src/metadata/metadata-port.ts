import type { Layout, Tier } from '../erasure/layout.js';
import type { PackRef } from '../packs/pack-format.js';

/** Where one shard of a block actually went (placement is remembered, not recomputed). */
export interface ShardLocation {
  /** Shard index: 0..k+m-1 for Reed-Solomon (data first), copy number for replicas. */
  index: number;
  nodeId: string;
  /** CRC-32 of the shard's payload, as written in its header too. */
  checksum: number;
  /** Set when the shard object sits in a pack (small blocks): the pack and its byte range there. */
  pack?: PackRef;
}

/** What the engine needs to remember about a stored block. */
export interface BlockRecord {
  /** Stored key: hex HMAC(server secret, namespace ‖ sha256). Unique per namespace and content. */
  key: string;
  namespace: string;
  /** Hex SHA-256 of the plaintext chunk. */
  hash: string;
  /** Plaintext bytes. */
  size: number;
  /** Bytes of the encoded frame (compressed + encrypted), before erasure coding. */
  frameSize: number;
  /**
   * Random id of the write that stored the shards; part of every shard's object name, so two
   * racing writers of the same block never mix their (differently encrypted) shards.
   */
  generation: string;
  layout: Layout;
  tier: Tier;
  /** The shards that are stored. Fewer than the layout's count means the block is degraded. */
  shards: ShardLocation[];
}

/**
 * The engine's only view of metadata: given to it, implemented by the server over Postgres and
 * in memory for the engine's own tests. Every method is atomic on its own.
 */
export interface BlockMetadataPort {
  getBlock(key: string): Promise<BlockRecord | undefined>;
  /** The records of many blocks at once (one round trip: a batch read of small blocks); absent keys are left out. */
  getBlocks(keys: readonly string[]): Promise<Map<string, BlockRecord>>;
  /**
   * Record a newly stored block unless one with this key exists already.
   * Returns the existing record when there is one (the caller then drops its own shards).
   */
  insertBlock(record: BlockRecord): Promise<BlockRecord | undefined>;
  /** Replace the shard list of a block (after repair, drain or tiering). */
  updateShards(key: string, shards: ShardLocation[], tier?: Tier): Promise<void>;
  /**
   * Point a block at a new set of shard objects (tiering re-encodes it under a new generation),
   * only if it still has generation `from`. False when it changed or vanished meanwhile: the
   * caller then drops what it wrote.
   */
  relocateBlock(key: string, from: string, to: Relocation): Promise<boolean>;
  deleteBlock(key: string): Promise<void>;
  /** Keys of blocks with a shard on a node (drain; repair after a node loss). */
  blocksOnNode(nodeId: string): Promise<string[]>;
  /** Up to `limit` keys in ascending order after `after`: a walk that resumes from its cursor. */
  listBlocks(opts: { after?: string; limit: number; tier?: Tier }): Promise<string[]>;
  /** Keys of blocks (of a tier) last read before `before`, least recently read first. */
  blocksNotReadSince(before: Date, opts?: { tier?: Tier; limit?: number }): Promise<string[]>;
  /** Record that blocks were read at `at` (batched by the engine); never moves a time back. */
  touchBlocks(keys: string[], at: Date): Promise<void>;
}

/** Where and how a block is stored after a move between tiers (the frame itself is unchanged). */
export interface Relocation {
  tier: Tier;
  layout: Layout;
  generation: string;
  shards: ShardLocation[];
}
