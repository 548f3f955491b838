/**
 * Quota counts stored-but-uncommitted bytes (DESIGN §3, invariant 8): a user with a 1 MiB quota
 * can neither PUT blocks nor grow an unsized resumable session or simple upload past it. Each is
 * refused with 507 before the refused bytes are stored; a commit turns reservations into usage;
 * cancel and expiry hand them back; GC removes the bytes nobody committed.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blocks, files, quotaReservations, uploadSessions, users } from '../src/db/schema.js';
import { filesUnder, runJob } from './fixtures/jobs.js';
import { BACKENDS, useTestServer, type TestServer } from './fixtures/server.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';
import { download, putPiece, startResumable, status, storedBytes, upload } from './fixtures/transfer.js';

type Json = Record<string, any>;
const QUOTA = 1024 * 1024;
const GRACE_0 = { env: { COFFER_GC_GRACE_SECONDS: '0' } };

/** A request whose body is sent in pieces as long as the server reads; answers the status it got. */
function sendStreaming(url: string, opts: { method: string; path: string; headers: Record<string, string>; bytes: number }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    let answered = false;
    // A connection of its own: one the server closes after a refused body is never reused.
    const req = request({ hostname, port, method: opts.method, path: opts.path, headers: opts.headers, agent: false }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body: Buffer.concat(parts).toString('utf8') });
        req.destroy();
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    let sent = 0;
    const more = () => {
      while (!answered && sent < opts.bytes) {
        const n = Math.min(64 * 1024, opts.bytes - sent);
        sent += n;
        if (!req.write(randomBytes(n))) return void req.once('drain', more);
      }
      if (!answered) req.end();
    };
    more();
  });
}

for (const backend of BACKENDS) {
  describe(`quota reservations (${backend})`, () => {
    const srv: TestServer = useTestServer(backend);
    const db = () => srv.database.db;

    async function usage(u: { id: string }) {
      const [row] = await db().select({ used: users.usedBytes, reserved: users.reservedBytes }).from(users).where(eq(users.id, u.id));
      return row!;
    }
    const blockRows = async (keys: string[]) => (keys.length === 0 ? [] : await db().select({ key: blocks.key }).from(blocks).where(inArray(blocks.key, keys)));
    const shardFiles = async (keys: string[]) => (await filesUnder(join(srv.dataDir, 'nodes'))).filter((p) => keys.some((k) => p.includes(k))).length;
    const putBlock = (c: SyncClient, data: Buffer) => c.send('PUT', `/api/v1/blocks/${sha256(data)}`, data);
    async function sessionKeys(sessionUrl: string): Promise<string[]> {
      const [s] = await db().select().from(uploadSessions).where(eq(uploadSessions.id, sessionUrl.split('/').at(-1)!));
      return [...s!.blocks.map((b) => b.key), ...(s!.tail ? [s!.tail.key] : [])];
    }

    it('PUT /blocks reserves before storing: past a 1 MiB quota it is refused with 507 and stores nothing; a commit turns the reservation into usage', async () => {
      const u = await srv.user({ quotaBytes: QUOTA });
      const c = new SyncClient(srv.url, u.auth);
      const a = randomBytes(600_000);
      expect((await putBlock(c, a)).status).toBe(201);
      expect(await usage(u)).toEqual({ used: 0, reserved: 600_000 });
      const me = (await c.send('GET', '/api/v1/me')).json() as Json;
      expect(me).toMatchObject({ quotaBytes: QUOTA, usedBytes: 0, reservedBytes: 600_000 });
      // The same block again: already counted, not twice.
      expect((await putBlock(c, a)).status).toBe(200);
      expect(await usage(u)).toEqual({ used: 0, reserved: 600_000 });

      const b = randomBytes(600_000);
      const refused = await putBlock(c, b);
      expect(refused.status).toBe(507);
      expect(refused.json().error).toMatchObject({ code: 'quota_exceeded', details: { usedBytes: 0, reservedBytes: 600_000, quotaBytes: QUOTA, neededBytes: 600_000 } });
      expect(await db().select().from(blocks).where(and(eq(blocks.namespaceId, u.namespaceId), eq(blocks.hash, sha256(b))))).toEqual([]);
      expect(await usage(u)).toEqual({ used: 0, reserved: 600_000 });

      const commit = await c.commit('/a.bin', [{ hash: sha256(a), size: a.length }], { baseRev: null });
      expect(commit.status).toBe(201);
      expect(await usage(u)).toEqual({ used: 600_000, reserved: 0 });
      expect(await db().select().from(quotaReservations).where(eq(quotaReservations.namespaceId, u.namespaceId))).toEqual([]);
      // Part of a file now: a PUT of it reserves nothing; the other block still does not fit.
      expect((await putBlock(c, a)).status).toBe(200);
      expect(await usage(u)).toEqual({ used: 600_000, reserved: 0 });
      expect((await putBlock(c, b)).status).toBe(507);
    });

    it('concurrent block PUTs never overshoot the quota', async () => {
      const u = await srv.user({ quotaBytes: QUOTA });
      const c = new SyncClient(srv.url, u.auth);
      const answers = await Promise.all(Array.from({ length: 8 }, () => putBlock(c, randomBytes(300_000))));
      // 3 × 300,000 fit in 1 MiB, a fourth does not, whichever requests win.
      expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
      expect(answers.filter((r) => r.status === 507)).toHaveLength(5);
      expect(await usage(u)).toEqual({ used: 0, reserved: 900_000 });
      expect(await db().select().from(blocks).where(eq(blocks.namespaceId, u.namespaceId))).toHaveLength(3);
    });

    it('an unsized resumable session stops at the quota (507) and at 10 GiB (413) before reading a piece; cancel releases, GC removes the bytes', async () => {
      const u = await srv.user({ quotaBytes: QUOTA });
      const { res, session } = await startResumable(srv.url, u.auth, { path: '/grow.bin' });
      expect(res.status).toBe(200);
      expect((await putPiece(session, u.auth, randomBytes(600_000), 0, '*')).status).toBe(308);
      expect(await usage(u)).toEqual({ used: 0, reserved: 600_000 });

      const over = await putPiece(session, u.auth, randomBytes(600_000), 600_000, '*');
      expect(over.status).toBe(507);
      expect(((await over.json()) as Json).error.code).toBe('quota_exceeded');
      // Nothing of the refused piece was kept.
      const st = await status(session, u.auth, '*');
      expect(st.status).toBe(308);
      expect(storedBytes(st)).toBe(600_000);
      expect(await usage(u)).toEqual({ used: 0, reserved: 600_000 });

      const tooBig = await sendStreaming(srv.url, {
        method: 'PUT',
        path: new URL(session).pathname,
        headers: { ...u.auth, 'content-range': `bytes 600000-${10 * 1024 ** 3}/*`, 'content-length': String(10 * 1024 ** 3 - 600_000 + 1) },
        bytes: 256 * 1024,
      });
      expect(tooBig.status).toBe(413);
      expect(JSON.parse(tooBig.body).error.code).toBe('file_too_large');
      expect(storedBytes(await status(session, u.auth, '*'))).toBe(600_000);

      const keys = await sessionKeys(session);
      expect(keys.length).toBeGreaterThan(0);
      expect((await fetch(session, { method: 'DELETE', headers: u.auth })).status).toBe(204);
      expect(await usage(u)).toEqual({ used: 0, reserved: 0 });
      expect((await blockRows(keys)).length).toBe(keys.length); // garbage now, until GC
      expect((await runJob(srv, 'gc', GRACE_0)).state).toBe('done');
      expect(await blockRows(keys)).toEqual([]);
      expect(await shardFiles(keys)).toBe(0);
    });

    it('expiry releases a block’s and a session’s reservation: usage returns to the committed figure and GC removes the uncommitted bytes', async () => {
      const u = await srv.user({ quotaBytes: QUOTA });
      const kept = randomBytes(100_000);
      expect((await upload(srv.url, u.auth, '/kept.bin', kept)).status).toBe(201);
      const c = new SyncClient(srv.url, u.auth);
      const block = randomBytes(300_000);
      expect((await putBlock(c, block)).status).toBe(201);
      const { session } = await startResumable(srv.url, u.auth, { path: '/left.bin' });
      expect((await putPiece(session, u.auth, randomBytes(200_000), 0, '*')).status).toBe(308);
      expect(await usage(u)).toEqual({ used: 100_000, reserved: 500_000 });

      const blockKey = srv.storage.blocks.keyFor(u.namespaceId, sha256(block));
      const keys = [blockKey, ...(await sessionKeys(session))];
      // A GC before the expiry keeps both: a reserved block is not garbage, whatever its age.
      await runJob(srv, 'gc', GRACE_0);
      expect((await blockRows(keys)).length).toBe(keys.length);
      expect(await usage(u)).toEqual({ used: 100_000, reserved: 500_000 });

      const past = new Date(Date.now() - 1000);
      await db().update(quotaReservations).set({ expiresAt: past }).where(eq(quotaReservations.ref, blockKey));
      await db().update(uploadSessions).set({ expiresAt: past }).where(eq(uploadSessions.id, session.split('/').at(-1)!));
      const gc = await runJob(srv, 'gc', GRACE_0);
      expect(gc.state).toBe('done');
      expect(gc.progress).toMatchObject({ sessions: 1, reservations: 1 });
      expect(await usage(u)).toEqual({ used: 100_000, reserved: 0 });
      expect(await blockRows(keys)).toEqual([]);
      expect(await shardFiles(keys)).toBe(0);
      expect((await c.send('GET', '/api/v1/me')).json()).toMatchObject({ usedBytes: 100_000, reservedBytes: 0 });
      const back = await download(srv.url, u.auth, '/kept.bin');
      expect(sha256(Buffer.from(await back.arrayBuffer()))).toBe(sha256(kept));
    });

    it('an unsized simple upload stops at the quota with 507; a sized one that cannot fit is refused before its bytes', async () => {
      const u = await srv.user({ quotaBytes: QUOTA });
      const unsized = await sendStreaming(srv.url, {
        method: 'POST',
        path: '/api/v1/upload?uploadType=media&path=/stream.bin',
        headers: { ...u.auth, 'transfer-encoding': 'chunked' },
        bytes: 3 * QUOTA,
      });
      expect(unsized.status).toBe(507);
      expect(JSON.parse(unsized.body).error.code).toBe('quota_exceeded');
      expect(await usage(u)).toEqual({ used: 0, reserved: 0 });
      expect(await db().select().from(files).where(eq(files.namespaceId, u.namespaceId))).toEqual([]);

      const sized = await sendStreaming(srv.url, {
        method: 'POST',
        path: '/api/v1/upload?uploadType=media&path=/sized.bin',
        headers: { ...u.auth, 'content-length': String(8 * QUOTA) },
        // All of it: the server reads (and drops) a small refused body to the end before answering.
        bytes: 8 * QUOTA,
      });
      expect(sized.status).toBe(507);
      expect(await usage(u)).toEqual({ used: 0, reserved: 0 });

      // What fits still goes in, and is charged once.
      const fits = randomBytes(700_000);
      expect((await upload(srv.url, u.auth, '/fits.bin', fits)).status).toBe(201);
      expect(await usage(u)).toEqual({ used: 700_000, reserved: 0 });
    });
  });
}
