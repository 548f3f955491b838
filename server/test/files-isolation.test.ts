import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files, journal } from '../src/db/schema.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { apiAs, q, seedFile } from './fixtures/seed.js';

/**
 * DESIGN §7 invariant 3 for the tree API: another user's paths and ids answer exactly like
 * missing ones, on every endpoint, and nothing of theirs changes.
 */
for (const backend of BACKENDS) {
  describe(`files API isolation (${backend})`, () => {
    const srv = useTestServer(backend);

    it('user B cannot list, read, move, copy, delete, restore, purge or find user A’s entries', async () => {
      const alice = await srv.user();
      const bob = await srv.user();
      const a = apiAs(srv, alice);
      const b = apiAs(srv, bob);
      const secret = await seedFile(srv, alice, '/Secret/plans.txt', 'top secret');
      const folder = (await a.get('/metadata?path=/Secret')).body as { id: string };
      const trashed = await seedFile(srv, alice, '/old.txt', 'old');
      await a.post('/delete', { id: trashed.id });
      await b.post('/mkdir', { path: '/mine' });
      await seedFile(srv, bob, '/mine/own.txt', 'bob');
      const missing = '00000000-0000-4000-8000-000000000000';

      const aliceRows = async () => (await srv.database.db.select().from(files).where(eq(files.namespaceId, alice.namespaceId))).map((r) => JSON.stringify(r)).sort();
      const aliceJournal = async () => (await srv.database.db.select().from(journal).where(eq(journal.namespaceId, alice.namespaceId))).length;
      const rowsBefore = await aliceRows();
      const journalBefore = await aliceJournal();

      /** B's answer for A's thing must be the answer for a thing that does not exist. */
      const sameAsMissing = async (label: string, theirs: () => Promise<{ status: number; body: any }>, none: () => Promise<{ status: number; body: any }>) => {
        const [t, n] = [await theirs(), await none()];
        expect(t.status, label).toBe(404);
        expect(t.status, label).toBe(n.status);
        expect(t.body.error.code, label).toBe(n.body.error.code);
      };

      await sameAsMissing('list', () => b.get('/list?path=/Secret'), () => b.get('/list?path=/Nothing'));
      await sameAsMissing('metadata', () => b.get(`/metadata?path=${q('/Secret/plans.txt')}`), () => b.get('/metadata?path=/nothing.txt'));
      await sameAsMissing('files/:id', () => b.get(`/files/${secret.id}`), () => b.get(`/files/${missing}`));
      await sameAsMissing('files/:id of a trashed one', () => b.get(`/files/${trashed.id}`), () => b.get(`/files/${missing}`));
      await sameAsMissing('move by path', () => b.post('/move', { from: '/Secret/plans.txt', to: '/mine/stolen.txt' }), () => b.post('/move', { from: '/nothing.txt', to: '/mine/stolen.txt' }));
      await sameAsMissing('move by id', () => b.post('/move', { id: secret.id, to: '/mine/stolen.txt' }), () => b.post('/move', { id: missing, to: '/mine/stolen.txt' }));
      await sameAsMissing('move a folder by id', () => b.post('/move', { id: folder.id, to: '/mine/stolen' }), () => b.post('/move', { id: missing, to: '/mine/stolen' }));
      await sameAsMissing('move into their folder', () => b.post('/move', { from: '/mine/own.txt', to: '/Secret/own.txt' }), () => b.post('/move', { from: '/mine/own.txt', to: '/Nothing/own.txt' }));
      await sameAsMissing('copy by path', () => b.post('/copy', { from: '/Secret/plans.txt', to: '/mine/stolen.txt' }), () => b.post('/copy', { from: '/nothing.txt', to: '/mine/stolen.txt' }));
      await sameAsMissing('copy by id', () => b.post('/copy', { id: secret.id, to: '/mine/stolen.txt' }), () => b.post('/copy', { id: missing, to: '/mine/stolen.txt' }));
      await sameAsMissing('copy a folder by id', () => b.post('/copy', { id: folder.id, to: '/mine/stolen' }), () => b.post('/copy', { id: missing, to: '/mine/stolen' }));
      await sameAsMissing('copy into their folder', () => b.post('/copy', { from: '/mine/own.txt', to: '/Secret/own.txt' }), () => b.post('/copy', { from: '/mine/own.txt', to: '/Nothing/own.txt' }));
      await sameAsMissing('delete by path', () => b.post('/delete', { path: '/Secret' }), () => b.post('/delete', { path: '/Nothing' }));
      await sameAsMissing('delete by id', () => b.post('/delete', { id: secret.id }), () => b.post('/delete', { id: missing }));
      await sameAsMissing('restore', () => b.post(`/trash/${trashed.id}/restore`), () => b.post(`/trash/${missing}/restore`));
      await sameAsMissing('restore elsewhere', () => b.post(`/trash/${trashed.id}/restore`, { to: '/mine/old.txt' }), () => b.post(`/trash/${missing}/restore`, { to: '/mine/old.txt' }));
      await sameAsMissing('purge', () => b.del(`/trash/${trashed.id}`), () => b.del(`/trash/${missing}`));
      await sameAsMissing('purge a live one', () => b.del(`/trash/${secret.id}`), () => b.del(`/trash/${missing}`));

      const found = await b.get('/search?q=plans');
      expect(found.status).toBe(200);
      expect(found.body.entries).toEqual([]);
      expect((await b.get('/search?q=o')).body.entries.map((e: { path: string }) => e.path).sort()).toEqual(['/mine/own.txt']);
      expect((await b.get('/trash')).body.entries).toEqual([]);
      expect((await b.get('/list')).body.entries.map((e: { name: string }) => e.name)).toEqual(['mine']);
      expect((await b.del('/trash')).body).toEqual({ files: 0, folders: 0, freedBytes: 0 });

      // Nothing of Alice's changed, nothing was journaled in her namespace.
      expect(await aliceRows()).toEqual(rowsBefore);
      expect(await aliceJournal()).toBe(journalBefore);
      expect((await a.get('/trash')).body.entries.map((e: { id: string }) => e.id)).toEqual([trashed.id]);
      expect((await a.get('/metadata?path=/Secret/plans.txt')).status).toBe(200);
    });
  });
}
