/** POST /mkdir/batch: many folders in one transaction, each answered as POST /mkdir would answer it. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files } from '../src/db/schema.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { apiAs, journalOf, seedFile } from './fixtures/seed.js';

for (const backend of BACKENDS) {
  describe(`POST /mkdir/batch (${backend})`, () => {
    const srv = useTestServer(backend);

    async function snapshot(ns: string) {
      const rows = await srv.database.db.select().from(files).where(eq(files.namespaceId, ns));
      return rows.map((r) => JSON.stringify(r)).sort();
    }

    it('makes each folder in order and answers each alone: a taken name, a file in the way and a missing parent fail only themselves', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      await a.post('/mkdir', { path: '/Taken' });
      await seedFile(srv, u, '/file.txt', 'x');
      const r = await a.post('/mkdir/batch', { paths: ['/top', '/top/mid', '/taken', '/file.txt/x', '/no/such/parent', '/top/mid/leaf', '/a.'] });
      expect(r.status).toBe(200);
      const res = r.body.results as { ok: boolean; folder?: { path: string; isDir: boolean }; error?: { status: number; code: string } }[];
      expect(res.map((x) => x.ok)).toEqual([true, true, false, false, false, true, false]);
      expect(res[0]!.folder).toMatchObject({ path: '/top', isDir: true });
      expect(res[5]!.folder).toMatchObject({ path: '/top/mid/leaf', isDir: true });
      expect(res[2]!.error).toMatchObject({ status: 409, code: 'name_taken' });
      expect(res[3]!.error!.status).toBe(409);
      expect(res[4]!.error).toMatchObject({ status: 404, code: 'parent_not_found' });
      expect(res[6]!.error!.status).toBe(400);
      expect((await a.get('/metadata?path=/top/mid/leaf')).body.isDir).toBe(true);
      expect((await a.get('/metadata?path=/no')).status).toBe(404); // the failed one left nothing behind
      expect((await journalOf(srv, u)).filter((e) => e.op === 'mkdir')).toHaveLength(4); // Taken, top, mid, leaf
    });

    it('with parents: true makes missing chains, in any order', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const r = await a.post('/mkdir/batch', { paths: ['/x/y/z', '/x/y', '/q/r'], parents: true });
      expect(r.status).toBe(200);
      expect(r.body.results.map((x: { ok: boolean }) => x.ok)).toEqual([true, false, true]); // /x/y was made by the first: taken
      expect((await a.get('/metadata?path=/x/y/z')).body.isDir).toBe(true);
      expect((await a.get('/metadata?path=/q/r')).body.isDir).toBe(true);
    });

    it('a new tree under an existing folder is answered in the stored spelling and journaled parents first, one entry per folder', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      await a.post('/mkdir', { path: '/Photos' });
      const before = (await journalOf(srv, u)).length;
      const r = await a.post('/mkdir/batch', { paths: ['/photos/2024', '/PHOTOS/2024/Jan', '/photos/2025/Feb', '/Cafe\u0301'], parents: true });
      expect(r.status).toBe(200);
      const res = r.body.results as { ok: boolean; folder: { id: string; path: string; parentId: string | null; isDir: boolean } }[];
      expect(res.map((x) => x.folder.path)).toEqual(['/Photos/2024', '/Photos/2024/Jan', '/Photos/2025/Feb', '/Caf\u00e9']);
      expect(res[1]!.folder.parentId).toBe(res[0]!.folder.id);
      for (const x of res) expect((await a.get(`/metadata?path=${encodeURIComponent(x.folder.path)}`)).body).toMatchObject({ id: x.folder.id, isDir: true });
      const made = (await journalOf(srv, u)).slice(before);
      expect(made.map((e) => [e.op, (e.payload as { name: string }).name])).toEqual([
        ['mkdir', '2024'],
        ['mkdir', 'Jan'],
        ['mkdir', '2025'],
        ['mkdir', 'Feb'],
        ['mkdir', 'Caf\u00e9'],
      ]);
      const ids = new Map(made.map((e) => [(e.payload as { name: string }).name, e.fileId]));
      expect(made.map((e) => (e.payload as { parentId: string | null }).parentId)).toEqual([
        (await a.get('/metadata?path=/Photos')).body.id,
        ids.get('2024'),
        (await a.get('/metadata?path=/Photos')).body.id,
        ids.get('2025'),
        null,
      ]);
      // The same batch again: every folder is taken now, each answered alone.
      const again = await a.post('/mkdir/batch', { paths: ['/photos/2024', '/photos/2026'], parents: true });
      expect(again.body.results.map((x: { ok: boolean }) => x.ok)).toEqual([false, true]);
      expect(again.body.results[0].error).toMatchObject({ status: 409, code: 'name_taken' });
    });

    it('a malformed request is 400 and makes nothing', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const snap = await snapshot(u.namespaceId);
      const many = Array.from({ length: 1001 }, (_, i) => `/f${i}`);
      for (const body of [{}, { paths: [] }, { paths: '/x' }, { paths: [5] }, { paths: ['/x'], parents: 'yes' }, { paths: ['/x'], extra: 1 }, { paths: many }]) {
        const r = await a.post('/mkdir/batch', body);
        expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(r.body.error.message).toBeTruthy();
      }
      expect((await a.post('/mkdir/batch', '{not json')).status).toBe(400);
      expect(await snapshot(u.namespaceId)).toEqual(snap);
    });
  });
}
