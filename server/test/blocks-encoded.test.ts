/**
 * PUT /blocks/{sha256}/encoded (issue 21): a block sent zstd-compressed, or as a zstd delta
 * against a block the caller may read, is decoded within its declared size, checked against its
 * hash and stored whole; anything else is a 4xx that stores nothing.
 */
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MAX_PACK_BYTES, PACK_MAGIC } from '@coffer/protocol';
import { blocks } from '../src/db/schema.js';
import { useTestServer } from './fixtures/server.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';

const zstd = (data: Uint8Array, dictionary?: Uint8Array) =>
  (zlib.zstdCompressSync as (b: Uint8Array, o: object) => Buffer)(data, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 }, ...(dictionary ? { dictionary } : {}) });

const encodedPath = (hash: string, q: Record<string, string | number>) =>
  `/api/v1/blocks/${hash}/encoded?${new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)]))}`;

describe('encoded blocks (postgres)', () => {
  const srv = useTestServer('postgres');

  const storedHashes = async (namespaceId: string) =>
    (await srv.database.db.select({ hash: blocks.hash }).from(blocks).where(eq(blocks.namespaceId, namespaceId))).map((r) => r.hash).sort();

  it('stores a compressed block whole, readable back as plaintext', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const block = Buffer.from('coffer '.repeat(150_000));
    const body = zstd(block);
    expect(body.length).toBeLessThan(block.length / 100);
    const res = await c.send('PUT', encodedPath(sha256(block), { encoding: 'zstd', size: block.length }), body);
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ hash: sha256(block), size: block.length, stored: true });
    const commit = await c.commit('/a.txt', [{ hash: sha256(block), size: block.length }], { baseRev: null });
    expect(commit.status).toBe(201);
    const back = await c.send('GET', `/api/v1/blocks/${sha256(block)}`);
    expect(Buffer.compare(back.body, block)).toBe(0);
    // Sent again: already there.
    const again = await c.send('PUT', encodedPath(sha256(block), { encoding: 'zstd', size: block.length }), body);
    expect(again.status).toBe(200);
    expect(again.json().stored).toBe(false);
  });

  it('rebuilds a delta against a readable base block; a wrong hash stores nothing', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const base = randomBytes(200_000); // below the chunker's minimum: one block
    const pushed = await c.push('/big.bin', base);
    expect(pushed.commit.status).toBe(201);
    const baseHash = sha256(base);
    expect(pushed.blocks.map((b) => b.hash)).toEqual([baseHash]);
    const next = Buffer.from(base);
    next[123_456]! ^= 0xff;
    const delta = zstd(next, base);
    expect(delta.length).toBeLessThan(1024);

    const wrong = sha256(randomBytes(8));
    const bad = await c.send('PUT', encodedPath(wrong, { encoding: 'zstd-delta', base: baseHash, size: next.length }), delta);
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('hash_mismatch');
    expect(await storedHashes(u.namespaceId)).toEqual([baseHash]);

    const res = await c.send('PUT', encodedPath(sha256(next), { encoding: 'zstd-delta', base: baseHash, size: next.length }), delta);
    expect(res.status).toBe(201);
    expect(await storedHashes(u.namespaceId)).toEqual([baseHash, sha256(next)].sort());
    expect((await c.commit('/big.bin', [{ hash: sha256(next), size: next.length }], { baseRev: 1, fileId: pushed.commit.json().id })).status).toBe(201);
    expect(Buffer.compare((await c.send('GET', `/api/v1/blocks/${sha256(next)}`)).body, next)).toBe(0);

    // Two bases, their plaintexts joined in the order named: the end of one and the start of the other.
    const joined = Buffer.concat([base.subarray(150_000), next.subarray(0, 100_000)]);
    const two = await c.send('PUT', encodedPath(sha256(joined), { encoding: 'zstd-delta', base: `${baseHash},${sha256(next)}`, size: joined.length }), zstd(joined, Buffer.concat([base, next])));
    expect(two.status).toBe(201);
    expect(await storedHashes(u.namespaceId)).toContain(sha256(joined));
  });

  it("refuses a base the caller may not read (another user's block, or one in no file)", async () => {
    const ua = await srv.user();
    const ub = await srv.user();
    const a = new SyncClient(srv.url, ua.auth);
    const b = new SyncClient(srv.url, ub.auth);
    const base = randomBytes(300_000);
    expect((await a.push('/mine.bin', base)).commit.status).toBe(201);
    const next = Buffer.concat([base, Buffer.from('more')]);
    const q = { encoding: 'zstd-delta', base: sha256(base), size: next.length };
    const res = await b.send('PUT', encodedPath(sha256(next), q), zstd(next, base));
    expect(res.status).toBe(404);
    expect(res.json().error.code).toBe('base_not_found');
    expect(await storedHashes(ub.namespaceId)).toEqual([]);
    // Uploaded by B for a commit still to come, in no file: not A's to use...
    const loose = randomBytes(200_000);
    expect((await b.send('PUT', `/api/v1/blocks/${sha256(loose)}`, loose)).status).toBe(201);
    const next2 = Buffer.concat([loose, Buffer.from('x')]);
    const delta2 = encodedPath(sha256(next2), { encoding: 'zstd-delta', base: sha256(loose), size: next2.length });
    const res2 = await a.send('PUT', delta2, zstd(next2, loose));
    expect(res2.status).toBe(404);
    expect(res2.json().error.code).toBe('base_not_found');
    expect(await storedHashes(ua.namespaceId)).not.toContain(sha256(next2));
    // ...but B's own (its reservation says B stored it): a base for B's next block.
    expect((await b.send('PUT', delta2, zstd(next2, loose))).status).toBe(201);
    expect((await storedHashes(ub.namespaceId)).sort()).toEqual([sha256(loose), sha256(next2)].sort());
  });

  it('a decompression bomb, a short or corrupt body, and a bad query are 4xx storing nothing', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const huge = Buffer.alloc(256 << 20); // 256 MiB of zeros: ~8 KiB compressed
    const bomb = zstd(huge);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const r1 = await c.send('PUT', encodedPath(sha256(huge.subarray(0, 1 << 20)), { encoding: 'zstd', size: 1 << 20 }), bomb);
    expect(r1.status).toBe(400);
    expect(r1.json().error.code).toBe('invalid_encoding');
    const tooBig = await c.send('PUT', encodedPath(sha256(huge.subarray(0, 1)), { encoding: 'zstd', size: 64 << 20 }), bomb);
    expect(tooBig.status).toBe(400);
    const small = Buffer.from('a'.repeat(5000));
    const short = await c.send('PUT', encodedPath(sha256(small), { encoding: 'zstd', size: 6000 }), zstd(small));
    expect(short.status).toBe(400);
    expect(short.json().error.code).toBe('invalid_encoding');
    const junk = await c.send('PUT', encodedPath(sha256(small), { encoding: 'zstd', size: 5000 }), randomBytes(500));
    expect(junk.status).toBe(400);
    const noBase = await c.send('PUT', encodedPath(sha256(small), { encoding: 'zstd-delta', size: 5000 }), zstd(small));
    expect(noBase.status).toBe(400);
    expect(await storedHashes(u.namespaceId)).toEqual([]);
  });

  it('takes a pack compressed whole, and refuses one that decodes past MAX_PACK_BYTES', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const texts = [0, 1, 2].map((i) => Buffer.from(`file ${i}: ${'some text that repeats '.repeat(2000)}`));
    const pack = Buffer.concat([
      Buffer.from(PACK_MAGIC),
      ...texts.flatMap((t) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(t.length);
        return [Buffer.from(sha256(t), 'hex'), len, t];
      }),
    ]);
    const body = zstd(pack);
    expect(body.length).toBeLessThan(pack.length / 20);
    const res = await c.send('POST', '/api/v1/blocks/pack/encoded?encoding=zstd', body);
    expect(res.status).toBe(200);
    expect(await storedHashes(u.namespaceId)).toEqual(texts.map((t) => sha256(t)).sort());

    const bomb = zstd(Buffer.concat([Buffer.from(PACK_MAGIC), Buffer.alloc(MAX_PACK_BYTES + 1)]));
    const refused = await c.send('POST', '/api/v1/blocks/pack/encoded?encoding=zstd', bomb);
    expect(refused.status).toBe(400);
    expect(refused.json().error.code).toBe('invalid_encoding');
    expect(await storedHashes(u.namespaceId)).toHaveLength(3);
  });
});
