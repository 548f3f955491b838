/**
 * Sharing end to end over HTTP: offer, accept as a mount, read and write through it, the
 * recipient's change feed, quota charged to the owner, viewers refused, moves across the share's
 * edge refused, revocation waking long polls and websockets within 1 s and blocking the next
 * download, two editors' concurrent commits, and grouped notifications.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { SyncClient } from './fixtures/sync-client.js';
import { EventsClient, getJson, loginDevice, postJson, type Json } from './fixtures/sync-devices.js';
import { download, upload } from './fixtures/transfer.js';

type Auth = Record<string, string>;

async function send(url: string, method: string, path: string, auth: Auth, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}${path}`, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

for (const backend of BACKENDS) describe(`sharing (${backend})`, () => {
  const srv = useTestServer(backend);

  /** Owner with /Family/a.txt shared to a recipient (role), who accepted it as /Fam. */
  async function sharedFolder(role: 'viewer' | 'editor') {
    const owner = await srv.user();
    const other = await srv.user();
    expect((await postJson(srv.url, '/api/v1/mkdir', owner.auth, { path: '/Family' })).status).toBe(201);
    expect((await upload(srv.url, owner.auth, '/Family/a.txt', Buffer.from('hello family'))).status).toBe(201);
    const offered = await postJson(srv.url, '/api/v1/shares', owner.auth, { path: '/Family', user: other.username, role });
    expect(offered.status).toBe(201);
    const incoming = await getJson(srv.url, '/api/v1/shares?direction=incoming', other.auth);
    expect(incoming.body.shares).toMatchObject([{ id: offered.body.id, state: 'pending', role, path: null }]);
    const accepted = await postJson(srv.url, `/api/v1/shares/${offered.body.id}/accept`, other.auth, { name: 'Fam' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ state: 'accepted', path: '/Fam' });
    return { owner, other, shareId: offered.body.id as string };
  }

  it('a recipient reads through the mount; an editor writes into it, charged to the owner; the change feeds carry it', async () => {
    const { owner, other } = await sharedFolder('editor');
    const root = await getJson(srv.url, '/api/v1/list?path=/', other.auth);
    expect(root.body.entries).toMatchObject([{ name: 'Fam', isDir: true }]);
    const inside = await getJson(srv.url, '/api/v1/list?path=/Fam', other.auth);
    expect(inside.body.entries.map((e: Json) => e.path)).toEqual(['/Fam/a.txt']);
    const got = await download(srv.url, other.auth, '/Fam/a.txt');
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('hello family');

    const usage = async (u: { auth: Auth }) => (await getJson(srv.url, '/api/v1/me', u.auth)).body.usedBytes as number;
    const [ownerBefore, otherBefore] = [await usage(owner), await usage(other)];
    const bytes = randomBytes(100_000);
    const put = await upload(srv.url, other.auth, '/Fam/from-other.bin', bytes);
    expect(put.status).toBe(201);
    expect(((await put.json()) as Json).path).toBe('/Fam/from-other.bin');
    expect(await usage(owner)).toBe(ownerBefore + bytes.length);
    expect(await usage(other)).toBe(otherBefore);
    // The owner sees it in their own folder; the recipient's feed has it under the mount.
    const ownerList = await getJson(srv.url, '/api/v1/list?path=/Family', owner.auth);
    expect(ownerList.body.entries.map((e: Json) => e.name).sort()).toEqual(['a.txt', 'from-other.bin']);
    const feed = await getJson(srv.url, '/api/v1/changes?cursor=0&limit=100', other.auth);
    const mount = feed.body.entries.find((e: Json) => e.name === 'Fam');
    expect(mount).toMatchObject({ op: 'mkdir', parentId: null });
    expect(feed.body.entries.find((e: Json) => e.name === 'from-other.bin')).toMatchObject({ op: 'create', parentId: mount.fileId });
    // The owner's own later upload reaches the recipient's feed too.
    expect((await upload(srv.url, owner.auth, '/Family/later.txt', Buffer.from('x'))).status).toBe(201);
    const after = await getJson(srv.url, `/api/v1/changes?cursor=${feed.body.cursor}&limit=100`, other.auth);
    expect(after.body.entries).toMatchObject([{ op: 'create', name: 'later.txt', parentId: mount.fileId }]);
  });

  it('a file shared on its own is mounted as a file; its edits reach the recipient as edits of the mount', async () => {
    const owner = await srv.user();
    const other = await srv.user();
    expect((await upload(srv.url, owner.auth, '/report.txt', Buffer.from('v1'))).status).toBe(201);
    const offered = await postJson(srv.url, '/api/v1/shares', owner.auth, { path: '/report.txt', user: other.username, role: 'editor' });
    const accepted = await postJson(srv.url, `/api/v1/shares/${offered.body.id}/accept`, other.auth, {});
    expect(accepted.body.path).toBe('/report.txt');
    const root = await getJson(srv.url, '/api/v1/list?path=/', other.auth);
    expect(root.body.entries).toMatchObject([{ name: 'report.txt', isDir: false, rev: 1, size: 2 }]);
    const cursor = (await getJson(srv.url, '/api/v1/changes/latest', other.auth)).body.cursor as number;
    expect((await upload(srv.url, owner.auth, '/report.txt', Buffer.from('v2 by owner'), '&overwrite=true')).status).toBe(201);
    const feed = await getJson(srv.url, `/api/v1/changes?cursor=${cursor}`, other.auth);
    expect(feed.body.entries).toMatchObject([{ op: 'update', fileId: root.body.entries[0].id, name: 'report.txt', parentId: null, rev: 2 }]);
    // The editor writes through the mount: the owner's file gets the revision.
    expect((await upload(srv.url, other.auth, '/report.txt', Buffer.from('v3 by editor'), '&overwrite=true')).status).toBe(201);
    expect(await (await download(srv.url, owner.auth, '/report.txt')).text()).toBe('v3 by editor');
  });

  it('a viewer reads but cannot change anything; refused changes change nothing', async () => {
    const { owner, other } = await sharedFolder('viewer');
    expect((await download(srv.url, other.auth, '/Fam/a.txt')).status).toBe(200);
    const put = await upload(srv.url, other.auth, '/Fam/new.txt', Buffer.from('no'));
    expect(put.status).toBe(403);
    expect(((await put.json()) as Json).error.code).toBe('read_only_share');
    expect((await upload(srv.url, other.auth, '/Fam/a.txt', Buffer.from('no'), '&overwrite=true')).status).toBe(403);
    expect((await send(srv.url, 'POST', '/api/v1/delete', other.auth, { path: '/Fam/a.txt' })).status).toBe(403);
    expect((await postJson(srv.url, '/api/v1/mkdir', other.auth, { path: '/Fam/sub' })).status).toBe(403);
    const list = await getJson(srv.url, '/api/v1/list?path=/Family', owner.auth);
    expect(list.body.entries.map((e: Json) => e.name)).toEqual(['a.txt']);
  });

  it('re-sharing: only the owner, or an editor the owner allowed; a role change bites at the next request; each step is in the inbox', async () => {
    const { owner, other, shareId } = await sharedFolder('editor');
    const third = await srv.user();
    const reshare = () => postJson(srv.url, '/api/v1/shares', other.auth, { path: '/Fam', user: third.username, role: 'viewer' });
    const refused = await reshare();
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('cannot_share');
    expect((await send(srv.url, 'PATCH', `/api/v1/shares/${shareId}`, other.auth, { allowReshare: true })).status).toBe(403);
    expect((await send(srv.url, 'PATCH', `/api/v1/shares/${shareId}`, owner.auth, { allowReshare: true })).body).toMatchObject({ allowReshare: true });
    const allowed = await reshare();
    expect(allowed.status).toBe(201);
    expect(allowed.body).toMatchObject({ owner: { username: owner.username }, grantee: { name: third.username }, allowReshare: false });
    // Down to viewer: the next upload is refused; what the inbox says.
    expect((await send(srv.url, 'PATCH', `/api/v1/shares/${shareId}`, owner.auth, { role: 'viewer' })).body.role).toBe('viewer');
    expect((await upload(srv.url, other.auth, '/Fam/late.txt', Buffer.from('no'))).status).toBe(403);
    expect((await postJson(srv.url, '/api/v1/shares', other.auth, { path: '/Fam', user: third.username, role: 'editor' })).status).toBe(403);
    const kinds = async (u: { auth: Auth }) => ((await getJson(srv.url, '/api/v1/notifications', u.auth)).body.notifications as Json[]).map((n) => n.kind);
    expect(await kinds(other)).toContain('share_offered');
    expect(await kinds(owner)).toContain('share_accepted');
    expect(await kinds(third)).toEqual(['share_offered']);
    await postJson(srv.url, `/api/v1/shares/${allowed.body.id}/decline`, third.auth, {});
    expect(await kinds(owner)).toContain('share_declined');
    expect((await send(srv.url, 'DELETE', `/api/v1/shares/${shareId}`, other.auth)).status).toBe(403);
    expect((await send(srv.url, 'DELETE', `/api/v1/shares/${shareId}`, third.auth)).status).toBe(404);
    expect((await send(srv.url, 'DELETE', `/api/v1/shares/${shareId}`, owner.auth)).status).toBe(204);
    expect(await kinds(other)).toContain('share_revoked');
  });

  it('a move across the share edge is refused 409 share_boundary; a copy out is allowed', async () => {
    const { other } = await sharedFolder('editor');
    const out = await postJson(srv.url, '/api/v1/move', other.auth, { from: '/Fam/a.txt', to: '/mine.txt' });
    expect(out.status).toBe(409);
    expect(out.body.error.code).toBe('share_boundary');
    expect((await upload(srv.url, other.auth, '/own.txt', Buffer.from('own'))).status).toBe(201);
    const into = await postJson(srv.url, '/api/v1/move', other.auth, { from: '/own.txt', to: '/Fam/own.txt' });
    expect(into.body.error.code).toBe('share_boundary');
    const copy = await postJson(srv.url, '/api/v1/copy', other.auth, { from: '/Fam/a.txt', to: '/mine.txt' });
    expect(copy.status).toBe(201);
    expect(await (await download(srv.url, other.auth, '/mine.txt')).text()).toBe('hello family');
    const within = await postJson(srv.url, '/api/v1/move', other.auth, { from: '/Fam/a.txt', to: '/Fam/b.txt' });
    expect(within.status).toBe(200);
    expect(within.body.path).toBe('/Fam/b.txt');
  });

  it('revocation ends an open long poll and a websocket within 1 s and blocks the next download', async () => {
    const { owner, other, shareId } = await sharedFolder('editor');
    const device = await loginDevice(srv.url, other.username, 'laptop');
    const fileId = (await getJson(srv.url, '/api/v1/metadata?path=/Fam/a.txt', device.auth)).body.id as string;
    const cursor = (await getJson(srv.url, '/api/v1/changes/latest', device.auth)).body.cursor as number;
    const ws = await EventsClient.open(srv.url, device.token);
    ws.send({ type: 'resume', cursor });
    await ws.next((m) => m.type === 'synced');
    const poll = getJson(srv.url, `/api/v1/changes/longpoll?cursor=${cursor}&timeout=30`, device.auth);
    await new Promise((r) => setTimeout(r, 200)); // the poll is waiting
    const t0 = Date.now();
    expect((await send(srv.url, 'DELETE', `/api/v1/shares/${shareId}`, owner.auth)).status).toBe(204);
    await poll; // answered (the journal's wake or the revocation's inbox event, whichever came first)
    const [gone] = await ws.next((m) => m.type === 'change' && m.entry?.op === 'delete');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(gone!.entry).toMatchObject({ name: 'Fam', parentId: null });
    ws.close();
    const feed = await getJson(srv.url, `/api/v1/changes?cursor=${cursor}&limit=100`, device.auth);
    expect(feed.body.entries).toMatchObject([{ op: 'delete', name: 'Fam' }]);
    const dl = await download(srv.url, device.auth, '/Fam/a.txt');
    expect(dl.status).toBe(404);
    expect((await fetch(`${srv.url}/api/v1/files/${fileId}/content`, { headers: device.auth })).status).toBe(404);
    expect((await getJson(srv.url, `/api/v1/files/${fileId}`, device.auth)).status).toBe(404);
  });

  it("two editors' concurrent commits: exactly one conflicted copy, named after its author, and both told", async () => {
    const { owner, other } = await sharedFolder('editor');
    const third = await srv.user();
    const offered = await postJson(srv.url, '/api/v1/shares', owner.auth, { path: '/Family', user: third.username, role: 'editor' });
    await postJson(srv.url, `/api/v1/shares/${offered.body.id}/accept`, third.auth, { name: 'Family' });
    const base = await getJson(srv.url, '/api/v1/metadata?path=/Fam/a.txt', other.auth);
    const a = new SyncClient(srv.url, other.auth);
    const b = new SyncClient(srv.url, third.auth);
    const [upA, upB] = await Promise.all([a.upload(Buffer.from('edit by A')), b.upload(Buffer.from('edit by B'))]);
    const [resA, resB] = await Promise.all([
      a.commit('/Fam/a.txt', upA.blocks, { baseRev: base.body.rev, onConflict: 'copy' }),
      b.commit('/Family/a.txt', upB.blocks, { baseRev: base.body.rev, onConflict: 'copy' }),
    ]);
    expect([resA.status, resB.status]).toEqual([201, 201]);
    const list = await getJson(srv.url, '/api/v1/list?path=/Family', owner.auth);
    const copies = list.body.entries.filter((e: Json) => /conflicted copy/.test(e.name));
    expect(copies).toHaveLength(1);
    const loser = /^a \((user\d+_[0-9a-f]+)'s conflicted copy \d{4}-\d{2}-\d{2}\)\.txt$/.exec(copies[0].name);
    expect(loser).not.toBeNull();
    const [loserUser, winnerUser] = loser![1] === other.username ? [other, third] : [third, other];
    expect(loser![1]).toBe(loserUser.username);
    const inbox = async (u: { auth: Auth }) => (await getJson(srv.url, '/api/v1/notifications', u.auth)).body.notifications as Json[];
    expect((await inbox(loserUser)).filter((n) => n.kind === 'conflict')).toHaveLength(1);
    expect((await inbox(winnerUser)).filter((n) => n.kind === 'conflict')).toHaveLength(1);
  });

  it('groups: a share to a group reaches present and future members; leaving the group or deleting it unmounts; one share is seen by its people only', async () => {
    const admin = await srv.user({ role: 'admin' });
    const owner = await srv.user();
    const [m1, m2] = [await srv.user(), await srv.user()];
    const g = await postJson(srv.url, '/api/v1/admin/groups', admin.auth, { name: `family-${randomBytes(3).toString('hex')}` });
    expect(g.status).toBe(201);
    expect((await postJson(srv.url, `/api/v1/admin/groups/${g.body.id}/members`, owner.auth, { username: m1.username })).status).toBe(403);
    await postJson(srv.url, `/api/v1/admin/groups/${g.body.id}/members`, admin.auth, { username: m1.username });
    await postJson(srv.url, '/api/v1/mkdir', owner.auth, { path: '/Photos' });
    const s = await postJson(srv.url, '/api/v1/shares', owner.auth, { path: '/Photos', group: g.body.name, role: 'viewer' });
    expect(s.status).toBe(201);
    await postJson(srv.url, `/api/v1/admin/groups/${g.body.id}/members`, admin.auth, { username: m2.username });
    for (const m of [m1, m2]) {
      expect((await getJson(srv.url, '/api/v1/shares', m.auth)).body.shares).toMatchObject([{ id: s.body.id, state: 'pending' }]);
      expect((await postJson(srv.url, `/api/v1/shares/${s.body.id}/accept`, m.auth, {})).body.path).toBe('/Photos');
    }
    await send(srv.url, 'DELETE', `/api/v1/admin/groups/${g.body.id}/members/${m2.id}`, admin.auth);
    expect((await getJson(srv.url, '/api/v1/list?path=/', m2.auth)).body.entries).toEqual([]);
    expect((await getJson(srv.url, '/api/v1/list?path=/Photos', m1.auth)).status).toBe(200);
    // One share: its owner and a recipient see it, a stranger gets the same 404 as a missing share.
    expect((await getJson(srv.url, `/api/v1/shares/${s.body.id}`, owner.auth)).body).toMatchObject({ id: s.body.id, role: 'viewer' });
    expect((await getJson(srv.url, `/api/v1/shares/${s.body.id}`, m1.auth)).status).toBe(200);
    const stranger = await srv.user();
    const hidden = await getJson(srv.url, `/api/v1/shares/${s.body.id}`, stranger.auth);
    const missing = await getJson(srv.url, '/api/v1/shares/00000000-0000-0000-0000-000000000009', stranger.auth);
    expect([hidden.status, hidden.body.error?.code]).toEqual([missing.status, missing.body.error?.code]);
    // Deleting the group (admin only) takes its shares with it: the member's mount goes.
    expect((await send(srv.url, 'DELETE', `/api/v1/admin/groups/${g.body.id}`, owner.auth)).status).toBe(403);
    expect((await send(srv.url, 'DELETE', `/api/v1/admin/groups/${g.body.id}`, admin.auth)).status).toBe(204);
    expect((await getJson(srv.url, '/api/v1/list?path=/', m1.auth)).body.entries).toEqual([]);
    expect((await getJson(srv.url, `/api/v1/shares/${s.body.id}`, owner.auth)).status).toBe(404);
  });
});
