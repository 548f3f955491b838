/**
 * Many new revisions of existing files in one statement (a batch commit, uploads/batch-commit.ts):
 * the function coffer_commit_new_versions (migration 0020) does what commitVersion (versions.ts)
 * does for each, set-based. An item it declines — its entry moved, changed, pending or being
 * uploaded to meanwhile, or the batch as a whole not fitting the quota or missing a block —
 * answers undefined here, nothing of it written, and the caller commits it through the general
 * path, which answers it. Must run inside the batch's transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open.js';
import { bulkCommit, contentItem } from './bulk-commit.js';
import { versionPayload } from './journal.js';
import type { NewVersion } from './versions.js';
import type { FileRow } from './view.js';

export interface BatchNextVersion extends Pick<NewVersion, 'blocks' | 'size' | 'contentHash' | 'authorId' | 'deviceId'> {
  /** The entry as the caller read it (and checked the commit's rule against): it must still be so. */
  existing: Pick<FileRow, 'id' | 'namespaceId' | 'parentId' | 'name' | 'nameKey' | 'rev'>;
  /** The entry's modifiedAt (the device's mtime; default now). */
  modifiedAt?: Date;
}

/** Per item, in order: the entry after the commit, or undefined (declined: take the general path). Entries must be distinct. */
export async function commitNewVersions(tx: Db, list: readonly BatchNextVersion[]): Promise<(FileRow | undefined)[]> {
  if (list.length === 0) return [];
  const now = new Date();
  const items = list.map((v) => {
    const at = v.modifiedAt ?? now;
    return {
      file: v.existing.id,
      version: randomUUID(),
      namespace: v.existing.namespaceId,
      parent: v.existing.parentId,
      nameKey: v.existing.nameKey,
      rev: v.existing.rev,
      ...contentItem(v),
      modifiedAt: at.toISOString(),
      // What commitVersion journals for a new revision.
      payload: versionPayload(v.existing, v, at),
    };
  });
  return bulkCommit(tx, 'coffer_commit_new_versions', items);
}
