import { describe, expect, it } from 'vitest';
import { inChunks } from '../src/blocks/fetch.js';

const bytes = (n: number, v: number) => Buffer.alloc(n, v);

describe('inChunks (a fetch pack as stream chunks)', () => {
  it('joins small parts, cuts large ones, never exceeds the limit and keeps every byte in order', () => {
    const parts = [bytes(3, 1), bytes(36, 2), bytes(250, 3), bytes(36, 4), bytes(10, 5), bytes(1, 6)];
    const chunks = [...inChunks(parts, 64)];
    expect(chunks.every((c) => c.byteLength <= 64)).toBe(true);
    expect(chunks.slice(0, -1).every((c) => c.byteLength === 64)).toBe(true);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat(parts));
  });

  it('a large part goes out as views of its memory, not copies', () => {
    const big = bytes(256, 9);
    const chunks = [...inChunks([big], 64)];
    expect(chunks).toHaveLength(4);
    for (const c of chunks) expect(c.buffer).toBe(big.buffer);
  });

  it('nothing in, nothing out', () => {
    expect([...inChunks([], 64)]).toEqual([]);
    expect([...inChunks([Buffer.alloc(0)], 64)]).toEqual([]);
  });
});
