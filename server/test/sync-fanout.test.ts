/**
 * Fan-out across server instances: two real server processes on one PostgreSQL database. A
 * commit through server 1 wakes a long poll and a websocket held by server 2 (NOTIFY on
 * commit), presence is seen from either, and published events cross over too.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_CHANNEL } from '../src/sync/hub.js';
import { startServerProcess, type ServerProcess } from './fixtures/server-process.js';
import { EventsClient, getJson, loginDevice, until, type Json } from './fixtures/sync-devices.js';
import { upload } from './fixtures/transfer.js';

describe('two server processes on one PostgreSQL', () => {
  let s1: ServerProcess;
  let s2: ServerProcess;
  beforeAll(async () => {
    s1 = await startServerProcess({ backend: 'postgres' });
    // The second process gets its own scratch database from the fixture, but is pointed at the first one's.
    s2 = await startServerProcess({ backend: 'postgres', env: { DATABASE_URL: s1.databaseUrl! } });
  }, 120_000);
  afterAll(async () => {
    await s2?.cleanup();
    await s1?.cleanup();
  });

  it('a commit through server 1 wakes a long poll and a websocket on server 2', async () => {
    const me = (await getJson(s1.url, '/api/v1/me', s1.auth)).body;
    const a = await loginDevice(s1.url, me.username, 'A on server 1');
    const b = await loginDevice(s2.url, me.username, 'B on server 2');
    const start = (await getJson(s2.url, '/api/v1/changes/latest', b.auth)).body.cursor as number;

    const ws = await EventsClient.open(s2.url, b.token);
    ws.send({ type: 'resume', cursor: start });
    await ws.next((m) => m.type === 'synced'); // from here on only a wake can bring a change
    const poll = getJson(s2.url, `/api/v1/changes/longpoll?cursor=${start}&timeout=30`, b.auth);
    // Server 1 learns that B is online on server 2: server 2 holds B's connections by now.
    await until(async () => ((await getJson(s1.url, '/api/v1/presence', a.auth)).body.devices as Json[]).find((d) => d.id === b.id)?.online === true, 20);

    const res = await upload(s1.url, a.auth, '/from-server-1.txt', Buffer.from('cross-process'));
    expect(res.status).toBe(201);
    const file = (await res.json()) as Json;

    expect((await poll).body).toEqual({ changes: true });
    const [change] = await ws.next((m) => m.type === 'change');
    expect(change!.entry).toMatchObject({ op: 'create', fileId: file.id, name: 'from-server-1.txt', deviceId: a.id, rev: 1 });
    const { body } = await getJson(s2.url, `/api/v1/changes?cursor=${start}`, b.auth);
    expect(body.entries.map((e: Json) => e.fileId)).toEqual([file.id]);
    expect(body.entries[0]).toEqual(change!.entry);

    // An event published on the shared database reaches B's socket on server 2.
    const sql = postgres(s1.databaseUrl!, { max: 1, onnotice: () => {} });
    try {
      await sql`select pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify({ target: me.id, event: { type: 'notification', id: 'x1' } })})`;
    } finally {
      await sql.end();
    }
    expect((await ws.next((m) => m.type === 'notification'))[0]).toEqual({ type: 'notification', id: 'x1' });

    ws.close();
    await until(async () => ((await getJson(s1.url, '/api/v1/presence', a.auth)).body.devices as Json[]).find((d) => d.id === b.id)?.online === false, 20);
  });
});
