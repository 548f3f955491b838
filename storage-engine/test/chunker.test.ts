import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunkBuffer,
  Chunker,
  chunkStream,
  DEFAULT_CHUNKER_OPTIONS,
  findCut,
  type ChunkerOptions,
} from '../src/chunk/chunker.js';
import { InvalidArgumentError } from '../src/errors.js';
import { GEAR } from '@coffer/protocol';
import { asAsync, ends, pieces, prngBytes, SMALL } from './fixtures/chunk-input.js';
import { withTempDir } from '@coffer/test-support/temp-dir';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Data with long runs and repeats, where a gear hash behaves very differently from random data. */
function lowEntropyBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const noise = prngBytes(seed, Math.ceil(n / 512) + 1);
  for (let i = 0; i < n; i++) out[i] = i % 4096 < 3000 ? 0 : noise[i >> 9]! & 7;
  return out;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Straightforward byte-at-a-time statement of the cut rule, to check the word-at-a-time scanner against. */
function referenceEnds(d: Uint8Array, o: ChunkerOptions): number[] {
  const strict = Math.floor(2 ** 30 / o.avgSize);
  const loose = Math.floor(2 ** 34 / o.avgSize);
  const out: number[] = [];
  for (let start = 0; start < d.length; ) {
    const room = Math.min(o.maxSize, d.length - start);
    let len = room;
    let h = 0;
    for (let i = start + o.minSize - 32; i < start + room; i++) {
      h = ((h << 1) + GEAR[d[i]!]!) | 0;
      const l = i - start + 1;
      if (l >= o.minSize && l < o.maxSize && h >>> 0 < (l < o.avgSize ? strict : loose)) {
        len = l;
        break;
      }
    }
    start += len;
    out.push(start);
  }
  return out;
}

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of gen) out.push(c);
  return out;
}

function expectSizesInBounds(chunks: Uint8Array[], o: ChunkerOptions): void {
  chunks.forEach((c, i) => {
    if (i < chunks.length - 1) {
      expect(c.length).toBeGreaterThanOrEqual(o.minSize);
    } else {
      expect(c.length).toBeGreaterThan(0);
    }
    expect(c.length).toBeLessThanOrEqual(o.maxSize);
  });
}

const dataArb = (maxLen: number) =>
  fc.record({
    seed: fc.integer(),
    length: fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: maxLen })),
    lowEntropy: fc.boolean(),
  });

const piecesArb = fc.array(
  fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 1, max: 2 * MiB })),
  { minLength: 1, maxLength: 12 },
);

const makeData = (d: { seed: number; length: number; lowEntropy: boolean }): Uint8Array =>
  d.lowEntropy ? lowEntropyBytes(d.seed, d.length) : prngBytes(d.seed, d.length);

describe('chunkBuffer', () => {
  it('returns [] for empty input, and one chunk for input under minSize', () => {
    expect(chunkBuffer(new Uint8Array(0))).toEqual([]);
    const small = prngBytes(1, 1000);
    const chunks = chunkBuffer(small, SMALL);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.buffer).toBe(small.buffer); // a view, not a copy
  });

  it('property: views that cover the input in order, sizes within [min, max], cuts as the byte-at-a-time rule says', () => {
    fc.assert(
      fc.property(dataArb(3 * MiB), fc.integer({ min: 0, max: 7 }), (d, shift) => {
        // Place the data at an odd offset sometimes, so the aligned word reads start mid-buffer.
        const backing = new Uint8Array(d.length + shift);
        backing.set(makeData(d), shift);
        const data = backing.subarray(shift);
        const chunks = chunkBuffer(data, SMALL);
        expect(Buffer.concat(chunks).equals(data)).toBe(true);
        expectSizesInBounds(chunks, SMALL);
        expect(ends(chunks)).toEqual(referenceEnds(data, SMALL));
      }),
      { numRuns: 40 },
    );
  });

  it('matches the reference rule for any avgSize, not only powers of two', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 64, max: 4000 }),
        fc.integer({ min: 0, max: 6000 }),
        fc.integer({ min: 0, max: 20000 }),
        fc.integer(),
        (min, extraAvg, extraMax, seed) => {
          const o = { minSize: min, avgSize: min + extraAvg, maxSize: min + extraAvg + extraMax };
          const data = prngBytes(seed, 300_000);
          const chunks = chunkBuffer(data, o);
          expectSizesInBounds(chunks, o);
          expect(ends(chunks)).toEqual(referenceEnds(data, o));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives a mean chunk size near avgSize on random data', () => {
    const small = chunkBuffer(prngBytes(7, 16 * MiB), SMALL);
    const smallMean = (16 * MiB) / small.length;
    expect(smallMean).toBeGreaterThan(0.5 * SMALL.avgSize);
    expect(smallMean).toBeLessThan(2 * SMALL.avgSize);

    const odd = { minSize: 3000, avgSize: 12_000, maxSize: 48_000 };
    const oddMean = (16 * MiB) / chunkBuffer(prngBytes(8, 16 * MiB), odd).length;
    expect(oddMean).toBeGreaterThan(0.5 * odd.avgSize);
    expect(oddMean).toBeLessThan(2 * odd.avgSize);

    const defaults = chunkBuffer(prngBytes(9, 64 * MiB));
    const mean = (64 * MiB) / defaults.length;
    expect(mean).toBeGreaterThan(0.5 * MiB);
    expect(mean).toBeLessThan(2 * MiB);
    expectSizesInBounds(defaults, DEFAULT_CHUNKER_OPTIONS);
  });

  it('cuts constant data at maxSize (no hash hits) deterministically', () => {
    const zeros = new Uint8Array(100_000);
    const chunks = chunkBuffer(zeros, SMALL);
    expect(Buffer.concat(chunks).equals(zeros)).toBe(true);
    expect(ends(chunks)).toEqual(referenceEnds(zeros, SMALL));
    for (const c of chunks.slice(0, -1)) expect(c.length).toBe(chunks[0]!.length);
  });

  it('locality: a small insert or delete in 16 MiB changes at most 3 chunks (defaults)', () => {
    const base = prngBytes(11, 16 * MiB);
    const baseHashes = new Set(chunkBuffer(base).map(sha));
    const edits: Array<{ at: number; insert: number; remove: number }> = [
      { at: 100, insert: 1, remove: 0 },
      { at: 5000, insert: 3, remove: 0 },
      { at: 200_000, insert: 7, remove: 0 },
      { at: 9 * MiB + 12_345, insert: 2, remove: 0 },
      { at: 300, insert: 0, remove: 5 },
    ];
    for (const e of edits) {
      const edited = Buffer.concat([
        base.subarray(0, e.at),
        prngBytes(e.at, e.insert),
        base.subarray(e.at + e.remove),
      ]);
      const chunks = chunkBuffer(edited);
      const changed = chunks.filter((c) => !baseHashes.has(sha(c))).length;
      expect(changed, JSON.stringify(e)).toBeGreaterThanOrEqual(1);
      expect(changed, JSON.stringify(e)).toBeLessThanOrEqual(3);
      expect(chunks.length).toBeGreaterThan(8); // the test means something only with many chunks
    }
  });

  it('determinism: the gear table and the boundaries of fixed inputs are pinned', () => {
    // Changing either moves stored chunk boundaries: dedup against existing data would stop working.
    expect(sha(new Uint8Array(GEAR.buffer, GEAR.byteOffset, GEAR.byteLength))).toBe(
      '5821c2c0407d084d1b47a64bbf90c0f430bb35fd5387da22e2d60c9d462b5dbe',
    );
    expect(Array.from(GEAR.subarray(0, 4))).toEqual([1673514015, 1670097901, 7602687, -245530307]);

    expect(ends(chunkBuffer(prngBytes(1, 256 * KiB), SMALL))).toEqual([
      8348, 19793, 28603, 38417, 47320, 57863, 66150, 74861, 86539, 94964, 98985, 108630, 113088, 123140, 127667,
      133343, 142444, 151234, 160217, 167092, 175830, 187056, 196934, 207089, 216500, 225432, 237351, 244106, 253330,
      256394, 262144,
    ]);
    expect(ends(chunkBuffer(prngBytes(2, 12 * MiB)))).toEqual([
      1339397, 2586056, 4753435, 5987160, 7142257, 8459916, 9129895, 9664207, 10512588, 11421495, 12582912,
    ]);
    expect(ends(chunkBuffer(prngBytes(3, 64 * KiB), { minSize: 1000, avgSize: 3000, maxSize: 7000 }))).toEqual([
      4347, 7741, 12056, 16862, 18099, 21211, 25582, 29281, 33736, 37874, 40924, 44001, 49542, 52681, 56359, 61110,
      65030, 65536,
    ]);
  });
});

describe('findCut', () => {
  it('property: on a prefix it answers -1 or the same cut as on the whole data', () => {
    fc.assert(
      fc.property(dataArb(200_000), fc.nat(), fc.nat(), (d, startSeed, endSeed) => {
        const data = makeData(d);
        const cuts = [0, ...ends(chunkBuffer(data, SMALL))];
        const start = cuts[startSeed % cuts.length]!;
        const end = start + (endSeed % (data.length - start + 1));
        const whole = findCut(data, start, data.length, SMALL, true);
        const partial = findCut(data, start, end, SMALL, false);
        expect(partial === -1 || partial === whole).toBe(true);
        if (end - start >= SMALL.maxSize) expect(partial).toBe(whole);
        const finalOnPrefix = findCut(data, start, end, SMALL, true);
        expect(finalOnPrefix).toBe(partial === -1 ? end - start : partial);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a range outside the data', () => {
    const data = new Uint8Array(10);
    expect(() => findCut(data, 0, 11, SMALL, true)).toThrow(InvalidArgumentError);
    expect(() => findCut(data, 5, 4, SMALL, true)).toThrow(InvalidArgumentError);
    expect(findCut(data, 10, 10, SMALL, true)).toBe(0);
    expect(findCut(data, 10, 10, SMALL, false)).toBe(-1);
  });
});

describe('Chunker and chunkStream', () => {
  it('property: any split into pieces gives the same chunks as chunkBuffer (small sizes)', async () => {
    await fc.assert(
      fc.asyncProperty(dataArb(3 * MiB), piecesArb, async (d, sizes) => {
        const data = makeData(d);
        const expected = ends(chunkBuffer(data, SMALL));

        const chunker = new Chunker(SMALL);
        const pushed: Buffer[] = [];
        for (const p of pieces(data, sizes)) pushed.push(...chunker.push(p));
        pushed.push(...chunker.finish());
        expect(ends(pushed)).toEqual(expected);
        expect(Buffer.concat(pushed).equals(data)).toBe(true);

        const streamed = await collect(chunkStream(asAsync(pieces(data, sizes)), SMALL));
        expect(ends(streamed)).toEqual(expected);
        expect(Buffer.concat(streamed).equals(data)).toBe(true);
        expectSizesInBounds(streamed, SMALL);
        for (const c of streamed) {
          // Each chunk owns its whole ArrayBuffer, so transferring it moves nothing else.
          expect(c.byteOffset).toBe(0);
          expect(c.buffer.byteLength).toBe(c.length);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('property: any split gives the same chunks as chunkBuffer (default sizes)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.integer({ min: 0, max: 12 * MiB }),
        fc.array(fc.integer({ min: 1, max: 5 * MiB }), { minLength: 1, maxLength: 6 }),
        async (seed, length, sizes) => {
          const data = prngBytes(seed, length);
          const streamed = await collect(chunkStream(asAsync(pieces(data, sizes))));
          expect(ends(streamed)).toEqual(ends(chunkBuffer(data)));
          expect(Buffer.concat(streamed).equals(data)).toBe(true);
          expectSizesInBounds(streamed, DEFAULT_CHUNKER_OPTIONS);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('chunks a real file read through a Node stream like chunkBuffer', async () => {
    await withTempDir('coffer-chunker-', async (dir) => {
      const data = prngBytes(21, 3 * MiB + 777);
      const file = join(dir, 'blob');
      await writeFile(file, data);
      const streamed = await collect(chunkStream(createReadStream(file, { highWaterMark: 1000 }), SMALL));
      expect(ends(streamed)).toEqual(ends(chunkBuffer(data, SMALL)));
      expect(Buffer.concat(streamed).equals(data)).toBe(true);
    });
  });

  it('handles empty input and empty pieces, and refuses use after finish', async () => {
    expect(await collect(chunkStream(asAsync([])))).toEqual([]);
    const chunker = new Chunker(SMALL);
    expect(chunker.push(new Uint8Array(0))).toEqual([]);
    expect(chunker.push(new Uint8Array(100))).toEqual([]);
    expect(chunker.push(new Uint8Array(0))).toEqual([]);
    const last = chunker.finish();
    expect(last.map((c) => c.length)).toEqual([100]);
    expect(() => chunker.push(new Uint8Array(1))).toThrow(InvalidArgumentError);
    expect(() => chunker.finish()).toThrow(InvalidArgumentError);
  });
});

describe('options', () => {
  const bad: Array<Partial<ChunkerOptions>> = [
    { minSize: 63, avgSize: 1024, maxSize: 4096 },
    { minSize: 0, avgSize: 1024, maxSize: 4096 },
    { minSize: 2048, avgSize: 1024, maxSize: 4096 },
    { minSize: 1024, avgSize: 8192, maxSize: 4096 },
    { minSize: 1024.5, avgSize: 8192, maxSize: 65536 },
    { minSize: 1024, avgSize: Number.NaN, maxSize: 65536 },
    { minSize: 1024, avgSize: 8192, maxSize: 2 ** 31 },
    { avgSize: 8192 }, // below the default minSize
  ];

  it('invalid options throw InvalidArgumentError from every entry point', () => {
    for (const o of bad) {
      expect(() => chunkBuffer(new Uint8Array(10), o), JSON.stringify(o)).toThrow(InvalidArgumentError);
      expect(() => new Chunker(o), JSON.stringify(o)).toThrow(InvalidArgumentError);
      expect(() => chunkStream(asAsync([]), o), JSON.stringify(o)).toThrow(InvalidArgumentError);
      const full = { ...DEFAULT_CHUNKER_OPTIONS, ...o };
      expect(() => findCut(new Uint8Array(10), 0, 10, full, true), JSON.stringify(o)).toThrow(InvalidArgumentError);
    }
  });

  it('accepts the smallest and degenerate valid settings', () => {
    const data = prngBytes(5, 50_000);
    for (const o of [
      { minSize: 64, avgSize: 64, maxSize: 64 },
      { minSize: 64, avgSize: 100, maxSize: 1000 },
      { minSize: 500, avgSize: 500, maxSize: 5000 },
      { minSize: 500, avgSize: 5000, maxSize: 5000 },
    ]) {
      const chunks = chunkBuffer(data, o);
      expectSizesInBounds(chunks, o);
      expect(ends(chunks)).toEqual(referenceEnds(data, o));
    }
    expect(DEFAULT_CHUNKER_OPTIONS).toEqual({ minSize: 256 * KiB, avgSize: MiB, maxSize: 4 * MiB });
  });
});
