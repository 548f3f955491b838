/**
 * A sync client's commit (DESIGN §5 delta sync): the blocks are on the server already (PUT
 * /blocks), the client names them in order with the revision its edit was based on, and one
 * transaction makes them the file's new revision through commitVersion (quota, block
 * references, journal). The first commit on a base revision wins; a later one gets 409 with the
 * head revision, or — when it asks with onConflict 'copy' — its content survives as a
 * conflicted copy next to the file.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/open.js';
import { files, uploadSessions } from '../db/schema.js';
import { findChild } from '../files/tree.js';
import { commitVersion, type VersionBlock } from '../files/versions.js';
import type { FileRow } from '../files/view.js';
import { ConflictError } from '../http-errors.js';
import { notifyOwner } from '../notifications/notify-owner.js';
import { addNotification } from '../notifications/store.js';
import { contentHashOf } from '../uploads/content-hash.js';
import { checkFileSize, checkQuota } from '../uploads/limits.js';
import { checkRule, checkSameEntry, fileForUpload, lockUploadFolder, resolveTarget, type UploadTarget } from '../uploads/target.js';
import { resolveBlockList, type ListedBlock } from './block-list.js';
import { conflictedCopyEntry } from './conflicted-copy.js';

export interface SyncCommit {
  path: string;
  size: number;
  /** In file order. */
  blocks: readonly ListedBlock[];
  /** The revision the client's content replaces; null: a new file. */
  baseRev: number | null;
  /** With baseRev: the entry that revision belongs to. Another entry at the path, or none, is a
   *  lost race like a stale revision (the entry was deleted, or moved away, and maybe created again). */
  fileId?: string;
  overwrite: boolean;
  /** 'fail': a lost race is 409. 'copy': the content becomes a conflicted copy instead. */
  onConflict: 'fail' | 'copy';
  /** The file's modification time on the device, kept as the entry's modifiedAt. */
  mtime?: Date;
}

export interface SyncCommitResult {
  row: FileRow;
  path: string;
  /** Set when the content went to a conflicted copy (`row`) instead of `original`. */
  conflict?: { original: { id: string | null; path: string; rev: number } };
}

export async function commitSync(deps: AppDeps, user: AuthUser, c: SyncCommit): Promise<SyncCommitResult> {
  checkFileSize(c.size);
  const target = await resolveTarget(deps.db, user, c.path);
  // Cheap refusals before the block list is looked up (the commit checks both again, exactly).
  if (c.onConflict === 'fail') checkRule(target.existing, c);
  await checkQuota(deps.db, user.namespaceId, c.size, target.existing?.size ?? 0);
  const blocks = await resolveBlockList(deps.db, deps.storage, user.namespaceId, c.blocks, c.size);
  // The same content hash a simple upload of these bytes gets: sha256 over the blocks' sha256s.
  const content: Content = { blocks, size: c.size, contentHash: contentHashOf(c.blocks), mtime: c.mtime };
  try {
    return await deps.db.transaction(async (tx) => {
      if (c.fileId !== undefined) await lockSameEntry(tx, target, c.fileId);
      const file = await fileForUpload(tx, target, { pending: false, deviceId: user.deviceId });
      const row = await commitContent(tx, user, file.id, content, { baseRev: c.baseRev, overwrite: c.overwrite });
      await notifyOwner(tx, ownerEvent(user, row, target.path));
      return { row, path: target.path };
    });
  } catch (err) {
    if (c.onConflict !== 'copy' || !lostRace(err)) throw err;
  }
  return deps.db.transaction((tx) => commitCopy(tx, user, target, content, c.baseRev));
}

/**
 * The entry at the target must be `fileId`, and stays so until the commit: its row is locked (after
 * its folder, in the order a delete takes them) before the name is looked up, so a delete or move
 * of it waits for this transaction, and one that committed first is seen here.
 */
async function lockSameEntry(tx: Db, target: UploadTarget, fileId: string): Promise<void> {
  await lockUploadFolder(tx, target.parentId);
  await tx.select({ id: files.id }).from(files).where(and(eq(files.id, fileId), eq(files.namespaceId, target.namespaceId))).for('update');
  checkSameEntry(await findChild(tx, target.namespaceId, target.parentId, target.name), fileId);
}

interface Content {
  blocks: VersionBlock[];
  size: number;
  contentHash: string;
  mtime?: Date;
}

/** A stale base revision, or a new file whose name another device took first. */
function lostRace(err: unknown): boolean {
  return err instanceof ConflictError && (err.code === 'stale_revision' || err.code === 'exists');
}

async function commitCopy(tx: Db, user: AuthUser, target: UploadTarget, content: Content, baseRev: number | null): Promise<SyncCommitResult> {
  const original = await findChild(tx, target.namespaceId, target.parentId, target.name);
  const { entry, device } = await conflictedCopyEntry(tx, user, target, new Date());
  const row = await commitContent(tx, user, entry.id, content, { baseRev: null, overwrite: false });
  const path = target.path.slice(0, target.path.lastIndexOf('/') + 1) + row.name;
  const conflict = { original: { id: original?.id ?? null, path: target.path, rev: original?.rev ?? 0 } };
  // The author's inbox tells every device of theirs where the content went (the journal shows both files).
  await addNotification(tx, {
    userId: user.id,
    kind: 'conflict',
    fileId: row.id,
    payload: { path, name: row.name, device, baseRev, ...conflict },
  });
  await notifyOwner(tx, ownerEvent(user, row, path));
  return { row, path, conflict };
}

async function commitContent(tx: Db, user: AuthUser, fileId: string, content: Content, rule: { baseRev: number | null; overwrite: boolean }): Promise<FileRow> {
  const row = await commitVersion(tx, {
    fileId,
    blocks: content.blocks,
    size: content.size,
    contentHash: content.contentHash,
    authorId: user.id,
    deviceId: user.deviceId ?? null,
    baseRev: rule.baseRev,
    overwrite: rule.overwrite,
    stillPending: await uploadsInProgress(tx, fileId),
  });
  if (!content.mtime) return row;
  const [touched] = await tx.update(files).set({ modifiedAt: content.mtime }).where(eq(files.id, row.id)).returning();
  return touched!;
}

/** A resumable upload to the same entry is still under way: it stays marked pending. */
async function uploadsInProgress(tx: Db, fileId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: uploadSessions.id })
    .from(uploadSessions)
    .where(and(eq(uploadSessions.fileId, fileId), isNull(uploadSessions.committedRev)))
    .limit(1);
  return rows.length > 0;
}

/** The owner hears of edits by others (through shares); notifyOwner skips the owner's own. */
function ownerEvent(user: AuthUser, row: FileRow, path: string) {
  return {
    namespaceId: row.namespaceId,
    actorId: user.id,
    kind: 'edit' as const,
    fileId: row.id,
    payload: { path, name: row.name, rev: row.rev, size: row.size },
  };
}

