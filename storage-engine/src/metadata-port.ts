import type { Layout, Tier } from './layout.js';

/** Where one shard of a block actually went (placement is remembered, not recomputed). */
export interface ShardLocation {
  /** Shard index: 0..k+m-1 for Reed-Solomon (data first), copy number for replicas. */
  index: number;
  nodeId: string;
  /** CRC-32 of the shard's payload, as written in its header too. */
  checksum: number;
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
  /**
   * Record a newly stored block unless one with this key exists already.
   * Returns the existing record when there is one (the caller then drops its own shards).
   */
  insertBlock(record: BlockRecord): Promise<BlockRecord | undefined>;
  /** Replace the shard list of a block (after repair, drain or tiering). */
  updateShards(key: string, shards: ShardLocation[], tier?: Tier): Promise<void>;
  deleteBlock(key: string): Promise<void>;
}
