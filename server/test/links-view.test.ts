/**
 * Public view links (issue 15): a file or folder reached through /s/{token} without any account —
 * listing, downloads with Range, the headers of user content, options (expiry, download limit,
 * disable, password) and the owner's management API. A link never lends its owner's session:
 * a token is no bearer credential, and a session sent along changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { inbox, linkFetch, makeLink } from './fixtures/links.js';
import { upload } from './fixtures/transfer.js';

type Json = Record<string, any>;

for (const backend of BACKENDS) {
  describe(`public view links (${backend})`, () => {
    const srv = useTestServer(backend);
    const mkdir = (auth: Record<string, string>, path: string) =>
      fetch(`${srv.url}/api/v1/mkdir`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ path }) });

    it('a file link serves the file to anyone, with the headers of user content and no session', async () => {
      const owner = await srv.user();
      await upload(srv.url, owner.auth, '/page.html', Buffer.from('<script>alert(1)</script>'));
      const { status, link, token } = await makeLink(srv.url, owner.auth, { path: '/page.html' });
      expect(status).toBe(201);
      expect(link).toMatchObject({ path: '/page.html', isDir: false, kind: 'view', hasPassword: false, downloads: 0, disabled: false });
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits

      const info = await linkFetch(srv.url, token);
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({ kind: 'view', name: 'page.html', isDir: false, size: 25 });

      const res = await linkFetch(srv.url, token, '/download');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('<script>alert(1)</script>');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      expect(res.headers.get('set-cookie')).toBeNull();

      const part = await linkFetch(srv.url, token, '/download', { headers: { range: 'bytes=8-12' } });
      expect(part.status).toBe(206);
      expect(await part.text()).toBe('alert');

      // The token is no credential for the API, and another user's session does not change the link.
      expect((await fetch(`${srv.url}/api/v1/list?path=/`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      const other = await srv.user();
      expect((await linkFetch(srv.url, token, '/download', { headers: other.auth })).status).toBe(200);
    });

    it('a folder link lists and serves what is under it, and nothing outside it', async () => {
      const owner = await srv.user();
      await mkdir(owner.auth, '/Shared');
      await mkdir(owner.auth, '/Shared/Sub');
      await upload(srv.url, owner.auth, '/Shared/a.txt', Buffer.from('aaa'));
      await upload(srv.url, owner.auth, '/Shared/Sub/b.txt', Buffer.from('bb'));
      await upload(srv.url, owner.auth, '/secret.txt', Buffer.from('secret'));
      const { token } = await makeLink(srv.url, owner.auth, { path: '/Shared' });

      const root = (await (await linkFetch(srv.url, token)).json()) as Json;
      expect(root).toMatchObject({ kind: 'view', name: 'Shared', isDir: true });
      expect(root.entries.map((e: Json) => e.path)).toEqual(['/Sub', '/a.txt']);
      const sub = (await (await linkFetch(srv.url, token, '?path=/Sub')).json()) as Json;
      expect(sub.entries).toEqual([expect.objectContaining({ name: 'b.txt', path: '/Sub/b.txt', size: 2 })]);
      expect(await (await linkFetch(srv.url, token, `/download?path=${encodeURIComponent('/Sub/b.txt')}`)).text()).toBe('bb');

      for (const p of ['/../secret.txt', '../secret.txt', '/Sub/../../secret.txt', '//secret.txt']) {
        const r = await linkFetch(srv.url, token, `/download?path=${encodeURIComponent(p)}`);
        expect(r.status, p).toBe(400);
      }
      expect((await linkFetch(srv.url, token, `/download?path=${encodeURIComponent('/secret.txt')}`)).status).toBe(404);
    });

    it('a big folder lists in pages of 500 through the cursor', async () => {
      const owner = await srv.user();
      await mkdir(owner.auth, '/Many');
      const names = Array.from({ length: 503 }, (_, i) => `d${String(i).padStart(3, '0')}`);
      for (let i = 0; i < names.length; i += 25) await Promise.all(names.slice(i, i + 25).map((n) => mkdir(owner.auth, `/Many/${n}`)));
      const { token } = await makeLink(srv.url, owner.auth, { path: '/Many' });
      const first = (await (await linkFetch(srv.url, token)).json()) as Json;
      expect(first.entries).toHaveLength(500);
      expect(typeof first.cursor).toBe('string');
      const second = (await (await linkFetch(srv.url, token, `?cursor=${encodeURIComponent(first.cursor)}`)).json()) as Json;
      expect([...first.entries, ...second.entries].map((e: Json) => e.name)).toEqual(names);
      expect(second.cursor).toBeUndefined();
      expect((await linkFetch(srv.url, token, '?cursor=garbage')).status).toBe(400);
    }, 60_000);

    it('a download limit counts every answer with bytes, then 410 link_gone, and the owner hears of it', async () => {
      const owner = await srv.user();
      const file = (await (await upload(srv.url, owner.auth, '/limited.bin', Buffer.alloc(1000, 7))).json()) as Json;
      const { token, link } = await makeLink(srv.url, owner.auth, { fileId: file.id, maxDownloads: 2 });
      expect(link.maxDownloads).toBe(2);
      expect((await linkFetch(srv.url, token, '/download', { method: 'HEAD' })).status).toBe(200); // HEAD is no download
      const etag = `"${file.contentHash}"`;
      expect((await linkFetch(srv.url, token, '/download', { headers: { 'if-none-match': etag } })).status).toBe(304); // nor a 304
      expect((await linkFetch(srv.url, token, '/download', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
      expect((await inbox(srv.url, owner.auth)).filter((n) => n.kind === 'link_limit')).toEqual([]);
      // A range counts too: otherwise `bytes=1-` would fetch the file past any limit.
      expect((await linkFetch(srv.url, token, '/download', { headers: { range: 'bytes=1-' } })).status).toBe(206);
      const gone = await linkFetch(srv.url, token, '/download');
      expect(gone.status).toBe(410);
      expect(((await gone.json()) as Json).error.code).toBe('link_gone');
      const limits = (await inbox(srv.url, owner.auth)).filter((n) => n.kind === 'link_limit');
      expect(limits).toHaveLength(1);
      expect(limits[0]).toMatchObject({ fileId: file.id, payload: { linkId: link.id, path: '/limited.bin', downloads: 2 } });
      const listed = (await (await fetch(`${srv.url}/api/v1/links/${link.id}`, { headers: owner.auth })).json()) as Json;
      expect(listed.downloads).toBe(2);
    });

    it('disabled, expired and trashed links answer 410; deleted ones like a token that never was', async () => {
      const owner = await srv.user();
      await upload(srv.url, owner.auth, '/x.txt', Buffer.from('x'));
      const { token, link } = await makeLink(srv.url, owner.auth, { path: '/x.txt' });
      const patch = (body: Json) =>
        fetch(`${srv.url}/api/v1/links/${link.id}`, { method: 'PATCH', headers: { ...owner.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

      expect(((await (await patch({ disabled: true })).json()) as Json).disabled).toBe(true);
      expect((await linkFetch(srv.url, token, '/download')).status).toBe(410);
      await patch({ disabled: false });
      expect((await linkFetch(srv.url, token, '/download')).status).toBe(200);
      await patch({ expiresAt: new Date(Date.now() - 1000).toISOString() });
      expect((await linkFetch(srv.url, token)).status).toBe(410);
      await patch({ expiresAt: null });
      expect((await linkFetch(srv.url, token)).status).toBe(200);

      await fetch(`${srv.url}/api/v1/delete`, { method: 'POST', headers: { ...owner.auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/x.txt' }) });
      expect((await linkFetch(srv.url, token)).status).toBe(410);

      const del = await fetch(`${srv.url}/api/v1/links/${link.id}`, { method: 'DELETE', headers: owner.auth });
      expect(del.status).toBe(204);
      const missing = await linkFetch(srv.url, token);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'No such link' } });
      // Refusals carry the link headers too (no Referer with the token, nothing cached).
      expect(missing.headers.get('referrer-policy')).toBe('no-referrer');
      expect(missing.headers.get('cache-control')).toBe('private, no-store');
      expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it("a link stops with its maker's account: a disabled maker's links answer like missing ones", async () => {
      const owner = await srv.user();
      const admin = await srv.user({ role: 'admin' });
      await upload(srv.url, owner.auth, '/m.txt', Buffer.from('m'));
      const { token } = await makeLink(srv.url, owner.auth, { path: '/m.txt' });
      expect((await linkFetch(srv.url, token, '/download')).status).toBe(200);
      const off = await fetch(`${srv.url}/api/v1/admin/users/${owner.id}`, {
        method: 'PATCH',
        headers: { ...admin.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ disabled: true }),
      });
      expect(off.status).toBe(200);
      expect((await linkFetch(srv.url, token, '/download')).status).toBe(404);
    });

    it('a password-protected link answers like a missing link until the password comes', async () => {
      const owner = await srv.user();
      await upload(srv.url, owner.auth, '/p.txt', Buffer.from('pw'));
      const { token, link } = await makeLink(srv.url, owner.auth, { path: '/p.txt', password: 'päss wörd' });
      expect(link.hasPassword).toBe(true);
      const unknown = await (await linkFetch(srv.url, 'A'.repeat(43))).json();
      for (const password of [undefined, 'wrong']) {
        const r = await linkFetch(srv.url, token, '/download', { password });
        expect(r.status).toBe(404);
        expect(await r.json()).toEqual(unknown);
      }
      const ok = await linkFetch(srv.url, token, '/download', { password: 'päss wörd' });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('pw');
    });

    it('links are managed by their owner only: others see 404; drops need a folder', async () => {
      const owner = await srv.user();
      const other = await srv.user();
      await upload(srv.url, owner.auth, '/mine.txt', Buffer.from('m'));
      const { link } = await makeLink(srv.url, owner.auth, { path: '/mine.txt' });
      expect((await makeLink(srv.url, other.auth, { path: '/mine.txt' })).status).toBe(404);
      expect((await makeLink(srv.url, other.auth, { fileId: link.fileId })).status).toBe(404);
      expect((await makeLink(srv.url, owner.auth, { path: '/mine.txt', kind: 'drop' })).status).toBe(409);
      expect((await fetch(`${srv.url}/api/v1/links/${link.id}`, { headers: other.auth })).status).toBe(404);
      expect((await fetch(`${srv.url}/api/v1/links/${link.id}`, { method: 'DELETE', headers: other.auth })).status).toBe(404);
      const mine = (await (await fetch(`${srv.url}/api/v1/links`, { headers: owner.auth })).json()) as Json;
      expect(mine.links.map((l: Json) => l.id)).toEqual([link.id]);
      expect(mine.links[0].url).toBeUndefined(); // the token is shown once
      expect(((await (await fetch(`${srv.url}/api/v1/links`, { headers: other.auth })).json()) as Json).links).toEqual([]);
    });
  });
}
