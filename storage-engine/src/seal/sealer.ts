import type { BlockIds } from '../keys/block-id.js';
import { contentHash } from '../keys/block-id.js';
import { giveBlockMemory, takeBlockMemory } from '../memory/block-memory.js';
import { openFrame, prepareFrame, type DataKey } from '../codec/codec.js';
import { carriesChecksum, decompress } from '../codec/compression.js';
import { chooseLayout, type ErasureOptions } from '../erasure/erasure.js';
import { encodeShardParts, type ShardObject } from '../shards/shard-encode.js';
import { IntegrityError } from '../errors.js';
import type { Layout } from '../erasure/layout.js';

/** A chunk made ready for storage: its identity and its encrypted frame, erasure-coded into shards. */
export interface SealedChunk {
  /** SHA-256 of the plaintext. */
  hash: Buffer;
  /** Stored key (hex HMAC of namespace and hash). */
  key: string;
  size: number;
  frameSize: number;
  layout: Layout;
  /** Shard objects (header and payload parts), by index: views of one buffer. */
  shards: ShardObject[];
  /** Give the shard objects' memory back for reuse, once they are stored (or not needed). */
  release?: () => void;
  /** Time spent per stage, in nanoseconds, for the benchmark's breakdown. */
  timings?: { hash: number; codec: number; erasure: number };
}

export interface SealRequest {
  namespace: string;
  chunk: Uint8Array;
  dataKey: DataKey;
  compress: boolean;
  erasure: ErasureOptions;
  /** The chunk's SHA-256 when the caller has verified it already (a server checks every block it receives): not hashed again. */
  sha256?: Uint8Array;
}

export interface UnsealRequest {
  /** Decrypted in place where it can be: the caller gives it up. */
  frame: Uint8Array;
  dataKey: DataKey;
  /** The block's stored key (authenticated with the frame). */
  key: string;
  /** Hex SHA-256 the plaintext must have; absent where the receiver checks it (the GCM tag, bound
   *  to the stored key, is the end-to-end check either way: DESIGN.md, Read). */
  hash?: string;
  /** Where a compressed frame's plaintext goes (the caller's pooled read memory; inline only: a
   *  worker answers with memory of its own). */
  into?: (bytes: number) => Buffer;
}

/**
 * The CPU-heavy halves of a write (hash, compress, encrypt, erasure-code) and of a read
 * (decrypt, decompress, verify). Behind an interface so they can run inline or on worker threads; the rest of the
 * pipeline is I/O and does not care which.
 */
export interface Sealer {
  seal(req: SealRequest): Promise<SealedChunk>;
  unseal(req: UnsealRequest): Promise<Buffer>;
  close(): Promise<void>;
}

/** Seal on the calling thread. */
export class InlineSealer implements Sealer {
  constructor(private readonly ids: BlockIds) {}

  async seal(req: SealRequest): Promise<SealedChunk> {
    const { sealed, memory } = await sealChunk(this.ids, req, takeBlockMemory);
    return { ...sealed, release: () => giveBlockMemory(memory) };
  }

  async unseal(req: UnsealRequest): Promise<Buffer> {
    return unsealFrame(req);
  }

  async close(): Promise<void> {}
}

/** The sealing itself, shared by the inline sealer and the worker. */
export async function sealChunk(
  ids: BlockIds,
  req: SealRequest,
  allocate?: (bytes: number) => Buffer,
): Promise<{ sealed: SealedChunk; memory: Buffer }> {
  const t0 = process.hrtime.bigint();
  const hash = req.sha256 ? Buffer.from(req.sha256) : contentHash(req.chunk);
  const key = ids.storedKey(req.namespace, hash);
  const t1 = process.hrtime.bigint();
  // The stored key is authenticated with the frame, so a frame moved under another key fails.
  const frame = prepareFrame(req.chunk, req.dataKey, { compress: req.compress, aad: Buffer.from(key, 'latin1') });
  const t2 = process.hrtime.bigint();
  const layout = chooseLayout(frame.size, req.erasure);
  // Encryption happens inside, straight into the coding area; timed apart for the benchmark.
  let encryptNs = 0;
  const timed = {
    size: frame.size,
    writeInto(target: Buffer) {
      const at = process.hrtime.bigint();
      frame.writeInto(target);
      encryptNs = Number(process.hrtime.bigint() - at);
    },
  };
  const { objects: shards, memory } = await encodeShardParts(timed, layout, allocate);
  const t3 = process.hrtime.bigint();
  const sealed: SealedChunk = {
    hash,
    key,
    size: req.chunk.byteLength,
    frameSize: frame.size,
    layout,
    shards,
    timings: { hash: Number(t1 - t0), codec: Number(t2 - t1) + encryptNs, erasure: Number(t3 - t2) - encryptNs },
  };
  return { sealed, memory };
}

/**
 * Decrypt and decompress a frame, and make sure the plaintext is the block's: the GCM tag, bound
 * to the stored key (HMAC of the SHA-256 checked before sealing), proves a payload stored raw;
 * zstd's content checksum proves its output where the frame carries one; otherwise (a compressed
 * frame written before it did) the plaintext's SHA-256 is checked against `hash`, when given.
 */
export function unsealFrame(req: UnsealRequest): Buffer {
  const opened = openFrame(req.frame, req.dataKey, Buffer.from(req.key, 'latin1'), { inPlace: true });
  if (!opened.compressed) return opened.payload;
  const plain = decompress(opened.payload, opened.plainSize, req.into);
  if (req.hash !== undefined && !carriesChecksum(opened.payload) && !contentHash(plain).equals(Buffer.from(req.hash, 'hex'))) {
    throw new IntegrityError(`block ${req.key.slice(0, 12)}…: plaintext does not match its SHA-256`);
  }
  return plain;
}
