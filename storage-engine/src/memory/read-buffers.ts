/**
 * Memory for blocks on their way out: the shard objects a read fetches from local-directory nodes
 * and the frame they decode into (whose plaintext is what a download sends). Each used to be a fresh
 * allocation of up to a few MiB, mapped and unmapped by the allocator every time (the launch
 * places set MALLOC_MMAP_THRESHOLD_, server/README.md "Memory"): page faults that made a download
 * cost ~3x the CPU of the same reads into warm memory (bench:api, 256 MiB: 4.9 → 1.5 CPU-s with
 * the threshold lifted). Buffers taken here go back to a small pool when their last owner calls
 * `releaseMemory` (the same promise as before: no one reads them again); one that is never released
 * is simply collected.
 */
import { BufferPool } from './buffer-pool.js';

/** A few blocks in flight (reads ahead, a pack being filled) at ~1 MiB frames plus shards; at most ~24 MiB kept. */
const pool = new BufferPool({ maxBuffers: 12, maxBufferBytes: 2 * 1024 * 1024 + 64 * 1024, grain: 64 * 1024 });
const ours = new WeakSet<ArrayBuffer>();
/** Below this a fresh buffer costs little (Node's own pool or the allocator's heap serve it). */
const MIN_POOLED = 128 * 1024;

/** `bytes` bytes (contents arbitrary) for a shard read or a decoded frame. */
export function takeReadBuffer(bytes: number): Buffer {
  if (bytes < MIN_POOLED || bytes > 2 * 1024 * 1024) return Buffer.allocUnsafeSlow(bytes);
  const buf = pool.take(bytes);
  ours.add(buf.buffer as ArrayBuffer);
  return buf;
}

/** Back to the pool when `view` lies in a buffer from takeReadBuffer; false for any other memory. */
export function recycleReadBuffer(view: Uint8Array): boolean {
  const ab = view.buffer;
  if (!(ab instanceof ArrayBuffer) || !ours.has(ab)) return false;
  ours.delete(ab);
  pool.give(ab);
  return true;
}
