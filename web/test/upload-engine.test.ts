/**
 * The upload engine's parts that need no browser: a Blob read in slices is cut exactly where
 * the protocol's (and so the server's and the CLI's) chunker cuts the whole buffer, whatever the
 * slice size, holding only a slice at a time; speed is a moving window, not an average since the start.
 */
import { describe, expect, it } from 'vitest';
import { CHUNKER_PARAMETERS, chunkBuffer } from '@coffer/protocol';
import { fileBlocks } from '../src/features/transfers/file-blocks.js';
import { SpeedMeter } from '../src/features/transfers/speed.js';

function bytes(seed: number, n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = x >>> 24;
  }
  return out;
}

const ends = (chunks: Uint8Array[]) => chunks.reduce<number[]>((a, c) => [...a, (a.at(-1) ?? 0) + c.length], []);

describe('fileBlocks', () => {
  it('cuts a Blob read in slices where chunkBuffer cuts the whole, for any slice size', async () => {
    const data = bytes(7, 13 * 1024 * 1024 + 333);
    const want = ends(chunkBuffer(data));
    expect(want.length).toBeGreaterThan(5);
    for (const slice of [64 * 1024 + 3, 1024 * 1024, CHUNKER_PARAMETERS.maxSize, 8 * 1024 * 1024]) {
      const got: Uint8Array[] = [];
      for await (const b of fileBlocks(new Blob([data]), undefined, slice)) {
        expect(b.length).toBeLessThanOrEqual(CHUNKER_PARAMETERS.maxSize);
        got.push(b.slice());
      }
      expect(ends(got), `slice ${slice}`).toEqual(want);
      expect(Buffer.concat(got).equals(Buffer.from(data))).toBe(true);
    }
  });

  it('gives nothing for an empty file, one block for a small one, and stops when aborted', async () => {
    const none: Uint8Array[] = [];
    for await (const b of fileBlocks(new Blob([]))) none.push(b);
    expect(none).toEqual([]);
    const one: Uint8Array[] = [];
    for await (const b of fileBlocks(new Blob(['hello']))) one.push(b);
    expect(one.map((b) => new TextDecoder().decode(b))).toEqual(['hello']);
    const ctl = new AbortController();
    ctl.abort();
    await expect(fileBlocks(new Blob([bytes(1, 1000)]), ctl.signal).next()).rejects.toThrow();
  });
});

describe('SpeedMeter', () => {
  it('measures over the last window only, and says the time left at that speed', () => {
    let now = 0;
    const m = new SpeedMeter(5000, () => now);
    expect(m.bytesPerSecond).toBe(0);
    // 10 s at 10 MB/s, then 10 s at 1 MB/s: the window sees only the slow part.
    let total = 0;
    for (; now <= 10_000; now += 500) m.add((total = now * 10_000));
    for (let t = 500; t <= 10_000; t += 500) {
      now = 10_000 + t;
      m.add((total += 500_000));
    }
    expect(m.bytesPerSecond).toBeGreaterThan(0.9e6);
    expect(m.bytesPerSecond).toBeLessThan(1.2e6);
    expect(m.secondsLeft(10e6)).toBeGreaterThan(8);
    expect(m.secondsLeft(10e6)).toBeLessThan(11);
  });
});
