/**
 * Stars and recent files (issue 17's "starred" and "recent" views): star and unstar by id, the
 * starred list in star order with its pages, trash and restore taking entries out of it and back,
 * purge taking the star along, the `starred` flag in listings, metadata and getFile (per user),
 * stars on entries inside a share (and a stranger's 404), and recent files: newest change first,
 * paged, files only, outside the trash, the caller's own.
 */
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { stars } from '../src/db/schema.js';
import { BACKENDS, useTestServer, type TestServer } from './fixtures/server.js';
import { apiAs, q, seedFile, seedPending } from './fixtures/seed.js';
import { EventsClient } from './fixtures/sync-devices.js';

type View = { id: string; name: string; path: string; isDir: boolean; starred?: boolean; trashedAt: string | null };

function put(srv: TestServer, user: { auth: Record<string, string> }, path: string) {
  return fetch(`${srv.url}/api/v1${path}`, { method: 'PUT', headers: user.auth }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
}

/** Every page of a paged list, following its cursors. */
async function allPages(a: ReturnType<typeof apiAs>, path: string, limit: number): Promise<{ paths: string[]; pages: number }> {
  const paths: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await a.get(`${path}?limit=${limit}${cursor ? `&cursor=${q(cursor)}` : ''}`);
    expect(r.status).toBe(200);
    expect(r.body.entries.length).toBeLessThanOrEqual(limit);
    paths.push(...r.body.entries.map((e: View) => e.path));
    cursor = r.body.cursor;
    pages++;
  } while (cursor);
  return { paths, pages };
}

for (const backend of BACKENDS) {
  describe(`stars and recent files (${backend})`, () => {
    const srv = useTestServer(backend);

    it('stars and unstars; lists them newest star first, paged; trash hides them, restore brings them back, purge drops the star', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const fa = await seedFile(srv, u, '/a.txt', 'a');
      const fb = await seedFile(srv, u, '/b.txt', 'b');
      const fc = await seedFile(srv, u, '/dir/c.txt', 'c');
      const dir = (await a.get('/metadata?path=/dir')).body as View;

      // The user's other devices hear of each change (and of nothing else: a star again is no change).
      const ws = await EventsClient.open(srv.url, u.token);
      const s1 = await put(srv, u, `/files/${fa.id}/star`);
      expect(s1.status).toBe(200);
      expect(s1.body).toMatchObject({ id: fa.id, path: '/a.txt', starred: true });
      await put(srv, u, `/files/${dir.id}/star`);
      await put(srv, u, `/files/${fc.id}/star`);
      // Starring again keeps the first star's time: the order does not change.
      expect((await put(srv, u, `/files/${fa.id}/star`)).status).toBe(200);

      const list = await a.get('/starred');
      expect(list.status).toBe(200);
      expect(list.body.entries.map((e: View) => e.path)).toEqual(['/dir/c.txt', '/dir', '/a.txt']);
      expect(list.body.entries.every((e: View) => e.starred === true)).toBe(true);
      expect(list.body.cursor).toBeUndefined();
      expect(await allPages(a, '/starred', 1)).toEqual({ paths: ['/dir/c.txt', '/dir', '/a.txt'], pages: 3 });

      // The flag where entries are shown.
      const root = await a.get('/list?path=/');
      const flags = Object.fromEntries(root.body.entries.map((e: View) => [e.name, e.starred]));
      expect(flags).toEqual({ dir: true, 'a.txt': true, 'b.txt': false });
      expect((await a.get('/list?path=/dir')).body.entries[0]).toMatchObject({ name: 'c.txt', starred: true });
      expect((await a.get('/metadata?path=/a.txt')).body.starred).toBe(true);
      expect((await a.get(`/files/${fb.id}`)).body.starred).toBe(false);
      expect((await a.get('/search?q=.txt')).body.entries.map((e: View) => [e.name, e.starred])).toEqual([
        ['a.txt', true],
        ['b.txt', false],
        ['c.txt', true],
      ]);

      // Trashing the folder takes it and what is in it out of the list; restoring brings both back.
      const trashed = await a.post('/delete', { path: '/dir' });
      expect(trashed.status).toBe(200);
      expect((await a.get('/starred')).body.entries.map((e: View) => e.path)).toEqual(['/a.txt']);
      expect((await a.post(`/trash/${dir.id}/restore`)).status).toBe(200);
      expect((await a.get('/starred')).body.entries.map((e: View) => e.path)).toEqual(['/dir/c.txt', '/dir', '/a.txt']);

      // Unstar (twice: nothing to remove the second time is no error).
      const un = await a.del(`/files/${fa.id}/star`);
      expect(un.status).toBe(200);
      expect(un.body).toMatchObject({ id: fa.id, starred: false });
      expect((await a.del(`/files/${fa.id}/star`)).status).toBe(200);
      expect((await a.get('/starred')).body.entries.map((e: View) => e.path)).toEqual(['/dir/c.txt', '/dir']);
      const events = await ws.next((m) => m.type === 'starred', 4);
      expect(events).toEqual([
        { type: 'starred', id: fa.id, starred: true },
        { type: 'starred', id: dir.id, starred: true },
        { type: 'starred', id: fc.id, starred: true },
        { type: 'starred', id: fa.id, starred: false },
      ]);
      ws.close();

      // Purged for good: the star goes with the entry.
      await a.post('/delete', { path: '/dir/c.txt' });
      expect((await a.del(`/trash/${fc.id}`)).status).toBe(200);
      expect(await srv.database.db.select().from(stars).where(eq(stars.fileId, fc.id))).toEqual([]);
      expect((await a.get('/starred')).body.entries.map((e: View) => e.path)).toEqual(['/dir']);

      // Bad input changes nothing.
      expect((await put(srv, u, '/files/not-a-uuid/star')).status).toBe(404);
      expect((await a.get('/starred?cursor=xyz')).body.error.code).toBe('invalid_request');
      expect((await a.get('/starred?limit=0')).status).toBe(400);
    });

    it('stars are per user and reach inside shares; a stranger gets 404; a revoked share hides the star', async () => {
      const owner = await srv.user();
      const viewer = await srv.user();
      const stranger = await srv.user();
      const ao = apiAs(srv, owner);
      const av = apiAs(srv, viewer);
      const f = await seedFile(srv, owner, '/Team/plan.txt', 'plan');
      const share = await ao.post('/shares', { path: '/Team', user: viewer.username, role: 'viewer' });
      expect(share.status).toBe(201);
      expect((await av.post(`/shares/${share.body.id}/accept`, { name: 'Team' })).status).toBe(200);

      // A viewer may star (starring changes nothing of the owner's).
      const s = await put(srv, viewer, `/files/${f.id}/star`);
      expect(s.status).toBe(200);
      expect(s.body).toMatchObject({ path: '/Team/plan.txt', starred: true });
      expect((await av.get('/starred')).body.entries.map((e: View) => e.path)).toEqual(['/Team/plan.txt']);
      expect((await av.get('/list?path=/Team')).body.entries[0]).toMatchObject({ name: 'plan.txt', starred: true });
      // The owner has not starred it.
      expect((await ao.get('/list?path=/Team')).body.entries[0]).toMatchObject({ name: 'plan.txt', starred: false });
      expect((await ao.get('/starred')).body.entries).toEqual([]);

      const refused = await put(srv, stranger, `/files/${f.id}/star`);
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe('not_found');
      expect((await apiAs(srv, stranger).del(`/files/${f.id}/star`)).status).toBe(404);
      expect(await srv.database.db.select().from(stars).where(eq(stars.userId, stranger.id))).toEqual([]);

      // Revoked: the star stays (harmless) but the entry is no longer shown.
      expect((await ao.del(`/shares/${share.body.id}`)).status).toBeLessThan(300);
      expect((await av.get('/starred')).body.entries).toEqual([]);
    });

    it('recent files: newest change first, paged, files with content only, outside the trash, the caller’s own', async () => {
      const u = await srv.user();
      const other = await srv.user();
      const a = apiAs(srv, u);
      const names = ['one', 'two', 'three', 'four', 'five'];
      const rows = [];
      for (const n of names) rows.push(await seedFile(srv, u, `/docs/${n}.txt`, n));
      // Distinct, known instants (seeding is faster than the clock's resolution would make them).
      for (const [i, r] of rows.entries()) {
        await srv.database.db.execute(sql`update files set modified_at = now() - ${`${10 - i} minutes`}::interval where id = ${r.id}`);
      }
      await seedPending(srv, u, null, 'uploading.bin');
      const gone = await seedFile(srv, u, '/gone.txt', 'gone');
      await a.post('/delete', { id: gone.id });
      await seedFile(srv, other, '/theirs.txt', 'not yours');
      await put(srv, u, `/files/${rows[1]!.id}/star`);

      const r = await a.get('/recent');
      expect(r.status).toBe(200);
      expect(r.body.entries.map((e: View) => e.path)).toEqual(['/docs/five.txt', '/docs/four.txt', '/docs/three.txt', '/docs/two.txt', '/docs/one.txt']);
      expect(r.body.entries.every((e: View) => !e.isDir)).toBe(true);
      expect(r.body.entries.find((e: View) => e.name === 'two.txt').starred).toBe(true);
      expect(r.body.entries.find((e: View) => e.name === 'one.txt').starred).toBe(false);
      expect(await allPages(a, '/recent', 2)).toEqual({
        paths: ['/docs/five.txt', '/docs/four.txt', '/docs/three.txt', '/docs/two.txt', '/docs/one.txt'],
        pages: 3,
      });

      // A new revision moves a file to the top.
      const up = await fetch(`${srv.url}/api/v1/upload?uploadType=media&overwrite=true&path=${q('/docs/one.txt')}`, { method: 'POST', headers: u.auth, body: 'one, again' });
      expect(up.status).toBeLessThan(300);
      expect((await a.get('/recent?limit=1')).body.entries[0].path).toBe('/docs/one.txt');

      // Entries trashed are gone from it; the other user sees only theirs.
      await a.post('/delete', { path: '/docs' });
      expect((await a.get('/recent')).body.entries).toEqual([]);
      expect((await apiAs(srv, other).get('/recent')).body.entries.map((e: View) => e.path)).toEqual(['/theirs.txt']);
      expect((await a.get('/recent?limit=201')).status).toBe(400);
    });
  });
}
