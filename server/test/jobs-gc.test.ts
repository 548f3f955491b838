/**
 * GC on PostgreSQL: purged files' blocks go once past the grace period (rows and shard objects),
 * live upload sessions keep theirs until they expire, and a block re-referenced by a concurrent
 * commit is never lost: a commit holding the row first makes GC skip it; GC claiming it first
 * makes the commit fail (409 block_gone) rather than point at a deleted block. Packs of small
 * blocks whose entries died are compacted by the same job, and the live files still read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/open.js';
import { blocks, files, uploadSessions } from '../src/db/schema.js';
import { blocksOfVersion, commitVersion } from '../src/files/versions.js';
import { HttpError } from '../src/http-errors.js';
import { claimGarbage } from '../src/jobs/gc.js';
import { filesUnder, runJob } from './fixtures/jobs.js';
import { apiAs, q } from './fixtures/seed.js';
import { useTestServer } from './fixtures/server.js';
import { download, putPiece, sha256, startResumable, upload } from './fixtures/transfer.js';

const MiB = 1024 * 1024;
const GRACE_0 = { env: { COFFER_GC_GRACE_SECONDS: '0' } };

describe('GC on PostgreSQL', () => {
  const srv = useTestServer('postgres');
  const db = (): Db => srv.database.db;

  async function put(user: { auth: Record<string, string> }, path: string, data: Buffer) {
    const res = await upload(srv.url, user.auth, path, data);
    expect(res.status).toBe(201);
    const view = (await res.json()) as { id: string; rev: number };
    const [row] = await db().select().from(files).where(eq(files.id, view.id));
    return { id: view.id, rev: view.rev, blocks: await blocksOfVersion(db(), row!.headVersionId!) };
  }

  async function purge(user: { auth: Record<string, string> }, path: string) {
    const api = apiAs(srv, user);
    expect((await api.post('/delete', { path })).status).toBe(200);
    expect((await api.del('/trash')).status).toBe(200);
  }

  const existing = async (keys: string[]) =>
    (await db().select({ key: blocks.key, refcount: blocks.refcount }).from(blocks).where(inArray(blocks.key, keys))).length;
  const shardFilesOf = async (keys: string[]) =>
    (await filesUnder(join(srv.dataDir, 'nodes'))).filter((p) => keys.some((k) => p.includes(k))).length;

  it('deletes purged files’ blocks and their shards after the grace period, not before', async () => {
    const user = await srv.user();
    const f = await put(user, '/gone.bin', randomBytes(2 * MiB));
    const keys = f.blocks.map((b) => b.key);
    // 2+1 shards per block, or two whole replicas for a block under 128 KiB (a random file's tail may be one).
    expect(await shardFilesOf(keys)).toBeGreaterThanOrEqual(keys.length * 2);
    await purge(user, '/gone.bin');

    const early = await runJob(srv, 'gc', { env: { COFFER_GC_GRACE_SECONDS: '3600' } });
    expect(early.state).toBe('done');
    expect(await existing(keys)).toBe(keys.length);

    const gc = await runJob(srv, 'gc', GRACE_0);
    expect(gc.state).toBe('done');
    expect(gc.progress.deleted).toBe(keys.length);
    expect(await existing(keys)).toBe(0);
    expect(await shardFilesOf(keys)).toBe(0);
  });

  it('keeps a block that a commit re-references while GC runs (the commit locked it first)', async () => {
    const user = await srv.user();
    const data = randomBytes(MiB + 12345);
    const a = await put(user, '/a.bin', data);
    const b = await put(user, '/b.bin', randomBytes(1000));
    await purge(user, '/a.bin');
    const keys = a.blocks.map((x) => x.key);

    await db().transaction(async (tx) => {
      await commitVersion(tx as unknown as Db, {
        fileId: b.id,
        blocks: a.blocks,
        size: data.length,
        contentHash: createHash('sha256').update(data).digest('hex'),
        authorId: user.id,
        baseRev: b.rev,
        overwrite: false,
      });
      // GC on another connection while the commit is open: the rows are locked, so it skips them.
      const claimed = await claimGarbage(db(), 0, 100);
      expect(claimed.filter((c) => keys.includes(c.key))).toEqual([]);
    });
    await runJob(srv, 'gc', GRACE_0);
    expect(await existing(keys)).toBe(keys.length);
    const res = await download(srv.url, user.auth, '/b.bin');
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(data));
  });

  it('fails a commit of a block GC claimed first (409 block_gone), changing nothing', async () => {
    const user = await srv.user();
    const data = randomBytes(MiB + 999);
    const c = await put(user, '/c.bin', data);
    const d = await put(user, '/d.bin', randomBytes(1000));
    await purge(user, '/c.bin');
    const keys = c.blocks.map((x) => x.key);
    const claimed = await claimGarbage(db(), 0, 100);
    expect(claimed.map((x) => x.key)).toEqual(expect.arrayContaining(keys));

    const attempt = db().transaction((tx) =>
      commitVersion(tx as unknown as Db, { fileId: d.id, blocks: c.blocks, size: data.length, contentHash: 'x', authorId: user.id, baseRev: d.rev, overwrite: false }),
    );
    await expect(attempt).rejects.toSatisfy((e: unknown) => e instanceof HttpError && e.code === 'block_gone');
    const [row] = await db().select({ rev: files.rev }).from(files).where(eq(files.id, d.id));
    expect(row!.rev).toBe(d.rev);

    await runJob(srv, 'gc', GRACE_0); // finishes what the claim started
    expect(await existing(keys)).toBe(0);
  });

  it('keeps a live upload session’s blocks; drops an expired session, its pending entry and its blocks', async () => {
    const user = await srv.user();
    const data = randomBytes(3 * MiB);
    const { session } = await startResumable(srv.url, user.auth, { path: '/partial.bin', size: data.length });
    expect((await putPiece(session, user.auth, data.subarray(0, 2 * MiB), 0, data.length)).status).toBe(308);
    const [s] = await db().select().from(uploadSessions).where(eq(uploadSessions.fileId, sql`(select id from files where name = 'partial.bin')`));
    const keys = [...s!.blocks.map((x) => x.key), ...(s!.tail ? [s!.tail.key] : [])];
    expect(keys.length).toBeGreaterThan(0);

    await runJob(srv, 'gc', GRACE_0);
    expect(await existing(keys)).toBe(keys.length);

    await db().update(uploadSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(uploadSessions.id, s!.id));
    const gc = await runJob(srv, 'gc', GRACE_0);
    expect(gc.progress.sessions).toBe(1);
    expect(await existing(keys)).toBe(0);
    expect(await db().select().from(uploadSessions).where(eq(uploadSessions.id, s!.id))).toEqual([]);
    expect((await apiAs(srv, user).get(`/metadata?path=${q('/partial.bin')}`)).status).toBe(404);
  });

  it('compacts the packs that purged small files leave mostly dead; the files kept read back whole', async () => {
    const user = await srv.user();
    const packFiles = async () => (await filesUnder(join(srv.dataDir, 'nodes'))).filter((p) => p.includes('/packs/'));
    const before = (await packFiles()).length;
    // Uploaded together, so their small shards share packs (group commit).
    const data = Array.from({ length: 24 }, (_, i) => randomBytes(900 + i));
    await Promise.all(data.map((d, i) => put(user, `/small-f${i}.bin`, d)));
    expect((await packFiles()).length).toBeGreaterThan(before);
    for (let i = 2; i < data.length; i++) {
      expect((await apiAs(srv, user).post('/delete', { path: `/small-f${i}.bin` })).status).toBe(200);
    }
    expect((await apiAs(srv, user).del('/trash')).status).toBe(200);

    const gc = await runJob(srv, 'gc', { ...GRACE_0, payload: { packMinAgeSeconds: 0 } });
    expect(gc.state).toBe('done');
    const packs = gc.progress.packs as { deleted: number; movedEntries: number; bytesFreed: number; skipped: Record<string, string> };
    expect(packs.skipped).toEqual({});
    expect(packs.deleted).toBeGreaterThan(0);
    expect(packs.bytesFreed).toBeGreaterThan(0);
    for (const i of [0, 1]) {
      const res = await download(srv.url, user.auth, `/small-f${i}.bin`);
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(data[i]!));
    }
  });
});
