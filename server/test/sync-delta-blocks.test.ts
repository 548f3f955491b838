/**
 * The block API keeps namespaces apart: dedup is per namespace, a hash is no key to anyone
 * else's data, a block is readable only through a file the caller may read, and a PUT whose
 * bytes do not match its hash stores nothing.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blocks } from '../src/db/schema.js';
import { MAX_BLOCK_BYTES } from '../src/blocks/hash.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';

type Json = Record<string, any>;

for (const backend of BACKENDS) {
  describe(`block API isolation (${backend})`, () => {
    const srv = useTestServer(backend);

    it("user B can neither read nor claim user A's blocks by hash", async () => {
      const ua = await srv.user();
      const ub = await srv.user();
      const a = new SyncClient(srv.url, ua.auth);
      const b = new SyncClient(srv.url, ub.auth);
      const data = randomBytes(3 << 20);
      const pushed = await a.push('/secret.bin', data);
      expect(pushed.commit.status).toBe(201);
      const hashes = pushed.blocks.map((x) => x.hash);
      expect(hashes.length).toBeGreaterThan(1);

      // A reads its own block back, by any case of the hash.
      const own = await a.send('GET', `/api/v1/blocks/${hashes[0]!.toUpperCase()}`);
      expect(own.status).toBe(200);
      expect(sha256(own.body)).toBe(hashes[0]);
      expect(own.body.length).toBe(pushed.blocks[0]!.size);
      expect(own.headers.etag).toBe(`"${hashes[0]}"`);
      expect((await a.send('POST', '/api/v1/blocks/missing', { hashes })).json().missing).toEqual([]);

      // B: A's hashes are missing (dedup is per namespace), not readable, not committable.
      expect((await b.send('POST', '/api/v1/blocks/missing', { hashes })).json().missing).toEqual(hashes);
      for (const h of hashes) expect((await b.send('GET', `/api/v1/blocks/${h}`)).status).toBe(404);
      const steal = await b.commit('/stolen.bin', pushed.blocks, { baseRev: null });
      expect(steal.status).toBe(400);
      expect(steal.json().error).toMatchObject({ code: 'missing_blocks', details: { missing: hashes } });

      // B uploading the same bytes stores its own copy, under another key; still no way into A's file.
      const chunk = data.subarray(0, pushed.blocks[0]!.size);
      const put = await b.send('PUT', `/api/v1/blocks/${hashes[0]}`, chunk);
      expect(put.status).toBe(201);
      expect(put.json()).toMatchObject({ hash: hashes[0], size: chunk.length, stored: true });
      const rows = await srv.database.db.select().from(blocks).where(eq(blocks.hash, hashes[0]!));
      expect(rows.map((r) => r.namespaceId).sort()).toEqual([ua.namespaceId, ub.namespaceId].sort());
      expect(new Set(rows.map((r) => r.key)).size).toBe(2);
      expect((await b.send('POST', '/api/v1/blocks/missing', { hashes: [hashes[0]] })).json().missing).toEqual([]);
      // B may read back its own upload awaiting a commit (the bytes it sent, its own copy: a big file
      // another device of B's is uploading is fetched so), and still nothing of A's.
      const mine = await b.send('GET', `/api/v1/blocks/${hashes[0]}`);
      expect(mine.status).toBe(200);
      expect(mine.body.equals(chunk)).toBe(true);
      for (const h of hashes.slice(1)) expect((await b.send('GET', `/api/v1/blocks/${h}`)).status).toBe(404);
      const again = await b.send('PUT', `/api/v1/blocks/${hashes[0]}`, chunk);
      expect(again.status).toBe(200);
      expect(again.json().stored).toBe(false);
    });

    it('a PUT whose bytes do not match the hash is refused with 400 and stores nothing', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const claimed = randomBytes(300_000);
      const sent = randomBytes(300_000);
      const res = await c.send('PUT', `/api/v1/blocks/${sha256(claimed)}`, sent);
      expect(res.status).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'hash_mismatch', details: { expected: sha256(claimed), actual: sha256(sent) } });
      expect(await srv.database.db.select().from(blocks).where(eq(blocks.namespaceId, u.namespaceId))).toEqual([]);
      expect((await c.send('POST', '/api/v1/blocks/missing', { hashes: [sha256(claimed), sha256(sent)] })).json().missing).toEqual([
        sha256(claimed),
        sha256(sent),
      ]);
    });

    it('bad hashes and bad bodies get 4xx with a reason', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const h = sha256(Buffer.from('x'));
      const cases: [string, string, Uint8Array | object | undefined, number, string][] = [
        ['POST', '/api/v1/blocks/missing', { hashes: ['xyz'] }, 400, 'invalid_request'],
        ['POST', '/api/v1/blocks/missing', { hashes: [h + '0'] }, 400, 'invalid_request'],
        ['POST', '/api/v1/blocks/missing', { hashes: h }, 400, 'invalid_request'],
        ['POST', '/api/v1/blocks/missing', {}, 400, 'invalid_request'],
        ['POST', '/api/v1/blocks/missing', { hashes: Array.from({ length: 10_001 }, () => h) }, 400, 'invalid_request'],
        ['POST', '/api/v1/blocks/missing', Buffer.from('{"hashes": ['), 400, 'invalid_json'],
        ['PUT', '/api/v1/blocks/not-a-hash', Buffer.from('x'), 400, 'invalid_hash'],
        ['PUT', `/api/v1/blocks/${h.slice(1)}`, Buffer.from('x'), 400, 'invalid_hash'],
        ['PUT', `/api/v1/blocks/${sha256(new Uint8Array(0))}`, new Uint8Array(0), 400, 'empty_block'],
        ['PUT', `/api/v1/blocks/${h}`, new Uint8Array(MAX_BLOCK_BYTES + 1), 413, 'block_too_large'],
        ['GET', '/api/v1/blocks/zz', undefined, 400, 'invalid_hash'],
        ['GET', `/api/v1/blocks/${h}`, undefined, 404, 'block_not_found'],
      ];
      for (const [method, path, body, status, code] of cases) {
        const res = await c.send(method, path, body);
        expect(res.status, `${method} ${path.slice(0, 60)}`).toBe(status);
        const err = res.json().error as Json;
        expect(err.code, `${method} ${path.slice(0, 60)}`).toBe(code);
        expect(err.message.length).toBeGreaterThan(5);
      }
      // 10,000 is allowed, duplicates are answered once.
      const many = await c.send('POST', '/api/v1/blocks/missing', { hashes: Array.from({ length: 10_000 }, () => h) });
      expect(many.status).toBe(200);
      expect(many.json().missing).toEqual([h]);
      expect(await srv.database.db.select().from(blocks).where(and(eq(blocks.namespaceId, u.namespaceId)))).toEqual([]);
      // Without credentials: 401.
      expect((await fetch(`${srv.url}/api/v1/blocks/missing`, { method: 'POST', body: '{"hashes":[]}' })).status).toBe(401);
    });
  });
}
