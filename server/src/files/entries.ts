/** Creating entries in the tree, with the database's unique index as the final word on names. */
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { ConflictError } from '../http-errors.js';
import { nameKey, normalizeName } from '../names.js';
import { appendJournal, journalEntry, placeOf } from './journal.js';
import { findChild, type FolderId } from './tree.js';
import type { FileRow } from './view.js';

export interface NewEntry {
  namespaceId: string;
  parentId: FolderId;
  name: string;
  isDir: boolean;
  /** A file whose first upload is in progress. */
  pending?: boolean;
  deviceId?: string | null;
}

/**
 * Insert a live entry; if one with the same name (case-insensitively) is already there, answer
 * 409 'name_taken' with it in `details.current`. `ON CONFLICT DO NOTHING` (the only unique rule a
 * new row with a fresh id can meet is the live-name index) leaves the caller's transaction usable
 * after a lost race without a savepoint. Journals 'mkdir' for folders and 'pending' for pending
 * files (a file's 'create' is journaled when its first version commits).
 */
export async function createEntry(tx: Db, e: NewEntry): Promise<FileRow> {
  const name = normalizeName(e.name);
  const [row] = await tx
    .insert(files)
    .values({ namespaceId: e.namespaceId, parentId: e.parentId, name, nameKey: nameKey(name), isDir: e.isDir, pending: e.pending ?? false })
    .onConflictDoNothing()
    .returning();
  if (!row) {
    const current = await findChild(tx, e.namespaceId, e.parentId, name);
    throw new ConflictError(`'${current?.name ?? name}' already exists in that folder (names are case-insensitive)`, {
      code: 'name_taken',
      current: current ? { id: current.id, name: current.name, isDir: current.isDir, rev: current.rev } : undefined,
    });
  }
  if (row.isDir || row.pending) {
    await appendJournal(tx, journalEntry(row.isDir ? 'mkdir' : 'pending', row, e.deviceId, placeOf(row)));
  }
  return row;
}

export { isUniqueViolation } from '../db/errors.js';
