/**
 * Committing a version: the one transaction that makes uploaded blocks a file's new revision,
 * charges the owner's quota, counts block references and appends to the journal. Every way of
 * writing content (simple and resumable upload, restore, copy, sync commits) ends here, so the
 * rules hold everywhere: the first commit wins; a later one must name the revision it replaces
 * or ask to overwrite; nothing over quota commits. A commit settles the quota reservations of
 * what it makes part of the file (quota/reservations.ts): its blocks' and its upload's.
 */
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { blocks as blocksTable, files, fileVersions, users, versionBlocks } from '../db/schema.js';
import { ConflictError, NotFoundError } from '../http-errors.js';
import { quotaError } from '../quota/quota-error.js';
import { release, type ReservationKey } from '../quota/reservations.js';
import { appendJournal, journalEntry, versionPayload } from './journal.js';
import type { FileRow } from './view.js';

export interface VersionBlock {
  key: string;
  size: number;
  /** The block's SHA-256, when the commit named it (sync commits): a small file's list goes in its journal entry. */
  hash?: string;
}

export interface NewVersion {
  fileId: string;
  blocks: readonly VersionBlock[];
  size: number;
  contentHash: string;
  authorId: string | null;
  deviceId?: string | null;
  /** The revision this content replaces; null: the file must have no content yet. */
  baseRev: number | null;
  overwrite: boolean;
  restoredFrom?: number;
  /** The device's mtime, which the caller keeps as the entry's modifiedAt after the commit (uploads/commit.ts keepMtime); default now. */
  mtime?: Date;
  /** Another upload to the entry is still in progress (keeps it marked pending). */
  stillPending?: boolean;
  /** The reservation of the upload that stored the bytes (a resumable session's), released by this commit. */
  reservation?: ReservationKey;
}

/** Must run inside a transaction. Returns the file row after the commit. */
export async function commitVersion(tx: Db, v: NewVersion): Promise<FileRow> {
  const [row] = await tx.select().from(files).where(eq(files.id, v.fileId)).for('update');
  if (!row) throw new NotFoundError('the file was deleted while it was uploading', { code: 'file_gone' });
  if (row.trashedAt) throw new ConflictError('the file was moved to the trash while it was uploading', { code: 'file_trashed' });
  if (row.isDir) throw new ConflictError('a folder is in the way', { code: 'is_folder' });
  if (!v.overwrite && (v.baseRev ?? 0) !== row.rev) {
    const current = { id: row.id, rev: row.rev, size: row.size, contentHash: row.contentHash };
    throw v.baseRev === null
      ? new ConflictError('a file with that name already exists: name its revision (baseRev) or overwrite', { code: 'exists', current })
      : new ConflictError(`the file is at revision ${row.rev}, not ${v.baseRev}: someone else changed it first`, { code: 'stale_revision', current });
  }
  await settleReservations(tx, v);
  await chargeQuota(tx, row.namespaceId, v.size - row.size);

  const rev = row.rev + 1;
  const [version] = await tx
    .insert(fileVersions)
    .values({
      fileId: row.id,
      rev,
      size: v.size,
      contentHash: v.contentHash,
      authorId: v.authorId,
      deviceId: v.deviceId ?? null,
      restoredFrom: v.restoredFrom ?? null,
    })
    .returning({ id: fileVersions.id });
  await insertVersionBlocks(tx, version!.id, v.blocks);

  const now = new Date();
  const modifiedAt = v.mtime ?? now;
  const [updated] = await tx
    .update(files)
    .set({ headVersionId: version!.id, rev, size: v.size, contentHash: v.contentHash, pending: v.stillPending ?? false, modifiedAt: now })
    .where(eq(files.id, row.id))
    .returning();
  const op = v.restoredFrom !== undefined ? 'restore' : rev === 1 ? 'create' : 'update';
  await appendJournal(tx, journalEntry(op, row, v.deviceId, versionPayload(row, v, modifiedAt), rev));
  return updated!;
}

/** The block list of a version, in order, and counts one more reference to each block. */
export async function insertVersionBlocks(tx: Db, versionId: string, list: readonly VersionBlock[]): Promise<void> {
  const rows = blockListRows(list).map((r) => ({ versionId, ...r }));
  for (let i = 0; i < rows.length; i += 1000) await tx.insert(versionBlocks).values(rows.slice(i, i + 1000));
  const keys = [...new Set(list.map((b) => b.key))];
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    // The UPDATE locks each block row. GC claims a block (refcount 0 → -1, under that row lock)
    // before deleting it, so a block GC got first is skipped here: fail rather than point at it.
    const counted = await tx
      .update(blocksTable)
      .set({ refcount: sql`${blocksTable.refcount} + 1` })
      .where(and(inArray(blocksTable.key, chunk), gte(blocksTable.refcount, 0)))
      .returning({ key: blocksTable.key });
    if (counted.length !== chunk.length) {
      throw new ConflictError('a block of this content was removed as garbage meanwhile; upload it again', { code: 'block_gone' });
    }
  }
}

/** A version's block list as `version_blocks` rows: in order, each at the offset the ones before it end. */
export function blockListRows(list: readonly VersionBlock[]): { ordinal: number; blockKey: string; offset: number; length: number }[] {
  let offset = 0;
  return list.map((b, ordinal) => {
    const r = { ordinal, blockKey: b.key, offset, length: b.size };
    offset += b.size;
    return r;
  });
}

/**
 * Before the charge: the bytes this commit makes part of a file stop being reserved (the file's
 * size counts them from now on), in the same transaction, so they are never counted twice and
 * the check below sees only what other uploads hold. A rolled-back commit releases nothing.
 */
async function settleReservations(tx: Db, v: NewVersion): Promise<void> {
  await release(tx, 'block', [...new Set(v.blocks.map((b) => b.key))]);
  if (v.reservation) await release(tx, v.reservation.kind, [v.reservation.ref]);
}

/** Add `delta` bytes to the namespace owner's usage, refusing (507) what would pass the quota
 *  together with what uploads in progress hold reserved. */
export async function chargeQuota(tx: Db, namespaceId: string, delta: number): Promise<void> {
  if (delta <= 0) {
    if (delta < 0) await tx.update(users).set({ usedBytes: sql`greatest(0, ${users.usedBytes} + ${delta})` }).where(eq(users.namespaceId, namespaceId));
    return;
  }
  const [ok] = await tx
    .update(users)
    .set({ usedBytes: sql`${users.usedBytes} + ${delta}` })
    .where(and(eq(users.namespaceId, namespaceId), sql`${users.usedBytes} + ${users.reservedBytes} + ${delta} <= ${users.quotaBytes}`))
    .returning({ used: users.usedBytes });
  if (!ok) {
    const [u] = await tx.select({ used: users.usedBytes, reserved: users.reservedBytes, quota: users.quotaBytes }).from(users).where(eq(users.namespaceId, namespaceId));
    throw quotaError(u ?? { used: 0, reserved: 0, quota: 0 }, delta);
  }
}

/** The ordered block list of a version. */
export async function blocksOfVersion(db: Db, versionId: string): Promise<{ key: string; size: number }[]> {
  return db
    .select({ key: versionBlocks.blockKey, size: versionBlocks.length })
    .from(versionBlocks)
    .where(eq(versionBlocks.versionId, versionId))
    .orderBy(versionBlocks.ordinal);
}

/**
 * The reverse of insertVersionBlocks, for versions about to be deleted (purge, retention): one
 * reference less to each block per version that lists it (a block listed twice by one version
 * was counted once). A block left at zero is garbage for GC after its grace period. Never below zero.
 */
export async function releaseVersionBlocks(tx: Db, versionIds: readonly string[]): Promise<void> {
  const ids = [...new Set(versionIds)];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    await tx.execute(sql`
      update ${blocksTable} b set refcount = greatest(0, b.refcount - c.n)
      from (
        select block_key, count(distinct version_id)::int as n from ${versionBlocks}
        where version_id in (${sql.join(chunk.map((id) => sql`${id}`), sql`, `)})
        group by block_key
      ) c
      where b.key = c.block_key`);
  }
}
