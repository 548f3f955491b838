/**
 * Thumbnails (GET /files/{id}/thumbnail): a PNG and a JPEG made here with sharp come back as
 * WebPs of the asked edge, with the user-content headers, an ETag and cache headers; the second
 * request is served from the block store (the renderer decodes nothing: its counter holds, and
 * the answer says `X-Coffer-Cache: hit`), and the stored thumbnail is nowhere on disk in the clear.
 * Refused: a decompression bomb (a 20,000 × 20,000 PNG of a few KiB) with 422 and without the
 * memory it would take, non-images (by name, by content, a folder) with 415, a stranger with 404.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/open.js';
import { runJob } from './fixtures/jobs.js';
import { BACKENDS, useTestServer, type TestServer } from './fixtures/server.js';
import { apiAs, q } from './fixtures/seed.js';

type Auth = { auth: Record<string, string> };

async function upload(srv: TestServer, u: Auth, path: string, body: Uint8Array | string): Promise<{ id: string; contentHash: string }> {
  const res = await fetch(`${srv.url}/api/v1/upload?uploadType=media&path=${q(path)}`, { method: 'POST', headers: u.auth, body });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; contentHash: string };
}

function thumb(srv: TestServer, u: Auth, id: string, query = 'size=256', headers: Record<string, string> = {}) {
  return fetch(`${srv.url}/api/v1/files/${id}/thumbnail?${query}`, { headers: { ...u.auth, ...headers } });
}

/** A PNG of `width` × `height` 1-bit pixels, all black: a few KiB that decode to width × height pixels. */
function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // each row: filter byte 0, then zeros
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Every file under a folder, read whole (the test server's nodes are small local folders). */
async function* filesUnder(dir: string): AsyncGenerator<Buffer> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else if (e.isFile()) yield await readFile(p);
  }
}

for (const backend of BACKENDS) {
  describe(`thumbnails (${backend})`, () => {
    const srv = useTestServer(backend);

    it('makes a WebP of a PNG and of a JPEG, then serves it from the encrypted cache without decoding again', async () => {
      const u = await srv.user();
      const png = await sharp({ create: { width: 800, height: 600, channels: 4, background: { r: 10, g: 120, b: 200, alpha: 0.5 } } }).png().toBuffer();
      const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg({ quality: 90 }).toBuffer();
      await apiAs(srv, u).post('/mkdir', { path: '/Photos' });
      const p = await upload(srv, u, '/Photos/sky.png', png);
      const j = await upload(srv, u, '/Photos/red.jpg', jpeg);

      const decodedBefore = srv.deps.thumbnails.decoded;
      let t0 = performance.now();
      const cold = await thumb(srv, u, p.id);
      const coldMs = performance.now() - t0;
      expect(cold.status).toBe(200);
      expect(cold.headers.get('content-type')).toBe('image/webp');
      expect(cold.headers.get('x-coffer-cache')).toBe('miss');
      expect(cold.headers.get('x-content-type-options')).toBe('nosniff');
      expect(cold.headers.get('content-security-policy')).toContain('sandbox');
      expect(cold.headers.get('content-disposition')).toMatch(/^inline/);
      expect(cold.headers.get('cache-control')).toBe('private, no-cache');
      const etag = cold.headers.get('etag');
      expect(etag).toBe(`"${p.contentHash}-256"`);
      const coldBytes = Buffer.from(await cold.arrayBuffer());
      expect(await sharp(coldBytes).metadata()).toMatchObject({ format: 'webp', width: 256, height: 192 });
      expect(srv.deps.thumbnails.decoded).toBe(decodedBefore + 1);

      // Second time: from the block store; nothing decoded.
      t0 = performance.now();
      const warm = await thumb(srv, u, p.id);
      const warmMs = performance.now() - t0;
      expect(warm.status).toBe(200);
      expect(warm.headers.get('x-coffer-cache')).toBe('hit');
      expect(warm.headers.get('etag')).toBe(etag);
      expect(Buffer.from(await warm.arrayBuffer()).equals(coldBytes)).toBe(true);
      expect(srv.deps.thumbnails.decoded).toBe(decodedBefore + 1);
      console.log(`thumbnail 800×600 PNG → 256 WebP (${backend}): cold ${coldMs.toFixed(1)} ms, warm ${warmMs.toFixed(1)} ms`);

      // The browser's copy is still good: 304 before any storage is read.
      const again = await thumb(srv, u, p.id, 'size=256', { 'if-none-match': etag! });
      expect(again.status).toBe(304);
      // Naming the content makes the URL immutable; a stale hash is refused.
      const pinned = await thumb(srv, u, p.id, `size=256&hash=${p.contentHash}`);
      expect(pinned.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      expect(pinned.headers.get('x-coffer-cache')).toBe('hit');
      const stale = await thumb(srv, u, p.id, `size=256&hash=${'0'.repeat(64)}`);
      expect(stale.status).toBe(409);
      expect(((await stale.json()) as any).error.code).toBe('stale_revision');

      // The JPEG, at another size; a copy of the same content in another file reuses the cache.
      const jt = await thumb(srv, u, j.id, 'size=128');
      expect(jt.status).toBe(200);
      expect(await sharp(Buffer.from(await jt.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 128, height: 85 });
      const copy = await apiAs(srv, u).post('/copy', { from: '/Photos/red.jpg', to: '/red copy.jpg' });
      expect(copy.status).toBe(201);
      expect((await thumb(srv, u, copy.body.id, 'size=128')).headers.get('x-coffer-cache')).toBe('hit');
      // Small images are not enlarged.
      const big = await thumb(srv, u, p.id, 'size=1024');
      expect(await sharp(Buffer.from(await big.arrayBuffer())).metadata()).toMatchObject({ width: 800, height: 600 });
      expect(srv.deps.thumbnails.decoded).toBe(decodedBefore + 3);

      // Each thumbnail is a block in the owner's namespace holding one reference (GC keeps it) …
      const rows = rowsOf<{ edge: number; refcount: number; ns: string }>(
        await srv.database.db.execute(sql`select t.edge, b.refcount, b.namespace_id as ns from thumbnails t join blocks b on b.key = t.block_key where t.namespace_id = ${u.namespaceId}::uuid order by t.edge`),
      );
      expect(rows.map((r) => [r.edge, Number(r.refcount)])).toEqual([
        [128, 1],
        [256, 1],
        [1024, 1],
      ]);
      // … and its bytes are nowhere on disk in the clear.
      const probe = coldBytes.subarray(coldBytes.length - 48);
      for await (const stored of filesUnder(srv.dataDir)) expect(stored.includes(probe)).toBe(false);
    });

    it('refuses a decompression bomb from its header, without the memory; refuses non-images and strangers', async () => {
      const u = await srv.user();
      const stranger = await srv.user();
      const bomb = bombPng(20_000, 20_000); // 400 MP: 1.6 GB as RGBA
      expect(bomb.length).toBeLessThan(200 * 1024);
      const b = await upload(srv, u, '/bomb.png', bomb);
      const decodedBefore = srv.deps.thumbnails.decoded;
      const rssBefore = process.memoryUsage().rss;
      const refused = await thumb(srv, u, b.id);
      expect(refused.status).toBe(422);
      const body = (await refused.json()) as any;
      expect(body.error.code).toBe('image_too_large');
      expect(body.error.details).toMatchObject({ width: 20_000, height: 20_000, maxPixels: 64_000_000 });
      expect(srv.deps.thumbnails.decoded).toBe(decodedBefore);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);

      // Not an image: by name, by content (text named .png), a folder; nothing stored for them.
      const txt = await upload(srv, u, '/notes.txt', 'just words');
      const fake = await upload(srv, u, '/fake.png', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      await apiAs(srv, u).post('/mkdir', { path: '/folder' });
      const folder = await apiAs(srv, u).get('/metadata?path=/folder');
      for (const id of [txt.id, fake.id, folder.body.id]) {
        const r = await thumb(srv, u, id);
        expect(r.status).toBe(415);
        expect(((await r.json()) as any).error.code).toBe('not_an_image');
      }
      const bad = await thumb(srv, u, txt.id, 'size=300');
      expect(bad.status).toBe(400);

      // A stranger: the same 404 as a missing file, for an image that exists.
      const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#00ff00' } }).png().toBuffer();
      const small = await upload(srv, u, '/small.png', png);
      const s = await thumb(srv, stranger, small.id);
      expect(s.status).toBe(404);
      expect(((await s.json()) as any).error.code).toBe('not_found');
      const missing = await thumb(srv, u, '00000000-0000-0000-0000-000000000009');
      expect(missing.status).toBe(404);
      expect(rowsOf(await srv.database.db.execute(sql`select 1 from thumbnails where namespace_id = ${u.namespaceId}::uuid`))).toEqual([]);
      // The owner gets it, and so does someone it is shared with (from the owner's cache).
      expect((await thumb(srv, u, small.id)).status).toBe(200);
      const viewer = await srv.user();
      const share = await apiAs(srv, u).post('/shares', { path: '/small.png', user: viewer.username, role: 'viewer' });
      expect(share.status).toBe(201);
      const seen = await thumb(srv, viewer, small.id);
      expect(seen.status).toBe(200);
      expect(seen.headers.get('x-coffer-cache')).toBe('hit');
      // Many at once: all answered, never more than two renders at a time.
      const many = await Promise.all(
        [1, 2, 3, 4, 5, 6].map(async (n) => upload(srv, u, `/many-${n}.png`, await sharp({ create: { width: 500, height: 500, channels: 3, background: { r: n * 40, g: 0, b: 0 } } }).png().toBuffer())),
      );
      const answers = await Promise.all(many.map((f) => thumb(srv, u, f.id, 'size=128')));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(srv.deps.thumbnails.peak).toBeLessThanOrEqual(2);
      // A GIF and a WebP too.
      for (const [name, make] of [
        ['anim.gif', () => sharp({ create: { width: 90, height: 60, channels: 3, background: '#123456' } }).gif().toBuffer()],
        ['pic.webp', () => sharp({ create: { width: 90, height: 60, channels: 3, background: '#654321' } }).webp().toBuffer()],
      ] as const) {
        const f = await upload(srv, u, `/${name}`, await make());
        const r = await thumb(srv, u, f.id, 'size=64');
        expect(r.status).toBe(200);
        expect(await sharp(Buffer.from(await r.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 64, height: 43 });
      }
    });

    it('GC lets a thumbnail go with the last version of its content, and keeps one still in use', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#abcdef' } }).png().toBuffer();
      const other = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#fedcba' } }).png().toBuffer();
      const gone = await upload(srv, u, '/gone.png', png);
      const kept = await upload(srv, u, '/kept.png', other);
      expect((await thumb(srv, u, gone.id)).status).toBe(200);
      expect((await thumb(srv, u, kept.id)).status).toBe(200);
      const keyOf = async (hash: string) =>
        rowsOf<{ block_key: string }>(await srv.database.db.execute(sql`select block_key from thumbnails where namespace_id = ${u.namespaceId}::uuid and content_hash = ${hash}`))[0]?.block_key;
      const goneKey = (await keyOf(gone.contentHash))!;
      expect(goneKey).toBeDefined();

      // In the trash the content still exists (a restore brings it back): the thumbnail stays.
      await a.post('/delete', { path: '/gone.png' });
      await runJob(srv, 'gc', { env: { COFFER_GC_GRACE_SECONDS: '0' } });
      expect(await keyOf(gone.contentHash)).toBe(goneKey);

      expect((await a.del(`/trash/${gone.id}`)).status).toBe(200);
      const job = await runJob(srv, 'gc', { env: { COFFER_GC_GRACE_SECONDS: '0' } });
      expect(job.progress).toMatchObject({ thumbnails: 1 });
      expect(await keyOf(gone.contentHash)).toBeUndefined();
      expect(rowsOf(await srv.database.db.execute(sql`select 1 from blocks where key = ${goneKey}`))).toEqual([]);
      // The other one is untouched and still a hit.
      const k = await thumb(srv, u, kept.id);
      expect(k.headers.get('x-coffer-cache')).toBe('hit');
    });
  });
}
