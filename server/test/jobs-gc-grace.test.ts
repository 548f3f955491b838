/**
 * GC's grace counts from the last reference (issue 23): a block that was created long ago and has
 * just lost its last reference keeps its whole grace period, and one referenced again within the
 * grace is never deleted, on PostgreSQL and PGlite.
 */
import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/open.js';
import { blocks, files } from '../src/db/schema.js';
import { blocksOfVersion } from '../src/files/versions.js';
import { runJob } from './fixtures/jobs.js';
import { apiAs } from './fixtures/seed.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { download, upload } from './fixtures/transfer.js';

const HOUR_GRACE = { env: { COFFER_GC_GRACE_SECONDS: '3600' } };

describe.each(BACKENDS)('GC grace from the last reference (%s)', (backend) => {
  const srv = useTestServer(backend);
  const db = (): Db => srv.database.db;

  async function put(user: { auth: Record<string, string> }, path: string, data: Buffer) {
    const res = await upload(srv.url, user.auth, path, data);
    expect(res.status).toBe(201);
    const view = (await res.json()) as { id: string };
    const [row] = await db().select().from(files).where(eq(files.id, view.id));
    return (await blocksOfVersion(db(), row!.headVersionId!)).map((b) => b.key);
  }
  async function purge(user: { auth: Record<string, string> }, path: string) {
    const api = apiAs(srv, user);
    expect((await api.post('/delete', { path })).status).toBe(200);
    expect((await api.del('/trash')).status).toBe(200);
  }
  const rows = (keys: string[]) =>
    db().select({ key: blocks.key, refcount: blocks.refcount, unreferencedAt: blocks.unreferencedAt }).from(blocks).where(inArray(blocks.key, keys));
  const age = (keys: string[], column: 'createdAt' | 'unreferencedAt', ms: number) =>
    db().update(blocks).set({ [column]: new Date(Date.now() - ms) }).where(inArray(blocks.key, keys));

  it('starts the grace when the last reference goes, not when the block was made', async () => {
    const user = await srv.user();
    const keys = await put(user, '/old.bin', randomBytes(300_000));
    expect((await rows(keys)).every((r) => r.refcount === 1 && r.unreferencedAt === null)).toBe(true);
    await age(keys, 'createdAt', 48 * 3600_000); // made two days ago
    await purge(user, '/old.bin');
    const dropped = await rows(keys);
    expect(dropped.every((r) => r.refcount === 0 && r.unreferencedAt !== null && Date.now() - r.unreferencedAt.getTime() < 60_000)).toBe(true);

    const gc = await runJob(srv, 'gc', HOUR_GRACE);
    expect(gc.state).toBe('done');
    expect((await rows(keys)).length).toBe(keys.length); // an hour's grace from the drop, whatever the age

    await age(keys, 'unreferencedAt', 2 * 3600_000);
    await runJob(srv, 'gc', HOUR_GRACE);
    expect((await rows(keys)).length).toBe(0);
  });

  it('never deletes a block unreferenced and referenced again within the grace', async () => {
    const user = await srv.user();
    const data = randomBytes(400_000);
    const keys = await put(user, '/a.bin', data);
    await age(keys, 'createdAt', 48 * 3600_000);
    await purge(user, '/a.bin');
    await age(keys, 'unreferencedAt', 1800_000); // half the grace gone

    // The same content again: the upload finds the blocks and references them.
    expect(await put(user, '/b.bin', data)).toEqual(keys);
    expect((await rows(keys)).every((r) => r.refcount === 1 && r.unreferencedAt === null)).toBe(true);
    await runJob(srv, 'gc', { env: { COFFER_GC_GRACE_SECONDS: '0' } });
    expect((await rows(keys)).length).toBe(keys.length);

    // Dropped once more: a fresh grace, however old the first drop was.
    await purge(user, '/b.bin');
    await age(keys, 'unreferencedAt', 0);
    await runJob(srv, 'gc', HOUR_GRACE);
    expect((await rows(keys)).length).toBe(keys.length);
    expect(await put(user, '/c.bin', data)).toEqual(keys);
    const res = await download(srv.url, user.auth, '/c.bin');
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
  });
});
