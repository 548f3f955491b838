/**
 * Batches on the wire (issue 20): a pack of blocks and a batch of commits. A pack is verified whole
 * before anything is stored; a batch commits in one transaction, each file answered on its own.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_FILES } from '@coffer/protocol';
import { blocks, quotaReservations, users } from '../src/db/schema.js';
import { releaseExpired } from '../src/quota/reservations.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { packOf } from './fixtures/pack.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';

type Json = Record<string, any>;

/** Small files' one-block lists and the pack that carries their blocks. */
function smallFiles(n: number, prefix: string, size = 700) {
  const data = Array.from({ length: n }, () => randomBytes(size));
  const items = data.map((d, i) => ({ path: `${prefix}/f${i}.txt`, size: d.byteLength, blocks: [{ hash: sha256(d), size: d.byteLength }], baseRev: null }));
  return { data, items, pack: packOf(data.map((bytes) => ({ bytes }))) };
}

for (const backend of BACKENDS) {
  describe(`batches: packs and batch commits (${backend})`, () => {
    const srv = useTestServer(backend);

    async function nothingStored(namespaceId: string) {
      expect(await srv.database.db.select().from(blocks).where(eq(blocks.namespaceId, namespaceId))).toEqual([]);
      expect(await srv.database.db.select().from(quotaReservations).where(eq(quotaReservations.namespaceId, namespaceId))).toEqual([]);
      const [u] = await srv.database.db.select({ reserved: users.reservedBytes, used: users.usedBytes }).from(users).where(eq(users.namespaceId, namespaceId));
      expect(u).toEqual({ reserved: 0, used: 0 });
    }

    it('a pack stores many blocks and a batch commits many files in one request each; the files read back', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      expect((await c.send('POST', '/api/v1/mkdir', { path: '/tree' })).status).toBeLessThan(300);
      const { data, items, pack } = smallFiles(200, '/tree');
      const missing = await c.send('POST', '/api/v1/blocks/missing', { hashes: items.map((f) => f.blocks[0]!.hash) });
      expect(missing.json().missing).toHaveLength(200);
      const put = await c.send('POST', '/api/v1/blocks/pack', pack);
      expect(put.status, put.body.toString()).toBe(200);
      expect(put.json()).toEqual({ blocks: 200, stored: 200, bytes: 200 * 700 });
      // The same pack again stores nothing new.
      expect((await c.send('POST', '/api/v1/blocks/pack', pack)).json()).toEqual({ blocks: 200, stored: 0, bytes: 200 * 700 });
      const mtime = Date.parse('2024-05-06T07:08:09Z');
      const res = await c.send('POST', '/api/v1/files/commit/batch', { files: items.map((f) => ({ ...f, mtime })) });
      expect(res.status, res.body.toString()).toBe(200);
      const results = res.json().results as Json[];
      expect(results).toHaveLength(200);
      for (const [i, r] of results.entries()) {
        expect(r).toMatchObject({ ok: true, file: { path: items[i]!.path, rev: 1, size: 700, conflict: false } });
        expect(Date.parse(r.file.modifiedAt)).toBe(mtime);
      }
      for (const i of [0, 117, 199]) {
        const dl = await c.send('GET', `/api/v1/download?path=${encodeURIComponent(items[i]!.path)}`);
        expect(dl.status).toBe(200);
        expect(dl.body.equals(data[i]!)).toBe(true);
      }
      // Every file is in the journal, once; the usage counts them; no reservation is left.
      const changes = (await c.send('GET', '/api/v1/changes?cursor=0&limit=2000')).json();
      expect(changes.entries.filter((e: Json) => e.op === 'create').map((e: Json) => e.name).sort()).toEqual(items.map((f) => f.path.slice('/tree/'.length)).sort());
      const [usage] = await srv.database.db.select({ reserved: users.reservedBytes, used: users.usedBytes }).from(users).where(eq(users.id, u.id));
      expect(usage).toEqual({ reserved: 0, used: 200 * 700 });
      // A second batch of new revisions (baseRev 1, fileId) takes the general path, still one request.
      const next = smallFiles(3, '/tree');
      expect((await c.send('POST', '/api/v1/blocks/pack', next.pack)).status).toBe(200);
      const again = await c.send('POST', '/api/v1/files/commit/batch', {
        files: next.items.map((f, i) => ({ ...f, baseRev: 1, fileId: results[i]!.file.id })),
      });
      expect(again.json().results.map((r: Json) => [r.ok, r.file?.rev, r.file?.id])).toEqual(results.slice(0, 3).map((r) => [true, 2, r.file.id]));
    });

    it('a malformed pack is 400 and stores nothing', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const a = randomBytes(5000);
      const b = randomBytes(7000);
      const good = packOf([{ bytes: a }, { bytes: b }]);
      const cases: [string, Buffer, string][] = [
        ['empty body', Buffer.alloc(0), 'invalid_pack'],
        ['wrong magic', packOf([{ bytes: a }], Buffer.from('CFP9')), 'invalid_pack'],
        ['header cut short', good.subarray(0, 4 + 36 + 5000 + 20), 'invalid_pack'],
        ['last entry cut short', good.subarray(0, good.byteLength - 1), 'invalid_pack'],
        ['a zero length', packOf([{ bytes: a }, { bytes: new Uint8Array(0) }]), 'invalid_pack'],
        ['a length over the block limit', packOf([{ bytes: a }, { bytes: b, length: 0xffffffff }]), 'invalid_pack'],
        ['a length past the end', packOf([{ bytes: a }, { bytes: b, length: 9000 }]), 'invalid_pack'],
        ['the second entry’s bytes are not its hash', packOf([{ bytes: a }, { bytes: b, hash: sha256(a) }]), 'hash_mismatch'],
      ];
      for (const [what, body, code] of cases) {
        const res = await c.send('POST', '/api/v1/blocks/pack', body);
        expect(res.status, what).toBe(400);
        expect(res.json().error.code, what).toBe(code);
        await nothingStored(u.namespaceId);
      }
      expect((await c.send('POST', '/api/v1/blocks/missing', { hashes: [sha256(a), sha256(b)] })).json().missing).toEqual([sha256(a), sha256(b)]);
      const big = await c.send('POST', '/api/v1/blocks/pack', Buffer.alloc(16 * 1024 * 1024 + 1));
      expect(big.status).toBe(413);
      await nothingStored(u.namespaceId);
    });

    it('a pack over the quota is 507 and reserves nothing', async () => {
      const u = await srv.user({ quotaBytes: 10_000 });
      const c = new SyncClient(srv.url, u.auth);
      const res = await c.send('POST', '/api/v1/blocks/pack', packOf([{ bytes: randomBytes(6000) }, { bytes: randomBytes(6000) }]));
      expect(res.status).toBe(507);
      expect(res.json().error.code).toBe('quota_exceeded');
      await nothingStored(u.namespaceId);
    });

    it('a mixed batch: a conflict, a bad name, an over-quota file and missing blocks fail alone; the rest commits', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const taken = await c.push('/taken.txt', randomBytes(100));
      expect(taken.commit.status).toBe(201);
      const { items, pack } = smallFiles(6, '');
      const bigData = randomBytes(300_000);
      const big = { path: '/big.bin', size: bigData.byteLength, blocks: [{ hash: sha256(bigData), size: bigData.byteLength }], baseRev: null };
      expect((await c.send('POST', '/api/v1/blocks/pack', packOf([...[bigData].map((bytes) => ({ bytes }))]))).status).toBe(200);
      expect((await c.send('POST', '/api/v1/blocks/pack', pack)).status).toBe(200);
      // The blocks are on the server, their reservations expired (as after GC's grace period), and
      // the quota is lowered below the big file (an admin did): it cannot commit, the small ones can.
      await releaseExpired(srv.database.db, new Date(Date.now() + 86_400_000));
      await srv.database.db.update(users).set({ quotaBytes: 100 + 6 * 700 + 1000 }).where(eq(users.id, u.id));
      const ghost = randomBytes(50);
      const files = [
        items[0]!,
        { ...items[1]!, path: '/taken.txt' }, // exists, no baseRev: 409 exists
        items[2]!,
        { ...items[3]!, path: '/bad\u0001name.txt' }, // control character
        big, // over quota at commit
        items[4]!,
        { path: '/ghost.txt', size: 50, blocks: [{ hash: sha256(ghost), size: 50 }], baseRev: null }, // never uploaded
        { ...items[5]!, path: '/nowhere/f.txt' }, // no such folder
      ];
      const res = await c.send('POST', '/api/v1/files/commit/batch', { files });
      expect(res.status, res.body.toString()).toBe(200);
      const r = res.json().results as Json[];
      expect(r.map((x) => (x.ok ? 'ok' : `${x.error.status} ${x.error.code}`))).toEqual([
        'ok',
        '409 exists',
        'ok',
        '400 invalid_path',
        '507 quota_exceeded',
        'ok',
        '400 missing_blocks',
        '404 parent_not_found',
      ]);
      expect(r[1]!.error.details.current).toMatchObject({ id: taken.commit.json().id, rev: 1 });
      const list = (await c.send('GET', '/api/v1/list?path=%2F')).json();
      const names = list.entries.map((e: Json) => e.name).sort();
      expect(names).toEqual(['f0.txt', 'f2.txt', 'f4.txt', 'taken.txt']);
      // Only the committed files are charged.
      const [usage] = await srv.database.db.select({ used: users.usedBytes }).from(users).where(eq(users.id, u.id));
      expect(usage!.used).toBe(100 + 3 * 700);
    });

    it('a conflict with onConflict copy in a batch becomes a conflicted copy', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      expect((await c.push('/doc.txt', randomBytes(100))).commit.status).toBe(201);
      const { items, pack } = smallFiles(1, '');
      expect((await c.send('POST', '/api/v1/blocks/pack', pack)).status).toBe(200);
      const res = await c.send('POST', '/api/v1/files/commit/batch', { files: [{ ...items[0]!, path: '/doc.txt', onConflict: 'copy' }] });
      const [r] = res.json().results as Json[];
      expect(r).toMatchObject({ ok: true, file: { conflict: true, original: { path: '/doc.txt', rev: 1 } } });
      expect(r!.file.path).toMatch(/^\/doc \(conflicted copy/);
    });

    it('a batch commit may carry its blocks inline (one request); a bad inline pack is 400 and stores and commits nothing', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const { data, items, pack } = smallFiles(3, '', 1024);
      const bad = packOf([{ bytes: data[0]! }, { bytes: data[1]!, hash: sha256(data[0]!) }]);
      for (const [what, body, code] of [
        ['an entry whose bytes are not its hash', bad.toString('base64'), 'hash_mismatch'],
        ['not a pack', Buffer.from('hello').toString('base64'), 'invalid_pack'],
        ['not base64', '!!!!', 'invalid_request'],
        ['over MAX_INLINE_PACK_BYTES', Buffer.alloc(64 * 1024 + 3).toString('base64'), 'invalid_request'],
      ] as const) {
        const res = await c.send('POST', '/api/v1/files/commit/batch', { files: items, pack: body });
        expect(res.status, what).toBe(400);
        expect(res.json().error.code, what).toBe(code);
        await nothingStored(u.namespaceId);
      }
      const res = await c.send('POST', '/api/v1/files/commit/batch', { files: items, pack: pack.toString('base64') });
      expect(res.status, res.body.toString()).toBe(200);
      expect(res.json().results.map((r: Json) => [r.ok, r.file?.rev])).toEqual([[true, 1], [true, 1], [true, 1]]);
      const dl = await c.send('GET', `/api/v1/download?path=${encodeURIComponent(items[2]!.path)}`);
      expect(dl.body.equals(data[2]!)).toBe(true);
      const [usage] = await srv.database.db.select({ reserved: users.reservedBytes, used: users.usedBytes }).from(users).where(eq(users.id, u.id));
      expect(usage).toEqual({ reserved: 0, used: 3 * 1024 });
    });

    it('a small version’s journal entry carries its block list and modifiedAt; a larger one’s does not', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const { data, items, pack } = smallFiles(1, '', 2048);
      const big = Array.from({ length: 5 }, () => randomBytes(1000));
      const bigItem = { path: '/big.bin', size: 5000, blocks: big.map((d) => ({ hash: sha256(d), size: 1000 })), baseRev: null };
      expect((await c.send('POST', '/api/v1/blocks/pack', packOf(big.map((bytes) => ({ bytes }))))).status).toBe(200);
      const mtime = Date.parse('2024-05-06T07:08:09Z');
      const res = await c.send('POST', '/api/v1/files/commit/batch', { files: [{ ...items[0]!, mtime }, bigItem], pack: pack.toString('base64') });
      expect(res.status, res.body.toString()).toBe(200);
      // A next revision through the single commit, the device's mtime kept.
      const next = randomBytes(100);
      expect((await c.send('POST', '/api/v1/blocks/pack', packOf([{ bytes: next }]))).status).toBe(200);
      const one = await c.send('POST', '/api/v1/files/commit', { path: items[0]!.path, size: 100, blocks: [{ hash: sha256(next), size: 100 }], baseRev: 1, mtime: mtime + 1000 });
      expect(one.status, one.body.toString()).toBe(201);
      const entries = (await c.send('GET', '/api/v1/changes?cursor=0')).json().entries as Json[];
      const of = (name: string) => entries.filter((e) => e.name === name).map((e) => [e.op, e.blocks, e.modifiedAt]);
      expect(of(items[0]!.path.slice(1))).toEqual([
        ['create', [{ hash: sha256(data[0]!), size: 2048 }], new Date(mtime).toISOString()],
        ['update', [{ hash: sha256(next), size: 100 }], new Date(mtime + 1000).toISOString()],
      ]);
      expect(of('big.bin')).toEqual([['create', undefined, undefined]]);
    });

    it('malformed batches are 400 and commit nothing', async () => {
      const u = await srv.user();
      const c = new SyncClient(srv.url, u.auth);
      const { items, pack } = smallFiles(1, '');
      expect((await c.send('POST', '/api/v1/blocks/pack', pack)).status).toBe(200);
      const bodies: [string, object][] = [
        ['no files', { files: [] }],
        ['not a list', { files: items[0]! }],
        ['too many', { files: Array.from({ length: MAX_BATCH_FILES + 1 }, (_, i) => ({ ...items[0]!, path: `/x${i}` })) }],
        ['one malformed file', { files: [items[0]!, { ...items[0]!, path: '/y', size: -1 }] }],
        ['an unknown field', { files: [{ ...items[0]!, extra: 1 }] }],
      ];
      for (const [what, body] of bodies) {
        const res = await c.send('POST', '/api/v1/files/commit/batch', body);
        expect(res.status, what).toBe(400);
        expect(res.json().error.code, what).toBe('invalid_request');
      }
      const [usage] = await srv.database.db.select({ used: users.usedBytes }).from(users).where(eq(users.id, u.id));
      expect(usage!.used).toBe(0);
    });
  });
}
