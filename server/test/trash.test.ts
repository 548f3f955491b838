import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files, fileVersions, versionBlocks } from '../src/db/schema.js';
import { blocksOfVersion, commitVersion } from '../src/files/versions.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { apiAs, journalOf, q, refcounts, seedFile, usedBytes } from './fixtures/seed.js';

type View = { id: string; name: string; path: string; isDir: boolean; trashedAt: string | null };

for (const backend of BACKENDS) {
  describe(`trash (${backend})`, () => {
    const srv = useTestServer(backend);

    it('lists only top-level trashed items, with their original paths, newest first', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      await seedFile(srv, u, '/proj/keep.txt', 'k');
      await seedFile(srv, u, '/proj/old.txt', 'o');
      await seedFile(srv, u, '/proj/src/main.ts', 'm');
      await seedFile(srv, u, '/loose.txt', 'l');
      await a.post('/delete', { path: '/proj/old.txt' }); // deleted on its own first
      await a.post('/delete', { path: '/proj' }); // then its folder, with the rest
      await a.post('/delete', { path: '/loose.txt' });

      const t = await a.get('/trash');
      expect(t.status).toBe(200);
      expect(t.body.entries.map((e: View) => e.path)).toEqual(['/loose.txt', '/proj', '/proj/old.txt']);
      expect(t.body.entries.every((e: View) => e.trashedAt)).toBe(true);
      expect(t.body.cursor).toBeUndefined();

      // Paged.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const r = await a.get(`/trash?limit=1${cursor ? `&cursor=${q(cursor)}` : ''}`);
        expect(r.status).toBe(200);
        seen.push(...r.body.entries.map((e: View) => e.path));
        cursor = r.body.cursor;
      } while (cursor);
      expect(seen).toEqual(['/loose.txt', '/proj', '/proj/old.txt']);
      expect((await a.get('/trash?limit=0')).status).toBe(400);
      const bad = await a.get('/trash?cursor=xyz');
      expect(bad.body.error.code).toBe('invalid_request');
      expect(bad.body.error.details.issues[0].path).toEqual(['cursor']);
    });

    it('restores an item with what was trashed with it, to its original place; journals restore', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const keep = await seedFile(srv, u, '/proj/keep.txt', 'k');
      const old = await seedFile(srv, u, '/proj/old.txt', 'o');
      await seedFile(srv, u, '/proj/src/main.ts', 'm');
      await a.post('/delete', { path: '/proj/old.txt' });
      const proj = (await a.post('/delete', { path: '/proj' })).body as View;

      const r = await a.post(`/trash/${proj.id}/restore`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: proj.id, path: '/proj', trashedAt: null });
      expect((await a.get('/metadata?path=/proj/src/main.ts')).status).toBe(200);
      expect((await a.get(`/files/${keep.id}`)).body.trashedAt).toBeNull();
      // old.txt was deleted on its own before: it stays in the trash, as its own item.
      expect((await a.get('/metadata?path=/proj/old.txt')).status).toBe(404);
      expect((await a.get('/trash')).body.entries.map((e: View) => e.path)).toEqual(['/proj/old.txt']);
      // ...and can be restored now that its folder is back.
      expect((await a.post(`/trash/${old.id}/restore`, {})).status).toBe(200);
      expect((await a.get('/trash')).body.entries).toEqual([]);

      const restores = (await journalOf(srv, u)).filter((j) => j.op === 'restore');
      expect(restores.map((j) => j.payload.path)).toEqual(['/proj', '/proj/old.txt']);
      expect(restores[0]!.fileId).toBe(proj.id);
    });

    it('refuses a restore whose name is taken again or whose folder is gone, unless given `to`', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const f = await seedFile(srv, u, '/d/f.txt', 'first');
      await a.post('/delete', { path: '/d/f.txt' });
      await seedFile(srv, u, '/d/F.TXT', 'second'); // same name, case aside
      const taken = await a.post(`/trash/${f.id}/restore`);
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('name_taken');
      expect((await a.get(`/files/${f.id}`)).body.trashedAt).not.toBeNull();

      const elsewhere = await a.post(`/trash/${f.id}/restore`, { to: '/d/f (restored).txt' });
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.body).toMatchObject({ id: f.id, path: '/d/f (restored).txt', trashedAt: null });

      const g = await seedFile(srv, u, '/e/g.txt', 'g');
      await a.post('/delete', { path: '/e/g.txt' });
      await a.post('/delete', { path: '/e' });
      const orphan = await a.post(`/trash/${g.id}/restore`);
      expect(orphan.status).toBe(409);
      expect(orphan.body.error.code).toBe('parent_missing');
      expect((await a.post(`/trash/${g.id}/restore`, { to: '/nope/g.txt' })).status).toBe(404);
      expect((await a.post(`/trash/${g.id}/restore`, { to: '/' })).body.error.code).toBe('root');
      for (const body of ['{bad', { to: 5 }, { to: '/x', other: 1 }, { to: '/a//b' }]) {
        expect((await a.post(`/trash/${g.id}/restore`, body)).status, JSON.stringify(body)).toBe(400);
      }
      const moved = await a.post(`/trash/${g.id}/restore`, { to: '/g.txt' });
      expect(moved.status).toBe(200);
      expect(moved.body.path).toBe('/g.txt');

      const live = await a.post(`/trash/${g.id}/restore`);
      expect(live.status).toBe(409);
      expect(live.body.error.code).toBe('not_in_trash');
      expect((await a.post('/trash/00000000-0000-4000-8000-000000000000/restore')).status).toBe(404);
      expect((await a.post('/trash/nope/restore')).status).toBe(404);
    });

    it('purges one item: rows gone, quota down by its files, block references released, journal purge', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const x = await seedFile(srv, u, '/dir/x.bin', 'x'.repeat(1000));
      const y = await seedFile(srv, u, '/dir/sub/y.bin', 'y'.repeat(500));
      // A second revision of y: its blocks are released too.
      const y2 = await srv.storage.files.write(u.namespaceId, (async function* () { yield Buffer.from('Y'.repeat(700)); })());
      await srv.database.db.transaction((tx) =>
        commitVersion(tx, { fileId: y.id, blocks: y2.blocks, size: y2.size, contentHash: y2.contentHash, authorId: u.id, baseRev: 1, overwrite: false }),
      );
      const other = await seedFile(srv, u, '/other.bin', 'x'.repeat(1000)); // the same content as x: shares its block
      expect(await usedBytes(srv, u)).toBe(1000 + 700 + 1000);
      const xKeys = (await blocksOfVersion(srv.database.db, x.headVersionId!)).map((b) => b.key);
      const yVersions = await srv.database.db.select().from(fileVersions).where(eq(fileVersions.fileId, y.id));
      const yKeys = (await srv.database.db.select().from(versionBlocks).where(inArray(versionBlocks.versionId, yVersions.map((v) => v.id)))).map((b) => b.blockKey);
      const before = await refcounts(srv, [...xKeys, ...yKeys]);
      expect(before.get(xKeys[0]!)).toBe(2);

      const dir = (await a.post('/delete', { path: '/dir' })).body as View;
      expect(await usedBytes(srv, u)).toBe(2700); // trashed files still count

      const notTrashed = await a.del(`/trash/${other.id}`);
      expect(notTrashed.status).toBe(409);
      expect(notTrashed.body.error.code).toBe('not_in_trash');

      const p = await a.del(`/trash/${dir.id}`);
      expect(p.status).toBe(200);
      expect(p.body).toEqual({ files: 2, folders: 2, freedBytes: 1700 });
      expect(await usedBytes(srv, u)).toBe(1000);
      expect((await a.get(`/files/${dir.id}`)).status).toBe(404);
      expect((await a.get(`/files/${y.id}`)).status).toBe(404);
      expect(await srv.database.db.select().from(fileVersions).where(eq(fileVersions.fileId, y.id))).toEqual([]);
      const after = await refcounts(srv, [...xKeys, ...yKeys]);
      expect(after.get(xKeys[0]!)).toBe(1); // still used by other.bin
      for (const k of yKeys) expect(after.get(k)).toBe(before.get(k)! - 1);
      expect((await a.get('/metadata?path=/other.bin')).status).toBe(200);
      expect((await a.get('/trash')).body.entries).toEqual([]);

      const purges = (await journalOf(srv, u)).filter((j) => j.op === 'purge');
      expect(purges).toHaveLength(1);
      expect(purges[0]!).toMatchObject({ fileId: dir.id, payload: { path: '/dir', freedBytes: 1700 } });
      expect((await a.del(`/trash/${dir.id}`)).status).toBe(404);
    });

    it('empties the whole trash, leaving live files alone', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      await seedFile(srv, u, '/a/1.txt', '111');
      await seedFile(srv, u, '/a/2.txt', '22');
      await seedFile(srv, u, '/b.txt', 'b');
      await seedFile(srv, u, '/live.txt', 'live');
      await a.post('/delete', { path: '/a/1.txt' });
      await a.post('/delete', { path: '/a' });
      await a.post('/delete', { path: '/b.txt' });
      expect((await a.get('/trash')).body.entries).toHaveLength(3);

      const r = await a.del('/trash');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ files: 3, folders: 1, freedBytes: 6 });
      expect((await a.get('/trash')).body.entries).toEqual([]);
      expect(await usedBytes(srv, u)).toBe(4);
      expect((await a.get('/list')).body.entries.map((e: View) => e.name)).toEqual(['live.txt']);
      const rows = await srv.database.db.select().from(files).where(eq(files.namespaceId, u.namespaceId));
      expect(rows.map((r) => r.name)).toEqual(['live.txt']);
      expect((await journalOf(srv, u)).filter((j) => j.op === 'purge')).toHaveLength(3);
      expect((await a.del('/trash')).body).toEqual({ files: 0, folders: 0, freedBytes: 0 });
    });

    it('a name freed by delete can be reused, and both can be trashed side by side', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const one = await seedFile(srv, u, '/same.txt', '1');
      await a.post('/delete', { path: '/same.txt' });
      const two = await seedFile(srv, u, '/same.txt', '2');
      await a.post('/delete', { path: '/same.txt' });
      const t = await a.get('/trash');
      expect(t.body.entries.map((e: View) => e.id).sort()).toEqual([one.id, two.id].sort());
      expect((await a.post(`/trash/${one.id}/restore`)).status).toBe(200);
      expect((await a.post(`/trash/${two.id}/restore`)).body.error.code).toBe('name_taken');
    });
  });
}
