/**
 * Delta sync over real HTTP: a client chunks a 64 MiB file with the engine's chunker, uploads
 * only the blocks the server lacks and commits the block list. A 1-byte change and a 4 KiB
 * insert each put at most two chunks on the wire; every revision downloads byte-identical.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKER_OPTIONS } from '@coffer/storage-engine';
import { files, journal, users } from '../src/db/schema.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';
import { download, upload } from './fixtures/transfer.js';
import { seededBytes } from './fixtures/data.js';

type Json = Record<string, any>;
const MiB = 1024 * 1024;
const MAX_CHUNK = DEFAULT_CHUNKER_OPTIONS.maxSize;

async function bytesOf(res: Response): Promise<Buffer> {
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

for (const backend of BACKENDS) {
  describe(`delta sync (${backend})`, () => {
    const srv = useTestServer(backend);

    it('a 64 MiB file: first sync sends it all; a 1-byte change and a 4 KiB insert each send at most 2 chunks', async () => {
      const u = await srv.user();
      const client = new SyncClient(srv.url, u.auth);
      // Seeded: which chunks an edit touches is content-dependent (a 4 KiB insert re-cuts a third
      // chunk for ~0.3% of random inputs), so the bytes are fixed rather than drawn anew each run.
      const v1 = seededBytes('sync-delta-64', 64 * MiB);

      const first = await client.push('/big.bin', v1);
      expect(first.commit.status).toBe(201);
      const view1 = first.commit.json() as Json;
      expect(view1).toMatchObject({ path: '/big.bin', size: v1.length, rev: 1, conflict: false });
      // The counter sees the whole file go out the first time (nothing was there to reuse).
      expect(first.blockBytes).toBe(v1.length);
      expect(first.wireBytes).toBeGreaterThan(v1.length);
      expect(sha256(await bytesOf(await download(srv.url, u.auth, '/big.bin')))).toBe(sha256(v1));

      // The same bytes by simple upload get the same content hash (one chunker, one hash rule).
      const simple = await upload(srv.url, u.auth, '/big-simple.bin', v1);
      expect(simple.status).toBe(201);
      expect(((await simple.json()) as Json).contentHash).toBe(view1.contentHash);

      // One byte flipped in the middle.
      const v2 = Buffer.from(v1);
      v2[32 * MiB] = v2[32 * MiB]! ^ 0xff;
      const second = await client.push('/big.bin', v2, { baseRev: 1 });
      expect(second.commit.status).toBe(201);
      expect(second.commit.json()).toMatchObject({ rev: 2, size: v2.length });
      expect(second.blocksPut).toBeGreaterThanOrEqual(1);
      expect(second.blocksPut).toBeLessThanOrEqual(2);
      expect(second.blockBytes).toBeLessThanOrEqual(2 * MAX_CHUNK);
      // Everything on the wire (hash lists, headers, commit) stays within two chunks plus a little.
      expect(second.wireBytes).toBeLessThan(2 * MAX_CHUNK + 64 * 1024);
      expect(sha256(await bytesOf(await download(srv.url, u.auth, '/big.bin')))).toBe(sha256(v2));

      // 4 KiB inserted at the start.
      const v3 = Buffer.concat([seededBytes('sync-delta-insert', 4096), v2]);
      const third = await client.push('/big.bin', v3, { baseRev: 2 });
      expect(third.commit.status).toBe(201);
      expect(third.commit.json()).toMatchObject({ rev: 3, size: v3.length });
      expect(third.blocksPut).toBeGreaterThanOrEqual(1);
      expect(third.blocksPut).toBeLessThanOrEqual(2);
      expect(third.blockBytes).toBeLessThanOrEqual(2 * MAX_CHUNK);
      expect(third.wireBytes).toBeLessThan(2 * MAX_CHUNK + 64 * 1024);
      expect(sha256(await bytesOf(await download(srv.url, u.auth, '/big.bin')))).toBe(sha256(v3));

      // Older revisions are intact too (their blocks are shared with the newer ones).
      expect(sha256(await bytesOf(await download(srv.url, u.auth, '/big.bin', {}, '&rev=1')))).toBe(sha256(v1));
      const [row] = await srv.database.db.select().from(files).where(and(eq(files.namespaceId, u.namespaceId), eq(files.name, 'big.bin')));
      const ops = await srv.database.db.select({ op: journal.op, rev: journal.rev }).from(journal).where(eq(journal.fileId, row!.id));
      expect(ops.map((o) => `${o.op}@${o.rev}`)).toEqual(['create@1', 'update@2', 'update@3']);
    }, 240_000);

    it('commits empty and small files, sets mtime, and reuses blocks across files', async () => {
      const u = await srv.user();
      const client = new SyncClient(srv.url, u.auth);
      const empty = await client.push('/empty.txt', new Uint8Array(0));
      expect(empty.commit.status).toBe(201);
      expect(empty.commit.json()).toMatchObject({ size: 0, rev: 1 });
      expect((await bytesOf(await download(srv.url, u.auth, '/empty.txt'))).length).toBe(0);

      const text = Buffer.from('hello, delta');
      const mtime = '2024-02-29T12:34:56.789Z';
      const small = await client.push('/a.txt', text, { mtime });
      expect(small.commit.status).toBe(201);
      expect(small.commit.json()).toMatchObject({ size: text.length, modifiedAt: mtime });
      expect((await bytesOf(await download(srv.url, u.auth, '/a.txt'))).toString()).toBe('hello, delta');

      // The same content under another name: nothing to upload.
      const again = await client.push('/b.txt', text);
      expect(again.commit.status).toBe(201);
      expect(again.blocksPut).toBe(0);
      expect(again.commit.json().contentHash).toBe(small.commit.json().contentHash);
    });

    it('refuses a commit that cannot be right, with a reason, and changes nothing', async () => {
      const u = await srv.user();
      const client = new SyncClient(srv.url, u.auth);
      const data = randomBytes(3 * MiB);
      const ok = await client.push('/f.bin', data);
      expect(ok.commit.status).toBe(201);
      const db = srv.database.db;
      const journalBefore = await db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId));
      const filesBefore = await db.select().from(files).where(eq(files.namespaceId, u.namespaceId));

      const unknown = sha256(randomBytes(100));
      const blocks = ok.blocks;
      const cases: [Json, number, string][] = [
        [{ path: '/f.bin', size: data.length + 100, blocks: [...blocks, { hash: unknown, size: 100 }], baseRev: 1 }, 400, 'missing_blocks'],
        [{ path: '/f.bin', size: data.length + 1, blocks, baseRev: 1 }, 400, 'size_mismatch'],
        [{ path: '/f.bin', size: data.length + 1, blocks: [{ ...blocks[0]!, size: blocks[0]!.size + 1 }, ...blocks.slice(1)], baseRev: 1 }, 400, 'block_size_mismatch'],
        [{ path: '/f.bin', size: data.length, blocks, baseRev: 0 }, 409, 'stale_revision'],
        [{ path: '/f.bin', size: data.length, blocks, baseRev: null }, 409, 'exists'],
        [{ path: '/f.bin', size: data.length, blocks }, 400, 'invalid_request'],
        [{ path: '/f.bin', size: data.length, blocks: [{ hash: 'abc', size: 1 }], baseRev: 1 }, 400, 'invalid_request'],
        [{ path: '/f.bin', size: 1, blocks: [{ hash: unknown, size: 1 }], baseRev: 1, extra: true }, 400, 'invalid_request'],
        [{ path: '/f.bin', size: 1, blocks: [{ hash: unknown, size: 1 }], baseRev: 1, onConflict: 'merge' }, 400, 'invalid_request'],
        [{ path: '/f.bin', size: 1, blocks: [{ hash: unknown, size: 1 }], baseRev: 1, mtime: 'yesterday' }, 400, 'invalid_request'],
        [{ path: '/no/such/dir.bin', size: data.length, blocks, baseRev: null }, 404, 'parent_not_found'],
        [{ path: '/a/../f.bin', size: data.length, blocks, baseRev: null }, 400, 'invalid_path'],
        [{ path: '/', size: data.length, blocks, baseRev: null }, 409, 'root'],
        [{ path: '/huge.bin', size: 11 * 1024 ** 3, blocks: [{ hash: unknown, size: 1 }], baseRev: null }, 413, 'file_too_large'],
      ];
      for (const [body, status, code] of cases) {
        const res = await client.send('POST', '/api/v1/files/commit', body);
        expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(status);
        const err = res.json().error as Json;
        expect(err.code, JSON.stringify(body).slice(0, 120)).toBe(code);
        expect(err.message.length).toBeGreaterThan(5);
        if (code === 'missing_blocks') expect(err.details.missing).toEqual([unknown]);
        if (code === 'stale_revision') expect(err.details.current).toMatchObject({ rev: 1, size: data.length });
      }
      const garbage = await client.send('POST', '/api/v1/files/commit', Buffer.from('{not json'));
      expect(garbage.status).toBe(400);

      expect(await db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId))).toEqual(journalBefore);
      expect(await db.select().from(files).where(eq(files.namespaceId, u.namespaceId))).toEqual(filesBefore);
      expect(sha256(await bytesOf(await download(srv.url, u.auth, '/f.bin')))).toBe(sha256(data));
    });

    it('a block PUT past the quota is refused with 507; so is a commit over quota, charging nothing', async () => {
      // Blocks count against the quota from the moment they are stored (quota-reservations.test.ts has the details).
      const early = await srv.user({ quotaBytes: 2 * MiB });
      await expect(new SyncClient(srv.url, early.auth).upload(randomBytes(3 * MiB))).rejects.toThrow(/put: 507 .*quota_exceeded/);

      const u = await srv.user({ quotaBytes: 2 * MiB });
      const client = new SyncClient(srv.url, u.auth);
      const data = randomBytes(1.5 * MiB);
      const first = await client.push('/one.bin', data);
      expect(first.commit.status).toBe(201);
      // The same blocks again under another name: nothing to PUT, so only the commit can refuse it.
      const res = await client.commit('/two.bin', first.blocks, { baseRev: null });
      expect(res.status).toBe(507);
      expect(res.json().error.code).toBe('quota_exceeded');
      const [owner] = await srv.database.db.select({ used: users.usedBytes, reserved: users.reservedBytes }).from(users).where(eq(users.id, u.id));
      expect(owner).toEqual({ used: data.length, reserved: 0 });
      expect((await srv.database.db.select().from(files).where(eq(files.namespaceId, u.namespaceId))).map((f) => f.name)).toEqual(['one.bin']);
    });
  });
}
