import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files } from '../src/db/schema.js';
import { nameKey } from '../src/names.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { apiAs, q, seedFile, seedPending } from './fixtures/seed.js';

type View = { id: string; name: string; path: string; isDir: boolean; size: number; modifiedAt: string; pending: boolean; rev: number; trashedAt: string | null };

for (const backend of BACKENDS) {
  describe(`GET /list (${backend})`, () => {
    const srv = useTestServer(backend);

    async function pageAll(a: ReturnType<typeof apiAs>, query: string, limit: number): Promise<View[]> {
      const out: View[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 1000; guard++) {
        const r = await a.get(`/list?${query}&limit=${limit}${cursor ? `&cursor=${q(cursor)}` : ''}`);
        expect(r.status).toBe(200);
        expect(r.body.entries.length).toBeLessThanOrEqual(limit);
        out.push(...r.body.entries);
        cursor = r.body.cursor;
        if (!cursor) return out;
        expect(r.body.entries.length).toBe(limit);
      }
      throw new Error('pagination did not end');
    }

    it('lists the root and a folder with paths, folders first; pending entries shown, trashed ones not', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      expect((await a.get('/list')).body).toEqual({ entries: [] });
      await seedFile(srv, u, '/Docs/b.txt', 'bee');
      await seedFile(srv, u, '/Docs/A.txt', 'a');
      await seedFile(srv, u, '/top.txt', 'top');
      const docs = (await a.get('/metadata?path=/docs')).body as View;
      await seedPending(srv, u, docs.id, 'uploading.bin');
      await seedFile(srv, u, '/Docs/gone.txt', 'gone');
      expect((await a.post('/delete', { path: '/Docs/gone.txt' })).status).toBe(200);
      await a.post('/mkdir', { path: '/Docs/sub' });

      const root = await a.get('/list?path=/');
      expect(root.status).toBe(200);
      expect(root.body.entries.map((e: View) => e.path)).toEqual(['/Docs', '/top.txt']);
      expect(root.body.cursor).toBeUndefined();
      expect((await a.get('/list?path=/&limit=100&cursor=&sort=name&order=asc')).body).toEqual(root.body); // API.md's own example

      const list = await a.get('/list?path=/docs'); // any case: names are case-insensitive, paths come back as stored
      expect(list.status).toBe(200);
      const entries = list.body.entries as View[];
      expect(entries.map((e) => e.path)).toEqual(['/Docs/sub', '/Docs/A.txt', '/Docs/b.txt', '/Docs/uploading.bin']);
      const pending = entries.find((e) => e.name === 'uploading.bin')!;
      expect(pending).toMatchObject({ pending: true, rev: 0, isDir: false, trashedAt: null });
      expect(entries.find((e) => e.name === 'b.txt')).toMatchObject({ size: 3, rev: 1, pending: false });
    });

    it('answers 404 for a missing folder, 409 not_a_folder for a file, 400 with a reason for bad input', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      await seedFile(srv, u, '/f.txt', 'x');
      expect((await a.get('/list?path=/nope')).status).toBe(404);
      expect((await a.get('/list?path=/f.txt/x')).status).toBe(404);
      const file = await a.get('/list?path=/f.txt');
      expect(file.status).toBe(409);
      expect(file.body.error.code).toBe('not_a_folder');
      for (const bad of ['limit=0', 'limit=1001', 'limit=abc', 'sort=color', 'order=up', 'path=/a//b', 'path=/..', 'cursor=%%%', `cursor=${q('eyJ2IjoxfQ')}`]) {
        const r = await a.get(`/list?${bad}`);
        expect(r.status, bad).toBe(400);
        expect(r.body.error.message, bad).toBeTruthy();
      }
    });

    it('refuses a cursor from another folder, sort or order', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      for (const n of ['a', 'b', 'c']) await a.post('/mkdir', { path: `/${n}` });
      const first = await a.get('/list?limit=1');
      const cursor = q(first.body.cursor);
      expect((await a.get(`/list?limit=1&cursor=${cursor}`)).status).toBe(200);
      for (const other of ['sort=size', 'order=desc', 'path=/a']) {
        const r = await a.get(`/list?limit=1&${other}&cursor=${cursor}`);
        expect(r.status, other).toBe(400);
        expect(r.body.error.code).toBe('invalid_cursor');
      }
    });

    it('pages cover every entry exactly once, in order, for every sort and order', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      await a.post('/mkdir', { path: '/p' });
      const names = ['delta', 'Alpha', 'charlie', 'bravo', 'Echo', 'foxtrot', 'golf', 'hotel', 'India', 'juliet', 'kilo', 'lima'];
      for (const [i, n] of names.entries()) await seedFile(srv, u, `/p/${n}.txt`, 'x'.repeat(1 + (i % 4))); // sizes repeat: ties
      for (const d of ['zeta', 'Mu', 'nu']) await a.post('/mkdir', { path: `/p/${d}` });
      const p = (await a.get('/metadata?path=/p')).body as View;
      await seedPending(srv, u, p.id, 'pending.bin');
      // Identical modification times too, so the id tie-break is exercised.
      const same = new Date('2030-01-01T00:00:00.123456Z');
      await srv.database.db.update(files).set({ modifiedAt: same }).where(inArray(files.name, ['golf.txt', 'hotel.txt', 'India.txt', 'nu']));
      const all = (await pageAll(a, 'path=/p', 1000)).map((e) => e.id).sort();
      expect(all).toHaveLength(names.length + 4);

      for (const sort of ['name', 'modified', 'size'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          for (const limit of [1, 4, 7]) {
            const seen = await pageAll(a, `path=/p&sort=${sort}&order=${order}`, limit);
            const ids = seen.map((e) => e.id);
            expect(new Set(ids).size, `${sort} ${order} ${limit}`).toBe(ids.length);
            expect([...ids].sort()).toEqual(all);
            // Folders first, then monotonic in the sort key.
            const firstFile = seen.findIndex((e) => !e.isDir);
            expect(seen.slice(firstFile).every((e) => !e.isDir)).toBe(true);
            for (const group of [seen.slice(0, firstFile), seen.slice(firstFile)]) {
              const keys = group.map((e) => (sort === 'name' ? nameKey(e.name) : sort === 'size' ? e.size : Date.parse(e.modifiedAt)));
              const sorted = [...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
              expect(keys).toEqual(order === 'asc' ? sorted : sorted.reverse());
            }
          }
        }
      }
      const byName = await pageAll(a, 'path=/p', 100);
      expect(byName.slice(0, 4).map((e) => e.name)).toEqual(['Mu', 'nu', 'zeta', 'Alpha.txt']);
    });

    it('is stable under inserts and deletes between pages: no entry twice, none that stayed is skipped', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const before = ['b', 'd', 'f', 'h', 'j', 'l'];
      for (const n of before) await a.post('/mkdir', { path: `/s/${n}`, parents: true });
      const first = await a.get('/list?path=/s&limit=3');
      expect(first.body.entries.map((e: View) => e.name)).toEqual(['b', 'd', 'f']);
      // Insert before and after the cursor, delete one not yet seen.
      for (const n of ['a', 'c', 'g', 'k']) await a.post('/mkdir', { path: `/s/${n}` });
      await a.post('/delete', { path: '/s/j' });
      const rest: string[] = [];
      let cursor: string | undefined = first.body.cursor;
      while (cursor) {
        const r = await a.get(`/list?path=/s&limit=3&cursor=${q(cursor)}`);
        rest.push(...r.body.entries.map((e: View) => e.name));
        cursor = r.body.cursor;
      }
      expect(rest).toEqual(['g', 'h', 'k', 'l']);
    });

    it('paginates the same on a folder with names that differ only by case folding and punctuation', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const names = ['_x', '%y', 'Ä', 'a', 'ab', 'a b', 'Z', '10', '9', 'straße', 'STRASSE2'];
      for (const n of names) expect((await a.post('/mkdir', { path: `/u/${n}`, parents: true })).status, n).toBe(201);
      const one = await pageAll(a, 'path=/u', 1);
      const many = await pageAll(a, 'path=/u', 1000);
      expect(one.map((e) => e.id)).toEqual(many.map((e) => e.id));
      expect(new Set(one.map((e) => e.name))).toEqual(new Set(names));
      const [row] = await srv.database.db.select().from(files).where(eq(files.name, 'straße'));
      expect(row?.nameKey).toBe('strasse');
    });
  });
}
