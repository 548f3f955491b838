/** POST /list/batch: many folders' first pages in one request, each exactly what GET /list answers. */
import { describe, expect, it } from 'vitest';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { apiAs, seedFile } from './fixtures/seed.js';

for (const backend of BACKENDS) {
  describe(`POST /list/batch (${backend})`, () => {
    const srv = useTestServer(backend);

    it('answers each folder as GET /list does, and each refusal alone', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      await a.post('/mkdir/batch', { paths: ['/Docs', '/Docs/Sub', '/Docs/Zed', '/Empty', '/Docs/Sub/Deep'], parents: true });
      for (const p of ['/Docs/b.txt', '/Docs/A.txt', '/Docs/Sub/x.txt', '/top.txt']) await seedFile(srv, u, p, `content of ${p}`);
      const star = await fetch(`${srv.url}/api/v1/files/${(await a.get('/metadata?path=/Docs/A.txt')).body.id}/star`, { method: 'PUT', headers: u.auth });
      expect(star.status).toBe(200);
      const paths = ['/docs', '/Docs/Sub', '/Empty', '/', '/top.txt', '/missing', '/Docs/Sub/Deep', '/a//b'];
      const r = await a.post('/list/batch', { paths, limit: 50 });
      expect(r.status).toBe(200);
      const results = r.body.results as { ok: boolean; entries?: unknown[]; cursor?: string; error?: { status: number; code: string } }[];
      expect(results).toHaveLength(paths.length);
      for (const [i, p] of paths.entries()) {
        const one = await a.get(`/list?path=${encodeURIComponent(p)}&limit=50`);
        if (one.status === 200) {
          expect(results[i], p).toEqual({ ok: true, entries: one.body.entries });
        } else {
          expect(results[i]!.ok, p).toBe(false);
          expect(results[i]!.error, p).toMatchObject({ status: one.status, code: one.body.error.code });
        }
      }
      expect((results[0]!.entries as { path: string; starred: boolean }[]).map((e) => [e.path, e.starred])).toEqual([
        ['/Docs/Sub', false],
        ['/Docs/Zed', false],
        ['/Docs/A.txt', true],
        ['/Docs/b.txt', false],
      ]);
      expect(results[4]!.error).toMatchObject({ status: 409, code: 'not_a_folder' });
      expect(results[5]!.error).toMatchObject({ status: 404 });
      expect(results[7]!.error!.status).toBe(400);
    });

    it('pages a folder past the limit: its cursor goes on with GET /list', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      await a.post('/mkdir/batch', { paths: ['/Many', '/Many/f1', '/Many/f2', '/Few'] });
      for (let n = 0; n < 5; n++) await seedFile(srv, u, `/Many/file${n}.txt`, String(n));
      await seedFile(srv, u, '/Few/one.txt', '1');
      const r = await a.post('/list/batch', { paths: ['/Many', '/Few'], limit: 3 });
      const [many, few] = r.body.results;
      expect(many.entries.map((e: { name: string }) => e.name)).toEqual(['f1', 'f2', 'file0.txt']);
      expect(few).toEqual({ ok: true, entries: (await a.get('/list?path=/Few&limit=3')).body.entries });
      const rest = await a.get(`/list?path=/Many&limit=100&cursor=${encodeURIComponent(many.cursor)}`);
      expect(rest.status).toBe(200);
      const all = (await a.get('/list?path=/Many&limit=100')).body.entries;
      expect([...many.entries, ...rest.body.entries]).toEqual(all);
    });

    it('a malformed request is 400', async () => {
      const u = await srv.user();
      const a = apiAs(srv, u);
      const many = Array.from({ length: 101 }, (_, i) => `/f${i}`);
      for (const body of [{}, { paths: [] }, { paths: '/x' }, { paths: [5] }, { paths: ['/x'], limit: 0 }, { paths: ['/x'], limit: 1001 }, { paths: ['/x'], extra: 1 }, { paths: many }]) {
        const r = await a.post('/list/batch', body);
        expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(r.body.error.message).toBeTruthy();
      }
    });
  });
}
