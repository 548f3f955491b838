/**
 * The WebDAV face's own rules, over real HTTP on PostgreSQL: who may sign in (app passwords;
 * never a cookie or bearer token; the account password only when allowed; rate limited), XML
 * refused safely (XXE, billion laughs, malformed: 400), RFC 4331 quota from the real quota,
 * modification times kept (X-OC-Mtime, Win32LastModifiedTime), the per-user root, PUTs in the
 * change feed, and an interrupted PUT leaving the previous revision in place.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppPassword } from '../src/auth/app-passwords.js';
import { startDavServer, type DavServer } from './fixtures/webdav.js';

let s: DavServer;
beforeAll(async () => {
  s = await startDavServer({ COFFER_LOGIN_FAILURES_PER_USER: '3' });
});
afterAll(async () => {
  await s?.close();
});

const propfind = (path: string, body: string, depth = '0', headers: Record<string, string> = {}) =>
  s.fetch(path, { method: 'PROPFIND', headers: { depth, 'content-type': 'application/xml', ...headers }, body });

describe('auth', () => {
  it('takes Basic auth with an app password, answers 401 with a Basic challenge otherwise', async () => {
    expect((await s.fetch('/', { method: 'PROPFIND', headers: { depth: '0' } })).status).toBe(207);
    const none = await fetch(`${s.dav}/`, { method: 'PROPFIND' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    // The REST API's bearer token and a browser's cookie are not credentials here.
    const token = s.bearer.authorization!.slice(7);
    expect((await fetch(`${s.dav}/`, { method: 'PROPFIND', headers: s.bearer })).status).toBe(401);
    expect((await fetch(`${s.dav}/`, { method: 'PROPFIND', headers: { cookie: `coffer_session=${token}` } })).status).toBe(401);
    // The account password is refused unless the admin allows it.
    const account = `Basic ${Buffer.from(`${s.username}:correct horse battery staple`).toString('base64')}`;
    expect((await fetch(`${s.dav}/`, { method: 'PROPFIND', headers: { authorization: account, depth: '0' } })).status).toBe(401);
    // OPTIONS answers anonymously (Windows asks before it signs in).
    const opt = await fetch(`${s.dav}/`, { method: 'OPTIONS' });
    expect(opt.status).toBe(200);
    expect(opt.headers.get('dav')).toContain('2');
    expect(opt.headers.get('ms-author-via')).toBe('DAV');
    // …and of the server's root, before mapping a drive below it.
    const root = await fetch(`${s.server.url}/`, { method: 'OPTIONS' });
    expect(root.status).toBe(200);
    expect(root.headers.get('dav')).toContain('2');
  });

  it('rate limits failed attempts like a sign-in (429), while the right app password is never slowed', async () => {
    const wrong = `Basic ${Buffer.from(`${s.username}:nope`).toString('base64')}`;
    const statuses: number[] = [];
    // The limit is 3 a minute; the test above failed once already (the account password).
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${s.dav}/`, { method: 'PROPFIND', headers: { authorization: wrong } })).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
    expect((await s.fetch('/', { method: 'PROPFIND', headers: { depth: '0' } })).status).toBe(207);
    const other = await s.server.user();
    const wrongOther = `Basic ${Buffer.from(`${other.username}:nope`).toString('base64')}`;
    expect((await fetch(`${s.dav}/`, { method: 'PROPFIND', headers: { authorization: wrongOther } })).status).toBe(401);
  });
});

describe('XML', () => {
  it('refuses DOCTYPEs (XXE, billion laughs) and malformed XML with 400, never 500', async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&x;</D:displayname></D:prop></D:propfind>';
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><D:propfind xmlns:D="DAV:"><D:prop><j xmlns="x">&j;</j></D:prop></D:propfind>`;
    for (const body of [xxe, laughs, '<D:propfind xmlns:D="DAV:"><D:prop>', '<a><b></a>', 'not xml', '<x:propfind/>', '<D:propfind xmlns:D="DAV:">&unknown;</D:propfind>']) {
      const r = await propfind('/', body);
      expect(r.status, body.slice(0, 40)).toBe(400);
      expect(await r.text()).not.toContain('root:');
    }
  });
});

describe('properties', () => {
  it('answers RFC 4331 quota from the real quota, and the REST ETag', async () => {
    expect((await s.fetch('/q.bin', { method: 'PUT', body: new Uint8Array(1000) })).status).toBe(201);
    const r = await propfind('/', '<D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>');
    const xml = await r.text();
    const used = Number(/quota-used-bytes>(\d+)</.exec(xml)?.[1]);
    const available = Number(/quota-available-bytes>(\d+)</.exec(xml)?.[1]);
    const me = (await (await fetch(`${s.server.url}/api/v1/me`, { headers: s.bearer })).json()) as { usedBytes: number; quotaBytes: number; reservedBytes: number };
    expect(used).toBe(me.usedBytes);
    expect(used).toBeGreaterThanOrEqual(1000);
    expect(available).toBe(me.quotaBytes - me.usedBytes - me.reservedBytes);
    const file = await propfind('/q.bin', '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>');
    const rest = await fetch(`${s.server.url}/api/v1/download?path=/q.bin`, { method: 'HEAD', headers: s.bearer });
    expect(await file.text()).toContain(`<D:getetag>${rest.headers.get('etag')!}</D:getetag>`);
  });

  it('keeps modification times set by X-OC-Mtime and Win32LastModifiedTime', async () => {
    const put = await s.fetch('/m.txt', { method: 'PUT', body: 'x', headers: { 'x-oc-mtime': '1500000000' } });
    expect(put.headers.get('x-oc-mtime')).toBe('accepted');
    const read = async () => /getlastmodified>([^<]+)</.exec(await (await propfind('/m.txt', '<D:propfind xmlns:D="DAV:"><D:prop><D:getlastmodified/></D:prop></D:propfind>')).text())?.[1];
    expect(await read()).toBe(new Date(1500000000 * 1000).toUTCString());
    const when = 'Wed, 01 Jan 2020 10:00:00 GMT';
    const patch = await s.fetch('/m.txt', {
      method: 'PROPPATCH',
      headers: { 'content-type': 'application/xml' },
      body: `<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop><Z:Win32LastModifiedTime>${when}</Z:Win32LastModifiedTime></D:prop></D:set></D:propertyupdate>`,
    });
    expect(patch.status).toBe(207);
    expect(await patch.text()).toContain('200 OK');
    expect(await read()).toBe(when);
  });

  it('copies dead properties with a folder and everything in it; a move keeps them', async () => {
    const setProp = (path: string, v: string) =>
      s.fetch(path, { method: 'PROPPATCH', body: `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><t:tag xmlns:t="urn:test">${v}</t:tag></D:prop></D:set></D:propertyupdate>` });
    const getProp = async (path: string) => (await (await propfind(path, '<D:propfind xmlns:D="DAV:"><D:prop><t:tag xmlns:t="urn:test"/></D:prop></D:propfind>')).text()).match(/<tag xmlns="urn:test">([^<]*)<\/tag>/)?.[1];
    await s.fetch('/pc', { method: 'MKCOL' });
    await s.fetch('/pc/in', { method: 'MKCOL' });
    await s.fetch('/pc/in/f.txt', { method: 'PUT', body: 'f' });
    for (const [p, v] of [['/pc', 'top'], ['/pc/in', 'mid'], ['/pc/in/f.txt', 'leaf']] as const) expect((await setProp(p, v)).status).toBe(207);
    expect((await s.fetch('/pc', { method: 'COPY', headers: { destination: `${s.dav}/pc2` } })).status).toBe(201);
    expect([await getProp('/pc2'), await getProp('/pc2/in'), await getProp('/pc2/in/f.txt')]).toEqual(['top', 'mid', 'leaf']);
    expect((await s.fetch('/pc2/in/f.txt', { method: 'MOVE', headers: { destination: `${s.dav}/moved.txt` } })).status).toBe(201);
    expect(await getProp('/moved.txt')).toBe('leaf');
  });

  it('refuses Depth: infinity with propfind-finite-depth', async () => {
    const r = await propfind('/', '', 'infinity');
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('propfind-finite-depth');
  });

  it('serves the same tree at /dav/files/USERNAME/', async () => {
    expect((await s.fetch(`/files/${s.username}/per-user.txt`, { method: 'PUT', body: 'u' })).status).toBe(201);
    expect(await (await s.fetch('/per-user.txt')).text()).toBe('u');
    const listing = await (await s.fetch(`/files/${s.username}/`, { method: 'PROPFIND', headers: { depth: '1' } })).text();
    expect(listing).toContain(`<D:href>/dav/files/${s.username}/per-user.txt</D:href>`);
  });
});

describe('uploads', () => {
  it('appear in the change feed like any upload', async () => {
    const start = ((await (await fetch(`${s.server.url}/api/v1/changes/latest`, { headers: s.bearer })).json()) as { cursor: number }).cursor;
    expect((await s.fetch('/feed.txt', { method: 'PUT', body: 'in the feed' })).status).toBe(201);
    const page = (await (await fetch(`${s.server.url}/api/v1/changes?cursor=${start}`, { headers: s.bearer })).json()) as { entries: { op: string; name: string; size: number }[] };
    expect(page.entries).toContainEqual(expect.objectContaining({ op: 'create', name: 'feed.txt', size: 11 }));
  });

  it("wake another device's long poll", async () => {
    const start = ((await (await fetch(`${s.server.url}/api/v1/changes/latest`, { headers: s.bearer })).json()) as { cursor: number }).cursor;
    const poll = fetch(`${s.server.url}/api/v1/changes/longpoll?cursor=${start}&timeout=30`, { headers: s.bearer }).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 200));
    const t = Date.now();
    expect((await s.fetch('/wake.txt', { method: 'PUT', body: 'wake up' })).status).toBe(201);
    expect(await poll).toEqual({ changes: true });
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it('take chunked bodies, and a PUT cut off half-way leaves the previous revision', async () => {
    const chunked = await s.fetch('/atomic.bin', {
      method: 'PUT',
      body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('first version')), c.close()) }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(201);
    const url = new URL(`${s.dav}/atomic.bin`);
    await new Promise<void>((done) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { authorization: s.basic, 'content-length': String(4 * 1024 * 1024) } });
      req.on('error', () => done());
      req.write(Buffer.alloc(1024 * 1024, 7), () => setTimeout(() => (req.destroy(), done()), 200));
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await (await s.fetch('/atomic.bin')).text()).toBe('first version');
  });

  it('over quota: 507 Insufficient Storage, and the file keeps what it had', async () => {
    const small = await s.server.user({ quotaBytes: 10_000 });
    const { password } = await createAppPassword(s.server.database.db, small.id, 'q');
    const auth = { authorization: `Basic ${Buffer.from(`${small.username}:${password}`).toString('base64')}` };
    expect((await fetch(`${s.dav}/fits.txt`, { method: 'PUT', headers: auth, body: 'small' })).status).toBe(201);
    const big = await fetch(`${s.dav}/fits.txt`, { method: 'PUT', headers: auth, body: new Uint8Array(50_000) });
    expect(big.status).toBe(507);
    expect(await (await fetch(`${s.dav}/fits.txt`, { headers: auth })).text()).toBe('small');
  });
});
