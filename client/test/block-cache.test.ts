/** The block cache (issue 21): bounded in bytes, least recently used dropped first, a damaged entry a miss, kept across restarts; block lists by content hash; small entries as rows of one database, big ones as files. */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { DiskBlockCache, INLINE_BYTES, INLINE_DB } from '../src/transfer/block-cache.js';
import { contentHashOf } from '../src/transfer/blocks.js';
import { nodeReadable } from '../src/transfer/file-handle.js';

const dir = useTempDir('coffer-block-cache-', { each: true });
const block = (n: number) => {
  const bytes = randomBytes(n);
  return { hash: createHash('sha256').update(bytes).digest('hex'), bytes };
};
/** The names of the entries kept as files (the database's own files aside). */
const files = async () => (await readdir(dir())).filter((n) => !n.startsWith(INLINE_DB)).sort();
/** Writes over a row of the database behind the cache's back (another connection, as a crash or a bad disk would). */
const overwriteRow = (name: string, bytes: Uint8Array) => {
  const db = new DatabaseSync(join(dir(), INLINE_DB));
  expect(db.prepare('UPDATE entries SET bytes = ? WHERE name = ?').run(bytes, name).changes).toBe(1);
  db.close();
};

describe('DiskBlockCache', () => {
  it('keeps at most its bound, dropping the least recently used, rows and files alike', async () => {
    const small = 100_000;
    const big = INLINE_BYTES + 1;
    const cache = new DiskBlockCache(dir(), small * 2 + big + 10);
    const [a, b, c, d] = [block(small), block(big), block(small), block(small)];
    await cache.put(a.hash, a.bytes);
    await cache.put(b.hash, b.bytes);
    await new Promise((r) => setTimeout(r, 5));
    expect((await cache.get(a.hash))?.equals(a.bytes)).toBe(true); // a is now more recent than b
    expect(await files()).toEqual([b.hash]); // the big one is a file, the small one a row
    await new Promise((r) => setTimeout(r, 5));
    await cache.put(c.hash, c.bytes);
    expect(await cache.size()).toBe(small * 2 + big);
    await cache.put(d.hash, d.bytes); // over the bound: b (the least recently used) goes
    expect(await cache.size()).toBe(small * 3);
    expect(await cache.get(b.hash)).toBeUndefined();
    expect(await files()).toEqual([]);
    await new Promise((r) => setTimeout(r, 5));
    await cache.put(b.hash, b.bytes); // over again: now a (read before c and d were written) goes
    expect(await cache.get(a.hash)).toBeUndefined();
    cache.close();
    const again = new DiskBlockCache(dir(), small * 2 + big + 10);
    expect(await again.size()).toBe(small * 2 + big);
    for (const x of [b, c, d]) expect((await again.get(x.hash))?.equals(x.bytes)).toBe(true);
    expect(await again.get(a.hash)).toBeUndefined();
    again.close();
  });

  it('takes puts at once from its first use: a block put twice is written and counted once', async () => {
    const cache = new DiskBlockCache(dir(), 10 * 1024 * 1024);
    const [b, c] = [block(300_000), block(400_000)];
    await Promise.all([cache.put(b.hash, b.bytes), cache.put(c.hash, c.bytes), cache.put(b.hash, b.bytes)]);
    expect(await cache.size()).toBe(700_000);
    expect(await files()).toEqual([b.hash, c.hash].sort());
    expect((await cache.get(b.hash))?.equals(b.bytes)).toBe(true);
    expect((await cache.get(c.hash))?.equals(c.bytes)).toBe(true);
  });

  it('answers a damaged entry as a miss and drops it; a new instance finds what was kept', async () => {
    const [a, b, big] = [block(5000), block(5000), block(INLINE_BYTES + 5000)];
    const first = new DiskBlockCache(dir());
    await first.put(a.hash, a.bytes);
    await first.put(b.hash, b.bytes);
    await first.put(big.hash, big.bytes);
    first.close();
    overwriteRow(b.hash, randomBytes(5000)); // damaged on disk
    await writeFile(join(dir(), big.hash), randomBytes(INLINE_BYTES + 5000));
    const second = new DiskBlockCache(dir());
    expect(await second.size()).toBe(10_000 + INLINE_BYTES + 5000);
    expect((await second.get(a.hash))?.equals(a.bytes)).toBe(true);
    expect(await second.get(b.hash)).toBeUndefined();
    expect(await second.get(big.hash)).toBeUndefined();
    expect(await second.size()).toBe(5000);
    expect(await files()).toEqual([]);
    second.close();
    const third = new DiskBlockCache(dir());
    expect(await third.size()).toBe(5000);
    third.close();
  });

  it('still reads small entries kept as files by an earlier version', async () => {
    const a = block(3000);
    await writeFile(join(dir(), a.hash), a.bytes);
    const cache = new DiskBlockCache(dir());
    expect(await cache.size()).toBe(3000);
    expect((await cache.get(a.hash))?.equals(a.bytes)).toBe(true);
    cache.close();
  });

  it('keeps block lists by content hash, checked against it on every read', async () => {
    const blocks = [block(10), block(20), block(30)].map((b) => ({ hash: b.hash, size: b.bytes.byteLength }));
    const cache = new DiskBlockCache(dir());
    await cache.putList(blocks);
    const name = `l-${contentHashOf(blocks)}`;
    expect(await cache.size()).toBe(3 * 36);
    cache.close();
    expect(await new DiskBlockCache(dir()).getList(contentHashOf(blocks))).toEqual(blocks);
    expect(await cache.getList(contentHashOf(blocks.slice(1)))).toBeUndefined();
    cache.close();
    // Two lists' entries swapped on disk: the hashes no longer make the name's content hash.
    const swapped = Buffer.alloc(3 * 36);
    for (const [i, b] of [blocks[1]!, blocks[0]!, blocks[2]!].entries()) {
      swapped.write(b.hash, i * 36, 'hex');
      swapped.writeUInt32BE(b.size, i * 36 + 32);
    }
    overwriteRow(name, swapped);
    const reopened = new DiskBlockCache(dir());
    expect(await reopened.getList(contentHashOf(blocks))).toBeUndefined();
    expect(await reopened.size()).toBe(0);
    reopened.close();
  });

  it('fills itself later from a file, keeping only the blocks the file still holds; reads wait for the fill', async () => {
    const cache = new DiskBlockCache(dir());
    const parts = [block(300_000), block(5000), block(300_000), block(5000)];
    const list = parts.map((p) => ({ hash: p.hash, size: p.bytes.byteLength }));
    const file = join(dir(), 'source.bin'); // beside the entries: a name the cache ignores
    // The file as it is when the fill reads it: its third block changed since the list was made.
    const changed = Buffer.from(parts[2]!.bytes);
    changed[7] = changed[7]! ^ 1;
    await writeFile(file, Buffer.concat([parts[0]!.bytes, parts[1]!.bytes, changed, parts[3]!.bytes]));
    cache.fill(nodeReadable(file), list);
    // No await between the fill and the reads: each read waits for the fill queued before it.
    expect((await cache.get(parts[0]!.hash))?.equals(parts[0]!.bytes)).toBe(true);
    expect((await cache.get(parts[1]!.hash))?.equals(parts[1]!.bytes)).toBe(true);
    expect(await cache.get(parts[2]!.hash)).toBeUndefined(); // never a wrong base
    expect((await cache.get(parts[3]!.hash))?.equals(parts[3]!.bytes)).toBe(true);
    expect(await cache.getList(contentHashOf(list))).toEqual(list);
    expect(await cache.size()).toBe(310_000 + 36 * list.length);
    // A file gone by then: nothing kept, and no error out of the fill or the reads after it.
    const gone = block(1000);
    cache.fill(nodeReadable(join(dir(), 'no-such-file')), [{ hash: gone.hash, size: 1000 }]);
    await cache.settled();
    expect(await cache.get(gone.hash)).toBeUndefined();
    cache.close();
  });
});
