/**
 * Large scratch buffers kept for reuse (the coding areas of reads and repairs). Fresh multi-MiB
 * allocations cost page faults and make V8 collect garbage for "external memory pressure" every
 * few dozen MiB; a pool turns that into warm memory. Buffers are whole ArrayBuffers of their own
 * (never slices of Node's shared pool). Writes use the block arena instead (block-memory.ts).
 *
 * A buffer given back must not be used by anyone afterwards: pools are only used where one owner
 * holds a buffer from `take` to `give`.
 */
import { releaseMemory } from './release.js';

/**
 * How long the engine's and the server's pools keep spares unused: through the pause between one
 * change and the next (a user's saves, a sync's files), not only within one. A spare freed is
 * memory the next burst touches afresh, and on this VM each first-touched MiB costs ~2.3 ms of CPU:
 * at 2 s, a new 100 MiB file synced a few seconds after the last (bench:sync-client, its runs
 * interleaved with Syncthing's) took a median ~2.2-2.25 s end to end, at 10 s ~1.8-1.86 s (two
 * interleaved pairs of 12). The peak is the same either way: spares are only what a burst used.
 */
export const SPARE_IDLE_MS = 10_000;

export interface BufferPoolOptions {
  /** Buffers kept at most (each up to maxBufferBytes). */
  maxBuffers: number;
  /** Larger buffers are not kept (the coding area of a rare huge block should not pin memory forever). */
  maxBufferBytes: number;
  /** Sizes are rounded up to a multiple of this, so buffers of near sizes serve each other. */
  grain: number;
  /** Spares unused for about this long are freed (a burst's memory does not stay held while idle); by default kept. */
  idleMs?: number;
}

export class BufferPool {
  private readonly spare: ArrayBuffer[] = [];
  /** What this pool made: only these are taken back (a slice of Node's shared pool given by mistake would be handed out again). */
  private readonly made = new WeakSet<ArrayBuffer>();
  private used = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BufferPoolOptions) {}

  /** A Buffer of exactly `bytes` bytes (contents arbitrary) at the start of a pooled ArrayBuffer. */
  take(bytes: number): Buffer {
    this.used = true;
    let best = -1;
    for (let i = 0; i < this.spare.length; i++) {
      const b = this.spare[i]!;
      // The smallest spare that fits, so big ones stay for big requests.
      if (b.byteLength >= bytes && (best < 0 || b.byteLength < this.spare[best]!.byteLength)) best = i;
    }
    if (best >= 0) return Buffer.from(this.spare.splice(best, 1)[0]!, 0, bytes);
    // (A spare freed by someone else — releaseMemory — has byteLength 0 and never fits.)
    const size = Math.max(this.opts.grain, Math.ceil(bytes / this.opts.grain) * this.opts.grain);
    const ab = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
    this.made.add(ab);
    return Buffer.from(ab, 0, bytes);
  }

  /** Give back the ArrayBuffer under `buf` (any view of it); memory this pool did not make is
   *  ignored. True when the pool has it now (whether kept or freed): the caller must not free it. */
  give(buf: Uint8Array | ArrayBuffer): boolean {
    const ab = buf instanceof ArrayBuffer ? buf : buf.buffer;
    if (!(ab instanceof ArrayBuffer) || !this.made.has(ab) || ab.byteLength === 0) return false;
    if (this.spare.includes(ab)) return true; // given twice: keep one entry, never hand it out twice
    if (ab.byteLength > this.opts.maxBufferBytes) return false;
    this.sweepWhenIdle();
    if (this.spare.length < this.opts.maxBuffers) {
      this.spare.push(ab);
      return true;
    }
    // Full: keep the larger of the new one and the smallest kept.
    let smallest = 0;
    for (let i = 1; i < this.spare.length; i++) if (this.spare[i]!.byteLength < this.spare[smallest]!.byteLength) smallest = i;
    if (this.spare[smallest]!.byteLength < ab.byteLength) [this.spare[smallest], buf] = [ab, this.spare[smallest]!];
    releaseMemory(buf instanceof ArrayBuffer ? new Uint8Array(buf) : buf);
    return true;
  }

  /** With idleMs: a timer (never holding the process open) frees the spares once a period passes without a take. */
  private sweepWhenIdle(): void {
    const idleMs = this.opts.idleMs;
    if (idleMs === undefined || this.timer) return;
    this.used = false;
    this.timer = setInterval(() => {
      if (this.used) {
        this.used = false;
        return;
      }
      for (const ab of this.spare.splice(0)) releaseMemory(new Uint8Array(ab));
      clearInterval(this.timer);
      this.timer = undefined;
    }, idleMs);
    this.timer.unref?.();
  }
}
