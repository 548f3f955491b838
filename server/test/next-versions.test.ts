/**
 * The one-statement commit of existing files' new revisions (files/next-versions.ts, a batch
 * commit's) against the general path it stands in for (commitVersion), on both backends: the same
 * rows, counts and journal entries; an item whose entry changed meanwhile is declined alone,
 * and a batch that could answer otherwise as a whole (quota, a block claimed by GC) writes nothing.
 * Through POST /files/commit/batch: edits commit, a stale one still becomes a conflicted copy.
 */
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blocks, files, fileVersions, uploadSessions, users } from '../src/db/schema.js';
import { commitNewVersions, type BatchNextVersion } from '../src/files/next-versions.js';
import { blocksOfVersion, commitVersion } from '../src/files/versions.js';
import type { FileRow } from '../src/files/view.js';
import { journalOf, refcounts, seedFile, usedBytes } from './fixtures/seed.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { packOf } from './fixtures/pack.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';

type Json = Record<string, any>;

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

for (const backend of BACKENDS) {
  describe(`new revisions of existing files in bulk on ${backend}`, () => {
    const srv = useTestServer(backend);

    async function setup(opts: { quotaBytes?: number } = {}) {
      const user = await srv.user(opts);
      const a = await seedFile(srv, user, '/docs/a.txt', 'first a');
      const b = await seedFile(srv, user, '/docs/b.txt', 'first b, longer');
      // The new content: two blocks (one listed twice), so the block list, offsets and distinct refcounts show.
      const x = await srv.storage.files.write(user.namespaceId, once(randomBytes(3000)));
      const y = await srv.storage.files.write(user.namespaceId, once(randomBytes(2000)));
      const list = [...x.blocks, ...y.blocks, ...x.blocks];
      const version = { blocks: list, size: 8000, contentHash: 'c'.repeat(64), authorId: user.id, deviceId: null };
      const keys = [...new Set(list.map((k) => k.key))];
      return { user, a, b, version, keys };
    }

    const edit = (existing: FileRow, version: Omit<BatchNextVersion, 'existing'>): BatchNextVersion => ({ ...version, existing });

    const state = async (namespaceId: string, userId: string, keys: string[]) => ({
      files: await srv.database.db.select().from(files).where(eq(files.namespaceId, namespaceId)).orderBy(files.id),
      versions: (await srv.database.db.select({ n: sql<number>`count(*)::int` }).from(fileVersions).innerJoin(files, eq(files.id, fileVersions.fileId)).where(eq(files.namespaceId, namespaceId)))[0]!.n,
      journal: (await journalOf(srv, { id: userId, namespaceId })).length,
      used: await usedBytes(srv, { id: userId, namespaceId }),
      refcounts: [...(await refcounts(srv, keys)).values()],
    });

    it('writes what the general path writes: entry, version, block list, references, quota, journal', async () => {
      const { user, a, b, version, keys } = await setup();
      const mtime = new Date('2024-05-06T07:08:09Z');
      const usedBefore = await usedBytes(srv, user);
      const [fast] = await srv.database.db.transaction((tx) => commitNewVersions(tx, [edit(a, { ...version, modifiedAt: mtime })]));
      expect(fast).toBeDefined();
      const general = await srv.database.db.transaction(async (tx) => {
        const row = await commitVersion(tx, { ...version, fileId: b.id, baseRev: 1, overwrite: false, mtime });
        const [touched] = await tx.update(files).set({ modifiedAt: mtime }).where(eq(files.id, row.id)).returning();
        return touched!;
      });

      const [stored] = await srv.database.db.select().from(files).where(eq(files.id, a.id));
      expect(fast).toEqual(stored);
      const comparable = (r: FileRow) => ({ ...r, id: 0, name: 0, nameKey: 0, headVersionId: 0, createdAt: 0 });
      expect(comparable(fast!)).toEqual(comparable(general));
      expect(fast).toMatchObject({ id: a.id, rev: 2, size: 8000, modifiedAt: mtime, pending: false });

      const versionOf = async (row: FileRow) => {
        const [v] = await srv.database.db.select().from(fileVersions).where(eq(fileVersions.id, row.headVersionId!));
        return { rev: v!.rev, size: v!.size, contentHash: v!.contentHash, authorId: v!.authorId, deviceId: v!.deviceId, restoredFrom: v!.restoredFrom };
      };
      expect(await versionOf(fast!)).toEqual(await versionOf(general));
      expect(await blocksOfVersion(srv.database.db, fast!.headVersionId!)).toEqual(await blocksOfVersion(srv.database.db, general.headVersionId!));
      expect([...(await refcounts(srv, keys)).values()]).toEqual([2, 2]);
      expect(await usedBytes(srv, user)).toBe(usedBefore - a.size - b.size + 2 * version.size);

      const entries = (await journalOf(srv, user)).filter((j) => j.op === 'update');
      expect(entries.map((j) => j.fileId)).toEqual([a.id, b.id]);
      const shape = (j: (typeof entries)[number]) => ({ op: j.op, rev: j.rev, deviceId: j.deviceId, payload: { ...j.payload, name: 0 } });
      expect(shape(entries[0]!)).toEqual(shape(entries[1]!));
      expect(entries[0]!.payload).toMatchObject({ name: 'a.txt', parentId: a.parentId, size: 8000, modifiedAt: mtime.toISOString() });
    });

    it('declines an item whose entry changed meanwhile, alone; writes nothing when the quota or a block could answer otherwise', async () => {
      const { user, a, b, version, keys } = await setup({ quotaBytes: 20_000 });
      const c = await seedFile(srv, user, '/docs/c.txt', 'c');
      const d = await seedFile(srv, user, '/docs/d.txt', 'd');
      // b: another device committed rev 2 first; c: an upload to it is under way; d: moved to the trash.
      await srv.database.db.transaction((tx) => commitVersion(tx, { ...version, size: 10, fileId: b.id, baseRev: 1, overwrite: false }));
      await srv.database.db.insert(uploadSessions).values({ userId: user.id, namespaceId: user.namespaceId, fileId: c.id, name: 'c.txt', expiresAt: new Date(Date.now() + 60_000) });
      await srv.database.db.update(files).set({ trashedAt: new Date() }).where(eq(files.id, d.id));
      const small = { ...version, size: 100 };
      const rows = await srv.database.db.transaction((tx) => commitNewVersions(tx, [b, a, c, d].map((f) => edit(f, small))));
      expect(rows.map((r) => r?.rev)).toEqual([undefined, 2, undefined, undefined]);

      // Growth past the quota, or a block GC claimed: nothing of the batch is written.
      const before = await state(user.namespaceId, user.id, keys);
      const [a2] = await srv.database.db.select().from(files).where(eq(files.id, a.id));
      const tooBig = await srv.database.db.transaction((tx) => commitNewVersions(tx, [edit(a2!, { ...version, size: 30_000 })]));
      expect(tooBig).toEqual([undefined]);
      await srv.database.db.update(blocks).set({ refcount: -1 }).where(eq(blocks.key, keys[1]!));
      const gone = await srv.database.db.transaction((tx) => commitNewVersions(tx, [edit(a2!, small)]));
      expect(gone).toEqual([undefined]);
      await srv.database.db.update(blocks).set({ refcount: 2 }).where(eq(blocks.key, keys[1]!));
      const after = await state(user.namespaceId, user.id, keys);
      expect({ ...after, refcounts: 0 }).toEqual({ ...before, refcounts: 0 });
      // And the same call goes through once nothing is in its way; shrinking is always allowed.
      await srv.database.db.update(users).set({ quotaBytes: 0 }).where(eq(users.id, user.id));
      expect((await srv.database.db.transaction((tx) => commitNewVersions(tx, [edit(a2!, { ...small, size: 50 })])))[0]?.rev).toBe(3);
    });

    it('through POST /files/commit/batch: edits commit as new revisions; a stale one with onConflict copy becomes a conflicted copy', async () => {
      const u = await srv.user();
      const cl = new SyncClient(srv.url, u.auth);
      const first = await Promise.all(['/e0.txt', '/e1.txt', '/e2.txt'].map(async (p) => (await cl.push(p, randomBytes(100))).commit.json() as Json));
      const data = first.map(() => randomBytes(700));
      expect((await cl.send('POST', '/api/v1/blocks/pack', packOf(data.map((bytes) => ({ bytes }))))).status).toBe(200);
      const items = first.map((f, i) => ({ path: f.path, size: 700, blocks: [{ hash: sha256(data[i]!), size: 700 }], baseRev: 1, fileId: f.id, onConflict: 'copy' }));
      items[2]!.baseRev = 0; // stale: rev 1 is on the server
      const res = await cl.send('POST', '/api/v1/files/commit/batch', { files: items });
      expect(res.status, res.body.toString()).toBe(200);
      const r = res.json().results as Json[];
      expect(r.slice(0, 2).map((x) => [x.ok, x.file.id, x.file.rev, x.file.size, x.file.conflict])).toEqual([
        [true, first[0]!.id, 2, 700, false],
        [true, first[1]!.id, 2, 700, false],
      ]);
      expect(r[2]).toMatchObject({ ok: true, file: { conflict: true, original: { path: '/e2.txt', rev: 1 } } });
      for (const i of [0, 1]) {
        const dl = await cl.send('GET', `/api/v1/download?path=${encodeURIComponent(first[i]!.path)}`);
        expect(dl.body.equals(data[i]!)).toBe(true);
      }
      const [usage] = await srv.database.db.select({ used: users.usedBytes }).from(users).where(eq(users.id, u.id));
      expect(usage!.used).toBe(100 + 3 * 700);
    });
  });
}
