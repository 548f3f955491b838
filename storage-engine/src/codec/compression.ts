import { createRequire } from 'node:module';
import type * as Zstd from 'zstd-napi/binding.js';
import { BufferPool } from '../memory/buffer-pool.js';
import { FormatError } from '../errors.js';

/**
 * zstd through zstd-napi's low-level binding, with one context per level kept and reused
 * (setting one up costs more than compressing a small block). The level follows the block's size
 * (`levelFor`): small blocks — source files, documents, the bulk of a real folder by count — at 6,
 * large ones at 3 (borg's default). Output goes into memory we give: the library's own `compress` allocated a
 * worst-case buffer per call and then copied the result out of it, two allocations per block that
 * ended as garbage; compressed bytes now go into a pooled scratch buffer sized for the largest
 * result worth keeping, and "does not fit" is the answer "not worth compressing".
 */
const zstd = createRequire(import.meta.url)('zstd-napi/binding') as typeof Zstd;

const contexts = new Map<number, Zstd.CCtx>();
let dctx: Zstd.DCtx | undefined;
const scratch = new BufferPool({ maxBuffers: 2, maxBufferBytes: 8 * 1024 * 1024, grain: 256 * 1024 });

/** Smallest gain worth storing compressed: below it the CPU spent on reads is not paid back. */
export const MIN_GAIN = 0.05;

/** Large inputs are probed on a sample first: incompressible data (most media) then costs ~5% of a full try. */
const PROBE_MIN = 256 * 1024;
const PROBE_SIZE = 32 * 1024;

/** Blocks below this are compressed at SMALL_LEVEL. */
const SMALL_BLOCK = 128 * 1024;
const SMALL_LEVEL = 6;
const LARGE_LEVEL = 3;

/**
 * The level for a block of `size` bytes. Measured on bench:tree's corpus (2,388 files under 1 MiB,
 * 10 MB; stored = compressed + 56 B of frame): level 1 3.03 MB, 3 2.87 MB, 6 2.68 MB, 9 2.65 MB
 * at 2.5× level 6's time — 6 is where the curve flattens, and a small block costs microseconds at
 * any level. Large blocks are where throughput is felt; level 3 keeps ~40+ MB/s on text and probes
 * incompressible data on a sample anyway.
 */
export function levelFor(size: number): number {
  return size < SMALL_BLOCK ? SMALL_LEVEL : LARGE_LEVEL;
}

/** Compressed bytes in pooled memory: `release` once they have been used (encrypted). */
export interface Compressed {
  bytes: Buffer;
  release(): void;
}

/** Compress `data` when the result is at least 5% smaller, else undefined. */
export function compressScratch(data: Uint8Array, level = levelFor(data.byteLength)): Compressed | undefined {
  if (data.byteLength < 64) return undefined;
  const cctx = context(level);
  if (data.byteLength >= PROBE_MIN) {
    // Sample the middle: headers at the start of a file are often more compressible than its body.
    // Room for any result, so the usual answer (incompressible) is a size, not an exception.
    const mid = Math.floor((data.byteLength - PROBE_SIZE) / 2);
    const room = scratch.take(zstd.compressBound(PROBE_SIZE));
    const n = cctx.compress2(room, data.subarray(mid, mid + PROBE_SIZE));
    scratch.give(room);
    if (n > PROBE_SIZE * (1 - MIN_GAIN / 2)) return undefined;
  }
  const room = scratch.take(Math.floor(data.byteLength * (1 - MIN_GAIN)));
  const n = tryCompress(cctx, room, data);
  if (n < 0) {
    scratch.give(room);
    return undefined;
  }
  return { bytes: room.subarray(0, n), release: () => scratch.give(room) };
}

/** The same as a Buffer of its own. */
export function compress(data: Uint8Array, level = levelFor(data.byteLength)): Buffer | undefined {
  const c = compressScratch(data, level);
  if (!c) return undefined;
  const own = Buffer.from(c.bytes);
  c.release();
  return own;
}

/** Bytes written, or -1 when they do not fit `into`. */
function tryCompress(cctx: Zstd.CCtx, into: Buffer, data: Uint8Array): number {
  try {
    return cctx.compress2(into, data);
  } catch (err) {
    if (/too small/i.test((err as Error).message)) return -1;
    throw err;
  }
}

function context(level: number): Zstd.CCtx {
  let c = contexts.get(level);
  if (!c) {
    c = new zstd.CCtx();
    c.setParameter(zstd.CParameter.compressionLevel, level);
    // The frame carries XXH64 of its content (4 bytes), which decompress checks: a read can then
    // trust zstd's output without hashing it again with SHA-256 (~7x the CPU; see carriesChecksum).
    c.setParameter(zstd.CParameter.checksumFlag, 1);
    c.setParameter(zstd.CParameter.contentSizeFlag, 1);
    contexts.set(level, c);
  }
  return c;
}

/**
 * Whether a zstd frame carries its content checksum, which `decompress` verifies (libzstd checks
 * it unless told not to): magic 28 B5 2F FD, then the frame header descriptor, whose bit 2 is the
 * Content_Checksum_flag (RFC 8878, 3.1.1.1.1). Frames written before the flag was set carry none.
 */
export function carriesChecksum(frame: Uint8Array): boolean {
  return frame.byteLength >= 5 && frame[0] === 0x28 && frame[1] === 0xb5 && frame[2] === 0x2f && frame[3] === 0xfd && (frame[4]! & 0x04) !== 0;
}

/**
 * Decompress into a buffer of the size the frame header promised, insisting on exactly that.
 * `into` gives that buffer (a reader's pooled, warm memory): a fresh one of a block's size is
 * mapped anew each time, and on this VM its first touch cost ~0.9 ms a MiB, 3-4x the
 * decompression itself.
 */
export function decompress(data: Uint8Array, expectedSize: number, into?: (bytes: number) => Buffer): Buffer {
  dctx ??= new zstd.DCtx();
  const out = into ? into(expectedSize) : Buffer.allocUnsafeSlow(expectedSize);
  let n: number;
  try {
    n = dctx.decompress(out, data);
  } catch (err) {
    throw new FormatError('compressed payload does not decompress to the size its frame states', { cause: err });
  }
  if (n !== expectedSize) throw new FormatError(`decompressed ${n} bytes where ${expectedSize} were expected`);
  return out;
}
