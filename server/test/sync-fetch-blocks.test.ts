/**
 * Restore in batches (issue 20): many files' block lists in one request, and many blocks in one
 * streamed pack, each readable exactly as GET /blocks/{sha256} would allow — another user's block,
 * or one only uploaded, is left out like a hash nobody has.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_FETCH_BLOCKS, PACK_END, PACK_MAGIC } from '@coffer/protocol';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { packOf } from './fixtures/pack.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';

type Json = Record<string, any>;

/** A fetched pack's entries, checked: the magic, whole entries, PACK_END last and nothing after. */
function readPack(body: Buffer): Map<string, Buffer> {
  expect(body.subarray(0, 4).equals(Buffer.from(PACK_MAGIC))).toBe(true);
  const out = new Map<string, Buffer>();
  let at = 4;
  for (;;) {
    const hash = body.subarray(at, at + 32).toString('hex');
    const length = body.readUInt32BE(at + 32);
    if (length === 0) {
      expect(body.subarray(at, at + 36).equals(Buffer.from(PACK_END))).toBe(true);
      expect(at + 36).toBe(body.byteLength);
      return out;
    }
    const bytes = body.subarray(at + 36, at + 36 + length);
    expect(sha256(bytes)).toBe(hash);
    out.set(hash, bytes);
    at += 36 + length;
  }
}

/** Commits `n` small files under `dir` through a pack and a batch commit; their data, hashes and ids. */
async function smallTree(c: SyncClient, dir: string, n: number, size = () => 200 + Math.floor(Math.random() * 2000)) {
  expect((await c.send('POST', '/api/v1/mkdir', { path: dir })).status).toBeLessThan(300);
  const data = Array.from({ length: n }, () => randomBytes(size()));
  const items = data.map((d, i) => ({ path: `${dir}/f${i}.bin`, size: d.byteLength, blocks: [{ hash: sha256(d), size: d.byteLength }], baseRev: null }));
  expect((await c.send('POST', '/api/v1/blocks/pack', packOf(data.map((bytes) => ({ bytes }))))).status).toBe(200);
  const res = await c.send('POST', '/api/v1/files/commit/batch', { files: items });
  expect(res.status, res.body.toString()).toBe(200);
  const ids = (res.json().results as Json[]).map((r) => r.file.id as string);
  return { data, hashes: items.map((f) => f.blocks[0]!.hash), ids };
}

for (const backend of BACKENDS) {
  describe(`restore in batches: block lists and fetched packs (${backend})`, () => {
    const srv = useTestServer(backend);

    it('many files: their block lists in one request, their blocks in one streamed pack, byte for byte', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const { data, hashes, ids } = await smallTree(c, '/tree', 300);
      const lists = await c.send('POST', '/api/v1/revisions/blocks/batch', { files: ids.map((id) => ({ id })) });
      expect(lists.status, lists.body.toString()).toBe(200);
      const results = lists.json().results as Json[];
      expect(results.map((r) => r.blocks.blocks[0].hash)).toEqual(hashes);
      expect(results[7]).toMatchObject({ ok: true, blocks: { rev: 1, size: data[7]!.byteLength } });
      // The head revision asked for: the file's modification time comes with it (a sync agent keeps it).
      const head = (await c.send('GET', `/api/v1/files/${ids[7]}`)).json();
      expect(results[7]!.modifiedAt).toBe(head.modifiedAt);
      // Asked in any case, with a repeat: each block once, in the order first asked.
      const asked = [hashes[5]!.toUpperCase(), ...hashes, hashes[0]!];
      const res = await c.send('POST', '/api/v1/blocks/fetch', { hashes: asked });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      // Its length said up front (not chunked): the whole pack, PACK_END included.
      expect(res.headers['transfer-encoding']).toBeUndefined();
      expect(res.headers['content-length']).toBe(String(res.body.byteLength));
      const got = readPack(res.body);
      expect([...got.keys()]).toEqual([hashes[5], ...hashes.filter((h) => h !== hashes[5])]);
      for (const [i, h] of hashes.entries()) expect(got.get(h)!.equals(data[i]!)).toBe(true);
    });

    it('another user’s block, one another user only uploaded and an unknown hash are left out alike; a shared file’s and one’s own upload awaiting its commit are served', async () => {
      const a = await srv.user();
      const b = await srv.user();
      const ca = new SyncClient(srv.url, a.auth);
      const cb = new SyncClient(srv.url, b.auth);
      const mine = await smallTree(ca, '/mine', 3);
      const theirs = await smallTree(cb, '/theirs', 3);
      const lone = randomBytes(900);
      expect((await cb.send('PUT', `/api/v1/blocks/${sha256(lone)}`, lone)).status).toBe(201); // B's, in no file
      const unknown = sha256(randomBytes(10));
      const res = await ca.send('POST', '/api/v1/blocks/fetch', { hashes: [...theirs.hashes, sha256(lone), unknown, mine.hashes[1]] });
      expect(res.status).toBe(200);
      expect([...readPack(res.body).keys()]).toEqual([mine.hashes[1]]);
      expect((await ca.send('GET', `/api/v1/blocks/${sha256(lone)}`)).status).toBe(404);
      // A block of A's own, stored for a commit still to come (a big file another device of A's is
      // uploading): A may fetch it before the commit.
      const pending = randomBytes(700);
      expect((await ca.send('PUT', `/api/v1/blocks/${sha256(pending)}`, pending)).status).toBe(201);
      const own = await ca.send('POST', '/api/v1/blocks/fetch', { hashes: [sha256(pending), sha256(lone)] });
      expect([...readPack(own.body).entries()]).toEqual([[sha256(pending), pending]]);
      expect((await ca.send('GET', `/api/v1/blocks/${sha256(pending)}`)).body.equals(pending)).toBe(true);
      // Nothing but unreadable hashes: an empty pack, as for hashes nobody has.
      const none = await ca.send('POST', '/api/v1/blocks/fetch', { hashes: theirs.hashes });
      expect(none.body.equals(Buffer.concat([Buffer.from(PACK_MAGIC), Buffer.from(PACK_END)]))).toBe(true);
      // Their block lists are "not found" to A, per file, and the batch still answers the readable one.
      const lists = (await ca.send('POST', '/api/v1/revisions/blocks/batch', { files: [{ id: theirs.ids[0] }, { id: mine.ids[0] }, { id: mine.ids[0], rev: 9 }] })).json();
      expect(lists.results.map((r: Json) => [r.ok, r.error?.status, r.error?.code])).toEqual([
        [false, 404, 'not_found'],
        [true, undefined, undefined],
        [false, 404, 'no_revision'],
      ]);
      expect(lists.results[1].modifiedAt).toBeTypeOf('string');
      // Shared with A (viewer): B's blocks become readable to A.
      const offered = await cb.send('POST', '/api/v1/shares', { path: '/theirs', user: a.username, role: 'viewer' });
      expect(offered.status, offered.body.toString()).toBeLessThan(300);
      expect((await ca.send('POST', `/api/v1/shares/${offered.json().id}/accept`, {})).status).toBeLessThan(300);
      const shared = await ca.send('POST', '/api/v1/blocks/fetch', { hashes: theirs.hashes });
      const got = readPack(shared.body);
      expect([...got.keys()]).toEqual(theirs.hashes);
      expect(got.get(theirs.hashes[2]!)!.equals(theirs.data[2]!)).toBe(true);
    });

    it('malformed questions are 400 and too many bytes 413, before anything is streamed', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const h = sha256(randomBytes(8));
      for (const body of [{}, { hashes: [] }, { hashes: ['abc'] }, { hashes: [h], extra: 1 }, { hashes: Array(MAX_FETCH_BLOCKS + 1).fill(h) }]) {
        const res = await c.send('POST', '/api/v1/blocks/fetch', body);
        expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(res.json().error.code).toBeTypeOf('string');
      }
      expect((await c.send('POST', '/api/v1/blocks/fetch', Buffer.from('not json'))).status).toBeGreaterThanOrEqual(400);
      for (const body of [{ files: [] }, { files: [{ id: 'nope' }] }, { files: [{ id: '00000000-0000-4000-8000-000000000000', rev: 0 }] }]) {
        expect((await c.send('POST', '/api/v1/revisions/blocks/batch', body)).status).toBe(400);
      }
      // Nine blocks of 4 MiB are more than MAX_FETCH_BYTES (32 MiB) in one answer.
      const big = Array.from({ length: 9 }, () => randomBytes(4 * 1024 * 1024));
      expect((await c.send('POST', '/api/v1/mkdir', { path: '/big' })).status).toBeLessThan(300);
      for (const d of big) expect((await c.send('PUT', `/api/v1/blocks/${sha256(d)}`, d)).status).toBe(201);
      const commit = await c.send('POST', '/api/v1/files/commit', { path: '/big/f', size: 9 * 4 * 1024 * 1024, blocks: big.map((d) => ({ hash: sha256(d), size: d.byteLength })), baseRev: null });
      expect(commit.status, commit.body.toString()).toBeLessThan(300);
      // Its block list comes in file order, in the batch as alone.
      const lists = (await c.send('POST', '/api/v1/revisions/blocks/batch', { files: [{ id: commit.json().id }] })).json();
      expect(lists.results[0].blocks.blocks.map((b: Json) => b.hash)).toEqual(big.map(sha256));
      const res = await c.send('POST', '/api/v1/blocks/fetch', { hashes: big.map(sha256) });
      expect(res.status).toBe(413);
      expect(res.json().error).toMatchObject({ code: 'fetch_too_large', details: { maxBytes: 32 * 1024 * 1024 } });
    });
  });
}
