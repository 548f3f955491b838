/**
 * The one-statement commit of a new file (files/first-version.ts) against the general path it
 * stands in for, on both backends: the same rows, counts and journal entry; and whenever it
 * declines (name taken, folder deleted, over quota, a block claimed by GC), nothing written.
 * Also the one-statement path walk the upload's target comes from.
 */
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blocks, files, fileVersions, journal, users } from '../src/db/schema.js';
import { createEntry } from '../src/files/entries.js';
import { commitNewFile, type NewFileVersion } from '../src/files/first-version.js';
import { walkPath } from '../src/files/tree.js';
import { blocksOfVersion, commitVersion } from '../src/files/versions.js';
import type { FileRow } from '../src/files/view.js';
import { fileForUpload } from '../src/uploads/target.js';
import { journalOf, refcounts, seedFile, usedBytes } from './fixtures/seed.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

for (const backend of BACKENDS) {
  describe(`first version of a new file on ${backend}`, () => {
    const srv = useTestServer(backend);

    async function setup(opts: { quotaBytes?: number } = {}) {
      const user = await srv.user(opts);
      const folder = await srv.database.db.transaction((tx) => createEntry(tx, { namespaceId: user.namespaceId, parentId: null, name: 'docs', isDir: true }));
      // Two blocks (one listed twice) so the block list, offsets and distinct refcounts show.
      const a = await srv.storage.files.write(user.namespaceId, once(randomBytes(3000)));
      const b = await srv.storage.files.write(user.namespaceId, once(randomBytes(2000)));
      const list = [...a.blocks, ...b.blocks, ...a.blocks];
      const version = { blocks: list, size: 8000, contentHash: 'c'.repeat(64), authorId: user.id, deviceId: null };
      const keys = [...new Set(list.map((x) => x.key))];
      return { user, folder, version, keys };
    }

    const state = async (namespaceId: string, userId: string, keys: string[]) => ({
      files: (await srv.database.db.select({ n: sql<number>`count(*)::int` }).from(files).where(eq(files.namespaceId, namespaceId)))[0]!.n,
      versions: (await srv.database.db.select({ n: sql<number>`count(*)::int` }).from(fileVersions).innerJoin(files, eq(files.id, fileVersions.fileId)).where(eq(files.namespaceId, namespaceId)))[0]!.n,
      journal: (await journalOf(srv, { id: userId, namespaceId })).length,
      used: await usedBytes(srv, { id: userId, namespaceId }),
      refcounts: [...(await refcounts(srv, keys)).values()],
    });

    it('writes what the general path writes: entry, version, block list, references, quota, journal', async () => {
      const { user, folder, version, keys } = await setup();
      const fast = await commitNewFile(srv.database.db, { ...version, namespaceId: user.namespaceId, parentId: folder.id, name: 'Fast.txt' });
      expect(fast).toBeDefined();
      const general = await srv.database.db.transaction(async (tx) => {
        const target = { namespaceId: user.namespaceId, parentId: folder.id, name: 'General.txt', path: '/docs/General.txt' };
        const file = await fileForUpload(tx, target, { pending: false });
        return commitVersion(tx, { ...version, fileId: file.id, baseRev: null, overwrite: false });
      });

      // The answer is the row as stored, and the same as the general path's but for identity and name.
      const [stored] = await srv.database.db.select().from(files).where(eq(files.id, fast!.id));
      expect(fast).toEqual(stored);
      const comparable = (r: FileRow) => ({ ...r, id: 0, name: 0, nameKey: 0, headVersionId: 0, createdAt: 0, modifiedAt: 0 });
      expect(comparable(fast!)).toEqual(comparable(general));
      expect(fast!.name).toBe('Fast.txt');
      expect(fast!.nameKey).toBe('fast.txt');
      expect(fast!.modifiedAt).toBeInstanceOf(Date);

      const versionOf = async (row: FileRow) => {
        const [v] = await srv.database.db.select().from(fileVersions).where(eq(fileVersions.id, row.headVersionId!));
        return { fileId: v!.fileId, rev: v!.rev, size: v!.size, contentHash: v!.contentHash, authorId: v!.authorId, deviceId: v!.deviceId, restoredFrom: v!.restoredFrom };
      };
      expect(await versionOf(fast!)).toEqual({ ...(await versionOf(general)), fileId: fast!.id });
      expect(await blocksOfVersion(srv.database.db, fast!.headVersionId!)).toEqual(await blocksOfVersion(srv.database.db, general.headVersionId!));
      // Each commit counted one reference per distinct block, and charged the size once.
      expect([...(await refcounts(srv, keys)).values()]).toEqual([2, 2]);
      expect(await usedBytes(srv, user)).toBe(2 * version.size);

      const entries = (await journalOf(srv, user)).filter((j) => j.fileId === fast!.id || j.fileId === general.id);
      // A small version's block list, named by hash, rides in its entry (issue 21), on both paths alike.
      const listed = version.blocks.map((b) => ({ hash: b.hash, size: b.size }));
      expect(entries.map((j) => ({ op: j.op, rev: j.rev, deviceId: j.deviceId, payload: { ...j.payload, name: 0 } }))).toEqual([
        { op: 'create', rev: 1, deviceId: null, payload: { name: 0, parentId: folder.id, size: 8000, contentHash: 'c'.repeat(64), blocks: listed, modifiedAt: expect.any(String) } },
        { op: 'create', rev: 1, deviceId: null, payload: { name: 0, parentId: folder.id, size: 8000, contentHash: 'c'.repeat(64), blocks: listed, modifiedAt: expect.any(String) } },
      ]);
    });

    it('declines, writing nothing, when the name is taken, the folder is gone, the quota is short or a block was claimed', async () => {
      const { user, folder, version, keys } = await setup({ quotaBytes: 10_000 });
      const attempt = (v: Partial<NewFileVersion> = {}) =>
        commitNewFile(srv.database.db, { ...version, namespaceId: user.namespaceId, parentId: folder.id, name: 'report.txt', ...v });
      await seedFile(srv, user, '/docs/Taken.TXT', 'x');
      const old = await srv.database.db.transaction((tx) => createEntry(tx, { namespaceId: user.namespaceId, parentId: null, name: 'old', isDir: true }));
      await srv.database.db.update(files).set({ trashedAt: new Date() }).where(eq(files.id, old.id));
      const before = await state(user.namespaceId, user.id, keys);

      expect(await attempt({ name: 'taken.txt' })).toBeUndefined();
      expect(await attempt({ size: 10_000 })).toBeUndefined();
      expect(await attempt({ parentId: old.id })).toBeUndefined();
      await srv.database.db.update(blocks).set({ refcount: -1 }).where(eq(blocks.key, keys[1]!));
      expect(await attempt()).toBeUndefined();
      await srv.database.db.update(blocks).set({ refcount: 0 }).where(eq(blocks.key, keys[1]!));

      expect(await state(user.namespaceId, user.id, keys)).toEqual(before);
      // And the same call goes through once nothing is in its way.
      expect((await attempt())?.rev).toBe(1);
      expect((await srv.database.db.select({ used: users.usedBytes }).from(users).where(eq(users.id, user.id)))[0]!.used).toBe(before.used + version.size);
      expect((await journalOf(srv, user)).at(-1)).toMatchObject({ op: 'create', rev: 1 });
      expect(await srv.database.db.select().from(journal).where(eq(journal.namespaceId, user.namespaceId))).toHaveLength(before.journal + 1);
    });

    it('walks a path in one statement: stops at a missing name and after a file; names may hold quotes, commas and braces', async () => {
      const { user } = await setup();
      const odd = 'a "b", {c} \'d\' ü';
      const file = await seedFile(srv, user, `/docs/${odd}/Inner.txt`, 'inner');
      const walk = async (...segments: string[]) => (await walkPath(srv.database.db, user.namespaceId, segments)).map((r) => r.name);
      expect(await walk('DOCS', odd.toUpperCase(), 'inner.TXT')).toEqual(['docs', odd, 'Inner.txt']);
      expect(await walk('docs', 'missing', 'inner.txt')).toEqual(['docs']);
      expect(await walk('docs', odd, 'Inner.txt', 'below-a-file')).toEqual(['docs', odd, 'Inner.txt']);
      expect(await walk()).toEqual([]);
      const [row] = await walkPath(srv.database.db, user.namespaceId, ['docs', odd, 'inner.txt']).then((r) => r.slice(-1));
      expect(row).toEqual(file);
      // Inside a transaction the walk goes through drizzle: same answer.
      const inTx = await srv.database.db.transaction((tx) => walkPath(tx, user.namespaceId, ['docs', odd, 'inner.txt']));
      expect(inTx.at(-1)).toEqual(file);
    });
  });
}
