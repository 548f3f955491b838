import { createCipheriv, createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chooseLayout,
  decodeShards,
  rebuildShards,
  shardPayloadSize,
  type ErasureOptions,
} from '../src/erasure/erasure.js';
import { FormatError, IntegrityError, InvalidArgumentError, UnrecoverableError } from '../src/errors.js';
import { shardCount, type Layout } from '../src/erasure/layout.js';
import { readShard, SHARD_HEADER_SIZE, writeShard } from '../src/shards/shard-format.js';
import { encodeShards } from '../src/shards/shard-encode.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Deterministic pseudo-random bytes, fast enough for 10 MiB frames (AES-CTR keystream). */
function frameOf(seed: number, n: number): Buffer {
  const key = createHash('sha256').update(`frame ${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

const rs = (k: number, m: number): Extract<Layout, { kind: 'rs' }> => ({ kind: 'rs', k, m });

/** Map of index -> object bytes for the given indexes. */
function pick(objects: { bytes: Buffer }[], indexes: Iterable<number>): Map<number, Buffer> {
  return new Map([...indexes].map((i) => [i, objects[i]!.bytes]));
}

function* subsets(n: number, size: number, from = 0): Generator<number[]> {
  if (size === 0) return yield [];
  for (let i = from; i <= n - size; i++) for (const rest of subsets(n, size - 1, i + 1)) yield [i, ...rest];
}

/** Frame sizes: mostly small and around shard-size edges, a few up to 10 MiB. */
const frameSize = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 4 * KiB }) },
  { weight: 3, arbitrary: fc.integer({ min: 4 * KiB, max: 512 * KiB }) },
  { weight: 1, arbitrary: fc.integer({ min: 512 * KiB, max: 10 * MiB }) },
);
const codes = fc.constantFrom<[number, number]>([4, 2], [2, 1], [1, 1], [3, 3], [6, 4], [16, 4], [5, 1]);

/** A code, a frame size, the shard indexes in random order, and how many beyond k to keep (0..m). */
function rsCase(sizes: fc.Arbitrary<number>) {
  return fc.tuple(codes, sizes).chain(([[k, m], size]) =>
    fc.record({
      layout: fc.constant({ kind: 'rs' as const, k, m, spare: 0 }).chain((l) =>
        fc.integer({ min: 0, max: m }).map((spare) => ({ ...l, spare })),
      ),
      size: fc.constant(size),
      shuffled: fc.shuffledSubarray([...Array(k + m).keys()], { minLength: k + m, maxLength: k + m }),
    }),
  );
}

describe('the native Reed-Solomon addon', () => {
  it('is built and loads (encodeShards produces real parity)', async () => {
    const frame = frameOf(1, 64 * KiB);
    const objects = await encodeShards(frame, rs(2, 1));
    const [a, b, p] = objects.map((o) => readShard(o.bytes).payload);
    // For one parity shard the code is plain XOR of the data shards.
    expect(Buffer.from(a!.map((x, i) => x ^ b![i]!))).toEqual(p);
  });
});

describe('encodeShards / decodeShards', () => {
  it('round-trips random frames with any up to m shards dropped', async () => {
    await fc.assert(
      fc.asyncProperty(
        rsCase(frameSize),
        fc.integer(),
        async ({ layout, size, shuffled }, seed) => {
          const frame = frameOf(seed, size);
          const objects = await encodeShards(frame, layout);
          expect(objects).toHaveLength(layout.k + layout.m);
          objects.forEach((o, index) => {
            const { header, payload } = readShard(o.bytes);
            expect(header).toMatchObject({ kind: 'rs', k: layout.k, m: layout.m, index, frameSize: size });
            expect(header.checksum).toBe(o.checksum);
            expect(payload.byteLength).toBe(shardPayloadSize(size, layout.k));
          });
          // Keep any k or more shards: up to m dropped, a random subset.
          const decoded = await decodeShards(pick(objects, shuffled.slice(0, layout.k + layout.spare)), layout, size);
          expect(decoded.byteLength).toBe(size);
          expect(decoded.equals(frame)).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('decodes from every subset of at least k shards (4+2 exhaustively, and every k-subset of 2+1 and 3+3)', async () => {
    for (const [layout, size] of [
      [rs(4, 2), 1 * MiB + 13],
      [rs(2, 1), 300 * KiB + 1],
      [rs(3, 3), 5000],
    ] as const) {
      const frame = frameOf(size, size);
      const objects = await encodeShards(frame, layout);
      const n = layout.k + layout.m;
      const sizes = layout.k === 4 ? [4, 5, 6] : [layout.k];
      let tried = 0;
      for (const s of sizes) {
        for (const subset of subsets(n, s)) {
          const decoded = await decodeShards(pick(objects, subset), layout, size);
          expect(decoded.equals(frame), `subset ${subset.join(',')} of ${layout.k}+${layout.m}`).toBe(true);
          tried++;
        }
      }
      if (layout.k === 4) expect(tried).toBe(15 + 6 + 1);
    }
  });

  it('accepts Uint8Array views at odd offsets of a larger buffer', async () => {
    const frame = frameOf(7, 200 * KiB + 3);
    const objects = await encodeShards(frame, rs(4, 2));
    const shards = new Map<number, Uint8Array>();
    for (const i of [1, 3, 4, 5]) {
      const host = new Uint8Array(objects[i]!.bytes.byteLength + 11);
      host.set(objects[i]!.bytes, 5);
      shards.set(i, host.subarray(5, 5 + objects[i]!.bytes.byteLength));
    }
    expect((await decodeShards(shards, rs(4, 2), frame.byteLength)).equals(frame)).toBe(true);
  });

  it('is deterministic and stays correct under many concurrent calls (shared scratch areas)', async () => {
    const sizes = [4 * MiB, 1 * MiB, 3 * MiB + 5, 129 * KiB, 8, 0, 2 * MiB - 1, 777];
    const frames = sizes.map((s, i) => frameOf(100 + i, s));
    const first = await Promise.all(frames.map((f) => encodeShards(f, rs(4, 2))));
    const again = await Promise.all(frames.map((f) => encodeShards(f, rs(4, 2))));
    first.forEach((objs, i) => objs.forEach((o, j) => expect(o.bytes.equals(again[i]![j]!.bytes)).toBe(true)));
    const decoded = await Promise.all(
      first.flatMap((objs, i) => [
        decodeShards(pick(objs, [0, 2, 4, 5]), rs(4, 2), sizes[i]!),
        decodeShards(pick(objs, [2, 3, 4, 5]), rs(4, 2), sizes[i]!),
      ]),
    );
    decoded.forEach((d, j) => expect(d.equals(frames[j >> 1]!)).toBe(true));
    const rebuilt = await Promise.all(first.map((objs, i) => rebuildShards(pick(objs, [1, 3, 4, 5]), rs(4, 2), sizes[i]!, [0, 2])));
    rebuilt.forEach((r, i) => {
      expect(r.get(0)!.bytes.equals(first[i]![0]!.bytes)).toBe(true);
      expect(r.get(2)!.bytes.equals(first[i]![2]!.bytes)).toBe(true);
    });
  });

  it('pads the last data shard with zeros and sizes payloads in multiples of 8, never 0', async () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e8 }), fc.integer({ min: 1, max: 16 }), (size, k) => {
        const s = shardPayloadSize(size, k);
        expect(s % 8).toBe(0);
        expect(s).toBeGreaterThanOrEqual(Math.max(8, Math.ceil(size / k)));
        expect(s).toBeLessThan(Math.max(8, Math.ceil(size / k)) + 8);
      }),
    );
    const frame = frameOf(3, 1001);
    const objects = await encodeShards(frame, rs(4, 2));
    const s = shardPayloadSize(1001, 4);
    expect(s).toBe(256);
    const last = readShard(objects[3]!.bytes).payload;
    expect(last.subarray(0, 1001 - 3 * s)).toEqual(frame.subarray(3 * s));
    expect(last.subarray(1001 - 3 * s).every((b) => b === 0)).toBe(true);
  });

  it('throws UnrecoverableError with fewer than k shards, and for replicas with none', async () => {
    const frame = frameOf(4, 50 * KiB);
    const objects = await encodeShards(frame, rs(4, 2));
    for (const subset of subsets(6, 3)) {
      await expect(decodeShards(pick(objects, subset), rs(4, 2), frame.byteLength)).rejects.toThrow(UnrecoverableError);
      await expect(rebuildShards(pick(objects, subset), rs(4, 2), frame.byteLength, [0])).rejects.toThrow(
        UnrecoverableError,
      );
    }
    await expect(decodeShards(new Map(), rs(2, 1), 10)).rejects.toThrow(UnrecoverableError);
    await expect(decodeShards(new Map(), { kind: 'replica', copies: 3 }, 10)).rejects.toThrow(UnrecoverableError);
  });

  it('rejects, naming the index, a shard that is corrupt or belongs elsewhere', async () => {
    const frame = frameOf(5, 300 * KiB);
    const objects = await encodeShards(frame, rs(4, 2));
    const bad = Buffer.from(objects[1]!.bytes);
    bad[SHARD_HEADER_SIZE + 1000]! ^= 0x10;
    const shards = pick(objects, [0, 2, 3]).set(1, bad);
    await expect(decodeShards(shards, rs(4, 2), frame.byteLength)).rejects.toThrow(/shard 1\b/);
    await expect(decodeShards(shards, rs(4, 2), frame.byteLength)).rejects.toThrow(IntegrityError);
    // A valid shard under the wrong index, or of another frame size or code, is not used.
    const swapped = pick(objects, [0, 1, 2]).set(3, objects[4]!.bytes);
    await expect(decodeShards(swapped, rs(4, 2), frame.byteLength)).rejects.toThrow(IntegrityError);
    await expect(decodeShards(pick(objects, [0, 1, 2, 3]), rs(4, 2), frame.byteLength - 1)).rejects.toThrow(
      IntegrityError,
    );
    await expect(decodeShards(pick(objects, [0, 1, 2, 3]), rs(4, 1), frame.byteLength)).rejects.toThrow(IntegrityError);
    const extra = pick(objects, [0, 1, 2, 3]).set(6, objects[5]!.bytes);
    await expect(decodeShards(extra, rs(4, 2), frame.byteLength)).rejects.toThrow(InvalidArgumentError);
  });
});

describe('replica layout', () => {
  it('round-trips: every copy is header + the whole frame, any one copy decodes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 200 * KiB }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        fc.nat(),
        async (size, copies, seed, which) => {
          const layout: Layout = { kind: 'replica', copies };
          const frame = frameOf(seed, size);
          const objects = await encodeShards(frame, layout);
          expect(objects).toHaveLength(copies);
          objects.forEach((o, index) => {
            expect(o.bytes.byteLength).toBe(SHARD_HEADER_SIZE + size);
            expect(o.bytes.subarray(SHARD_HEADER_SIZE).equals(frame)).toBe(true);
            expect(readShard(o.bytes).header).toEqual({
              kind: 'replica',
              k: 1,
              m: copies - 1,
              index,
              frameSize: size,
              payloadSize: size,
              checksum: crc32(frame),
            });
          });
          const one = which % copies;
          expect((await decodeShards(pick(objects, [one]), layout, size)).equals(frame)).toBe(true);
          const rebuilt = await rebuildShards(pick(objects, [one]), layout, size, [...objects.keys()]);
          objects.forEach((o, i) => expect(rebuilt.get(i)!.bytes.equals(o.bytes)).toBe(true));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('rebuildShards', () => {
  it('recreates missing shards byte-identical to the originals, from any k present', async () => {
    await fc.assert(
      fc.asyncProperty(
        rsCase(frameSize.filter((s) => s < 3 * MiB)),
        fc.integer(),
        fc.nat(),
        async ({ layout, size, shuffled }, seed, which) => {
          const frame = frameOf(seed, size);
          const objects = await encodeShards(frame, layout);
          const present = shuffled.slice(0, layout.k + layout.spare);
          const missing = shuffled.slice(layout.k + layout.spare);
          // Also ask for one present shard (repair moving a shard off a shared node).
          const want = [...missing, present[which % present.length]!];
          const rebuilt = await rebuildShards(pick(objects, present), layout, size, want);
          expect([...rebuilt.keys()].sort()).toEqual([...new Set(want)].sort());
          for (const i of want) {
            expect(rebuilt.get(i)!.bytes.equals(objects[i]!.bytes), `shard ${i}`).toBe(true);
            expect(rebuilt.get(i)!.checksum).toBe(objects[i]!.checksum);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects out-of-range wanted indexes', async () => {
    const objects = await encodeShards(frameOf(1, 100), rs(2, 1));
    await expect(rebuildShards(pick(objects, [0, 1]), rs(2, 1), 100, [3])).rejects.toThrow(InvalidArgumentError);
    expect((await rebuildShards(pick(objects, [0, 1]), rs(2, 1), 100, [])).size).toBe(0);
  });
});

describe('shard format', () => {
  it('lays the header out as documented', () => {
    const payload = frameOf(9, 40);
    const { bytes, checksum } = writeShard({ kind: 'rs', k: 4, m: 2, index: 5, frameSize: 150 }, payload);
    expect(SHARD_HEADER_SIZE).toBe(28);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('CFS1');
    expect([...bytes.subarray(4, 12)]).toEqual([1, 0, 4, 2, 5, 0, 0, 0]);
    expect(bytes.readUInt32BE(12)).toBe(150);
    expect(bytes.readUInt32BE(16)).toBe(40);
    expect(bytes.readUInt32BE(20)).toBe(crc32(payload));
    expect(checksum).toBe(crc32(payload));
    expect(bytes.readUInt32BE(24)).toBe(crc32(bytes.subarray(0, 24)));
    expect(bytes.subarray(28).equals(payload)).toBe(true);
    expect(readShard(bytes).payload.equals(payload)).toBe(true);
  });

  it('detects any single flipped bit, in the header or the payload', async () => {
    const encoded = new Map<string, { bytes: Buffer }[]>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<[Layout, number]>(
          [rs(4, 2), 1 * MiB + 5],
          [rs(2, 1), 0],
          [rs(2, 1), 70 * KiB],
          [rs(6, 3), 999],
          [{ kind: 'replica', copies: 3 }, 5000],
          [{ kind: 'replica', copies: 2 }, 0],
        ),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        async ([layout, size], which, at, inHeader) => {
          const id = JSON.stringify([layout, size]);
          if (!encoded.has(id)) encoded.set(id, await encodeShards(frameOf(size, size), layout));
          const objects = encoded.get(id)!;
          const original = objects[which % shardCount(layout)]!.bytes;
          const bit = inHeader || original.byteLength === SHARD_HEADER_SIZE
            ? at % (SHARD_HEADER_SIZE * 8)
            : SHARD_HEADER_SIZE * 8 + (at % ((original.byteLength - SHARD_HEADER_SIZE) * 8));
          const flipped = Buffer.from(original);
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          expect(() => readShard(flipped)).toThrow(bit < 32 ? FormatError : IntegrityError);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('rejects truncated, extended and foreign objects as FormatError', () => {
    const { bytes } = writeShard({ kind: 'rs', k: 2, m: 1, index: 0, frameSize: 16 }, frameOf(2, 8));
    expect(() => readShard(bytes)).not.toThrow();
    for (let n = 0; n < bytes.byteLength; n++) expect(() => readShard(bytes.subarray(0, n))).toThrow(FormatError);
    expect(() => readShard(Buffer.concat([bytes, Buffer.alloc(1)]))).toThrow(FormatError);
    expect(() => readShard(Buffer.from('PK\x03\x04 this is a zip file, not a shard at all'))).toThrow(FormatError);
    // Well-formed CRCs around impossible fields: a future version, unknown kind, index past k+m.
    const withField = (offset: number, value: number) => {
      const b = Buffer.from(bytes);
      b[offset] = value;
      b.writeUInt32BE(crc32(b.subarray(0, 24)), 24);
      return b;
    };
    expect(() => readShard(withField(4, 2))).toThrow(/version/);
    expect(() => readShard(withField(5, 7))).toThrow(/kind/);
    expect(() => readShard(withField(8, 3))).toThrow(/index/);
    expect(() => readShard(withField(9, 1))).toThrow(/reserved/);
  });
});

describe('chooseLayout', () => {
  it('replicates m+1 times below the threshold and erasure-codes at or above it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 * MiB }),
        fc.integer({ min: 0, max: 8 * MiB }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 4 }),
        (size, replicaThreshold, k, m) => {
          const layout = chooseLayout(size, { k, m, replicaThreshold });
          expect(layout).toEqual(size < replicaThreshold ? { kind: 'replica', copies: m + 1 } : { kind: 'rs', k, m });
        },
      ),
    );
    const opts: ErasureOptions = { k: 4, m: 2, replicaThreshold: 128 * KiB };
    expect(chooseLayout(128 * KiB - 1, opts)).toEqual({ kind: 'replica', copies: 3 });
    expect(chooseLayout(128 * KiB, opts)).toEqual({ kind: 'rs', k: 4, m: 2 });
    expect(chooseLayout(0, { k: 2, m: 1, replicaThreshold: 0 })).toEqual({ kind: 'rs', k: 2, m: 1 });
  });

  it('rejects codes and sizes outside what is supported', async () => {
    for (const [k, m] of [[0, 2], [17, 2], [4, 0], [4, 5], [2.5, 1], [Number.NaN, 1]] as const) {
      expect(() => chooseLayout(1000, { k, m, replicaThreshold: 0 })).toThrow(InvalidArgumentError);
      await expect(encodeShards(frameOf(1, 10), rs(k, m))).rejects.toThrow(InvalidArgumentError);
    }
    expect(() => chooseLayout(-1, { k: 4, m: 2, replicaThreshold: 0 })).toThrow(InvalidArgumentError);
    expect(() => chooseLayout(10, { k: 4, m: 2, replicaThreshold: -5 })).toThrow(InvalidArgumentError);
    await expect(encodeShards(frameOf(1, 10), { kind: 'replica', copies: 0 })).rejects.toThrow(InvalidArgumentError);
  });
});
