/**
 * A fixed SharedArrayBuffer carved into variable-sized pieces (first fit, neighbours coalesced on
 * free). Blocks in flight live in it — chunks as the chunker cuts them, shard objects as the
 * sealer makes them — so the sealing workers and FsNode's writer threads, which see the arena
 * from their start, are handed offsets instead of memory: nothing is copied or moved between
 * threads, and nothing is left for the garbage collector (whose "external memory pressure"
 * collections cost more CPU than hashing when every block allocated fresh buffers).
 *
 * Pieces are few and short-lived, so a sorted list of free ranges is all the bookkeeping needed.
 * Only touched pages are resident, and first fit keeps reusing the low ones.
 */
const ALIGN = 64;

export class SharedArena {
  readonly buffer: SharedArrayBuffer;
  readonly bytes: Buffer;
  /** Free ranges [start, end), sorted by start, never touching one another. */
  private readonly free: [number, number][];
  /** Pieces handed out: offset → reserved length. */
  private readonly live = new Map<number, number>();

  constructor(readonly size: number) {
    this.buffer = new SharedArrayBuffer(size);
    this.bytes = Buffer.from(this.buffer);
    this.free = [[0, size]];
  }

  /** A piece of exactly `length` bytes (its memory arbitrary), or undefined when none is free. */
  take(length: number): Buffer | undefined {
    const need = Math.max(ALIGN, Math.ceil(length / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const range = this.free[i]!;
      if (range[1] - range[0] < need) continue;
      const at = range[0];
      range[0] += need;
      if (range[0] === range[1]) this.free.splice(i, 1);
      this.live.set(at, need);
      return this.bytes.subarray(at, at + length);
    }
    return undefined;
  }

  /** Shrink the piece that starts where `view` starts to its first `length` bytes, freeing the
   *  rest; returns the shrunk view (undefined when `view` is not the start of a live piece). */
  trim(view: Uint8Array, length: number): Buffer | undefined {
    if (!this.holds(view)) return undefined;
    const offset = view.byteOffset;
    const need = this.live.get(offset);
    const keep = Math.max(ALIGN, Math.ceil(length / ALIGN) * ALIGN);
    if (need === undefined || length > view.byteLength) return undefined;
    if (keep < need) {
      // Free the tail as a piece of its own, then give it back (coalescing with what follows).
      this.live.set(offset, keep);
      this.live.set(offset + keep, need - keep);
      this.give(this.bytes.subarray(offset + keep, offset + need));
    }
    return this.bytes.subarray(offset, offset + length);
  }

  /** Whether `view` lies in this arena. */
  holds(view: Uint8Array): boolean {
    return view.buffer === this.buffer;
  }

  /** Give back the piece that starts where `view` starts. Anything else is ignored, so a piece
   *  can never be freed twice or a foreign buffer freed at all. */
  give(view: Uint8Array): void {
    if (!this.holds(view)) return;
    const offset = view.byteOffset;
    const need = this.live.get(offset);
    if (need === undefined) return;
    this.live.delete(offset);
    const end = offset + need;
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid]![0] < offset) lo = mid + 1;
      else hi = mid;
    }
    const before = this.free[lo - 1];
    const after = this.free[lo];
    if (before && before[1] === offset) {
      before[1] = end;
      if (after && after[0] === end) {
        before[1] = after[1];
        this.free.splice(lo, 1);
      }
    } else if (after && after[0] === end) {
      after[0] = offset;
    } else {
      this.free.splice(lo, 0, [offset, end]);
    }
  }

  /** Bytes currently free (for tests). */
  freeBytes(): number {
    return this.free.reduce((n, [a, b]) => n + b - a, 0);
  }
}
