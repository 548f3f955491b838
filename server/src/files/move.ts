/**
 * Moving and renaming (a rename is a move within the same folder). Only the entry's own row
 * changes: a folder's contents follow it because they point at it, so moving a folder of any
 * size is one update.
 */
import { eq } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { ConflictError } from '../http-errors.js';
import { nameKey } from '../names.js';
import { isUniqueViolation } from './entries.js';
import { appendJournal, journalEntry, placeOf } from './journal.js';
import { resolveDestination, resolveLiveEntry, type EntryRef } from './resolve.js';
import { lockTree } from './subtree.js';
import { findChild, isWithin, pathOf, type FolderId } from './tree.js';
import { fileView, type FileRow, type FileView } from './view.js';
import { checkShareBoundary, destinationNamespace } from '../sharing/boundary.js';
import { viewerPath } from '../sharing/mounts.js';

/**
 * Must run inside a transaction. 409 'name_taken' when another entry holds the new name
 * (case-insensitively; the entry itself may hold it, so 'a.txt' → 'A.txt' works), 409
 * 'into_itself' for a folder moved into itself or below. Moving onto the same path changes nothing.
 */
export async function moveEntry(tx: Db, user: AuthUser, from: EntryRef, to: string): Promise<FileView> {
  await lockTree(tx, user.namespaceId);
  const { row, path: fromPath } = await resolveLiveEntry(tx, user, from, 'write');
  if (row.namespaceId !== user.namespaceId) await lockTree(tx, row.namespaceId); // inside a mounted share
  // The destination as the caller sees their tree (through mounts); never across a share's edge.
  const dest = await resolveDestination(tx, user.namespaceId, to);
  await checkShareBoundary(tx, row, dest.parentId, await destinationNamespace(tx, user, dest.parentId));
  if (dest.parentId !== null && (await isWithin(tx, dest.parentId, row.id))) {
    throw new ConflictError(`${fromPath} cannot be moved into itself (${dest.path})`, { code: 'into_itself' });
  }
  await ensureFree(tx, row.namespaceId, dest.parentId, dest.name, row.id);
  if (dest.parentId === row.parentId && dest.name === row.name) return fileView(row, fromPath);

  const updated = await renameRow(tx, row, dest.parentId, dest.name);
  const toPath = (await viewerPath(tx, user.namespaceId, updated)) ?? (await pathOf(tx, updated));
  await appendJournal(tx, journalEntry('move', row, user.deviceId, { from: fromPath, to: toPath, ...placeOf(updated), oldParentId: row.parentId, isDir: row.isDir }));
  return fileView(updated, toPath);
}

/** 409 'name_taken' (with the entry in `details.current`) when `name` is held in the folder by another entry than `self`. */
export async function ensureFree(tx: Db, namespaceId: string, parentId: FolderId, name: string, self?: string): Promise<void> {
  const existing = await findChild(tx, namespaceId, parentId, name);
  if (existing && existing.id !== self) throw nameTaken(existing.name, existing);
}

/**
 * Give a row a new folder and name (unless `touch: false`, a new modifiedAt; with `untrash`, take
 * it out of the trash) in a savepoint, so a name taken in a race (an upload creating it just now) is a 409, not a 500.
 */
export async function renameRow(
  tx: Db,
  row: FileRow,
  parentId: FolderId,
  name: string,
  opts: { touch?: boolean; untrash?: boolean } = {},
): Promise<FileRow> {
  const touch = opts.touch ?? true;
  try {
    return await tx.transaction(async (sp) => {
      const [r] = await sp
        .update(files)
        .set({ parentId, name, nameKey: nameKey(name), ...(touch ? { modifiedAt: new Date() } : {}), ...(opts.untrash ? { trashedAt: null } : {}) })
        .where(eq(files.id, row.id))
        .returning();
      return r!;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const current = await findChild(tx, row.namespaceId, parentId, name);
    throw nameTaken(current?.name ?? name, current);
  }
}

export function nameTaken(name: string, current?: FileRow): ConflictError {
  return new ConflictError(`'${name}' already exists in that folder (names are case-insensitive)`, {
    code: 'name_taken',
    current: current ? { id: current.id, name: current.name, isDir: current.isDir, rev: current.rev } : undefined,
  });
}
