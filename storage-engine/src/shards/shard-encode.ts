/**
 * Encoding a frame into shard objects, for writes. An object is its header followed by its
 * payload, but they are kept as two parts that nodes write one after the other (FsNode with one
 * writev): the Reed-Solomon addon needs the payloads contiguous, so a header cannot sit in front
 * of each in place, and copying every payload out behind its header cost a full pass over 1.5x
 * the bytes — more than the encryption. Headers, data and parity share one buffer (the block's
 * "memory"), from the caller's allocator: block memory that worker and writer threads see.
 */
import { crc32 } from '../codec/checksum.js';
import { checkFrameSize, checkLayout, maskOf, replicaFields, runCoder, shardPayloadSize, type Built, type ErasureOptions, type HeaderFields } from '../erasure/erasure.js';
import type { Layout } from '../erasure/layout.js';
import { SHARD_HEADER_SIZE, writeShardHeader } from './shard-format.js';

/** A frame not yet materialised: it writes itself into the buffer it is given (codec.prepareFrame). */
export interface FrameSource {
  readonly size: number;
  /** Write the frame's `size` bytes at the start of `target`. */
  writeInto(target: Buffer): void;
}

/** One shard object as the parts a node stores in order: [header, payload]. */
export interface ShardObject {
  parts: readonly Buffer[];
  checksum: number;
}

/** Room for one header; 8-aligned so payloads after the headers stay aligned for the addon. */
const HEADER_SLOT = 32;

/**
 * The most bytes encodeShardParts asks `allocate` for, for a chunk of `chunkSize` bytes: its
 * frame is at most the chunk plus the frame overhead (compression is kept only when it shrinks),
 * and a smaller frame may fall under the replica threshold.
 */
export function memoryBound(chunkSize: number, opts: ErasureOptions, frameOverhead: number): number {
  const frameMax = chunkSize + frameOverhead;
  const rs = (opts.k + opts.m) * (HEADER_SLOT + shardPayloadSize(frameMax, opts.k));
  const replica = (opts.m + 1) * HEADER_SLOT + Math.min(frameMax, opts.replicaThreshold);
  return Math.max(rs, replica);
}

/**
 * Encode a frame into shard objects in index order (replicas share one payload: the frame). A
 * FrameSource is written straight into the data area, so the frame never exists on its own.
 * Returns the objects and the one buffer they all view, which the caller gives back to its
 * allocator once they are stored.
 */
export async function encodeShardParts(
  frame: Uint8Array | FrameSource,
  layout: Layout,
  allocate: (bytes: number) => Buffer = (n) => Buffer.allocUnsafeSlow(n),
): Promise<{ objects: ShardObject[]; memory: Buffer }> {
  checkLayout(layout);
  const frameSize = frame instanceof Uint8Array ? frame.byteLength : frame.size;
  checkFrameSize(frameSize);
  const place = (target: Buffer) => (frame instanceof Uint8Array ? target.set(frame) : frame.writeInto(target));
  const header = (memory: Buffer, fields: HeaderFields, payload: Buffer) => {
    const checksum = crc32(payload);
    const head = memory.subarray(fields.index * HEADER_SLOT, fields.index * HEADER_SLOT + SHARD_HEADER_SIZE);
    writeShardHeader(head, fields, payload.byteLength, checksum);
    return { parts: [head, payload], checksum };
  };

  if (layout.kind === 'replica') {
    const base = layout.copies * HEADER_SLOT;
    const memory = allocate(base + frameSize);
    const payload = memory.subarray(base, base + frameSize);
    place(payload);
    const objects = Array.from({ length: layout.copies }, (_, index) => header(memory, { ...replicaFields(layout.copies), index, frameSize }, payload));
    return { objects, memory };
  }

  const { k, m } = layout;
  const size = shardPayloadSize(frameSize, k);
  const base = (k + m) * HEADER_SLOT;
  const memory = allocate(base + (k + m) * size);
  const data = memory.subarray(base, base + k * size);
  const parity = memory.subarray(base + k * size, base + (k + m) * size);
  place(data);
  data.fill(0, frameSize);
  const parityDone = runCoder(k, m, maskOf(0, k), maskOf(k, k + m), data, parity, size);
  const fields = (index: number): HeaderFields => ({ kind: 'rs', k, m, index, frameSize });
  const objects: ShardObject[] = [];
  try {
    // The data shards' headers are made here while the addon computes parity in the threadpool.
    for (let i = 0; i < k; i++) objects.push(header(memory, fields(i), data.subarray(i * size, (i + 1) * size)));
  } finally {
    // Never hand the memory back while the addon may still be using it.
    await parityDone;
  }
  for (let j = 0; j < m; j++) objects.push(header(memory, fields(k + j), parity.subarray(j * size, (j + 1) * size)));
  return { objects, memory };
}

/** The same objects, each as one contiguous buffer of its own (for moves, repairs and tests). */
export async function encodeShards(frame: Uint8Array | FrameSource, layout: Layout): Promise<Built[]> {
  const { objects } = await encodeShardParts(frame, layout);
  return objects.map((o) => ({ bytes: joinParts(o.parts), checksum: o.checksum }));
}

/** An object's parts as one buffer of its own. */
export function joinParts(parts: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafeSlow(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
