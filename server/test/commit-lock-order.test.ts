/**
 * Two commits of one user at once take their locks in one order: the entry, then the quota row.
 * soak:sync found a batch (new files charged to the quota first, then a new revision of a file)
 * deadlocking with a single commit of that file, which held the file's row and waited for the
 * quota row. Here a transaction plays the single commit's part deterministically: it holds the
 * file's row, waits until the batch is blocked, then takes the quota row. PostgreSQL only: PGlite
 * has one connection, so nothing there can wait on anything.
 */
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/open.js';
import { files, users } from '../src/db/schema.js';
import { useTestServer } from './fixtures/server.js';
import { packOf } from './fixtures/pack.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';
import { until } from './fixtures/sync-devices.js';

type Json = Record<string, any>;

function oneBlockFile(path: string, data: Buffer) {
  return { path, size: data.byteLength, blocks: [{ hash: sha256(data), size: data.byteLength }] };
}

describe('commit lock order (postgres)', () => {
  const srv = useTestServer('postgres');

  it('a batch with new files and a new revision does not deadlock with a commit holding that file', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const v1 = randomBytes(900);
    const v2 = randomBytes(900);
    const fresh = [randomBytes(700), randomBytes(700), randomBytes(700)];
    expect((await c.send('POST', '/api/v1/blocks/pack', packOf([v1, v2, ...fresh].map((bytes) => ({ bytes }))))).status).toBe(200);
    const first = await c.send('POST', '/api/v1/files/commit/batch', { files: [{ ...oneBlockFile('/x.bin', v1), baseRev: null }] });
    const x = first.json().results[0].file as Json;
    expect(x).toMatchObject({ rev: 1 });

    const db = srv.database.db;
    let batch: ReturnType<SyncClient['send']> | undefined;
    const heldBy = await db.transaction(async (tx) => {
      // The single commit's first step: the file's row.
      await tx.select({ id: files.id }).from(files).where(eq(files.id, x.id)).for('update');
      batch = c.send('POST', '/api/v1/files/commit/batch', {
        files: [
          ...fresh.map((d, i) => ({ ...oneBlockFile(`/new-${i}.bin`, d), baseRev: null })),
          { ...oneBlockFile('/x.bin', v2), baseRev: 1, fileId: x.id },
        ],
      });
      // The batch is now blocked on a lock (the file's row).
      await until(async () => {
        const waiting = rowsOf<{ n: number }>(
          await db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`),
        );
        return waiting[0]!.n > 0;
      });
      // Its second step: the quota row. Had the batch charged its new files first, the two would wait on each other.
      const [row] = await tx.update(users).set({ reservedBytes: sql`${users.reservedBytes}` }).where(eq(users.id, u.id)).returning({ id: users.id });
      return row!.id;
    });
    expect(heldBy).toBe(u.id);
    const res = await batch!;
    expect(res.status, res.body.toString()).toBe(200);
    expect((res.json().results as Json[]).map((r) => [r.ok, r.file?.rev])).toEqual([
      [true, 1],
      [true, 1],
      [true, 1],
      [true, 2],
    ]);
  });
});
