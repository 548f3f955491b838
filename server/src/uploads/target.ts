/**
 * Where an upload goes: the folder and name from its path, the entry already there (if any),
 * and the early checks that spare the client sending bytes that could never commit.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files, uploadSessions } from '../db/schema.js';
import { can } from '../files/access.js';
import { createEntry } from '../files/entries.js';
import { appendJournal, journalEntry, placeOf } from '../files/journal.js';
import { findChild, folderOf, walkPath, type FolderId } from '../files/tree.js';
import type { FileRow } from '../files/view.js';
import { ConflictError, ForbiddenError, HttpError, NotFoundError } from '../http-errors.js';
import { joinPath, parsePath } from '../names.js';
import { checkFileSize } from './limits.js';

export interface UploadTarget {
  namespaceId: string;
  parentId: FolderId;
  /** The name as given (NFC), for a new entry. */
  name: string;
  /** The path with the stored spelling of each name that exists (names are case-insensitive). */
  path: string;
  existing?: FileRow;
}

export interface CommitRule {
  /** The revision the upload replaces; null: the name must be new (or only pending). */
  baseRev: number | null;
  /** With baseRev: the entry that revision belongs to; another entry at the path (or none) is a stale revision. */
  fileId?: string;
  overwrite: boolean;
}

/** `walked`: the path's walk when the caller did it already (a batch's, files/walk-many.ts). */
export async function resolveTarget(db: Db, user: AuthUser, path: string, walked?: readonly FileRow[]): Promise<UploadTarget> {
  const segments = parsePath(path);
  if (segments.length === 0) throw new ConflictError('cannot upload onto the root folder; give a file path', { code: 'root' });
  // One walk answers both: the folder (with its errors) and what is at the name.
  walked ??= await walkPath(db, user.namespaceId, segments);
  const parentId = folderOf(segments, walked);
  const name = segments.at(-1)!;
  const existing = walked.length === segments.length ? walked.at(-1) : undefined;
  if (existing && !(await can(db, user, 'write', existing))) throw await writeRefusal(db, user, existing, segments);
  // Into a mounted share: the folder's owner's namespace (their quota), if the caller may write there.
  const parent = segments.length > 1 ? walked[segments.length - 2] : undefined;
  const namespaceId = parent?.namespaceId ?? user.namespaceId;
  if (parent && !existing && !(await can(db, user, 'write', parent))) throw await writeRefusal(db, user, parent, segments);
  if (existing?.isDir) throw new ConflictError(`${joinPath(segments)} is a folder`, { code: 'is_folder' });
  // As stored, like every other answer's path (the caller may have typed another case).
  const stored = joinPath([...walked.slice(0, segments.length - 1).map((r) => r.name), existing?.name ?? name]);
  if (existing && segments.length === 1 && existing.namespaceId !== user.namespaceId) {
    // A shared file mounted at the caller's root: the commit goes to the file where it really is.
    const [real] = await db.select().from(files).where(eq(files.id, existing.id));
    if (real) return { namespaceId: real.namespaceId, parentId: real.parentId, name: real.name, path: stored, existing: real };
  }
  return { namespaceId, parentId, name, path: stored, existing };
}

/**
 * Where an upload of `size` bytes (when known) to `path` goes, after the refusals that need no
 * byte of it: too large (413), onto a folder or the root (409), and — given the rule — a revision
 * that would not commit (409). Every upload flow starts here.
 */
export async function uploadTarget(
  db: Db,
  user: AuthUser,
  path: string,
  size: number | undefined,
  rule: CommitRule | undefined,
  walked?: readonly FileRow[],
): Promise<UploadTarget> {
  checkFileSize(size);
  const target = await resolveTarget(db, user, path, walked);
  if (rule) checkRule(target.existing, rule);
  return target;
}

/** The same rule commitVersion applies, checked before any byte is taken. */
export function checkRule(existing: FileRow | undefined, rule: CommitRule): void {
  if (rule.fileId !== undefined) checkSameEntry(existing, rule.fileId);
  const rev = existing?.rev ?? 0;
  if (rule.overwrite || (rule.baseRev ?? 0) === rev) return;
  const current = currentOf(existing);
  throw rule.baseRev === null
    ? new ConflictError('a file with that name already exists: name its revision (baseRev) or overwrite', { code: 'exists', current })
    : new ConflictError(`the file is at revision ${rev}, not ${rule.baseRev}`, { code: 'stale_revision', current });
}

/** 409 'stale_revision' unless `existing` (the live entry at the path) is the entry `fileId`: the one
 *  the client's revision belongs to was deleted or moved away, and the path is free or another entry's. */
export function checkSameEntry(existing: FileRow | undefined, fileId: string): void {
  if (existing?.id === fileId) return;
  throw new ConflictError(
    existing ? 'another entry is at that path now: the one that revision belongs to was deleted or moved' : 'the entry that revision belongs to is no longer at that path',
    { code: 'stale_revision', current: currentOf(existing) },
  );
}

/** What a lost race is told about the entry at the path (`id` null and rev 0 when there is none). */
export function currentOf(existing: Pick<FileRow, 'id' | 'rev' | 'size' | 'contentHash'> | undefined) {
  return { id: existing?.id ?? null, rev: existing?.rev ?? 0, size: existing?.size ?? 0, contentHash: existing?.contentHash ?? null };
}

/**
 * The file row the upload commits into: the existing one, or a new one. With `pending` the entry
 * is marked as uploading (journaled), so other devices see it before its bytes are in.
 */
export async function fileForUpload(tx: Db, t: UploadTarget, opts: { pending: boolean; deviceId?: string | null }): Promise<FileRow> {
  await lockUploadFolder(tx, t.parentId);
  // A name that was free when the upload began is tried as new first (a lost race falls back below).
  let row = t.existing ? await findChild(tx, t.namespaceId, t.parentId, t.name) : undefined;
  if (!row) {
    try {
      return await createEntry(tx, { namespaceId: t.namespaceId, parentId: t.parentId, name: t.name, isDir: false, pending: opts.pending, deviceId: opts.deviceId });
    } catch (err) {
      // Lost a race to another upload of the same new name: use the entry it made.
      if (!(err instanceof HttpError) || err.code !== 'name_taken') throw err;
      row = await findChild(tx, t.namespaceId, t.parentId, t.name);
      if (!row) throw err;
    }
  }
  if (row.isDir) throw new ConflictError(`${t.path} is a folder`, { code: 'is_folder' });
  if (opts.pending && !row.pending) {
    [row] = await tx.update(files).set({ pending: true }).where(eq(files.id, row.id)).returning();
    await appendJournal(tx, journalEntry('pending', row!, opts.deviceId, placeOf(row!)));
  }
  return row!;
}

/** Before an entry is added to a folder: 409 'parent_gone' when the folder was deleted meanwhile. */
export async function lockUploadFolder(tx: Db, parentId: FolderId): Promise<void> {
  if (parentId === null) return;
  // A share lock on the folder: a concurrent delete of it (or of an ancestor, which stamps it
  // too) waits for this transaction, and one that won already is seen here.
  const [parent] = await tx.select({ trashedAt: files.trashedAt }).from(files).where(eq(files.id, parentId)).for('share');
  if (!parent || parent.trashedAt) throw new ConflictError('the folder was deleted while the file was uploading', { code: 'parent_gone' });
}

/** lockUploadFolder for many uploads at once (a batch), in id order so that two batches never wait on each other; a gone folder is each upload's own refusal later. */
export async function lockUploadFolders(tx: Db, parentIds: readonly FolderId[]): Promise<void> {
  const ids = [...new Set(parentIds.filter((p): p is string => p !== null))].sort();
  if (ids.length > 0) await tx.select({ id: files.id }).from(files).where(inArray(files.id, ids)).orderBy(files.id).for('share');
}

/**
 * The entries a batch commits into (new revisions of existing files), locked before anything else
 * it writes, in id order. A single commit locks its entry and then the owner's quota row; a batch
 * that charged the quota for its new files first and then waited for such an entry deadlocked
 * with it (soak:sync, PostgreSQL 40P01). Rows gone meanwhile are each commit's own refusal later.
 */
export async function lockUploadEntries(tx: Db, fileIds: readonly (string | undefined)[]): Promise<void> {
  const ids = [...new Set(fileIds.filter((id): id is string => id !== undefined))].sort();
  if (ids.length > 0) await tx.select({ id: files.id }).from(files).where(inArray(files.id, ids)).orderBy(files.id).for('update');
}

/** An upload into `fileId` ended without committing: a never-committed entry with no other upload
 *  under way disappears; otherwise it stops being marked pending when nothing else uploads to it. */
export async function abandonUpload(tx: Db, fileId: string, exceptSession?: string): Promise<void> {
  const others = await tx
    .select({ id: uploadSessions.id })
    .from(uploadSessions)
    .where(and(eq(uploadSessions.fileId, fileId), isNull(uploadSessions.committedRev)));
  if (others.some((s) => s.id !== exceptSession)) return;
  const [row] = await tx.select().from(files).where(eq(files.id, fileId)).for('update');
  if (!row || !row.pending) return;
  if (row.rev === 0) {
    await tx.delete(files).where(eq(files.id, fileId));
    await appendJournal(tx, journalEntry('delete', row, null, { ...placeOf(row), abandoned: true }));
  } else {
    await tx.update(files).set({ pending: false }).where(eq(files.id, fileId));
  }
}

/** 404 like a missing entry, unless the caller can see it (a viewer of a share): 403 'read_only_share'. */
async function writeRefusal(db: Db, user: AuthUser, row: FileRow, segments: readonly string[]): Promise<HttpError> {
  if (await can(db, user, 'read', row)) return new ForbiddenError('the share is view-only here: you cannot change this', { code: 'read_only_share' });
  return new NotFoundError(`nothing at ${joinPath(segments)}`);
}
