/**
 * Retention: thins each file's history by the policy in retention-policy.ts (the dropped versions
 * release their blocks, which GC later takes; revisions kept forever are never thinned), and
 * purges what has been in the trash longer than the trash period, as its owner emptying it would
 * (journal, quota, block references); then trims the audit log, the usage samples and the change
 * journal past their retention. The periods are the run-time settings as they are when the run
 * starts (`policy`). Idempotent and resumable: progress records the last file thinned.
 */
import { asc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { trimAudit } from '../audit/search.js';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files, fileVersions, keptVersions, users } from '../db/schema.js';
import { purgeEntry } from '../files/purge.js';
import { allTopLevelTrash } from '../files/trash.js';
import { releaseVersionBlocks } from '../files/versions.js';
import { pruneJournal } from '../sync/journal-retention.js';
import { trimUsageSamples } from '../usage/samples.js';
import { versionsToKeep } from './retention-policy.js';
import type { JobHandler } from './runner.js';

export interface RetentionPolicy {
  maxVersions: number;
  trashDays: number;
  /** Audit events older than this go (none are trimmed without it). */
  auditRetentionDays?: number;
  /** Usage samples older than this go. */
  usageRetentionDays?: number;
  /** Change journal entries older than this go (sync/journal-retention.ts). */
  journalRetentionDays?: number;
}

export interface RetentionOptions extends RetentionPolicy {
  /** The settings now (settings/store.ts), read at the start of each run; they override the fixed values. */
  policy?: () => Promise<Partial<RetentionPolicy>>;
  now?: () => number;
}

export function retentionHandler(deps: { db: Db }, opts: RetentionOptions): JobHandler {
  return async (_job, ctx) => {
    const { db } = deps;
    const now = (opts.now ?? Date.now)();
    const policy: RetentionPolicy = { ...opts, ...(await opts.policy?.()) };
    let lastFileId = typeof ctx.progress.lastFileId === 'string' ? ctx.progress.lastFileId : undefined;
    let versionsDeleted = Number(ctx.progress.versionsDeleted ?? 0);
    for (;;) {
      const page = await db
        .select({ fileId: fileVersions.fileId })
        .from(fileVersions)
        .where(lastFileId ? gt(fileVersions.fileId, lastFileId) : undefined)
        .groupBy(fileVersions.fileId)
        .having(sql`count(*) > 1`)
        .orderBy(asc(fileVersions.fileId))
        .limit(200);
      if (page.length === 0) break;
      for (const { fileId } of page) {
        ctx.signal.throwIfAborted();
        versionsDeleted += await thinFile(db, fileId, now, policy.maxVersions);
        lastFileId = fileId;
      }
      await ctx.report({ versionsDeleted, lastFileId });
    }
    const trashPurged = await purgeOldTrash(db, new Date(now - policy.trashDays * 86_400_000));
    const auditTrimmed = policy.auditRetentionDays ? await trimAudit(db, policy.auditRetentionDays) : 0;
    const samplesTrimmed = policy.usageRetentionDays ? await trimUsageSamples(db, policy.usageRetentionDays) : 0;
    const journalPruned = policy.journalRetentionDays ? await pruneJournal(db, new Date(now - policy.journalRetentionDays * 86_400_000)) : 0;
    await ctx.report({ versionsDeleted, trashPurged, auditTrimmed, samplesTrimmed, journalPruned, finished: true });
  };
}

/** Drops the versions of one file the policy does not keep; the count dropped. */
async function thinFile(db: Db, fileId: string, now: number, max: number): Promise<number> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    // The file row lock orders this after (or before) any commit or restore of the same file.
    const [file] = await t.select({ head: files.headVersionId }).from(files).where(eq(files.id, fileId)).for('update');
    if (!file) return 0;
    const versions = await t
      .select({ id: fileVersions.id, rev: fileVersions.rev, createdAt: fileVersions.createdAt, kept: keptVersions.versionId })
      .from(fileVersions)
      .leftJoin(keptVersions, eq(keptVersions.versionId, fileVersions.id))
      .where(eq(fileVersions.fileId, fileId));
    // Kept-forever revisions are never thinned, and do not take a place the policy gives others.
    const keep = versionsToKeep(versions.filter((v) => v.kept === null), now, max);
    for (const v of versions) if (v.kept !== null) keep.add(v.id);
    if (file.head) keep.add(file.head);
    const drop = versions.filter((v) => !keep.has(v.id)).map((v) => v.id);
    if (drop.length === 0) return 0;
    await releaseVersionBlocks(t, drop);
    await t.delete(fileVersions).where(inArray(fileVersions.id, drop));
    return drop.length;
  });
}

/** Purges top-level trash items trashed before `cutoff`, in each namespace, as its owner. */
async function purgeOldTrash(db: Db, cutoff: Date): Promise<number> {
  const namespaces = await db.selectDistinct({ ns: files.namespaceId }).from(files).where(lt(files.trashedAt, cutoff));
  let purged = 0;
  for (const { ns } of namespaces) {
    const [owner] = await db.select().from(users).where(eq(users.namespaceId, ns));
    if (!owner) continue; // an account deleted by an admin: left for a namespace clean-up
    const as: AuthUser = { id: owner.id, username: owner.username, role: owner.role, namespaceId: ns, tokenKind: 'session', mustChangePassword: false };
    await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      for (const { row } of await allTopLevelTrash(t, ns)) {
        if (row.trashedAt && row.trashedAt < cutoff) {
          await purgeEntry(t, as, row.id);
          purged++;
        }
      }
    });
  }
  return purged;
}

