/**
 * GC: deletes blocks no version references, once past a grace period counted from when the last
 * reference went (blocks.unreferenced_at, kept by a trigger: migration 0015), and expired upload
 * sessions first (their blocks are referenced by nothing else), releasing their quota
 * reservations and every other reservation past its expiry (quota/reservations.ts), and
 * thumbnails of content no version has any more (thumbnails/cache.ts). A block
 * that is still reserved (PUT for a commit to come) is not garbage, whatever its age.
 *
 * Never racing a commit: a block is claimed in one transaction that locks its row and checks it
 * is still unreferenced (refcount 0, past the grace, in no live upload session), marking it
 * refcount -1. A commit counts its references with an UPDATE on the same rows that requires
 * refcount >= 0 (files/versions.ts): whichever takes the row lock first wins — a commit first
 * makes the refcount 1 and GC skips the block; GC first makes the commit fail (409 block_gone)
 * instead of pointing at a block about to vanish. Only then are the shards deleted (the engine's
 * delete: shards, then the row). A crash in between leaves a -1 row that the next run finishes.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';
import { uploadSessions } from '../db/schema.js';
import { releaseExpired } from '../quota/reservations.js';
import type { Storage } from '../storage.js';
import { releaseOrphanThumbnails } from '../thumbnails/cache.js';
import { dropSession } from '../uploads/sessions.js';
import { abandonUpload } from '../uploads/target.js';
import { pruneFinished } from './queue.js';
import type { JobHandler } from './runner.js';

export interface GcOptions {
  graceMs: number;
  /** Blocks claimed per transaction round. */
  batch?: number;
}

export function gcHandler(deps: { db: Db; storage: Storage }, opts: GcOptions): JobHandler {
  return async (job, ctx) => {
    const { db } = deps;
    const sessions = await dropExpiredSessions(db);
    const reservations = await releaseExpired(db);
    // Before claiming: a thumbnail of purged content leaves its block unreferenced, so this run takes it (past the grace).
    const thumbnails = await releaseOrphanThumbnails(db);
    let deleted = Number(ctx.progress.deleted ?? 0);
    let bytes = Number(ctx.progress.bytes ?? 0);
    for (;;) {
      ctx.signal.throwIfAborted();
      const claimed = await claimGarbage(db, opts.graceMs, opts.batch ?? 100);
      if (claimed.length === 0) break;
      for (const b of claimed) {
        await deps.storage.blocks.delete(b.key);
        deleted++;
        bytes += b.size;
      }
      await ctx.report({ sessions, reservations, thumbnails, deleted, bytes });
    }
    const packs = await compactNodes(deps.storage, job.payload.packMinAgeSeconds, ctx.signal);
    await pruneFinished(db, 30);
    await ctx.report({ sessions, reservations, thumbnails, deleted, bytes, packs, finished: true });
  };
}

/** Each node's packs compacted in turn; the totals, and the nodes that could not be (down, unreachable) with why. */
async function compactNodes(storage: Storage, minAgeSeconds: unknown, signal: AbortSignal) {
  const total = { scanned: 0, deleted: 0, movedEntries: 0, bytesFreed: 0, skipped: {} as Record<string, string> };
  const minAgeMs = typeof minAgeSeconds === 'number' && minAgeSeconds >= 0 ? minAgeSeconds * 1000 : undefined;
  for (const node of storage.nodes) {
    signal.throwIfAborted();
    try {
      const r = await storage.blocks.compactPacks(node.id, { signal, ...(minAgeMs !== undefined ? { minAgeMs } : {}) });
      total.scanned += r.scanned;
      total.deleted += r.deleted;
      total.movedEntries += r.movedEntries;
      total.bytesFreed += r.bytesFreed;
    } catch (err) {
      signal.throwIfAborted();
      total.skipped[node.id] = err instanceof Error ? err.message : String(err);
    }
  }
  return total;
}

/** Claims (refcount → -1) up to `limit` unreferenced blocks past the grace, plus claims left by a crash. */
export async function claimGarbage(db: Db, graceMs: number, limit: number): Promise<{ key: string; size: number }[]> {
  const rows = rowsOf<{ key: string; size: string | number }>(
    await db.execute(sql`
      update blocks set refcount = -1
      where key in (
        select b.key from blocks b
        where b.refcount = -1
           or (b.refcount = 0
               and b.unreferenced_at < now() - (${Math.floor(graceMs)}::bigint * interval '1 millisecond')
               and not exists (select 1 from quota_reservations r where r.kind = 'block' and r.ref = b.key)
               and not exists (
                 select 1 from upload_sessions s
                 where s.expires_at > now()
                   and (s.blocks @> jsonb_build_array(jsonb_build_object('key', b.key)) or s.tail->>'key' = b.key)))
        order by b.key
        limit ${limit}
        for update skip locked)
      -- re-checked under the row lock: a commit that got there first has made refcount 1, and one
      -- that referenced and dropped it again meanwhile has restarted its grace
      and (refcount = -1 or (refcount = 0 and unreferenced_at < now() - (${Math.floor(graceMs)}::bigint * interval '1 millisecond')))
      returning key, size`),
  );
  return rows.map((r) => ({ key: r.key, size: Number(r.size) }));
}

/** Expired upload sessions go with their reservations; an uncommitted one also takes its pending entry (as a cancel would). */
async function dropExpiredSessions(db: Db): Promise<number> {
  const expired = await db
    .select({ id: uploadSessions.id, fileId: uploadSessions.fileId, committedRev: uploadSessions.committedRev })
    .from(uploadSessions)
    .where(sql`${uploadSessions.expiresAt} < now()`)
    .limit(1000);
  for (const s of expired) {
    await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      if (s.committedRev === null) await abandonUpload(t, s.fileId, s.id);
      await dropSession(t, s.id);
    });
  }
  return expired.length;
}
