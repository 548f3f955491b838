/**
 * Many first commits in one statement (a batch commit, uploads/batch-commit.ts): the function
 * coffer_commit_new_files (migration 0017) runs coffer_commit_new_file — what first-version.ts
 * does for one file — for each, each in its own subtransaction, so one that declines is undone
 * alone and answers undefined here (the caller commits it through the general path). Must run
 * inside the batch's transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open.js';
import { nameKey, normalizeName } from '../names.js';
import { bulkCommit, contentItem } from './bulk-commit.js';
import type { NewFileVersion } from './first-version.js';
import { versionPayload } from './journal.js';
import type { FileRow } from './view.js';

export interface BatchNewFile extends Omit<NewFileVersion, 'uploadReservation'> {
  /** The entry's modifiedAt (the device's mtime; default now). */
  modifiedAt?: Date;
}

/** Per item, in order: the new entry, or undefined (declined: take the general path). */
export async function commitNewFiles(tx: Db, list: readonly BatchNewFile[]): Promise<(FileRow | undefined)[]> {
  if (list.length === 0) return [];
  const now = new Date().toISOString();
  const items = list.map((v) => {
    const name = normalizeName(v.name);
    const at = v.modifiedAt?.toISOString() ?? now;
    return {
      file: randomUUID(),
      version: randomUUID(),
      namespace: v.namespaceId,
      parent: v.parentId,
      name,
      nameKey: nameKey(name),
      ...contentItem(v),
      now: at,
      // What commitVersion journals for a first version.
      payload: versionPayload({ name, parentId: v.parentId }, v, new Date(at)),
    };
  });
  return bulkCommit(tx, 'coffer_commit_new_files', items);
}
