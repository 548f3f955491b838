/**
 * What the engine tells an observer about its work (the server turns it into metrics). Every
 * hook is optional and called synchronously on the hot path: keep it cheap, and never throw.
 * The engine itself logs nothing.
 */
export interface EngineEvents {
  /**
   * Nanoseconds one stage took for one block (or one chunker pass): `chunk`, `sha256`,
   * `compress+encrypt`, `erasure`, `store` on writes; `fetch+decode shards`,
   * `decrypt+decompress+verify` on reads.
   */
  stage?(stage: string, ns: number): void;
  /** A block put ended: stored anew, or already in the namespace (dedup: nothing was written). */
  put?(put: BlockPut): void;
}

export interface BlockPut {
  /** Plaintext bytes. */
  size: number;
  /** Bytes of the sealed frame (after compression and encryption, before erasure coding). */
  frameSize: number;
  /** Bytes of all shard objects the layout writes (after erasure coding). */
  shardBytes: number;
  /** False when the block was there already (dedup). */
  stored: boolean;
}

/** What a write needs now: the code chosen for large blocks and the shards its quorum must store. */
export interface WriteQuorum {
  k: number;
  m: number;
  /** Shards a write must store before it is acknowledged (k plus the quorum's extra, at most k+m). */
  shards: number;
}
