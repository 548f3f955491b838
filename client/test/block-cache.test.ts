/** The block cache (issue 21): bounded in bytes, least recently used dropped first, a damaged entry a miss, kept across restarts; block lists by content hash. */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { DiskBlockCache } from '../src/transfer/block-cache.js';
import { contentHashOf } from '../src/transfer/blocks.js';

const dir = useTempDir('coffer-block-cache-', { each: true });
const block = (n: number) => {
  const bytes = randomBytes(n);
  return { hash: createHash('sha256').update(bytes).digest('hex'), bytes };
};

describe('DiskBlockCache', () => {
  it('keeps at most its bound, dropping the least recently used', async () => {
    const cache = new DiskBlockCache(dir(), 250_000);
    const [a, b, c] = [block(100_000), block(100_000), block(100_000)];
    await cache.put(a.hash, a.bytes);
    await cache.put(b.hash, b.bytes);
    await new Promise((r) => setTimeout(r, 5));
    expect((await cache.get(a.hash))?.equals(a.bytes)).toBe(true); // a is now the more recent
    await cache.put(c.hash, c.bytes);
    expect(await cache.size()).toBe(200_000);
    expect(await cache.get(b.hash)).toBeUndefined();
    expect((await cache.get(a.hash))?.equals(a.bytes)).toBe(true);
    expect((await readdir(dir())).sort()).toEqual([a.hash, c.hash].sort());
  });

  it('answers a damaged entry as a miss and drops it; a new instance finds what was kept', async () => {
    const [a, b] = [block(5000), block(5000)];
    const first = new DiskBlockCache(dir());
    await first.put(a.hash, a.bytes);
    await first.put(b.hash, b.bytes);
    await writeFile(join(dir(), b.hash), randomBytes(5000)); // damaged on disk
    const second = new DiskBlockCache(dir());
    expect(await second.size()).toBe(10_000);
    expect((await second.get(a.hash))?.equals(a.bytes)).toBe(true);
    expect(await second.get(b.hash)).toBeUndefined();
    expect(await readdir(dir())).toEqual([a.hash]);
  });

  it('keeps block lists by content hash, checked against it on every read', async () => {
    const blocks = [block(10), block(20), block(30)].map((b) => ({ hash: b.hash, size: b.bytes.byteLength }));
    const cache = new DiskBlockCache(dir());
    await cache.putList(blocks);
    const name = `l-${contentHashOf(blocks)}`;
    expect(await readdir(dir())).toEqual([name]);
    expect(await cache.size()).toBe(3 * 36);
    expect(await new DiskBlockCache(dir()).getList(contentHashOf(blocks))).toEqual(blocks);
    expect(await cache.getList(contentHashOf(blocks.slice(1)))).toBeUndefined();
    // Two lists' entries swapped on disk: the hashes no longer make the name's content hash.
    const swapped = Buffer.alloc(3 * 36);
    for (const [i, b] of [blocks[1]!, blocks[0]!, blocks[2]!].entries()) {
      swapped.write(b.hash, i * 36, 'hex');
      swapped.writeUInt32BE(b.size, i * 36 + 32);
    }
    await writeFile(join(dir(), name), swapped);
    const reopened = new DiskBlockCache(dir());
    expect(await reopened.getList(contentHashOf(blocks))).toBeUndefined();
    expect(await readdir(dir())).toEqual([]);
  });
});
