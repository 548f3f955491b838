import fc from 'fast-check';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkFills, fileFillSource, type FillSource } from '../src/chunk/chunk-reader.js';
import { chunkBuffer } from '../src/chunk/chunker.js';
import { SharedArena } from '../src/memory/shared-arena.js';
import { arenaMemory, ends, fills, prngBytes, SMALL } from './fixtures/chunk-input.js';

const MiB = 1024 * 1024;

describe('chunking a fill source in place', () => {
  it('property: the same chunks as chunkBuffer whatever the fill sizes, and every byte of memory comes back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.integer({ min: 0, max: 300_000 }),
        fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (seed, length, sizes, stopAfter) => {
          const arena = new SharedArena(4 * MiB);
          const data = prngBytes(seed, length);
          const got: Buffer[] = [];
          for await (const c of chunkFills(fills(data, sizes), arenaMemory(arena), SMALL)) {
            got.push(Buffer.from(c));
            expect(c.buffer).toBe(arena.buffer);
            arena.give(c);
            if (stopAfter !== undefined && got.length > stopAfter % 4) break; // stopped early
          }
          const want = chunkBuffer(data, SMALL);
          expect(ends(got)).toEqual(ends(want).slice(0, got.length));
          if (stopAfter === undefined) expect(Buffer.concat(got).equals(Buffer.from(data))).toBe(true);
          expect(arena.freeBytes()).toBe(4 * MiB);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('reads a file through FileHandle.read with the default sizes, cutting as chunkBuffer does', async () => {
    const data = prngBytes(3, 9 * MiB + 12345);
    const path = join(tmpdir(), `coffer-fill-${process.pid}.bin`);
    await writeFile(path, data);
    const fh = await open(path, 'r');
    try {
      const arena = new SharedArena(16 * MiB);
      const got: number[] = [];
      for await (const c of chunkFills(fileFillSource(fh), arenaMemory(arena))) {
        got.push(c.byteLength);
        arena.give(c);
      }
      expect(got).toEqual(chunkBuffer(data).map((c) => c.length));
      expect(arena.freeBytes()).toBe(16 * MiB);
    } finally {
      await fh.close();
    }
  });

  it('refuses a source that claims more bytes than it was given room for, and gives the memory back', async () => {
    const arena = new SharedArena(MiB);
    const liar: FillSource = { fill: async (into) => into.byteLength + 1 };
    await expect(async () => {
      for await (const c of chunkFills(liar, arenaMemory(arena), SMALL)) arena.give(c);
    }).rejects.toThrow(RangeError);
    expect(arena.freeBytes()).toBe(MiB);
  });
});
