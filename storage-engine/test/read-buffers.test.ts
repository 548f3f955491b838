import { describe, expect, it } from 'vitest';
import { recycleReadBuffer, takeReadBuffer } from '../src/memory/read-buffers.js';
import { releaseMemory } from '../src/memory/release.js';

describe('read buffers', () => {
  it('a released read buffer serves the next read of a like size; any view of it counts', () => {
    const a = takeReadBuffer(1024 * 1024 + 40);
    const ab = a.buffer;
    releaseMemory(a.subarray(40)); // the plaintext view a download sends
    expect(ab.byteLength).toBeGreaterThan(0); // kept, not detached
    const b = takeReadBuffer(1024 * 1024);
    expect(b.buffer).toBe(ab);
    expect(b.byteLength).toBe(1024 * 1024);
  });

  it('is taken back once: a second release of the same buffer does not hand it out twice', () => {
    const a = takeReadBuffer(512 * 1024);
    releaseMemory(a);
    releaseMemory(a);
    const b = takeReadBuffer(512 * 1024);
    const c = takeReadBuffer(512 * 1024);
    expect(b.buffer).not.toBe(c.buffer);
  });

  it('leaves other memory alone: a buffer of its own is still detached, small and huge reads are plain allocations', () => {
    const foreign = Buffer.allocUnsafeSlow(1024 * 1024);
    expect(recycleReadBuffer(foreign)).toBe(false);
    releaseMemory(foreign);
    expect(foreign.buffer.byteLength).toBe(0);
    const small = takeReadBuffer(1000);
    expect(small.buffer.byteLength).toBe(1000);
    const huge = takeReadBuffer(8 * 1024 * 1024);
    expect(huge.buffer.byteLength).toBe(8 * 1024 * 1024);
    expect(recycleReadBuffer(huge)).toBe(false);
  });
});
