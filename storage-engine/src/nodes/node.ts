/**
 * The one seam between the engine and a place that keeps bytes: a flat key/value object store.
 * Keys are relative paths of [a-z0-9._/-]; values are whole objects of at most a few MiB
 * (shards), so no streaming or multipart is needed here.
 *
 * Errors: a missing object is `NotFoundError` (from `get`); an unreachable, failing or slow node
 * is `NodeDownError`. Nothing else escapes a driver.
 */
export interface StorageNode {
  /** Stable id, recorded in metadata as where a shard lives. */
  readonly id: string;
  /** Store an object durably (when this resolves, the bytes survive a node process crash), given
   *  whole or as parts to be stored one after the other (a shard's header and payload). The
   *  caller reuses `data`'s memory once this settles: a driver copies whatever it keeps past that. */
  put(key: string, data: Uint8Array | readonly Uint8Array[], hint?: PutHint): Promise<void>;
  /** Read an object, or the byte range [start, end) of it. A driver that knows the size before
   *  reading may read into memory from `into` (the caller's pooled, warm memory); the result is
   *  the caller's either way. `expect`: the size the caller expects a whole object to have (a
   *  shard's, from its record), which a driver may size its read by instead of asking the size
   *  first; the result is what the object holds all the same, shorter or longer. */
  get(key: string, range?: { start: number; end: number }, into?: (bytes: number) => Buffer, expect?: number): Promise<Buffer>;
  /** Size of an object, or undefined when the node does not hold it. */
  head(key: string): Promise<{ size: number } | undefined>;
  /** Delete an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Keys under a prefix, in no particular order. */
  list(prefix: string): AsyncIterable<string>;
}

/** What a driver may do differently for an object (it may also ignore it). */
export interface PutHint {
  /** Read later in ranges (a pack of small blocks' shards), not whole: a local directory keeps it
   *  in the page cache, and writes and reads objects read whole around it (fs.ts). */
  ranged?: boolean;
}
