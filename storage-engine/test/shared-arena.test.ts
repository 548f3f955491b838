import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedArena } from '../src/memory/shared-arena.js';

describe('shared arena', () => {
  it('never hands out overlapping pieces, and gets all its memory back', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 70_000 }), fc.nat()), { maxLength: 200 }), (ops) => {
        const arena = new SharedArena(1 << 20);
        const live: Buffer[] = [];
        for (const [take, size, pick] of ops) {
          if (take || live.length === 0) {
            const piece = arena.take(size);
            if (!piece) continue;
            expect(piece.byteLength).toBe(size);
            for (const other of live) {
              const apart = piece.byteOffset + Math.max(piece.byteLength, 1) <= other.byteOffset || other.byteOffset + Math.max(other.byteLength, 1) <= piece.byteOffset;
              expect(apart).toBe(true);
            }
            live.push(piece);
          } else {
            arena.give(live.splice(pick % live.length, 1)[0]!);
          }
        }
        for (const piece of live) arena.give(piece);
        expect(arena.freeBytes()).toBe(1 << 20);
      }),
      { numRuns: 200 },
    );
  });

  it('ignores a second give of a piece and gives of foreign memory, so a live piece is never freed by mistake', () => {
    const arena = new SharedArena(4096);
    const a = arena.take(1000)!;
    arena.give(a);
    const b = arena.take(1000)!; // the same place again
    expect(b.byteOffset).toBe(a.byteOffset);
    arena.give(Buffer.alloc(1000));
    arena.give(b.subarray(64)); // not where a piece starts
    expect(arena.take(4096)).toBeUndefined(); // b is still taken
    arena.give(b);
    expect(arena.take(4096)).toBeDefined();
  });

  it('answers undefined when full, instead of waiting or growing', () => {
    const arena = new SharedArena(1024);
    expect(arena.take(1024)).toBeDefined();
    expect(arena.take(1)).toBeUndefined();
  });
});
