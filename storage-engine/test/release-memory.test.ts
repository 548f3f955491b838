import { describe, expect, it } from 'vitest';
import { releaseMemory } from '../src/memory/release.js';

const canDetach = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';

describe('releaseMemory', () => {
  it.runIf(canDetach)('frees a buffer of its own at once (its views become empty)', () => {
    const whole = Buffer.allocUnsafeSlow(32 * 1024).fill(7);
    const view = whole.subarray(100, 200);
    releaseMemory(whole);
    expect(whole.byteLength).toBe(0);
    expect(view.byteLength).toBe(0);
    // A view into a large buffer of its own (a block inside its frame) frees the frame.
    const frame = Buffer.allocUnsafeSlow(1024 * 1024);
    const plain = frame.subarray(40, frame.byteLength - 16);
    releaseMemory(plain);
    expect(frame.byteLength).toBe(0);
  });

  it('never touches a slice of Node’s shared pool, shared memory, or a small buffer it does not cover', () => {
    const a = Buffer.from('first small buffer');
    const b = Buffer.from('its neighbour in the pool');
    expect(a.buffer).toBe(b.buffer); // both pooled
    releaseMemory(a);
    expect(a.toString()).toBe('first small buffer');
    expect(b.toString()).toBe('its neighbour in the pool');

    const shared = Buffer.from(new SharedArrayBuffer(256 * 1024));
    releaseMemory(shared);
    expect(shared.byteLength).toBe(256 * 1024);

    const small = Buffer.allocUnsafeSlow(16 * 1024);
    releaseMemory(small.subarray(0, 100));
    expect(small.byteLength).toBe(16 * 1024);
  });

  it('ignores a buffer freed already', () => {
    const b = Buffer.allocUnsafeSlow(100 * 1024);
    releaseMemory(b);
    expect(() => releaseMemory(b)).not.toThrow();
  });
});
