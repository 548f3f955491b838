/**
 * The one way uploaded bytes become a file's new revision, whatever the client sent them with: a
 * simple upload (simple.ts), the last piece of a resumable session (sessions.ts), or a sync
 * client's commit of blocks already on the server (delta-commit.ts).
 *
 * `commitContent` is the part every commit runs in its transaction: whether other uploads to the
 * entry keep it pending, the version itself (files/versions.ts: the revision rule, quota
 * reservations settled and usage charged, block references, the journal entry), the device's
 * modification time, and the owner's inbox when someone else wrote into their files (sharing).
 * `commitUpload` commits to a path: a new name in one statement when nothing is unusual
 * (files/first-version.ts), else the general transaction; with `onConflict: 'copy'` a lost race
 * keeps the content as a conflicted copy beside the file.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files, fileVersions, uploadSessions } from '../db/schema.js';
import { commitNewFile } from '../files/first-version.js';
import { findChild, pathOf } from '../files/tree.js';
import { commitVersion, type VersionBlock } from '../files/versions.js';
import type { FileRow } from '../files/view.js';
import { ConflictError } from '../http-errors.js';
import { notifyOwner, ownsNamespace } from '../notifications/notify-owner.js';
import { noteActivity } from '../sharing/activity.js';
import { addNotification } from '../notifications/store.js';
import type { ReservationKey } from '../quota/reservations.js';
import { conflictedCopyEntry } from './conflicted-copy.js';
import { checkSameEntry, fileForUpload, lockUploadFolder, type CommitRule, type UploadTarget } from './target.js';

export interface UploadedContent {
  /** In file order. */
  blocks: readonly VersionBlock[];
  size: number;
  contentHash: string;
  /** The file's modification time on the device (sync clients), kept as the entry's modifiedAt. */
  mtime?: Date;
}

/** What a commit is told besides the content. */
interface Upload {
  user: AuthUser;
  content: UploadedContent;
  /** The device the bytes came from (default: the caller's). */
  deviceId?: string | null;
  /** The upload's own quota reservation (a simple upload's, a session's), released by the commit. */
  reservation?: ReservationKey;
}

export interface ContentCommit extends Upload {
  fileId: string;
  rule: Pick<CommitRule, 'baseRev' | 'overwrite'>;
  /** The entry's path for the owner's inbox; read after the commit when not given. */
  path?: string;
  /** A resumable session committing: not counted among the uploads still under way to the entry. */
  sessionId?: string;
}

/** Must run inside a transaction. Answers the file row after the commit. */
export async function commitContent(tx: Db, c: ContentCommit): Promise<FileRow> {
  const committed = await commitVersion(tx, {
    fileId: c.fileId,
    blocks: c.content.blocks,
    size: c.content.size,
    contentHash: c.content.contentHash,
    authorId: c.user.id,
    deviceId: deviceOf(c),
    baseRev: c.rule.baseRev,
    overwrite: c.rule.overwrite,
    stillPending: await uploadsUnderWay(tx, c.fileId, c.sessionId),
    reservation: c.reservation,
    ...(c.content.mtime ? { mtime: c.content.mtime } : {}),
  });
  const row = c.content.mtime ? await keepMtime(tx, committed, c.content.mtime) : committed;
  // In a shared folder: its other members (the owner included), grouped per folder and author.
  const told = await noteActivity(tx, c.user, row, row.rev === 1 ? 'added' : 'edited', c.path);
  if (!told && !ownsNamespace(c.user, row.namespaceId)) {
    // Someone else wrote into the owner's files outside any share (e.g. a file drop): the owner is told of each.
    await notifyOwner(tx, {
      namespaceId: row.namespaceId,
      actorId: c.user.id,
      kind: 'edit',
      fileId: row.id,
      payload: { path: c.path ?? (await pathOf(tx, row)), name: row.name, rev: row.rev, size: row.size },
    });
  }
  return row;
}

async function keepMtime(tx: Db, row: FileRow, mtime: Date): Promise<FileRow> {
  const [touched] = await tx.update(files).set({ modifiedAt: mtime }).where(eq(files.id, row.id)).returning();
  return touched!;
}

export interface PathCommit extends Upload {
  target: UploadTarget;
  rule: CommitRule;
  /** The entry this upload marked pending when it began (a large simple upload): committed into. */
  pendingId?: string;
  /** 'fail' (default): a lost race is 409. 'copy': the content becomes a conflicted copy instead. */
  onConflict?: 'fail' | 'copy';
  /** The one-statement first commit was tried already (a batch's, files/first-versions.ts) and declined. */
  firstVersionTried?: boolean;
}

export interface CommittedUpload {
  row: FileRow;
  path: string;
  /** Set when the content went to a conflicted copy (`row`) instead of `original`. */
  conflict?: { original: { id: string | null; path: string; rev: number } };
}

export async function commitUpload(db: Db, c: PathCommit): Promise<CommittedUpload> {
  const fresh = c.firstVersionTried ? undefined : await commitFirstVersion(db, c);
  if (fresh) {
    // The one-statement commit is the owner's own (ownsNamespace): recipients of a share may need telling.
    await noteActivity(db, c.user, fresh, 'added', c.target.path);
    return { row: fresh, path: c.target.path };
  }
  try {
    return await db.transaction(async (tx) => {
      if (c.rule.fileId !== undefined) await lockSameEntry(tx, c.target, c.rule.fileId);
      const fileId = c.pendingId ?? (await fileForUpload(tx, c.target, { pending: false, deviceId: deviceOf(c) })).id;
      const row = await commitContent(tx, { ...c, fileId, path: c.target.path });
      return { row, path: c.target.path };
    });
  } catch (err) {
    if (c.onConflict !== 'copy' || !lostRace(err)) throw err;
  }
  return db.transaction((tx) => commitCopy(tx, c));
}

/**
 * A new name, committed in one statement when the upload is plain: no entry there or made
 * pending, a rule a new file meets, no device time to keep, and the uploader's own files (so no
 * one's inbox to tell). Undefined: take the general path.
 */
async function commitFirstVersion(db: Db, c: PathCommit): Promise<FileRow | undefined> {
  const plain =
    !c.target.existing &&
    c.pendingId === undefined &&
    c.rule.fileId === undefined &&
    (c.rule.overwrite || (c.rule.baseRev ?? 0) === 0) &&
    c.content.mtime === undefined &&
    (c.reservation === undefined || c.reservation.kind === 'upload') &&
    ownsNamespace(c.user, c.target.namespaceId);
  if (!plain) return undefined;
  return commitNewFile(db, {
    blocks: c.content.blocks,
    size: c.content.size,
    contentHash: c.content.contentHash,
    authorId: c.user.id,
    deviceId: deviceOf(c),
    namespaceId: c.target.namespaceId,
    parentId: c.target.parentId,
    name: c.target.name,
    uploadReservation: c.reservation?.ref,
  });
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

/** A stale base revision, or a new file whose name another device took first. */
function lostRace(err: unknown): boolean {
  return err instanceof ConflictError && (err.code === 'stale_revision' || err.code === 'exists');
}

/** The loser's content as `name (conflicted copy from DEVICE DAY).ext` beside the file; the author's inbox says where it went. */
async function commitCopy(tx: Db, c: PathCommit): Promise<CommittedUpload> {
  const { target, user } = c;
  const original = await findChild(tx, target.namespaceId, target.parentId, target.name);
  // Who wrote the revision that won: another person (an editor of a shared folder, or its owner)?
  const [winner] = original?.headVersionId
    ? await tx.select({ authorId: fileVersions.authorId }).from(fileVersions).where(eq(fileVersions.id, original.headVersionId))
    : [];
  const otherPerson = winner?.authorId && winner.authorId !== user.id ? winner.authorId : undefined;
  const { entry, device } = await conflictedCopyEntry(tx, user, target, new Date(), otherPerson !== undefined);
  const path = target.path.slice(0, target.path.lastIndexOf('/') + 1) + entry.name;
  const row = await commitContent(tx, { ...c, fileId: entry.id, rule: { baseRev: null, overwrite: false }, path });
  const conflict = { original: { id: original?.id ?? null, path: target.path, rev: original?.rev ?? 0 } };
  // Every device of the author learns where the content went (the journal shows both files).
  await addNotification(tx, {
    userId: user.id,
    kind: 'conflict',
    fileId: row.id,
    payload: { path, name: row.name, device, baseRev: c.rule.baseRev, ...conflict },
  });
  // Both are told: the person whose commit won learns that a conflicted copy sits beside it.
  if (otherPerson) {
    await addNotification(tx, {
      userId: otherPerson,
      kind: 'conflict',
      fileId: row.id,
      payload: { path: target.path, copy: { id: row.id, name: row.name }, by: { id: user.id, username: user.username }, ...conflict },
    });
  }
  return { row, path, conflict };
}

/** Another upload to the entry is still under way (besides `exceptSession`): it stays marked pending. */
async function uploadsUnderWay(tx: Db, fileId: string, exceptSession?: string): Promise<boolean> {
  const rows = await tx
    .select({ id: uploadSessions.id })
    .from(uploadSessions)
    .where(and(eq(uploadSessions.fileId, fileId), isNull(uploadSessions.committedRev)))
    .limit(2);
  return rows.some((r) => r.id !== exceptSession);
}

function deviceOf(u: Upload): string | null {
  return u.deviceId !== undefined ? u.deviceId : (u.user.deviceId ?? null);
}
