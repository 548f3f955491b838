/**
 * The notification inbox: entries for owners when someone else edits their files (notifyOwner,
 * which sharing will call), newest-first paging with a cursor, the unread filter, marking read,
 * and each user seeing and changing only their own entries.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../src/db/schema.js';
import type { Db } from '../src/db/open.js';
import { notifyOwner } from '../src/notifications/notify-owner.js';
import { addNotification } from '../src/notifications/store.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { EventsClient } from './fixtures/sync-devices.js';
import { upload } from './fixtures/transfer.js';

type Json = Record<string, any>;

for (const backend of BACKENDS) {
  describe(`notifications (${backend})`, () => {
    const srv = useTestServer(backend);
    let db: Db;
    beforeAll(() => {
      db = srv.database.db;
    });

    const inbox = async (auth: Record<string, string>, query = ''): Promise<Json> => {
      const res = await fetch(`${srv.url}/api/v1/notifications${query}`, { headers: auth });
      expect(res.status).toBe(200);
      return (await res.json()) as Json;
    };
    const markRead = (auth: Record<string, string>, body: unknown) =>
      fetch(`${srv.url}/api/v1/notifications/read`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it("notifyOwner tells a file's owner about another user's edit, never about their own", async () => {
      const owner = await srv.user();
      const other = await srv.user();
      const file = (await (await upload(srv.url, owner.auth, '/shared.txt', Buffer.from('x'))).json()) as Json;
      const none = await db.transaction((tx) => notifyOwner(tx, { namespaceId: owner.namespaceId, actorId: owner.id, kind: 'edit', fileId: file.id }));
      expect(none).toBeUndefined();
      const made = await db.transaction((tx) =>
        notifyOwner(tx, { namespaceId: owner.namespaceId, actorId: other.id, kind: 'delete', fileId: file.id, payload: { path: '/shared.txt' } }),
      );
      expect(made?.userId).toBe(owner.id);
      const got = await inbox(owner.auth);
      expect(got.notifications).toHaveLength(1);
      expect(got.notifications[0]).toMatchObject({
        id: made!.id,
        kind: 'delete',
        fileId: file.id,
        readAt: null,
        payload: { path: '/shared.txt', by: { id: other.id, username: other.username } },
      });
      expect(got.cursor).toBeUndefined();
      expect((await inbox(other.auth)).notifications).toEqual([]);
      // Rolled back with its transaction: an entry exists exactly when the change does.
      await expect(
        db.transaction(async (tx) => {
          await notifyOwner(tx, { namespaceId: owner.namespaceId, actorId: other.id, kind: 'edit', fileId: file.id });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect((await inbox(owner.auth)).notifications).toHaveLength(1);
    });

    it("the addressee's online devices get the entry at once; one too big for NOTIFY goes out slim", async () => {
      const owner = await srv.user();
      const other = await srv.user();
      const ws = await EventsClient.open(srv.url, owner.token);
      const otherWs = await EventsClient.open(srv.url, other.token);
      try {
        const made = await db.transaction((tx) => notifyOwner(tx, { namespaceId: owner.namespaceId, actorId: other.id, kind: 'edit', fileId: null, payload: { path: '/a.txt' } }));
        const [event] = await ws.next((m) => m.type === 'notification');
        expect(event!.notification).toMatchObject({ id: made!.id, kind: 'edit', payload: { path: '/a.txt', by: { username: other.username } } });
        // Long paths: the event carries the id and kind, the inbox the rest.
        const long = '/' + 'x'.repeat(250) + '/'.concat('y'.repeat(250)).repeat(30);
        const big = await addNotification(db, { userId: owner.id, kind: 'conflict', fileId: null, payload: { path: long, original: { path: long } } });
        const [slim] = await ws.next((m) => m.type === 'notification' && m.notification.id === big.id);
        expect(slim).toMatchObject({ truncated: true, notification: { id: big.id, kind: 'conflict' } });
        expect(slim!.notification.payload).toBeUndefined();
        expect((await inbox(owner.auth)).notifications[0].payload.path).toBe(long);
        // Nothing reached the other user's socket (a ping round trip orders it after any event).
        otherWs.send({ type: 'ping' });
        await otherWs.next((m) => m.type === 'pong');
        expect(otherWs.messages.filter((m) => m.type === 'notification')).toEqual([]);
      } finally {
        ws.close();
        otherWs.close();
      }
    });

    it('pages newest first with a cursor (ties included), filters unread, marks read only your own', async () => {
      const u = await srv.user();
      const other = await srv.user();
      // Seven entries, five of them in one transaction (one created_at): paging must break the tie.
      await db.transaction(async (tx) => {
        for (let i = 0; i < 5; i++) await addNotification(tx, { userId: u.id, kind: 'edit', fileId: null, payload: { n: i } });
      });
      for (let i = 5; i < 7; i++) await addNotification(db, { userId: u.id, kind: 'share', fileId: null, payload: { n: i } });
      const theirs = await addNotification(db, { userId: other.id, kind: 'edit', fileId: null });

      const seen: Json[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await inbox(u.auth, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.notifications.length).toBeLessThanOrEqual(2);
        seen.push(...page.notifications);
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(4);
      expect(seen.map((n) => n.id)).toEqual((await inbox(u.auth, '?limit=200')).notifications.map((n: Json) => n.id));
      expect(new Set(seen.map((n) => n.id)).size).toBe(7);
      expect(seen.slice(0, 2).map((n) => n.payload.n).sort()).toEqual([5, 6]);
      for (let i = 1; i < seen.length; i++) expect(seen[i - 1]!.createdAt >= seen[i]!.createdAt).toBe(true);

      // Mark two read, by id; someone else's id is ignored.
      const res = await markRead(u.auth, { ids: [seen[0]!.id, seen[3]!.id, theirs.id] });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ updated: 2 });
      const unread = await inbox(u.auth, '?unread=true');
      expect(unread.notifications.map((n: Json) => n.id)).toEqual(seen.filter((_, i) => i !== 0 && i !== 3).map((n) => n.id));
      const [theirsNow] = await db.select().from(notifications).where(eq(notifications.id, theirs.id));
      expect(theirsNow!.readAt).toBeNull();
      const all = await inbox(u.auth);
      expect(all.notifications.find((n: Json) => n.id === seen[0]!.id).readAt).not.toBeNull();

      // Paging through unread only.
      const first = await inbox(u.auth, '?unread=1&limit=3');
      const rest = await inbox(u.auth, `?unread=1&limit=3&cursor=${first.cursor}`);
      expect([...first.notifications, ...rest.notifications].map((n: Json) => n.id)).toEqual(unread.notifications.map((n: Json) => n.id));
      expect(rest.cursor).toBeUndefined();

      expect(await (await markRead(u.auth, { all: true })).json()).toEqual({ updated: 5 });
      expect((await inbox(u.auth, '?unread=true')).notifications).toEqual([]);
      expect(await (await markRead(u.auth, { all: true })).json()).toEqual({ updated: 0 });
      expect((await inbox(other.auth, '?unread=true')).notifications).toHaveLength(1);
    });

    it('bad input gets 400 with a reason and changes nothing', async () => {
      const u = await srv.user();
      const other = await srv.user();
      const mine = await addNotification(db, { userId: u.id, kind: 'conflict', fileId: null });
      const theirs = await addNotification(db, { userId: other.id, kind: 'edit', fileId: null });
      const gets: [string, string][] = [
        ['?limit=0', 'invalid_request'],
        ['?limit=201', 'invalid_request'],
        ['?limit=x', 'invalid_request'],
        ['?unread=maybe', 'invalid_request'],
        ['?cursor=nope', 'invalid_request'],
        [`?cursor=${theirs.id}`, 'invalid_cursor'],
      ];
      for (const [q, code] of gets) {
        const res = await fetch(`${srv.url}/api/v1/notifications${q}`, { headers: u.auth });
        expect(res.status, q).toBe(400);
        expect(((await res.json()) as Json).error.code, q).toBe(code);
      }
      for (const body of [{}, { all: false }, { ids: [mine.id], all: true }, { ids: ['nope'] }, { ids: [mine.id], extra: 1 }, []]) {
        const res = await markRead(u.auth, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(((await res.json()) as Json).error.code).toBe('invalid_request');
      }
      const bad = await fetch(`${srv.url}/api/v1/notifications/read`, { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json' }, body: '{' });
      expect(bad.status).toBe(400);
      expect((await inbox(u.auth, '?unread=true')).notifications.map((n: Json) => n.id)).toEqual([mine.id]);
      expect((await fetch(`${srv.url}/api/v1/notifications`)).status).toBe(401);
    });
  });
}
