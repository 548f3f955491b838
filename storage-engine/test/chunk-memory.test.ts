import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkBuffer, chunkStream } from '../src/chunk/chunker.js';
import { SharedArena } from '../src/memory/shared-arena.js';
import { arenaMemory, asAsync, ends, pieces, prngBytes, SMALL } from './fixtures/chunk-input.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The streaming chunker with memory that trims (the engine's block arena): see ChunkMemory. */
describe('chunker with trimming memory', () => {
  it('property: with trimming memory (an arena) the chunks are the same, and every byte of memory comes back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.integer({ min: 0, max: 300 * KiB }),
        fc.array(fc.integer({ min: 1, max: 40 * KiB }), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (seed, length, sizes, stopAfter) => {
          const arena = new SharedArena(4 * MiB);
          const memory = arenaMemory(arena);
          const data = prngBytes(seed, length);
          const got: Buffer[] = [];
          const stream = chunkStream(asAsync(pieces(data, sizes)), SMALL, memory);
          for await (const c of stream) {
            got.push(Buffer.from(c));
            expect(c.buffer).toBe(arena.buffer);
            arena.give(c);
            if (stopAfter !== undefined && got.length > stopAfter % 4) break; // a stream that ends early
          }
          const want = chunkBuffer(data, SMALL);
          expect(ends(got)).toEqual(ends(want).slice(0, got.length));
          expect(arena.freeBytes()).toBe(4 * MiB);
        },
      ),
      { numRuns: 60 },
    );
  });

});
