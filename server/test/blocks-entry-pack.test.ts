/**
 * POST /blocks/pack/entries (issue 21): many blocks in one request, each raw, zstd or a zstd delta
 * against a block the caller may read; every entry is decoded within its declared size and checked
 * against its hash before anything is stored, so any bad entry is a 4xx that stores nothing.
 */
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MAX_PACK_BYTES, encodeEntryPack, type PackEntryOnWire } from '@coffer/protocol';
import { blocks } from '../src/db/schema.js';
import { useTestServer } from './fixtures/server.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';

const zstd = (data: Uint8Array, dictionary?: Uint8Array) =>
  (zlib.zstdCompressSync as (b: Uint8Array, o: object) => Buffer)(data, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 }, ...(dictionary ? { dictionary } : {}) });
const PATH = '/api/v1/blocks/pack/entries';

describe('entry packs (postgres)', () => {
  const srv = useTestServer('postgres');
  const storedHashes = async (namespaceId: string) =>
    (await srv.database.db.select({ hash: blocks.hash }).from(blocks).where(eq(blocks.namespaceId, namespaceId))).map((r) => r.hash).sort();

  it('stores raw, zstd and delta entries of one request, each readable back as plaintext', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const base = randomBytes(200_000);
    expect((await c.push('/big.bin', base)).commit.status).toBe(201);
    const edited = Buffer.from(base);
    edited[100_000]! ^= 0xff;
    const text = Buffer.from('coffer entry pack\n'.repeat(10_000));
    const raw = randomBytes(5000);
    const entries: PackEntryOnWire[] = [
      { hash: sha256(edited), size: edited.length, encoding: 'zstd-delta', bases: [sha256(base)], body: zstd(edited, base) },
      { hash: sha256(text), size: text.length, encoding: 'zstd', body: zstd(text) },
      { hash: sha256(raw), size: raw.length, encoding: 'identity', body: raw },
    ];
    const body = encodeEntryPack(entries);
    expect(body.byteLength).toBeLessThan(raw.length + 4096);
    const res = await c.send('POST', PATH, body);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ blocks: 3, stored: 3, bytes: edited.length + text.length + raw.length });
    expect(await storedHashes(u.namespaceId)).toEqual([sha256(base), sha256(edited), sha256(text), sha256(raw)].sort());
    const commit = await c.commit('/set.bin', [edited, text, raw].map((b) => ({ hash: sha256(b), size: b.length })), { baseRev: null });
    expect(commit.status).toBe(201);
    for (const b of [edited, text, raw]) expect(Buffer.compare((await c.send('GET', `/api/v1/blocks/${sha256(b)}`)).body, b)).toBe(0);
  });

  it('a lean pack (CFE2) names no hashes: each block is what its decoded bytes hash to, bad framing stores nothing', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const base = randomBytes(200_000);
    expect((await c.push('/lean-base.bin', base)).commit.status).toBe(201);
    const edited = Buffer.concat([Buffer.from('head'), base]);
    const text = Buffer.from('coffer lean pack\n'.repeat(8_000));
    const raw = randomBytes(6000);
    const entries: PackEntryOnWire[] = [
      { hash: '', size: edited.length, encoding: 'zstd-delta', bases: [sha256(base)], body: zstd(edited, base) },
      { hash: '', size: text.length, encoding: 'zstd', body: zstd(text) },
      { hash: '', size: raw.length, encoding: 'identity', body: raw },
    ];
    const cut = encodeEntryPack(entries, 'lean');
    const short = await c.send('POST', PATH, cut.subarray(0, cut.byteLength - 10));
    expect(short.status).toBe(400);
    expect(short.json().error.code).toBe('invalid_pack');
    expect(await storedHashes(u.namespaceId)).toEqual([sha256(base)]);
    const res = await c.send('POST', PATH, cut);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ blocks: 3, stored: 3, bytes: edited.length + text.length + raw.length });
    expect(await storedHashes(u.namespaceId)).toEqual([sha256(base), sha256(edited), sha256(text), sha256(raw)].sort());
    const commit = await c.commit('/lean.bin', [edited, text, raw].map((b) => ({ hash: sha256(b), size: b.length })), { baseRev: null });
    expect(commit.status).toBe(201);
  });

  it('a wrong hash, an unreadable base, a bomb or bad framing is a 4xx naming the entry, storing nothing', async () => {
    const ua = await srv.user();
    const ub = await srv.user();
    const a = new SyncClient(srv.url, ua.auth);
    const b = new SyncClient(srv.url, ub.auth);
    const base = randomBytes(300_000);
    expect((await a.push('/mine.bin', base)).commit.status).toBe(201);
    const good = randomBytes(4000);
    const goodEntry: PackEntryOnWire = { hash: sha256(good), size: good.length, encoding: 'identity', body: good };
    const next = Buffer.concat([base, Buffer.from('more')]);
    const send = async (entries: PackEntryOnWire[]) => b.send('POST', PATH, encodeEntryPack(entries));

    // B may not read A's block: 404 base_not_found, and the good entry before it is not stored either.
    const r1 = await send([goodEntry, { hash: sha256(next), size: next.length, encoding: 'zstd-delta', bases: [sha256(base)], body: zstd(next, base) }]);
    expect(r1.status).toBe(404);
    expect(r1.json().error).toMatchObject({ code: 'base_not_found', details: { entry: 1 } });

    const r2 = await send([goodEntry, { hash: sha256(randomBytes(8)), size: 5000, encoding: 'zstd', body: zstd(Buffer.alloc(5000, 1)) }]);
    expect(r2.status).toBe(400);
    expect(r2.json().error).toMatchObject({ code: 'hash_mismatch', details: { entry: 1 } });

    const huge = Buffer.alloc(64 << 20);
    const r3 = await send([{ hash: sha256(huge.subarray(0, 1 << 20)), size: 1 << 20, encoding: 'zstd', body: zstd(huge) }]);
    expect(r3.status).toBe(400);
    expect(r3.json().error.code).toBe('invalid_encoding');

    // Plaintexts past MAX_PACK_BYTES in all: refused before any decoding.
    const many = Array.from({ length: Math.ceil(MAX_PACK_BYTES / (4 << 20)) + 1 }, () => ({ hash: sha256(huge.subarray(0, 4 << 20)), size: 4 << 20, encoding: 'zstd' as const, body: zstd(huge.subarray(0, 4 << 20)) }));
    const r4 = await send(many);
    expect(r4.status).toBe(400);
    expect(r4.json().error.code).toBe('invalid_pack');

    const cut = encodeEntryPack([goodEntry]).subarray(0, 100);
    const r5 = await b.send('POST', PATH, cut);
    expect(r5.status).toBe(400);
    expect(r5.json().error.code).toBe('invalid_pack');
    expect((await b.send('POST', PATH, Buffer.from('CFP1xxxx'))).status).toBe(400);
    expect(await storedHashes(ub.namespaceId)).toEqual([]);
  });

  it('asked with Prefer: return=minimal, a pack is 204 without a body and a commit (one or a batch) answers in brief', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const minimal = { prefer: 'return=minimal' };
    const [one, two] = [randomBytes(3000), randomBytes(4000)];
    const entry = (b: Buffer): PackEntryOnWire => ({ hash: sha256(b), size: b.length, encoding: 'identity', body: b });
    const packed = await c.send('POST', PATH, encodeEntryPack([entry(one), entry(two)]), minimal);
    expect(packed.status).toBe(204);
    expect(packed.body.byteLength).toBe(0);
    expect(packed.headers['content-type']).toBeUndefined();
    expect(await storedHashes(u.namespaceId)).toEqual([sha256(one), sha256(two)].sort());

    const brief = ['id', 'path', 'rev', 'size', 'modifiedAt', 'conflict'];
    const first = await c.send('POST', '/api/v1/files/commit', { path: '/Brief.bin', size: one.length, blocks: [{ hash: sha256(one), size: one.length }], baseRev: null }, minimal);
    expect(first.status).toBe(201);
    expect(Object.keys(first.json()).sort()).toEqual([...brief].sort());
    expect(first.json()).toMatchObject({ path: '/Brief.bin', rev: 1, size: one.length, conflict: false });
    // A stale base with onConflict copy: the brief answer says where the content went, and where it would have.
    const copied = await c.send('POST', '/api/v1/files/commit', { path: '/Brief.bin', size: two.length, blocks: [{ hash: sha256(two), size: two.length }], baseRev: null, onConflict: 'copy' }, minimal);
    expect(copied.status).toBe(201);
    expect(Object.keys(copied.json()).sort()).toEqual([...brief, 'original'].sort());
    expect(copied.json()).toMatchObject({ conflict: true, original: { id: first.json().id, path: '/Brief.bin', rev: 1 } });
    expect(copied.json().path).toMatch(/^\/Brief \(conflicted copy/);

    const batch = await c.send('POST', '/api/v1/files/commit/batch', { files: [{ path: '/X.bin', size: two.length, blocks: [{ hash: sha256(two), size: two.length }], baseRev: null }, { path: '/Brief.bin', size: 1, blocks: [{ hash: sha256(one), size: 1 }], baseRev: null }] }, minimal);
    expect(batch.status).toBe(200);
    const [ok, refused] = batch.json().results;
    expect(Object.keys(ok.file).sort()).toEqual([...brief].sort());
    expect(ok.file).toMatchObject({ path: '/X.bin', rev: 1, conflict: false });
    expect(refused).toMatchObject({ ok: false, error: { status: 409 } }); // /Brief.bin is there: refused alone, as without the preference

    // Without the preference: the whole entry, as before.
    const whole = await c.send('POST', '/api/v1/files/commit', { path: '/Whole.bin', size: one.length, blocks: [{ hash: sha256(one), size: one.length }], baseRev: null });
    expect(whole.json()).toMatchObject({ name: 'Whole.bin', isDir: false, contentHash: expect.any(String), conflict: false });
  });
});
