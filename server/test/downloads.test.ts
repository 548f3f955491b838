import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startTestServer, type TestServer } from './fixtures/server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

type Json = Record<string, any>;

for (const backend of BACKENDS) {
  describe(`downloads and revisions (${backend})`, () => {
    let srv: TestServer;
    let u: Awaited<ReturnType<TestServer['user']>>;
    const v1 = randomBytes(5 << 20);
    const v2 = Buffer.concat([v1.subarray(0, 2 << 20), randomBytes(1 << 20)]);
    let fileId = '';
    beforeAll(async () => {
      srv = await startTestServer(backend);
      u = await srv.user();
      fileId = ((await (await upload(srv.url, u.auth, '/Résumé 2026.pdf', v1)).json()) as Json).id;
      await upload(srv.url, u.auth, '/Résumé 2026.pdf', v2, '&baseRev=1');
    }, 60_000);
    afterAll(async () => {
      await srv?.close();
    });

    it('every revision reads back byte-identical, by path and by id', async () => {
      const head = await download(srv.url, u.auth, '/Résumé 2026.pdf');
      expect(head.status).toBe(200);
      expect(head.headers.get('x-coffer-rev')).toBe('2');
      expect(sha256(new Uint8Array(await head.arrayBuffer()))).toBe(sha256(v2));
      const r1 = await download(srv.url, u.auth, '/résumé 2026.pdf', {}, '&rev=1');
      expect(sha256(new Uint8Array(await r1.arrayBuffer()))).toBe(sha256(v1));
      const byId = await fetch(`${srv.url}/api/v1/files/${fileId}/content?rev=1`, { headers: u.auth });
      expect(sha256(new Uint8Array(await byId.arrayBuffer()))).toBe(sha256(v1));
      expect((await download(srv.url, u.auth, '/Résumé 2026.pdf', {}, '&rev=3')).status).toBe(404);
      expect((await download(srv.url, u.auth, '/Résumé 2026.pdf', {}, '&rev=zero')).status).toBe(400);
    });

    it('headers: type, length, ETag, Content-Disposition with a non-ASCII name', async () => {
      const res = await download(srv.url, u.auth, '/Résumé 2026.pdf');
      await res.arrayBuffer();
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-length')).toBe(String(v2.length));
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
      const cd = res.headers.get('content-disposition')!;
      expect(cd).toContain('attachment; filename="R_sum_ 2026.pdf"');
      expect(cd).toContain("filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf");
      const head = await fetch(`${srv.url}/api/v1/download?path=/R%C3%A9sum%C3%A9%202026.pdf`, { method: 'HEAD', headers: u.auth });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(v2.length));
    });

    it('Range gives 206 with exactly the bytes asked for; unsatisfiable is 416; If-Range with an old ETag gives all', async () => {
      const cases: [string, number, number][] = [
        ['bytes=0-0', 0, 1],
        ['bytes=1000-2099999', 1000, 2_100_000],
        ['bytes=3000000-', 3_000_000, v2.length],
        ['bytes=-500', v2.length - 500, v2.length],
        ['bytes=100-99999999999', 100, v2.length],
      ];
      for (const [range, start, end] of cases) {
        const res = await download(srv.url, u.auth, '/Résumé 2026.pdf', { range });
        expect(res.status, range).toBe(206);
        expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end - 1}/${v2.length}`);
        const body = Buffer.from(await res.arrayBuffer());
        expect(body.equals(v2.subarray(start, end)), range).toBe(true);
      }
      const bad = await download(srv.url, u.auth, '/Résumé 2026.pdf', { range: `bytes=${v2.length}-` });
      expect(bad.status).toBe(416);
      expect(bad.headers.get('content-range')).toBe(`bytes */${v2.length}`);
      const multi = await download(srv.url, u.auth, '/Résumé 2026.pdf', { range: 'bytes=0-1,5-6' });
      expect(multi.status).toBe(200);
      await multi.arrayBuffer();
      const stale = await download(srv.url, u.auth, '/Résumé 2026.pdf', { range: 'bytes=0-9', 'if-range': `"${'0'.repeat(64)}"` });
      expect(stale.status).toBe(200);
      expect((await stale.arrayBuffer()).byteLength).toBe(v2.length);
    });

    it('If-None-Match with the current ETag is 304; with another, 200', async () => {
      const first = await download(srv.url, u.auth, '/Résumé 2026.pdf');
      await first.arrayBuffer();
      const etag = first.headers.get('etag')!;
      const again = await download(srv.url, u.auth, '/Résumé 2026.pdf', { 'if-none-match': etag });
      expect(again.status).toBe(304);
      const old = await download(srv.url, u.auth, '/Résumé 2026.pdf', { 'if-none-match': '"abc"' });
      expect(old.status).toBe(200);
      await old.arrayBuffer();
    });

    it('lists revisions newest first and restores one as a new revision, keeping history', async () => {
      const list = await fetch(`${srv.url}/api/v1/revisions?path=${encodeURIComponent('/Résumé 2026.pdf')}&limit=10`, { headers: u.auth });
      const revs = ((await list.json()) as Json).revisions as Json[];
      expect(revs.map((r) => r.rev)).toEqual([2, 1]);
      expect(revs[1]).toMatchObject({ size: v1.length, restoredFrom: null });
      const limited = (await (await fetch(`${srv.url}/api/v1/files/${fileId}/revisions?limit=1`, { headers: u.auth })).json()) as Json;
      expect(limited.revisions).toHaveLength(1);

      const restore = await fetch(`${srv.url}/api/v1/revisions/restore`, {
        method: 'POST',
        headers: { ...u.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/Résumé 2026.pdf', rev: 1 }),
      });
      expect(restore.status).toBe(200);
      expect(((await restore.json()) as Json).rev).toBe(3);
      const head = await download(srv.url, u.auth, '/Résumé 2026.pdf');
      expect(sha256(new Uint8Array(await head.arrayBuffer()))).toBe(sha256(v1));
      const after = ((await (await fetch(`${srv.url}/api/v1/files/${fileId}/revisions`, { headers: u.auth })).json()) as Json).revisions as Json[];
      expect(after.map((r) => [r.rev, r.restoredFrom])).toEqual([[3, 1], [2, null], [1, null]]);
      for (const [rev, data] of [[1, v1], [2, v2], [3, v1]] as const) {
        const r = await download(srv.url, u.auth, '/Résumé 2026.pdf', {}, `&rev=${rev}`);
        expect(sha256(new Uint8Array(await r.arrayBuffer()))).toBe(sha256(data));
      }
      for (const body of [{ path: '/Résumé 2026.pdf', rev: 9 }, { path: '/nope', rev: 1 }, { path: '/Résumé 2026.pdf' }, { id: fileId, path: '/x', rev: 1 }]) {
        const r = await fetch(`${srv.url}/api/v1/revisions/restore`, { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect([400, 404], JSON.stringify(body)).toContain(r.status);
      }
    });

    it('gives a revision’s block list, whose blocks fetched by hash rebuild the file exactly', async () => {
      for (const [rev, data] of [[1, v1], [2, v2]] as const) {
        const res = await fetch(`${srv.url}/api/v1/revisions/blocks?path=${encodeURIComponent('/Résumé 2026.pdf')}&rev=${rev}`, { headers: u.auth });
        expect(res.status).toBe(200);
        const list = (await res.json()) as { rev: number; size: number; blocks: { hash: string; size: number }[] };
        expect(list.rev).toBe(rev);
        expect(list.blocks.reduce((n, b) => n + b.size, 0)).toBe(data.length);
        const parts: Buffer[] = [];
        for (const b of list.blocks) {
          const block = await fetch(`${srv.url}/api/v1/blocks/${b.hash}`, { headers: u.auth });
          expect(block.status).toBe(200);
          parts.push(Buffer.from(await block.arrayBuffer()));
        }
        expect(Buffer.concat(parts).equals(data)).toBe(true);
        // Not the head (rev 3 is): no modification time of the file's with it.
        expect((list as { modifiedAt?: string }).modifiedAt).toBeUndefined();
      }
      // The head's list carries the file's own modification time (a download sets it without asking for it again).
      const headList = (await (await fetch(`${srv.url}/api/v1/revisions/blocks?path=${encodeURIComponent('/Résumé 2026.pdf')}`, { headers: u.auth })).json()) as { rev: number; modifiedAt?: string };
      const stat = (await (await fetch(`${srv.url}/api/v1/metadata?path=${encodeURIComponent('/Résumé 2026.pdf')}`, { headers: u.auth })).json()) as { rev: number; modifiedAt: string };
      expect(headList.rev).toBe(3);
      expect(headList.modifiedAt).toBe(stat.modifiedAt);
      const other = await srv.user();
      expect((await fetch(`${srv.url}/api/v1/revisions/blocks?path=${encodeURIComponent('/Résumé 2026.pdf')}`, { headers: other.auth })).status).toBe(404);
      expect((await fetch(`${srv.url}/api/v1/revisions/blocks?path=${encodeURIComponent('/Résumé 2026.pdf')}&rev=9`, { headers: u.auth })).status).toBe(404);
    });

    it('/me tells the caller their quota and usage', async () => {
      const me = (await (await fetch(`${srv.url}/api/v1/me`, { headers: u.auth })).json()) as { quotaBytes: number; usedBytes: number };
      expect(me.quotaBytes).toBe(10 * 1024 ** 3);
      expect(me.usedBytes).toBeGreaterThanOrEqual(v1.length);
    });
  });
}
