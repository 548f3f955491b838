import { describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../src/memory/buffer-pool.js';

describe('BufferPool', () => {
  it('hands a buffer given back out again, never twice at once', () => {
    const pool = new BufferPool({ maxBuffers: 2, maxBufferBytes: 1 << 20, grain: 4096 });
    const a = pool.take(5000);
    expect(a.byteLength).toBe(5000);
    pool.give(a);
    pool.give(a.subarray(10)); // given twice (a view of it): kept once
    const b = pool.take(6000);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.take(6000).buffer).not.toBe(a.buffer);
  });

  it('takes back only memory it made (never a slice of Node’s shared pool)', () => {
    const pool = new BufferPool({ maxBuffers: 2, maxBufferBytes: 1 << 20, grain: 4096 });
    const foreign = Buffer.allocUnsafeSlow(4096);
    expect(pool.give(foreign)).toBe(false);
    expect(pool.give(Buffer.allocUnsafe(16))).toBe(false);
    expect(pool.take(4096).buffer).not.toBe(foreign.buffer);
  });

  it('with idleMs, frees its spares once a period passes without a take', () => {
    vi.useFakeTimers();
    try {
      const pool = new BufferPool({ maxBuffers: 2, maxBufferBytes: 1 << 20, grain: 4096, idleMs: 1000 });
      const a = pool.take(4096);
      const ab = a.buffer as ArrayBuffer;
      pool.give(a);
      vi.advanceTimersByTime(500);
      expect(pool.take(4096).buffer).toBe(ab); // used within the period: kept
      pool.give(ab);
      vi.advanceTimersByTime(1000); // the take above counts for this period
      vi.advanceTimersByTime(1000); // a period without one: freed
      expect(ab.byteLength).toBe(0);
      expect(pool.take(4096).buffer).not.toBe(ab);
    } finally {
      vi.useRealTimers();
    }
  });
});
