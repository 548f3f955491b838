/**
 * Two devices of one user commit on the same base revision: exactly one wins, the other gets 409
 * with the head revision, and on retry with onConflict 'copy' its bytes survive as
 * `name (conflicted copy from DEVICE DAY).ext`. Nothing is lost, and both devices can learn of it
 * (the journal holds both files; the user's inbox holds a conflict notification).
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journal } from '../src/db/schema.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';
import { EventsClient, loginDevice } from './fixtures/sync-devices.js';
import { download } from './fixtures/transfer.js';

type Json = Record<string, any>;
const COPY = (stem: string, device: string, ext: string) =>
  new RegExp(`^${stem} \\(conflicted copy from ${device} \\d{4}-\\d{2}-\\d{2}\\)(?: \\(\\d+\\))?${ext.replace('.', '\\.')}$`);

async function text(url: string, auth: Record<string, string>, path: string, query = ''): Promise<Buffer> {
  const res = await download(url, auth, path, {}, query);
  expect(res.status, path).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

for (const backend of BACKENDS) {
  describe(`sync conflicts (${backend})`, () => {
    const srv = useTestServer(backend);

    it('two devices commit on one base revision: one wins, the other keeps its bytes as a conflicted copy', async () => {
      const u = await srv.user();
      const laptop = await loginDevice(srv.url, u.username, 'Laptop A');
      const phone = await loginDevice(srv.url, u.username, 'Phone B');
      const a = new SyncClient(srv.url, laptop.auth);
      const b = new SyncClient(srv.url, phone.auth);
      const sockets = [await EventsClient.open(srv.url, laptop.token), await EventsClient.open(srv.url, phone.token)];

      const base = randomBytes(2 << 20);
      const created = await a.push('/Report.txt', base);
      expect(created.commit.status).toBe(201);
      const original = created.commit.json() as Json;
      expect(original.rev).toBe(1);

      // Both edit revision 1 (different bytes), upload their blocks, then commit at the same time.
      const fromA = Buffer.concat([base, Buffer.from('edit from A')]);
      const fromB = Buffer.concat([Buffer.from('edit from B'), base]);
      const [upA, upB] = await Promise.all([a.upload(fromA), b.upload(fromB)]);
      const [resA, resB] = await Promise.all([
        a.commit('/Report.txt', upA.blocks, { baseRev: 1 }),
        b.commit('/Report.txt', upB.blocks, { baseRev: 1 }),
      ]);
      expect([resA.status, resB.status].sort()).toEqual([201, 409]);
      const aWon = resA.status === 201;
      const sideA = { c: a, d: laptop, bytes: fromA, name: 'Laptop A', up: upA };
      const sideB = { c: b, d: phone, bytes: fromB, name: 'Phone B', up: upB };
      const [winner, loser] = aWon ? [sideA, sideB] : [sideB, sideA];
      const lost = (aWon ? resB : resA).json().error as Json;
      expect(lost.code).toBe('stale_revision');
      expect(lost.details.current).toMatchObject({ rev: 2 });
      expect((aWon ? resA : resB).json()).toMatchObject({ id: original.id, rev: 2, conflict: false });

      // The loser retries asking for a copy: its bytes land next to the file.
      const retry = await loser.c.commit('/Report.txt', loser.up.blocks, { baseRev: 1, onConflict: 'copy' });
      expect(retry.status).toBe(201);
      const copy = retry.json() as Json;
      expect(copy.conflict).toBe(true);
      expect(copy.name).toMatch(COPY('Report', loser.name, '.txt'));
      expect(copy.path).toBe(`/${copy.name}`);
      expect(copy.id).not.toBe(original.id);
      expect(copy).toMatchObject({ rev: 1, size: loser.bytes.length, original: { id: original.id, path: '/Report.txt', rev: 2 } });

      // Nothing is lost: the winner's bytes at the name, the loser's in the copy, the base in history.
      expect(sha256(await text(srv.url, u.auth, '/Report.txt'))).toBe(sha256(winner.bytes));
      expect(sha256(await text(srv.url, u.auth, copy.path))).toBe(sha256(loser.bytes));
      expect(sha256(await text(srv.url, u.auth, '/Report.txt', '&rev=1'))).toBe(sha256(base));

      // Both devices can learn of it: the journal has the winner's update and the copy's creation ...
      const rows = await srv.database.db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId));
      expect(rows.filter((r) => r.fileId === original.id).map((r) => `${r.op}@${r.rev}`)).toEqual(['create@1', 'update@2']);
      expect(rows.find((r) => r.fileId === original.id && r.op === 'update')!.deviceId).toBe(winner.d.id);
      const made = rows.filter((r) => r.fileId === copy.id);
      expect(made.map((r) => `${r.op}@${r.rev}`)).toEqual(['create@1']);
      expect(made[0]!.deviceId).toBe(loser.d.id);
      // ... and every device of the user sees the conflict in the inbox.
      for (const dev of [laptop, phone]) {
        const inbox = (await (await fetch(`${srv.url}/api/v1/notifications?unread=true`, { headers: dev.auth })).json()) as Json;
        const conflicts = (inbox.notifications as Json[]).filter((n) => n.kind === 'conflict');
        expect(conflicts).toHaveLength(1);
        expect(conflicts[0]).toMatchObject({
          fileId: copy.id,
          readAt: null,
          payload: { path: copy.path, device: loser.name, original: { id: original.id, path: '/Report.txt', rev: 2 } },
        });
      }

      // ... and both devices online are told at once.
      for (const ws of sockets) {
        const [event] = await ws.next((m) => m.type === 'notification');
        expect(event!.notification).toMatchObject({ kind: 'conflict', fileId: copy.id });
        ws.close();
      }

      // A repeated retry (say the answer was lost) makes a numbered copy, never overwrites one.
      const again = await loser.c.commit('/Report.txt', loser.up.blocks, { baseRev: 1, onConflict: 'copy' });
      expect(again.status).toBe(201);
      const copy2 = again.json() as Json;
      expect(copy2.name).toBe(copy.name.replace(/\.txt$/, ' (1).txt'));
      expect(sha256(await text(srv.url, u.auth, copy.path))).toBe(sha256(loser.bytes));
    });

    it('two devices create the same new name at once: both contents survive', async () => {
      const u = await srv.user();
      const one = await loginDevice(srv.url, u.username, 'Desk/top\u0001 one');
      const two = await loginDevice(srv.url, u.username, 'Tablet');
      const c1 = new SyncClient(srv.url, one.auth);
      const c2 = new SyncClient(srv.url, two.auth);
      const d1 = Buffer.from('first device');
      const d2 = Buffer.from('second device');
      const [u1, u2] = await Promise.all([c1.upload(d1), c2.upload(d2)]);
      const [r1, r2] = await Promise.all([
        c1.commit('/notes.md', u1.blocks, { baseRev: null, onConflict: 'copy' }),
        c2.commit('/notes.md', u2.blocks, { baseRev: null, onConflict: 'copy' }),
      ]);
      expect([r1.status, r2.status]).toEqual([201, 201]);
      const v1 = r1.json() as Json;
      const v2 = r2.json() as Json;
      expect([v1.conflict, v2.conflict].sort()).toEqual([false, true]);
      const [won, lost, lostBytes, wonBytes, lostDevice] = v1.conflict ? [v2, v1, d1, d2, 'Desk top one'] : [v1, v2, d2, d1, 'Tablet'];
      expect(won.path).toBe('/notes.md');
      // Separators and control characters in a device name become spaces in the file name.
      expect(lost.name).toMatch(COPY('notes', lostDevice, '.md'));
      expect((await text(srv.url, u.auth, '/notes.md')).toString()).toBe(wonBytes.toString());
      expect((await text(srv.url, u.auth, lost.path)).toString()).toBe(lostBytes.toString());
    });

    it("without a device the copy is from 'unknown device'; onConflict 'fail' (the default) changes nothing", async () => {
      const u = await srv.user(); // a token with no device row
      const c = new SyncClient(srv.url, u.auth);
      expect((await c.push('/x.bin', Buffer.from('v1'))).commit.status).toBe(201);
      expect((await c.push('/x.bin', Buffer.from('v2'), { baseRev: 1 })).commit.status).toBe(201);
      const before = await srv.database.db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId));
      const stale = await c.push('/x.bin', Buffer.from('v3'), { baseRev: 1, onConflict: 'fail' });
      expect(stale.commit.status).toBe(409);
      expect(stale.commit.json().error.details.current.rev).toBe(2);
      expect(await srv.database.db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId))).toEqual(before);
      const copied = await c.push('/x.bin', Buffer.from('v3'), { baseRev: 1, onConflict: 'copy' });
      expect(copied.commit.status).toBe(201);
      expect(copied.commit.json().name).toMatch(COPY('x', 'unknown device', '.bin'));
      // A deleted file edited elsewhere: the edit is kept as a copy too, never silently resurrecting the name.
      const del = await fetch(`${srv.url}/api/v1/delete`, { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/x.bin' }) });
      expect(del.status).toBe(200);
      const gone = await c.push('/x.bin', Buffer.from('v4'), { baseRev: 2, onConflict: 'copy' });
      expect(gone.commit.status).toBe(201);
      expect(gone.commit.json()).toMatchObject({ conflict: true, original: { id: null, rev: 0 } });
      const live = await srv.database.db.select().from(journal).where(and(eq(journal.namespaceId, u.namespaceId), eq(journal.op, 'create')));
      expect(live.length).toBe(3);
    });

    it('with fileId, a commit into another entry at the path (or none) is a lost race, never an overwrite', async () => {
      const u = await srv.user();
      const dev = await loginDevice(srv.url, u.username, 'Laptop');
      const c = new SyncClient(srv.url, dev.auth);
      const post = (path: string, body: unknown) =>
        fetch(`${srv.url}/api/v1${path}`, { method: 'POST', headers: { ...dev.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const journalLength = async () => (await srv.database.db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId))).length;

      const first = (await c.push('/a.txt', Buffer.from('one'))).commit.json() as Json;
      const ok = await c.push('/a.txt', Buffer.from('two'), { baseRev: 1, fileId: first.id });
      expect(ok.commit.status).toBe(201);
      expect(ok.commit.json()).toMatchObject({ id: first.id, rev: 2, conflict: false });

      // Deleted and created again elsewhere: the same path and revision number, another entry.
      expect((await post('/delete', { path: '/a.txt' })).status).toBe(200);
      const again = (await c.push('/a.txt', Buffer.from('other'))).commit.json() as Json;
      expect(again).toMatchObject({ rev: 1 });
      const before = await journalLength();
      const stale = await c.push('/a.txt', Buffer.from('three'), { baseRev: 1, fileId: first.id });
      expect(stale.commit.status).toBe(409);
      expect(stale.commit.json().error).toMatchObject({ code: 'stale_revision', details: { current: { id: again.id, rev: 1, size: 5 } } });
      expect(await journalLength()).toBe(before);
      const copied = (await c.push('/a.txt', Buffer.from('three'), { baseRev: 1, fileId: first.id, onConflict: 'copy' })).commit.json() as Json;
      expect(copied).toMatchObject({ conflict: true, rev: 1, original: { id: again.id, path: '/a.txt', rev: 1 } });
      expect(copied.name).toMatch(COPY('a', 'Laptop', '.txt'));

      // Moved away, the path free: the answer's original has no id.
      expect((await post('/move', { from: '/a.txt', to: '/b.txt' })).status).toBe(200);
      const free = await c.push('/a.txt', Buffer.from('four'), { baseRev: 1, fileId: again.id });
      expect(free.commit.status).toBe(409);
      expect(free.commit.json().error).toMatchObject({ code: 'stale_revision', details: { current: { id: null, rev: 0, size: 0, contentHash: null } } });
      // baseRev 0 names "no content yet": with a fileId the entry must still be there, so this loses too.
      expect((await c.push('/a.txt', Buffer.from('four'), { baseRev: 0, fileId: again.id })).commit.status).toBe(409);
      const lost = (await c.push('/a.txt', Buffer.from('four'), { baseRev: 1, fileId: again.id, onConflict: 'copy' })).commit.json() as Json;
      expect(lost).toMatchObject({ conflict: true, original: { id: null, path: '/a.txt', rev: 0 } });
      expect(lost.path).toBe(`/${lost.name}`);
      expect((await fetch(`${srv.url}/api/v1/metadata?path=/a.txt`, { headers: dev.auth })).status).toBe(404);

      // Where it still is, the commit goes through, whatever the path's case.
      const moved = await c.push('/B.TXT', Buffer.from('five'), { baseRev: 1, fileId: again.id });
      // The answer's path is as stored, like every other answer's.
      expect(moved.commit.json()).toMatchObject({ id: again.id, rev: 2, conflict: false, path: '/b.txt', name: 'b.txt' });
      const copyOfMoved = (await c.push('/B.TXT', Buffer.from('six'), { baseRev: 1, onConflict: 'copy' })).commit.json() as Json;
      expect(copyOfMoved).toMatchObject({ conflict: true, original: { id: again.id, path: '/b.txt', rev: 2 } });

      // fileId belongs with baseRev, and must be an id.
      expect((await c.push('/n.txt', Buffer.from('x'), { baseRev: null, fileId: again.id })).commit.status).toBe(400);
      expect((await c.push('/b.txt', Buffer.from('x'), { baseRev: 2, fileId: 'nope' })).commit.status).toBe(400);
    });
  });
}
