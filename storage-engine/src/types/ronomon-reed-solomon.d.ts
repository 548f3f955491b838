/** The native Reed-Solomon addon ships no types; only what erasure.ts uses is declared. */
declare module '@ronomon/reed-solomon' {
  const ReedSolomon: {
    readonly MAX_K: number;
    readonly MAX_M: number;
    /** An encoding context for k data + m parity shards; reusable concurrently. */
    create(k: number, m: number): Buffer;
    /**
     * Compute the `targets` shards (bit flags over 0..k+m-1) from the `sources` shards, in the
     * libuv threadpool. Data shards lie contiguously in `buffer`, parity shards in `parity`,
     * each shard `bufferSize / k` bytes (a multiple of 8). Never pass a zero-length Buffer.
     */
    encode(
      context: Buffer,
      sources: number,
      targets: number,
      buffer: Buffer,
      bufferOffset: number,
      bufferSize: number,
      parity: Buffer,
      parityOffset: number,
      paritySize: number,
      end: (error?: Error | null) => void,
    ): void;
  };
  export = ReedSolomon;
}
