/**
 * File drops (issue 15): strangers put files into a folder through a `drop` link and can do
 * nothing else — no listing, no download. Dropped files go through the one upload commit path as
 * the owner's files: the owner's quota is charged (507 past it), names are made storable and a
 * taken name becomes "name (1).ext", and the owner's inbox gets one `link_drop` per burst.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { inbox, linkFetch, makeLink } from './fixtures/links.js';
import { upload } from './fixtures/transfer.js';

type Json = Record<string, any>;

for (const backend of BACKENDS) describe(`file drops (${backend})`, () => {
  const srv = useTestServer(backend);
  const mkdir = (auth: Record<string, string>, path: string) =>
    fetch(`${srv.url}/api/v1/mkdir`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ path }) });
  const list = async (auth: Record<string, string>, path: string) =>
    ((await (await fetch(`${srv.url}/api/v1/list?path=${encodeURIComponent(path)}`, { headers: auth })).json()) as Json).entries.map((e: Json) => e.name);
  const drop = (token: string, name: string, body: string | Uint8Array) =>
    linkFetch(srv.url, token, `/upload?name=${encodeURIComponent(name)}`, { method: 'POST', body });
  const me = async (auth: Record<string, string>) => (await (await fetch(`${srv.url}/api/v1/me`, { headers: auth })).json()) as Json;

  it('strangers drop files in; collisions are numbered; they can neither list nor download', async () => {
    const owner = await srv.user();
    await mkdir(owner.auth, '/Inbox');
    await upload(srv.url, owner.auth, '/Inbox/report.pdf', Buffer.from('mine'));
    const { token, link } = await makeLink(srv.url, owner.auth, { path: '/Inbox', kind: 'drop' });
    expect(link).toMatchObject({ kind: 'drop', isDir: true });

    const first = await drop(token, 'report.pdf', 'theirs');
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ name: 'report (1).pdf', size: 6 });
    expect(await (await drop(token, 'REPORT.pdf', 'again')).json()).toEqual({ name: 'REPORT (2).pdf', size: 5 });
    expect(await (await drop(token, 'new.txt', 'n')).json()).toEqual({ name: 'new.txt', size: 1 });
    expect((await list(owner.auth, '/Inbox')).sort()).toEqual(['REPORT (2).pdf', 'new.txt', 'report (1).pdf', 'report.pdf']);
    // The owner's own file is untouched.
    expect(await (await fetch(`${srv.url}/api/v1/download?path=/Inbox/report.pdf`, { headers: owner.auth })).text()).toBe('mine');

    const view = (await (await linkFetch(srv.url, token)).json()) as Json;
    expect(view).toEqual({ kind: 'drop', name: 'Inbox', isDir: true, size: 0, expiresAt: null });
    expect((await linkFetch(srv.url, token, '?path=/new.txt')).status).toBe(404);
    expect((await linkFetch(srv.url, token, '/download')).status).toBe(404);
    expect((await linkFetch(srv.url, token, `/download?path=${encodeURIComponent('/new.txt')}`)).status).toBe(404);

    // One inbox entry for the burst, not one per file.
    const drops = (await inbox(srv.url, owner.auth)).filter((n) => n.kind === 'link_drop');
    expect(drops).toHaveLength(1);
    expect(drops[0]!.payload).toMatchObject({ linkId: link.id, folder: '/Inbox', count: 3, bytes: 12, names: ['report (1).pdf', 'REPORT (2).pdf', 'new.txt'], path: '/Inbox/new.txt' });

    // Once read, the next drop starts a new entry.
    await fetch(`${srv.url}/api/v1/notifications/read`, { method: 'POST', headers: { ...owner.auth, 'content-type': 'application/json' }, body: JSON.stringify({ all: true }) });
    expect((await drop(token, 'later.txt', 'l')).status).toBe(201);
    const after = (await inbox(srv.url, owner.auth)).filter((n) => n.kind === 'link_drop');
    expect(after.map((n) => n.payload.count)).toEqual([1, 3]);

    // A view link cannot take uploads.
    const { token: viewToken } = await makeLink(srv.url, owner.auth, { path: '/Inbox' });
    expect((await drop(viewToken, 'x.txt', 'x')).status).toBe(404);
    expect((await list(owner.auth, '/Inbox')).length).toBe(5);
  });

  it('names are made storable: no path, no control characters, no trailing dots, no device names', async () => {
    const owner = await srv.user();
    await mkdir(owner.auth, '/Drop');
    const { token } = await makeLink(srv.url, owner.auth, { path: '/Drop', kind: 'drop' });
    const cases: [string, string][] = [
      ['../../etc/passwd', 'passwd'],
      ['C:\\Users\\me\\cv.docx', 'cv.docx'],
      ['bad\u0001name\u007f.txt', 'badname.txt'],
      ['trailing. . ', 'trailing'],
      ['NUL.txt', '_NUL.txt'],
      ['..', 'file'],
      [`${'é'.repeat(300)}.txt`, `${'é'.repeat(125)}.txt`],
    ];
    for (const [given, stored] of cases) {
      const r = await drop(token, given, 'x');
      expect(r.status, given).toBe(201);
      expect(((await r.json()) as Json).name, given).toBe(stored);
    }
    expect((await list(owner.auth, '/Drop')).length).toBe(cases.length);
    expect(await list(owner.auth, '/')).toEqual(['Drop']);
  });

  it("drops are charged to the owner's quota, and refused with 507 past it with nothing stored", async () => {
    const owner = await srv.user({ quotaBytes: 10_000 });
    await mkdir(owner.auth, '/Drop');
    const { token } = await makeLink(srv.url, owner.auth, { path: '/Drop', kind: 'drop' });
    expect((await drop(token, 'a.bin', new Uint8Array(6000))).status).toBe(201);
    expect((await me(owner.auth)).usedBytes).toBe(6000);
    const over = await drop(token, 'b.bin', new Uint8Array(6000));
    expect(over.status).toBe(507);
    expect(((await over.json()) as Json).error.code).toBe('quota_exceeded');
    expect(await list(owner.auth, '/Drop')).toEqual(['a.bin']);
    expect((await me(owner.auth)).usedBytes).toBe(6000);
  });
});
