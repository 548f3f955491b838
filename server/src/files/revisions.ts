/** A file's revisions: listing them, picking one to read, restoring one as a new revision. */
import { and, desc, eq } from 'drizzle-orm';
import type { Revision } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { blocks as blocksTable, fileVersions, keptVersions, versionBlocks } from '../db/schema.js';
import { ConflictError, NotFoundError } from '../http-errors.js';
import { blocksOfVersion, commitVersion } from './versions.js';
import type { FileRow } from './view.js';

/** A revision as answers show it: the protocol's `Revision`. */
export type RevisionView = Revision;

export type VersionRow = typeof fileVersions.$inferSelect;

export async function listRevisions(db: Db, file: FileRow, limit: number): Promise<RevisionView[]> {
  if (file.isDir) throw new ConflictError('folders have no revisions', { code: 'is_folder' });
  const rows = await db
    .select({ v: fileVersions, kept: keptVersions.versionId })
    .from(fileVersions)
    .leftJoin(keptVersions, eq(keptVersions.versionId, fileVersions.id))
    .where(eq(fileVersions.fileId, file.id))
    .orderBy(desc(fileVersions.rev))
    .limit(limit);
  return rows.map((r) => revisionView(r.v, r.kept !== null));
}

export function revisionView(v: VersionRow, keep: boolean): RevisionView {
  return {
    rev: v.rev,
    size: v.size,
    contentHash: v.contentHash,
    createdAt: v.createdAt.toISOString(),
    authorId: v.authorId,
    deviceId: v.deviceId,
    restoredFrom: v.restoredFrom,
    keep,
  };
}

/** The version to read: the head, or a given revision. A file still uploading its first revision has none. */
export async function versionOf(db: Db, file: FileRow, rev?: number): Promise<VersionRow> {
  if (file.isDir) throw new ConflictError('a folder has no content to download', { code: 'is_folder' });
  if (rev === undefined && file.rev === 0) throw new NotFoundError('the file is still uploading: it has no content yet', { code: 'no_content' });
  const [v] = await db
    .select()
    .from(fileVersions)
    .where(and(eq(fileVersions.fileId, file.id), eq(fileVersions.rev, rev ?? file.rev)));
  if (!v) throw new NotFoundError(`the file has no revision ${rev}`, { code: 'no_revision' });
  return v;
}

/** A block list's `modifiedAt`: the file's own modification time, given when `v` is its head revision. */
export function headModifiedAt(file: FileRow, v: VersionRow): { modifiedAt?: string } {
  return v.rev === file.rev ? { modifiedAt: file.modifiedAt.toISOString() } : {};
}

/** Make revision `rev`'s content the file's newest revision (history is kept: nothing is rewritten). */
export async function restoreRevision(db: Db, user: AuthUser, file: FileRow, rev: number): Promise<FileRow> {
  if (file.trashedAt) throw new ConflictError('restore the file from the trash first', { code: 'file_trashed' });
  return db.transaction(async (tx) => {
    const v = await versionOf(tx, file, rev);
    const blocks = await blocksOfVersion(tx, v.id);
    return commitVersion(tx, {
      fileId: file.id,
      blocks,
      size: v.size,
      contentHash: v.contentHash,
      authorId: user.id,
      deviceId: user.deviceId,
      baseRev: file.rev,
      overwrite: false,
      restoredFrom: rev,
    });
  });
}

/** A version's ordered block list by plaintext hash: what a sync client needs to fetch only the blocks it lacks. */
export async function blockListOf(db: Db, v: VersionRow): Promise<{ hash: string; size: number }[]> {
  return db
    .select({ hash: blocksTable.hash, size: versionBlocks.length })
    .from(versionBlocks)
    .innerJoin(blocksTable, eq(blocksTable.key, versionBlocks.blockKey))
    .where(eq(versionBlocks.versionId, v.id))
    .orderBy(versionBlocks.ordinal);
}
