/**
 * The websocket channel /api/v1/events: authentication at the handshake, resume from a cursor
 * (the missed changes, then live ones, each once), published events, heartbeats that drop
 * dead peers.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { encodeEntryPack } from '@coffer/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devices } from '../src/db/schema.js';
import { publish } from '../src/sync/hub.js';
import { BACKENDS, startTestServer, type TestServer } from './fixtures/server.js';
import { EventsClient, getJson, loginDevice, postJson, until, type Json } from './fixtures/sync-devices.js';

async function refusal(url: string, token: string | undefined, headers: Record<string, string> = {}, path = '/api/v1/events'): Promise<{ status: number; body: Json }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(
    [`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', ...(token ? [`Sec-WebSocket-Protocol: coffer, bearer.${token}`] : []), ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'),
  );
  let text = '';
  for await (const chunk of socket) text += chunk;
  const [head, body] = text.split('\r\n\r\n');
  return { status: Number(head!.split(' ')[1]), body: JSON.parse(body!) as Json };
}

for (const backend of BACKENDS) {
  describe(`websocket events (${backend})`, () => {
    let srv: TestServer;
    beforeAll(async () => {
      srv = await startTestServer(backend, {}, { heartbeatMs: 250 });
    }, 60_000);
    afterAll(async () => {
      await srv?.close();
    });

    it('refuses a handshake without a valid token, from a foreign origin, or on another path', async () => {
      const u = await srv.user();
      const none = await refusal(srv.url, undefined);
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('unauthorized');
      expect((await refusal(srv.url, 'cof_not-a-real-token')).status).toBe(401);
      await expect(EventsClient.open(srv.url, undefined)).rejects.toMatchObject({ status: 401 });
      // The session cookie counts only from this site's own pages.
      const host = new URL(srv.url).host;
      const cookie = { Cookie: `coffer_session=${u.token}` };
      const foreign = await refusal(srv.url, undefined, { ...cookie, Origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      expect(foreign.body.error.code).toBe('cross_origin');
      expect((await refusal(srv.url, undefined, cookie)).status).toBe(403); // no Origin at all
      const own = await EventsClient.open(srv.url, undefined, { headers: { ...cookie, Origin: `http://${host}` } });
      own.send({ type: 'ping' });
      expect(await own.next((m) => m.type === 'pong')).toHaveLength(1);
      own.close();
      expect((await refusal(srv.url, u.token, {}, '/api/v1/elsewhere')).status).toBe(404);
    });

    it('resume delivers the missed changes, then live ones, each once and in order; the device cursor is saved', async () => {
      const u = await srv.user();
      const a = await loginDevice(srv.url, u.username, 'A');
      const b = await loginDevice(srv.url, u.username, 'B');
      const start = (await getJson(srv.url, '/api/v1/changes/latest', b.auth)).body.cursor as number;
      for (let i = 0; i < 5; i++) expect((await postJson(srv.url, '/api/v1/mkdir', a.auth, { path: `/missed${i}` })).status).toBe(201);

      const ws = await EventsClient.open(srv.url, b.token);
      ws.send({ type: 'resume', cursor: start });
      const [synced] = await ws.next((m) => m.type === 'synced');
      expect(ws.changes().map((e) => e.name)).toEqual(['missed0', 'missed1', 'missed2', 'missed3', 'missed4']);
      expect(synced!.cursor).toBe(ws.changes().at(-1)!.seq);

      for (let i = 0; i < 3; i++) await postJson(srv.url, '/api/v1/mkdir', a.auth, { path: `/live${i}` });
      await ws.next((m) => m.type === 'change', 8);
      const seqs = ws.changes().map((e) => e.seq as number);
      expect(ws.changes().map((e) => e.name).slice(5)).toEqual(['live0', 'live1', 'live2']);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(8);
      expect(ws.changes().every((e) => e.deviceId === a.id && e.op === 'mkdir')).toBe(true);

      ws.send({ type: 'resume', cursor: 0 });
      expect((await ws.next((m) => m.type === 'error'))[0]).toMatchObject({ code: 'already_resumed' });
      ws.send({ type: 'resume', cursor: 'x' });
      ws.ws.send('not json');
      expect(await ws.next((m) => m.code === 'invalid_message', 2)).toHaveLength(2);

      const presence = (await getJson(srv.url, '/api/v1/presence', a.auth)).body.devices as Json[];
      expect(presence.find((d) => d.id === b.id)?.online).toBe(true);
      ws.close();
      await until(async () => (await srv.database.db.select().from(devices).where(eq(devices.id, b.id)))[0]!.cursor === seqs.at(-1));
      await until(async () => !((await getJson(srv.url, '/api/v1/presence', a.auth)).body.devices as Json[]).find((d) => d.id === b.id)?.online);
    });

    it('sockets at different cursors on one namespace each get every change exactly once', async () => {
      const u = await srv.user();
      const seqs: number[] = [0];
      for (let i = 0; i < 4; i++) {
        await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: `/before${i}` });
        seqs.push((await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor);
      }
      // One socket per cursor: from the start, from each entry, and from now.
      const sockets = await Promise.all(seqs.map(() => EventsClient.open(srv.url, u.token)));
      sockets.forEach((ws, i) => ws.send({ type: 'resume', cursor: seqs[i] }));
      await Promise.all(sockets.map((ws) => ws.next((m) => m.type === 'synced')));
      for (let i = 0; i < 6; i++) await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: `/after${i}` });
      const all = [...['before0', 'before1', 'before2', 'before3'], ...[0, 1, 2, 3, 4, 5].map((i) => `after${i}`)];
      for (const [i, ws] of sockets.entries()) {
        await ws.next((m) => m.type === 'change', all.length - i);
        await new Promise((r) => setTimeout(r, 20)); // room for a duplicate to show up
        expect(ws.changes().map((e) => e.name)).toEqual(all.slice(i));
        ws.close();
      }
    });

    it('resume without a cursor follows from now; a cursor the journal cannot serve gets reset', async () => {
      const u = await srv.user();
      await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/old' });
      const ws = await EventsClient.open(srv.url, u.token);
      ws.send({ type: 'resume' });
      const [synced] = await ws.next((m) => m.type === 'synced');
      expect(ws.changes()).toEqual([]);
      await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/new' });
      const [change] = await ws.next((m) => m.type === 'change');
      expect(change!.entry).toMatchObject({ name: 'new', op: 'mkdir' });
      expect(change!.entry.seq).toBeGreaterThan(synced!.cursor);
      ws.close();

      const late = await EventsClient.open(srv.url, u.token);
      late.send({ type: 'resume', cursor: change!.entry.seq + 1000 });
      const [reset] = await late.next((m) => m.type === 'reset');
      expect(reset).toMatchObject({ latestCursor: change!.entry.seq });
      expect(reset!.message).toMatch(/start over/);
      // After listing the tree, the client resumes from the cursor the reset named.
      late.send({ type: 'resume', cursor: reset!.latestCursor });
      expect((await late.next((m) => m.type === 'synced'))[0]!.cursor).toBe(change!.entry.seq);
      expect(late.changes()).toEqual([]);
      late.close();
    });

    it('published events reach the addressee’s sockets and long polls, and nobody else’s', async () => {
      const u = await srv.user();
      const other = await srv.user();
      const mine = await EventsClient.open(srv.url, u.token);
      const theirs = await EventsClient.open(srv.url, other.token);
      const head = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number;
      const held = srv.hub.heldConnections;
      const poll = getJson(srv.url, `/api/v1/changes/longpoll?cursor=${head}&timeout=30`, u.auth);
      await until(() => srv.hub.heldConnections > held);

      await srv.database.db.transaction(async (tx) => {
        await publish(tx as never, u.id, { type: 'notification', id: 'n1', message: 'shared with you' });
      });
      expect((await mine.next((m) => m.type === 'notification'))[0]).toEqual({ type: 'notification', id: 'n1', message: 'shared with you' });
      expect((await poll).body).toEqual({ changes: false, events: true });
      // A rolled-back transaction publishes nothing.
      await srv.database.db
        .transaction(async (tx) => {
          await publish(tx as never, u.id, { type: 'notification', id: 'rolled-back' });
          throw new Error('rollback');
        })
        .catch(() => undefined);
      await publish(srv.database.db, u.id, { type: 'notification', id: 'n2' });
      await mine.next((m) => m.id === 'n2');
      expect(mine.messages.filter((m) => m.type === 'notification').map((m) => m.id)).toEqual(['n1', 'n2']);
      // The other user's socket is live (it answers pings) but got none of it.
      theirs.send({ type: 'ping' });
      await theirs.next((m) => m.type === 'pong');
      expect(theirs.messages.filter((m) => m.type === 'notification')).toEqual([]);
      await expect(publish(srv.database.db, u.id, { type: 'change' })).rejects.toThrow(/reserved/);
      await expect(publish(srv.database.db, u.id, { type: 'x', blob: 'y'.repeat(9000) })).rejects.toThrow(/too large/);
      mine.close();
      theirs.close();
    });

    it('a big file’s pack stored while it uploads is announced to the user’s sockets (uploading), in events that fit a NOTIFY; nothing without file, offset and size; a bad one is 400', async () => {
      const u = await srv.user();
      const other = await srv.user();
      const mine = await EventsClient.open(srv.url, u.token);
      const theirs = await EventsClient.open(srv.url, other.token);
      const blocks = Array.from({ length: 100 }, (_, i) => Buffer.alloc(1000 + i, i));
      const entries = blocks.map((b) => ({ hash: createHash('sha256').update(b).digest('hex'), size: b.length, encoding: 'identity' as const, body: b }));
      const put = (query: string) =>
        fetch(`${srv.url}/api/v1/blocks/pack/entries${query}`, { method: 'POST', headers: { ...u.auth, 'content-type': 'application/octet-stream' }, body: encodeEntryPack(entries) });
      expect((await put('?file=/big.bin&offset=-1&size=5')).status).toBe(400);
      expect((await put('?file=/big.bin&offset=x&size=5')).status).toBe(400);
      expect((await put('')).status).toBe(200); // stored, not announced
      expect((await put(`?file=${encodeURIComponent('/dir/big file.bin')}&offset=4096&size=900000`)).status).toBe(200);
      // 100 blocks' JSON do not fit one NOTIFY: two events, the second starting where the first ends.
      const got = await mine.next((m) => m.type === 'uploading', 2);
      expect(got.map((m) => [m.path, m.size])).toEqual([
        ['/dir/big file.bin', 900000],
        ['/dir/big file.bin', 900000],
      ]);
      expect([...got[0]!.blocks, ...got[1]!.blocks]).toEqual(entries.map((e) => ({ hash: e.hash, size: e.size })));
      expect(got[0]!.offset).toBe(4096);
      expect(got[1]!.offset).toBe(4096 + (got[0]!.blocks as Json[]).reduce((n: number, b: Json) => n + (b.size as number), 0));
      mine.send({ type: 'ping' });
      await mine.next((m) => m.type === 'pong');
      expect(mine.messages.filter((m) => m.type === 'uploading')).toHaveLength(2);
      theirs.send({ type: 'ping' });
      await theirs.next((m) => m.type === 'pong');
      expect(theirs.messages.filter((m) => m.type === 'uploading')).toEqual([]);
      mine.close();
      theirs.close();
    });

    it('heartbeats drop a peer that stops answering pings', async () => {
      const u = await srv.user();
      const held = srv.hub.heldConnections;
      const { hostname, port } = new URL(srv.url);
      // A raw client: completes the handshake, then never reads or answers anything.
      const socket = connect(Number(port), hostname);
      socket.write(
        [`GET /api/v1/events?token=${u.token} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '', ''].join('\r\n'),
      );
      const closed = new Promise<void>((r) => socket.on('close', () => r()));
      let head = '';
      socket.on('data', (d) => (head += d.toString('latin1')));
      await until(() => head.includes('\r\n\r\n'));
      expect(head).toMatch(/^HTTP\/1\.1 101/); // ?token= authenticated it
      await until(() => srv.hub.heldConnections > held);
      await closed; // terminated by the server after an unanswered ping
      await until(() => srv.hub.heldConnections === held);
    });
  });
}
