import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files, fileVersions } from '../src/db/schema.js';
import { blocksOfVersion } from '../src/files/versions.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { apiAs, journalOf, q, refcounts, seedFile, seedPending, usedBytes } from './fixtures/seed.js';

type View = { id: string; name: string; path: string; parentId: string | null; isDir: boolean; size: number; rev: number; contentHash: string | null; modifiedAt: string; trashedAt: string | null };

for (const backend of BACKENDS) {
  describe(`files API (${backend})`, () => {
    const srv = useTestServer(backend);

    /** Every row of the user's tree, to prove a refused request changed nothing. */
    async function snapshot(ns: string) {
      const rows = await srv.database.db.select().from(files).where(eq(files.namespaceId, ns));
      return rows.map((r) => JSON.stringify(r)).sort();
    }

    describe('metadata', () => {
      it('by path (any case) and by id; 404 for missing; 409 for the root; 400 for a bad path', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        const row = await seedFile(srv, u, '/Docs/Report.txt', 'hello');
        const byPath = await a.get(`/metadata?path=${q('/docs/REPORT.txt')}`);
        expect(byPath.status).toBe(200);
        expect(byPath.body).toMatchObject({ id: row.id, name: 'Report.txt', path: '/Docs/Report.txt', isDir: false, size: 5, rev: 1, pending: false, trashedAt: null });
        expect(byPath.body.contentHash).toBe(row.contentHash);
        const byId = await a.get(`/files/${row.id}`);
        expect(byId.status).toBe(200);
        expect(byId.body).toEqual(byPath.body);
        expect((await a.get('/metadata?path=/Docs/nope')).status).toBe(404);
        expect((await a.get('/files/00000000-0000-4000-8000-000000000000')).status).toBe(404);
        expect((await a.get('/files/not-a-uuid')).status).toBe(404);
        const root = await a.get('/metadata?path=/');
        expect(root.status).toBe(409);
        expect(root.body.error.code).toBe('root');
        expect((await a.get('/metadata')).status).toBe(400);
        const bad = await a.get(`/metadata?path=${q('/a/../b')}`);
        expect(bad.status).toBe(400);
        expect(bad.body.error.code).toBe('invalid_path');
      });
    });

    describe('mkdir', () => {
      it('creates a folder (201), journals mkdir, refuses a taken name case-insensitively and a missing parent', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        const made = await a.post('/mkdir', { path: '/Photos' });
        expect(made.status).toBe(201);
        expect(made.body).toMatchObject({ name: 'Photos', path: '/Photos', isDir: true, parentId: null, size: 0, rev: 0 });
        const sub = await a.post('/mkdir', { path: '/photos/2024' });
        expect(sub.status).toBe(201);
        expect(sub.body).toMatchObject({ path: '/Photos/2024', parentId: made.body.id });

        const before = await snapshot(u.namespaceId);
        const taken = await a.post('/mkdir', { path: '/PHOTOS' });
        expect(taken.status).toBe(409);
        expect(taken.body.error.code).toBe('name_taken');
        expect(taken.body.error.details.current).toMatchObject({ id: made.body.id, name: 'Photos' });
        const missing = await a.post('/mkdir', { path: '/a/b/c' });
        expect(missing.status).toBe(404);
        expect(missing.body.error.code).toBe('parent_not_found');
        await seedFile(srv, u, '/file.txt', 'x');
        const underFile = await a.post('/mkdir', { path: '/file.txt/x' });
        expect(underFile.status).toBe(409);
        const snap = await snapshot(u.namespaceId);
        for (const body of [{}, { path: 5 }, { path: '/x', parents: 'yes' }, { path: '/x', extra: 1 }, { path: '/con' }, { path: '/a.' }, { path: '/' }]) {
          const r = await a.post('/mkdir', body);
          expect([400, 409], JSON.stringify(body)).toContain(r.status);
          expect(r.body.error.message).toBeTruthy();
        }
        expect((await a.post('/mkdir', '{not json')).body.error.code).toBe('invalid_json');
        expect(await snapshot(u.namespaceId)).toEqual(snap);
        expect(before.length + 1).toBe(snap.length); // only file.txt was added

        const ops = (await journalOf(srv, u)).map((j) => j.op);
        expect(ops.filter((o) => o === 'mkdir')).toHaveLength(2);
      });

      it('with parents: true creates the missing chain like mkdir -p', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        await a.post('/mkdir', { path: '/A' });
        const r = await a.post('/mkdir', { path: '/a/b/c/d', parents: true });
        expect(r.status).toBe(201);
        expect(r.body.path).toBe('/A/b/c/d');
        expect((await a.get('/metadata?path=/A/b/c')).body.isDir).toBe(true);
        const j = await journalOf(srv, u);
        expect(j.filter((e) => e.op === 'mkdir')).toHaveLength(4);
        expect((await a.post('/mkdir', { path: '/a/b', parents: true })).status).toBe(409);
      });
    });

    describe('move', () => {
      it('moves and renames by path or id, case-only renames, journals old and new path', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        const f = await seedFile(srv, u, '/in/a.txt', 'aaa');
        await a.post('/mkdir', { path: '/out' });

        const renamed = await a.post('/move', { from: '/in/a.txt', to: '/in/A.txt' });
        expect(renamed.status).toBe(200);
        expect(renamed.body).toMatchObject({ id: f.id, name: 'A.txt', path: '/in/A.txt', rev: 1, size: 3 });
        expect(Date.parse(renamed.body.modifiedAt)).toBeGreaterThanOrEqual(f.modifiedAt.getTime());

        const moved = await a.post('/move', { id: f.id, to: '/OUT/b.txt' });
        expect(moved.status).toBe(200);
        expect(moved.body).toMatchObject({ id: f.id, name: 'b.txt', path: '/out/b.txt' });
        expect((await a.get('/metadata?path=/in/A.txt')).status).toBe(404);
        expect((await a.get('/metadata?path=/out/b.txt')).body.contentHash).toBe(f.contentHash);

        // A folder moves with its contents.
        await seedFile(srv, u, '/in/deep/x.txt', 'x');
        const folder = await a.post('/move', { from: '/in', to: '/out/in2' });
        expect(folder.status).toBe(200);
        expect((await a.get('/metadata?path=/out/in2/deep/x.txt')).status).toBe(200);

        // Same path: nothing changes, nothing journaled.
        const count = (await journalOf(srv, u)).length;
        expect((await a.post('/move', { from: '/out/b.txt', to: '/out/b.txt' })).status).toBe(200);
        expect((await journalOf(srv, u)).length).toBe(count);

        const moves = (await journalOf(srv, u)).filter((j) => j.op === 'move');
        expect(moves.map((m) => [m.payload.from, m.payload.to])).toEqual([
          ['/in/a.txt', '/in/A.txt'],
          ['/in/A.txt', '/out/b.txt'],
          ['/in', '/out/in2'],
        ]);
        expect(moves[1]!.fileId).toBe(f.id);
      });

      it('refuses a taken target, a folder into itself, a missing parent, the root, bad input — changing nothing', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        await seedFile(srv, u, '/a/x.txt', 'x');
        await seedFile(srv, u, '/a/y.txt', 'y');
        await a.post('/mkdir', { path: '/a/sub/deeper', parents: true });
        const before = await snapshot(u.namespaceId);
        const journalBefore = (await journalOf(srv, u)).length;

        const taken = await a.post('/move', { from: '/a/x.txt', to: '/a/Y.TXT' });
        expect(taken.status).toBe(409);
        expect(taken.body.error.code).toBe('name_taken');
        for (const to of ['/a/sub', '/a/sub/a', '/a/sub/deeper/a']) {
          const r = await a.post('/move', { from: '/a', to });
          expect(r.status, to).toBe(409);
          expect(r.body.error.code, to).toBe('into_itself');
        }
        expect((await a.post('/move', { from: '/a', to: '/a/new' })).body.error.code).toBe('into_itself');
        expect((await a.post('/move', { from: '/a/sub', to: '/a/X.txt' })).body.error.code).toBe('name_taken');
        const noParent = await a.post('/move', { from: '/a/x.txt', to: '/nope/x.txt' });
        expect(noParent.status).toBe(404);
        expect((await a.post('/move', { from: '/a/x.txt', to: '/a/y.txt/x' })).status).toBe(409);
        expect((await a.post('/move', { from: '/', to: '/b' })).body.error.code).toBe('root');
        expect((await a.post('/move', { from: '/a', to: '/' })).body.error.code).toBe('root');
        expect((await a.post('/move', { from: '/missing', to: '/b' })).status).toBe(404);
        for (const body of [{ to: '/b' }, { from: '/a/x.txt', id: '00000000-0000-4000-8000-000000000000', to: '/b' }, { from: '/a/x.txt' }, { id: 'nope', to: '/b' }, { from: '/a/x.txt', to: '/b/' + 'n'.repeat(300) }, { from: '/a/x.txt', to: '/b\\c' }]) {
          const r = await a.post('/move', body);
          expect(r.status, JSON.stringify(body)).toBe(400);
          expect(r.body.error.message).toBeTruthy();
        }
        expect(await snapshot(u.namespaceId)).toEqual(before);
        expect((await journalOf(srv, u)).length).toBe(journalBefore);
      });

      it('two crossing folder moves at once never make a cycle: they run one after the other', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        for (let round = 0; round < 5; round++) {
          await a.post('/mkdir', { path: `/r${round}/x`, parents: true });
          await a.post('/mkdir', { path: `/r${round}/y` });
          const [one, two] = await Promise.all([
            a.post('/move', { from: `/r${round}/x`, to: `/r${round}/y/x` }),
            a.post('/move', { from: `/r${round}/y`, to: `/r${round}/x/y` }),
          ]);
          // Whichever ran second no longer finds its destination folder (it moved into the other).
          expect([one.status, two.status].sort()).toEqual([200, 404]);
          expect([one, two].find((r) => r.status === 404)!.body.error.code).toBe('parent_not_found');
          const listed = await a.get(`/list?path=/r${round}`);
          expect(listed.body.entries).toHaveLength(1);
          const outer = listed.body.entries[0].name as string;
          const inner = outer === 'x' ? 'y' : 'x';
          expect((await a.get(`/metadata?path=/r${round}/${outer}/${inner}`)).status).toBe(200); // still reachable from the root
        }
      });

      it('refuses to move a trashed entry by id (restore it first)', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        const f = await seedFile(srv, u, '/t.txt', 't');
        await a.post('/delete', { id: f.id });
        const r = await a.post('/move', { id: f.id, to: '/u.txt' });
        expect(r.status).toBe(409);
        expect(r.body.error.code).toBe('in_trash');
      });
    });

    describe('copy', () => {
      it('copies a file onto the same blocks: both readable, same contentHash, quota charged, journal create', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        const f = await seedFile(srv, u, '/orig.txt', 'some content to copy');
        const used = await usedBytes(srv, u);
        expect(used).toBe(20);
        const keys = (await blocksOfVersion(srv.database.db, f.headVersionId!)).map((b) => b.key);
        const refsBefore = await refcounts(srv, keys);

        const copy = await a.post('/copy', { from: '/orig.txt', to: '/Copy.txt' });
        expect(copy.status).toBe(201);
        expect(copy.body).toMatchObject({ name: 'Copy.txt', path: '/Copy.txt', size: 20, rev: 1, contentHash: f.contentHash, isDir: false });
        expect(copy.body.id).not.toBe(f.id);
        const orig = await a.get('/metadata?path=/orig.txt');
        const again = await a.get(`/files/${copy.body.id}`);
        expect(orig.body.contentHash).toBe(again.body.contentHash);
        expect(await usedBytes(srv, u)).toBe(40);

        const [v] = await srv.database.db.select().from(fileVersions).where(eq(fileVersions.fileId, copy.body.id));
        expect((await blocksOfVersion(srv.database.db, v!.id)).map((b) => b.key)).toEqual(keys);
        const refsAfter = await refcounts(srv, keys);
        for (const k of keys) expect(refsAfter.get(k)).toBe(refsBefore.get(k)! + 1);
        const creates = (await journalOf(srv, u)).filter((j) => j.op === 'create' && j.fileId === copy.body.id);
        expect(creates).toHaveLength(1);

        // By id, too.
        expect((await a.post('/copy', { id: f.id, to: '/c2.txt' })).status).toBe(201);
      });

      it('copies a folder recursively (pending uploads left out), refuses into itself', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        await seedFile(srv, u, '/src/a.txt', 'aa');
        await seedFile(srv, u, '/src/d/b.txt', 'bbb');
        await a.post('/mkdir', { path: '/src/empty' });
        const d = await a.get('/metadata?path=/src/d');
        await seedPending(srv, u, d.body.id, 'partial.bin');
        await seedFile(srv, u, '/src/d/trashed.txt', 'tt');
        await a.post('/delete', { path: '/src/d/trashed.txt' });

        const r = await a.post('/copy', { from: '/src', to: '/dst' });
        expect(r.status).toBe(201);
        expect(r.body).toMatchObject({ path: '/dst', isDir: true });
        const list = await a.get('/list?path=/dst');
        expect(list.body.entries.map((e: View) => e.name)).toEqual(['d', 'empty', 'a.txt']);
        const inner = await a.get('/list?path=/dst/d');
        expect(inner.body.entries.map((e: View) => e.name)).toEqual(['b.txt']);
        expect((await a.get('/metadata?path=/dst/d/b.txt')).body.contentHash).toBe((await a.get('/metadata?path=/src/d/b.txt')).body.contentHash);
        expect(await usedBytes(srv, u)).toBe(2 + 3 + 2 + 2 + 3); // trashed files still count until purged

        const j = (await journalOf(srv, u)).slice(-5);
        expect(j.map((e) => e.op).sort()).toEqual(['create', 'create', 'mkdir', 'mkdir', 'mkdir']);

        const into = await a.post('/copy', { from: '/src', to: '/src/d/again' });
        expect(into.status).toBe(409);
        expect(into.body.error.code).toBe('into_itself');
        const taken = await a.post('/copy', { from: '/src/a.txt', to: '/DST/A.TXT' });
        expect(taken.status).toBe(409);
        expect(taken.body.error.code).toBe('name_taken');
        const pending = await a.post('/copy', { from: '/src/d/partial.bin', to: '/p.bin' });
        expect(pending.status).toBe(409);
        expect(pending.body.error.code).toBe('not_ready');
        expect((await a.post('/copy', { from: '/', to: '/x' })).body.error.code).toBe('root');
        expect((await a.post('/copy', { from: '/src', to: '/nope/x' })).status).toBe(404);
      });

      it('answers 507 when the copy does not fit the quota, and copies nothing', async () => {
        const u = await srv.user({ quotaBytes: 100 });
        const a = apiAs(srv, u);
        await seedFile(srv, u, '/big/a.bin', 'x'.repeat(30));
        await seedFile(srv, u, '/big/b.bin', 'y'.repeat(30));
        const before = await snapshot(u.namespaceId);
        const r = await a.post('/copy', { from: '/big', to: '/big2' });
        expect(r.status).toBe(507);
        expect(r.body.error.code).toBe('quota_exceeded');
        expect(r.body.error.details).toMatchObject({ usedBytes: 60, quotaBytes: 100, neededBytes: 60 });
        expect(await snapshot(u.namespaceId)).toEqual(before);
        expect(await usedBytes(srv, u)).toBe(60);
        expect((await a.post('/copy', { from: '/big/a.bin', to: '/a.bin' })).status).toBe(201);
        expect((await a.post('/copy', { from: '/big/a.bin', to: '/a2.bin' })).status).toBe(507);
      });
    });

    describe('delete', () => {
      it('moves a file or a whole folder to the trash, frees the name, journals delete', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        const f = await seedFile(srv, u, '/dir/f.txt', 'f');
        await seedFile(srv, u, '/dir/sub/g.txt', 'g');
        const del = await a.post('/delete', { path: '/DIR' });
        expect(del.status).toBe(200);
        expect(del.body).toMatchObject({ path: '/dir', isDir: true });
        expect(del.body.trashedAt).toBeTruthy();
        expect((await a.get('/metadata?path=/dir/f.txt')).status).toBe(404);
        expect((await a.get('/list')).body.entries).toEqual([]);
        // Still visible by id, with trashedAt set (same instant as its folder).
        const byId = await a.get(`/files/${f.id}`);
        expect(byId.status).toBe(200);
        expect(byId.body).toMatchObject({ path: '/dir/f.txt', trashedAt: del.body.trashedAt });
        // The name is free again.
        expect((await a.post('/mkdir', { path: '/dir' })).status).toBe(201);
        const j = (await journalOf(srv, u)).filter((e) => e.op === 'delete');
        expect(j).toHaveLength(1);
        expect(j[0]!.payload).toMatchObject({ path: '/dir', isDir: true });

        expect((await a.post('/delete', { id: f.id })).body.error.code).toBe('in_trash');
        expect((await a.post('/delete', { path: '/' })).body.error.code).toBe('root');
        expect((await a.post('/delete', { path: '/nope' })).status).toBe(404);
        for (const body of [{}, { path: '/dir', id: f.id }, { id: 'x' }, { path: 1 }, { path: '/dir', recursive: 'yes' }, { path: '/dir', rev: -1 }, { path: '/dir', rev: 1.5 }]) {
          expect((await a.post('/delete', body)).status, JSON.stringify(body)).toBe(400);
        }
        expect((await a.get('/metadata?path=/dir')).status).toBe(200);
      });

      it('with rev, only while the entry is at that revision; with recursive false, only an empty folder; a refusal changes nothing', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        const f = await seedFile(srv, u, '/d/f.txt', 'f');
        const before = await snapshot(u.namespaceId);
        const journalBefore = (await journalOf(srv, u)).length;

        const stale = await a.post('/delete', { path: '/d/f.txt', rev: 2 });
        expect(stale.status).toBe(409);
        expect(stale.body.error).toMatchObject({ code: 'stale_revision', details: { current: { id: f.id, rev: 1, size: 1, contentHash: f.contentHash } } });
        expect((await a.post('/delete', { id: f.id, rev: 0 })).body.error.code).toBe('stale_revision');
        const full = await a.post('/delete', { path: '/D', recursive: false });
        expect(full.status).toBe(409);
        expect(full.body.error.code).toBe('not_empty');
        // A folder's revision is 0; its condition is checked before its contents.
        expect((await a.post('/delete', { path: '/d', rev: 1, recursive: false })).body.error.code).toBe('stale_revision');
        expect(await snapshot(u.namespaceId)).toEqual(before);
        expect(await journalOf(srv, u)).toHaveLength(journalBefore);

        // recursive false applies to folders only; rev to anything.
        const gone = await a.post('/delete', { id: f.id, rev: 1, recursive: false });
        expect(gone.status).toBe(200);
        expect(gone.body).toMatchObject({ id: f.id, rev: 1 });
        expect(gone.body.trashedAt).toBeTruthy();
        // What is in the trash does not count: the folder is empty now.
        const empty = await a.post('/delete', { path: '/d', rev: 0, recursive: false });
        expect(empty.status).toBe(200);
        expect(empty.body).toMatchObject({ path: '/d', isDir: true });
        expect((await a.post('/delete', { path: '/d', rev: 0 })).status).toBe(404);
        const j = (await journalOf(srv, u)).slice(journalBefore);
        expect(j.map((e) => `${e.op} ${String(e.payload.path)}`)).toEqual(['delete /d/f.txt', 'delete /d']);
      });
    });

    describe('search', () => {
      it('finds live entries whose name contains q, case-insensitively, with paths; % and _ are literal', async () => {
        const u = await srv.user();
        const a = apiAs(srv, u);
        await seedFile(srv, u, '/Reports/Annual REPORT 2024.pdf', 'r1');
        await seedFile(srv, u, '/notes/report-draft.txt', 'r2');
        await seedFile(srv, u, '/notes/other.txt', 'o');
        await seedFile(srv, u, '/100%_done.txt', 'p');
        await seedFile(srv, u, '/1000 done.txt', 'p');
        await seedFile(srv, u, '/Straße.txt', 's');
        await seedFile(srv, u, '/old report.txt', 'old');
        await a.post('/delete', { path: '/old report.txt' });

        const r = await a.get('/search?q=report');
        expect(r.status).toBe(200);
        expect(r.body.entries.map((e: View) => e.path).sort()).toEqual(['/notes/report-draft.txt', '/Reports', '/Reports/Annual REPORT 2024.pdf'].sort());
        expect(r.body.entries[0].path).toMatch(/^\/(Reports|notes\/report-draft\.txt)$/); // prefix matches first
        expect((await a.get(`/search?q=${q('%_')}`)).body.entries.map((e: View) => e.name)).toEqual(['100%_done.txt']);
        expect((await a.get(`/search?q=${q('0_d')}`)).body.entries).toEqual([]);
        expect((await a.get(`/search?q=${q('STRASSE')}`)).body.entries.map((e: View) => e.name)).toEqual(['Straße.txt']);
        expect((await a.get('/search?q=report&limit=1')).body.entries).toHaveLength(1);
        expect((await a.get('/search?q=zzz')).body.entries).toEqual([]);
        for (const bad of ['', 'q=', `q=${'x'.repeat(256)}`, 'q=a&limit=0', 'q=a&limit=5000']) {
          const res = await a.get(`/search?${bad}`);
          expect(res.status, bad).toBe(400);
          expect(res.body.error.code).toBe('invalid_request');
        }
      });
    });
  });
}
