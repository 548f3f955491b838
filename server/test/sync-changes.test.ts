/**
 * The change journal over HTTP with two devices of one user: long polls wake on the other
 * device's commit, /changes pages in seq order with no gap and no duplicate (also while commits
 * race each other), malformed cursors are 400, unservable ones 410 `reset`.
 */
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../src/db/open.js';
import { devices } from '../src/db/schema.js';
import { appendJournal } from '../src/files/journal.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { getJson, loginDevice, postJson, readAll, until, type Json } from './fixtures/sync-devices.js';
import { upload } from './fixtures/transfer.js';

for (const backend of BACKENDS) {
  describe(`changes and long polls (${backend})`, () => {
    const srv = useTestServer(backend);

    it("A uploads: B's long poll wakes and B's /changes shows exactly A's change", async () => {
      const u = await srv.user();
      const a = await loginDevice(srv.url, u.username, 'laptop A');
      const b = await loginDevice(srv.url, u.username, 'desktop B');
      const other = await srv.user(); // another namespace's change must neither wake B nor show up
      const start = (await getJson(srv.url, '/api/v1/changes/latest', b.auth)).body.cursor as number;

      const held = srv.hub.heldConnections;
      const poll = getJson(srv.url, `/api/v1/changes/longpoll?cursor=${start}&timeout=30`, b.auth);
      await until(() => srv.hub.heldConnections > held);
      expect((await postJson(srv.url, '/api/v1/mkdir', other.auth, { path: '/elsewhere' })).status).toBe(201);
      const presence = (await getJson(srv.url, '/api/v1/presence', a.auth)).body.devices as Json[];
      expect(presence.find((d) => d.id === b.id)?.online).toBe(true); // B holds a long poll
      expect(presence.find((d) => d.id === a.id)?.online).toBe(false);

      const res = await upload(srv.url, a.auth, '/notes.txt', Buffer.from('hello from A'));
      expect(res.status).toBe(201);
      const file = (await res.json()) as Json;
      // Only the wake can answer true: nothing after `start` existed when the poll began.
      expect((await poll).body).toEqual({ changes: true });

      const { body } = await getJson(srv.url, `/api/v1/changes?cursor=${start}`, b.auth);
      expect(body.has_more).toBe(false);
      expect(body.entries).toHaveLength(1);
      expect(body.entries[0]).toMatchObject({
        op: 'create',
        fileId: file.id,
        rev: 1,
        name: 'notes.txt',
        parentId: null,
        isDir: false,
        size: 12,
        contentHash: file.contentHash,
        deviceId: a.id,
      });
      expect(body.cursor).toBe(body.entries[0].seq);
      const [row] = await srv.database.db.select().from(devices).where(eq(devices.id, b.id));
      expect(row!.cursor).toBe(body.cursor); // B's place in the journal is remembered

      // From the new cursor there is nothing more, and a poll answers at once.
      expect((await getJson(srv.url, `/api/v1/changes?cursor=${body.cursor}`, b.auth)).body).toEqual({ entries: [], cursor: body.cursor, has_more: false });
      expect((await getJson(srv.url, `/api/v1/changes/longpoll?cursor=${start}&timeout=30`, b.auth)).body).toEqual({ changes: true });
    });

    it('B, offline across 1,000 changes made by racing writers, catches up in small pages with no gap and no duplicate', async () => {
      const u = await srv.user();
      const a = await loginDevice(srv.url, u.username, 'A');
      const b = await loginDevice(srv.url, u.username, 'B');
      const noise = await srv.user();
      const start = (await getJson(srv.url, '/api/v1/changes/latest', b.auth)).body.cursor as number;

      // Four writers of A's namespace and one of another namespace commit concurrently, so seqs
      // interleave; B reads while they write (the race a late commit of an early seq would lose).
      const made: string[] = [];
      const writer = async (w: number) => {
        for (let i = 0; i < 250; i++) {
          const r = await postJson(srv.url, '/api/v1/mkdir', a.auth, { path: `/w${w}-${i}` });
          expect(r.status).toBe(201);
          made.push(r.body.id);
        }
      };
      const noiseWriter = async () => {
        for (let i = 0; i < 100; i++) await postJson(srv.url, '/api/v1/mkdir', noise.auth, { path: `/n${i}` });
      };
      const seen: Json[] = [];
      let cursor = start;
      let writing = true;
      const reader = async () => {
        while (writing) {
          const page = await readAll(srv.url, b.auth, cursor, 7);
          seen.push(...page.entries);
          cursor = page.cursor;
        }
      };
      const half = Promise.all([writer(0), writer(1)]);
      await half; // B was offline for these 500
      const rest = Promise.all([writer(2), writer(3), noiseWriter()]).finally(() => (writing = false));
      await Promise.all([rest, reader()]);
      const tail = await readAll(srv.url, b.auth, cursor, 7);
      seen.push(...tail.entries);

      const seqs = seen.map((e) => e.seq as number);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seen).toHaveLength(1000);
      expect(new Set(seen.map((e) => e.fileId))).toEqual(new Set(made));
      expect(seen.every((e) => e.op === 'mkdir' && e.isDir === true && e.deviceId === a.id)).toBe(true);
      // Read again from the start in one pass: the same list (history does not change).
      expect((await readAll(srv.url, b.auth, start, 1000)).entries.map((e) => e.seq)).toEqual(seqs);
    });

    it('refuses malformed cursors and parameters with 400, and unservable cursors with 410 reset', async () => {
      const u = await srv.user();
      const other = await srv.user();
      await postJson(srv.url, '/api/v1/mkdir', other.auth, { path: '/first' }); // a seq below u's first entry
      const otherSeq = (await getJson(srv.url, '/api/v1/changes/latest', other.auth)).body.cursor as number;
      await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/x' });
      const head = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number;
      expect(head).toBeGreaterThan(otherSeq);

      for (const q of [
        'changes?cursor=abc',
        'changes?cursor=-1',
        'changes?cursor=1.5',
        'changes?cursor=1e3',
        'changes?cursor=',
        'changes?cursor=1234567890123456',
        'changes?limit=0',
        'changes?limit=2001',
        'changes/longpoll',
        'changes/longpoll?cursor=x',
        'changes/longpoll?cursor=0&timeout=29',
        'changes/longpoll?cursor=0&timeout=481',
      ]) {
        const r = await getJson(srv.url, `/api/v1/${q}`, u.auth);
        expect(r.status, q).toBe(400);
        expect(r.body.error.code, q).toBe('invalid_request');
      }
      for (const q of [`changes?cursor=${head + 1000}`, `changes/longpoll?cursor=${head + 1000}`, `changes?cursor=${otherSeq}`]) {
        const r = await getJson(srv.url, `/api/v1/${q}`, u.auth);
        expect(r.status, q).toBe(410);
        expect(r.body.error).toMatchObject({ code: 'reset', details: { latestCursor: head } });
        expect(r.body.error.message).toMatch(/start over/);
      }
      // An empty namespace serves only cursor 0.
      const fresh = await srv.user();
      expect((await getJson(srv.url, '/api/v1/changes/latest', fresh.auth)).body).toEqual({ cursor: 0 });
      expect((await getJson(srv.url, '/api/v1/changes?cursor=0', fresh.auth)).body).toEqual({ entries: [], cursor: 0, has_more: false });
      expect((await getJson(srv.url, `/api/v1/changes?cursor=${head}`, fresh.auth)).status).toBe(410);
      expect((await fetch(`${srv.url}/api/v1/changes`)).status).toBe(401);
    });

    it('a long poll answers with a backoff hint when the process holds more connections than it likes', async () => {
      const u = await srv.user();
      const head = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number;
      await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/y' });
      const before = srv.hub.busyConnections;
      srv.hub.busyConnections = 0;
      try {
        const r = await getJson(srv.url, `/api/v1/changes/longpoll?cursor=${head}&timeout=30`, u.auth);
        expect(r.body.changes).toBe(true);
        expect(r.body.backoff).toBeGreaterThanOrEqual(1);
      } finally {
        srv.hub.busyConnections = before;
      }
      const r = await getJson(srv.url, `/api/v1/changes/longpoll?cursor=${head}&timeout=30`, u.auth);
      expect(r.body).toEqual({ changes: true });
    });

    it.runIf(backend === 'postgres')('after the LISTEN connection is cut, waiting long polls re-read the journal and still wake', async () => {
      const u = await srv.user();
      const head = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number;
      const held = srv.hub.heldConnections;
      const poll = getJson(srv.url, `/api/v1/changes/longpoll?cursor=${head}&timeout=30`, u.auth);
      await until(() => srv.hub.heldConnections > held);
      const db = srv.database.db;
      const listeners = rowsOf<{ pid: number }>(
        await db.execute(sql`select pid from pg_stat_activity where datname = current_database() and query ilike 'listen %'`),
      );
      expect(listeners.length).toBe(1);
      await db.execute(sql`select pg_terminate_backend(${listeners[0]!.pid})`);
      // Commit at once: its NOTIFY most likely goes nowhere, while the listener reconnects.
      await db.transaction(async (tx) => {
        await appendJournal(tx as unknown as Db, { namespaceId: u.namespaceId, fileId: null, op: 'mkdir', payload: { name: 'during-the-gap' } });
      });
      expect((await poll).body).toEqual({ changes: true });
      const { body } = await getJson(srv.url, `/api/v1/changes?cursor=${head}`, u.auth);
      expect(body.entries.map((e: Json) => e.name)).toEqual(['during-the-gap']);
    });

    it('a long poll whose client goes away stops counting as a connection', async () => {
      const u = await srv.user();
      const head = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number;
      const held = srv.hub.heldConnections;
      const ac = new AbortController();
      const poll = fetch(`${srv.url}/api/v1/changes/longpoll?cursor=${head}&timeout=30`, { headers: u.auth, signal: ac.signal }).catch(() => 'aborted');
      await until(() => srv.hub.heldConnections > held);
      ac.abort();
      expect(await poll).toBe('aborted');
      await until(() => srv.hub.heldConnections === held); // fails by timeout if the waiter leaked
    });
  });
}
