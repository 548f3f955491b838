/**
 * Usage truth (issue 23): the reconcile job recomputes each account's usage (head revisions, trash
 * included, plus revisions kept forever) and reservations, reports drift planted in the database,
 * repairs it (not on a dry run), and finds none on the next run. PostgreSQL and PGlite.
 */
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { users } from '../src/db/schema.js';
import type { Drift } from '../src/jobs/reconcile.js';
import { runJob } from './fixtures/jobs.js';
import { apiAs, usedBytes } from './fixtures/seed.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { upload } from './fixtures/transfer.js';

describe.each(BACKENDS)('usage reconciliation (%s)', (backend) => {
  const srv = useTestServer(backend);

  it('finds planted drift, repairs it, and then finds none', async () => {
    const u = await srv.user();
    const honest = await srv.user();
    const api = apiAs(srv, u);
    expect((await upload(srv.url, u.auth, '/a.bin', randomBytes(50_000))).status).toBe(201);
    expect((await upload(srv.url, u.auth, '/a.bin', randomBytes(70_000), '&overwrite=true')).status).toBe(201);
    expect((await api.post('/revisions/keep', { path: '/a.bin', rev: 1 })).status).toBe(200);
    expect((await upload(srv.url, u.auth, '/t.bin', randomBytes(30_000))).status).toBe(201);
    expect((await api.post('/delete', { path: '/t.bin' })).status).toBe(200); // trash counts
    expect((await upload(srv.url, honest.auth, '/h.bin', randomBytes(10_000))).status).toBe(201);
    const truth = 70_000 + 50_000 + 30_000;
    expect(await usedBytes(srv, u)).toBe(truth);

    const db = srv.database.db;
    await db.update(users).set({ usedBytes: sql`${users.usedBytes} + 12345`, reservedBytes: 999 }).where(eq(users.id, u.id));

    const dry = await runJob(srv, 'reconcile', { payload: { dryRun: true } });
    expect(dry.state).toBe('done');
    expect(dry.progress).toMatchObject({ dryRun: true, drifted: 1, repaired: 0 });
    expect(dry.progress.drift).toEqual([
      { userId: u.id, username: u.username, recordedBytes: truth + 12345, actualBytes: truth, recordedReserved: 999, actualReserved: 0 } satisfies Drift,
    ]);
    expect(await usedBytes(srv, u)).toBe(truth + 12345);

    const run = await runJob(srv, 'reconcile');
    expect(run.progress).toMatchObject({ drifted: 1, repaired: 1 });
    expect(await usedBytes(srv, u)).toBe(truth);
    expect((await db.select({ r: users.reservedBytes }).from(users).where(eq(users.id, u.id)))[0]!.r).toBe(0);
    expect(await usedBytes(srv, honest)).toBe(10_000);

    expect((await runJob(srv, 'reconcile')).progress).toMatchObject({ drifted: 0, repaired: 0 });
  });
});
