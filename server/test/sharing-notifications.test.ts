/**
 * Grouped notifications: a member syncs 1,000 files into a shared folder (delta commits, the path
 * the sync agent takes; identical content, so one block travels and the commits are the cost)
 * and the other member gets one inbox entry counting them, pushed once to each connected device.
 */
import { describe, expect, it } from 'vitest';
import { useTestServer } from './fixtures/server.js';
import { SyncClient } from './fixtures/sync-client.js';
import { EventsClient, getJson, loginDevice, postJson, type Json } from './fixtures/sync-devices.js';

const FILES = 1000;
const PARALLEL = 8;

describe('grouped notifications (postgres)', () => {
  const srv = useTestServer('postgres');

  it('1,000 files synced into a shared folder: one grouped notification on each of the other member’s devices', async () => {
    const owner = await srv.user();
    const member = await srv.user();
    await postJson(srv.url, '/api/v1/mkdir', owner.auth, { path: '/Team' });
    const share = await postJson(srv.url, '/api/v1/shares', owner.auth, { path: '/Team', user: member.username, role: 'editor' });
    expect((await postJson(srv.url, `/api/v1/shares/${share.body.id}/accept`, member.auth, { name: 'Team' })).status).toBe(200);

    const devices = [await loginDevice(srv.url, owner.username, 'desktop'), await loginDevice(srv.url, owner.username, 'phone')];
    const sockets = await Promise.all(devices.map((d) => EventsClient.open(srv.url, d.token)));
    const syncer = new SyncClient(srv.url, (await loginDevice(srv.url, member.username, 'laptop')).auth);
    const { blocks } = await syncer.upload(Buffer.from('the same small file'));
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < FILES) {
          const i = next++;
          const res = await syncer.commit(`/Team/f${String(i).padStart(4, '0')}.txt`, blocks, { baseRev: null });
          expect(res.status).toBe(201);
        }
      }),
    );

    const isActivity = (m: Json) => m.type === 'notification' && m.notification?.kind === 'activity';
    for (const ws of sockets) {
      const [pushed] = await ws.next(isActivity);
      expect(pushed!.notification.count).toBe(FILES);
    }
    await new Promise((r) => setTimeout(r, 1500)); // nothing more comes after the burst
    const inbox = (await getJson(srv.url, '/api/v1/notifications', owner.auth)).body.notifications as Json[];
    expect(inbox.filter((n) => n.kind === 'activity')).toMatchObject([{ count: FILES, payload: { added: FILES, by: { username: member.username } } }]);
    for (const ws of sockets) {
      expect(ws.messages.filter(isActivity)).toHaveLength(1);
      ws.close();
    }
    // The member, who did it, is not told.
    expect(((await getJson(srv.url, '/api/v1/notifications', member.auth)).body.notifications as Json[]).filter((n) => n.kind === 'activity')).toEqual([]);
  }, 120_000);
});
