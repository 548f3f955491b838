/**
 * Hostile input to public links and their management API: malformed tokens, paths, names and
 * bodies each answer a 4xx — never a 5xx — and leave nothing behind (no file, no link, no
 * quota used or reserved). Raw bytes reach the port for what fetch would refuse to send.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/open.js';
import { useTestServer } from './fixtures/server.js';
import { linkFetch, makeLink } from './fixtures/links.js';
import { rawExchange } from './fixtures/raw-http.js';
import { upload } from './fixtures/transfer.js';

type Json = Record<string, any>;
type User = Awaited<ReturnType<ReturnType<typeof useTestServer>['user']>>;

describe('hostile input to links', () => {
  const srv = useTestServer('postgres');
  let owner: User;
  let view: string;
  let drop: string;
  let fileLink: string;
  let locked: string;

  const snapshot = async () => {
    const [row] = rowsOf<{ files: string; links: string; used: string; reserved: string }>(
      await srv.database.db.execute(sql`select
        (select count(*) from files where namespace_id = ${owner.namespaceId}) as files,
        (select count(*) from links where owner_id = ${owner.id}) as links,
        (select used_bytes from users where id = ${owner.id}) as used,
        (select reserved_bytes from users where id = ${owner.id}) as reserved`),
    );
    return row;
  };
  const refused = (status: number | undefined, what: string) => {
    expect(status, what).toBeGreaterThanOrEqual(400);
    expect(status, what).toBeLessThan(500);
  };

  beforeAll(async () => {
    owner = await srv.user();
    await fetch(`${srv.url}/api/v1/mkdir`, { method: 'POST', headers: { ...owner.auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/F' }) });
    await upload(srv.url, owner.auth, '/F/a.txt', Buffer.from('a'));
    view = (await makeLink(srv.url, owner.auth, { path: '/F' })).token;
    drop = (await makeLink(srv.url, owner.auth, { path: '/F', kind: 'drop' })).token;
    fileLink = (await makeLink(srv.url, owner.auth, { path: '/F/a.txt' })).token;
    locked = (await makeLink(srv.url, owner.auth, { path: '/F/a.txt', password: 'secret' })).token;
  });

  it('malformed tokens, paths and methods: 4xx', async () => {
    const before = await snapshot();
    const tokens = ['', 'x', 'A'.repeat(42), 'A'.repeat(44), 'A'.repeat(5000), '%00', '%C0%AF', '%ED%A0%80', 'é'.repeat(43), `${view}%00`, `${view.slice(0, 42)}=`, view.toLowerCase()];
    for (const t of tokens) {
      for (const rest of ['', '/download', '/download?path=/a.txt']) refused((await fetch(`${srv.url}/s/${t}${rest}`)).status, `token ${t.slice(0, 20)} ${rest}`);
      refused((await fetch(`${srv.url}/s/${t}/upload?name=x.txt`, { method: 'POST', body: 'x' })).status, `drop ${t.slice(0, 20)}`);
    }
    const paths = ['', '%00', '/a%00', '//a.txt', '/../F', '/./a.txt', `/${'x'.repeat(5000)}`, '/%ED%A0%80', `/${'d/'.repeat(300)}x`, '/a.txt/more', '%2F..%2F..', '/CON', '/a\u0001b'];
    for (const p of paths) {
      for (const [token, rest] of [
        [view, ''],
        [view, '/download'],
        [fileLink, '/download'],
        [drop, ''],
      ] as const) {
        refused((await linkFetch(srv.url, token, `${rest}?path=${p.includes('%') ? p : encodeURIComponent(p)}`)).status, `path ${p.slice(0, 30)} on ${rest}`);
      }
    }
    for (const method of ['PUT', 'DELETE', 'PATCH']) refused((await linkFetch(srv.url, view, '', { method })).status, method);
    refused((await linkFetch(srv.url, view, '/upload?name=x.txt', { method: 'POST', body: 'x' })).status, 'upload to a view link');
    refused((await linkFetch(srv.url, fileLink, '/upload?name=x.txt', { method: 'POST', body: 'x' })).status, 'upload to a file link');
    // Passwords that cannot be one: undecodable, huge.
    refused((await linkFetch(srv.url, locked, '', { headers: { 'x-coffer-link-password': '%E0%A4%A' } })).status, 'bad percent');
    refused((await linkFetch(srv.url, locked, '', { headers: { 'x-coffer-link-password': 'p'.repeat(8000) } })).status, 'long password');
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('drops with names or bodies that cannot be taken: 4xx, nothing stored', async () => {
    const before = await snapshot();
    for (const name of ['', '%00', 'a%00b', 'x'.repeat(1025)]) {
      const res = await linkFetch(srv.url, drop, `/upload?name=${name}`, { method: 'POST', body: 'bytes' });
      refused(res.status, `name ${name.slice(0, 20)}`);
    }
    refused((await linkFetch(srv.url, drop, '/upload', { method: 'POST', body: 'no name' })).status, 'no name');
    refused((await linkFetch(srv.url, drop, '/upload?name=a.txt', { method: 'POST', body: 'x', headers: { 'content-length': 'abc' } }).catch(() => ({ status: 400 }))).status, 'content-length abc');
    const port = Number(new URL(srv.url).port);
    // Declares more than it sends, then closes: the upload ends without a commit.
    await rawExchange(port, Buffer.from(`POST /s/${drop}/upload?name=cut.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`), { quietMs: 200 });
    // Request targets that are not URLs (control characters, spaces).
    for (const target of [`/s/${drop}/upload?name=a\x01b`, `/s/${drop}/upload?name=a b`, `/s/${drop}/upload?name=\x7f`, `/s/${view}?path=\x00`]) {
      const a = await rawExchange(port, Buffer.from(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx`));
      if (a.status !== undefined) refused(a.status, target);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await snapshot()).toEqual(before);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  }, 60_000);

  it('management bodies that break the contract: 4xx, no link made or changed', async () => {
    const before = await snapshot();
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      fetch(`${srv.url}/api/v1/links`, { method: 'POST', headers: { ...owner.auth, ...headers }, body });
    const bodies: unknown[] = [
      {},
      { path: 123 },
      { path: '/F', fileId: '00000000-0000-0000-0000-000000000000' },
      { path: '/F', kind: 'edit' },
      { path: '/F', maxDownloads: 0 },
      { path: '/F', maxDownloads: -1 },
      { path: '/F', maxDownloads: 1e20 },
      { path: '/F', maxDownloads: 1.5 },
      { path: '/F', expiresAt: 'tomorrow' },
      { path: '/F', password: '' },
      { path: '/F', password: 'a\u0000b' },
      { path: '/F', password: 'p'.repeat(2000) },
      { path: '/F', extra: true },
      { path: '/nope' },
      { path: '/F/../F' },
      { path: '/' },
      { fileId: 'not-a-uuid' },
      { fileId: '00000000-0000-0000-0000-000000000000' },
      [],
      null,
      'text',
    ];
    for (const b of bodies) refused((await post(JSON.stringify(b))).status, JSON.stringify(b));
    refused((await post('{"path":')).status, 'invalid JSON');
    refused((await post(JSON.stringify({ path: '/F', password: 'x'.repeat(100_000) }))).status, 'huge body');

    const { link } = await makeLink(srv.url, owner.auth, { path: '/F/a.txt' });
    const patch = (id: string, body: unknown) =>
      fetch(`${srv.url}/api/v1/links/${id}`, { method: 'PATCH', headers: { ...owner.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const b of [{ disabled: 'yes' }, { maxDownloads: 0 }, { expiresAt: 5 }, { password: '' }, { kind: 'drop' }, null]) refused((await patch(link.id, b)).status, JSON.stringify(b));
    for (const id of ['not-a-uuid', '00000000-0000-0000-0000-000000000000', '%00']) {
      refused((await patch(id, { disabled: true })).status, id);
      refused((await fetch(`${srv.url}/api/v1/links/${id}`, { headers: owner.auth })).status, id);
      refused((await fetch(`${srv.url}/api/v1/links/${id}`, { method: 'DELETE', headers: owner.auth })).status, id);
    }
    const unchanged = (await (await fetch(`${srv.url}/api/v1/links/${link.id}`, { headers: owner.auth })).json()) as Json;
    expect(unchanged).toMatchObject({ disabled: false, maxDownloads: null, expiresAt: null, hasPassword: false });
    await fetch(`${srv.url}/api/v1/links/${link.id}`, { method: 'DELETE', headers: owner.auth });
    expect(await snapshot()).toEqual(before);
  }, 60_000);
});
