/**
 * Usage truth (issue 23): recomputes each account's usage from what it holds — the head revisions
 * of its files (trash included) plus the revisions it keeps forever that are not heads — and its
 * reservations from `quota_reservations`, and reports (and, unless `dryRun`, repairs) any drift
 * from `users.used_bytes` / `reserved_bytes`. Each account is recomputed under its row lock, the
 * lock every charge and reservation takes (files/versions.ts chargeQuota, coffer_reserve), so a
 * commit under way is counted once: before the recount, or added after it.
 */
import { asc, eq, gt, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';
import { users } from '../db/schema.js';
import type { JobHandler } from './runner.js';

export interface Drift {
  userId: string;
  username: string;
  recordedBytes: number;
  actualBytes: number;
  recordedReserved: number;
  actualReserved: number;
}

export function reconcileHandler(deps: { db: Db }): JobHandler {
  return async (job, ctx) => {
    const dryRun = job.payload.dryRun === true;
    const drift: Drift[] = [];
    let checked = 0;
    let drifted = 0;
    let after: string | undefined;
    for (;;) {
      const page = await deps.db
        .select({ id: users.id })
        .from(users)
        .where(after ? gt(users.id, after) : undefined)
        .orderBy(asc(users.id))
        .limit(200);
      if (page.length === 0) break;
      for (const { id } of page) {
        ctx.signal.throwIfAborted();
        const d = await reconcileUser(deps.db, id, dryRun);
        checked++;
        if (d) {
          drifted++;
          if (drift.length < 100) drift.push(d);
        }
        after = id;
      }
      await ctx.report({ dryRun, users: checked, drifted, repaired: dryRun ? 0 : drifted, drift });
    }
    await ctx.report({ dryRun, users: checked, drifted, repaired: dryRun ? 0 : drifted, drift, finished: true });
  };
}

/** One account recounted (and repaired unless `dryRun`); its drift, or null when none. */
export async function reconcileUser(db: Db, userId: string, dryRun: boolean): Promise<Drift | null> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const [u] = await t
      .select({ username: users.username, ns: users.namespaceId, used: users.usedBytes, reserved: users.reservedBytes })
      .from(users)
      .where(eq(users.id, userId))
      .for('update');
    if (!u) return null;
    const [actual] = rowsOf<{ used: string | number; reserved: string | number }>(
      await t.execute(sql`
        select
          (select coalesce(sum(v.size), 0) from files f join file_versions v on v.id = f.head_version_id
            where f.namespace_id = ${u.ns} and not f.is_dir)
          + (select coalesce(sum(v.size), 0) from files f join file_versions v on v.file_id = f.id
               join kept_versions k on k.version_id = v.id
             where f.namespace_id = ${u.ns} and v.id is distinct from f.head_version_id) as used,
          (select coalesce(sum(r.bytes), 0) from quota_reservations r where r.namespace_id = ${u.ns}) as reserved`),
    );
    const used = Number(actual?.used ?? 0);
    const reserved = Number(actual?.reserved ?? 0);
    if (used === u.used && reserved === u.reserved) return null;
    if (!dryRun) await t.update(users).set({ usedBytes: used, reservedBytes: reserved }).where(eq(users.id, userId));
    return { userId, username: u.username, recordedBytes: u.used, actualBytes: used, recordedReserved: u.reserved, actualReserved: reserved };
  });
}
