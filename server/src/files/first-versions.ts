/**
 * Many first commits in one statement (a batch commit, uploads/batch-commit.ts): the function
 * coffer_commit_new_files (migration 0017) runs coffer_commit_new_file — what first-version.ts
 * does for one file — for each, each in its own subtransaction, so one that declines is undone
 * alone and answers undefined here (the caller commits it through the general path). Must run
 * inside the batch's transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open.js';
import { rawValue } from '../db/raw.js';
import { files } from '../db/schema.js';
import { tableRow } from '../db/table-row.js';
import { nameKey, normalizeName } from '../names.js';
import type { NewFileVersion } from './first-version.js';
import { JOURNAL_CHANNEL, JOURNAL_LOCK_CLASS, versionPayload } from './journal.js';
import { blockListRows } from './versions.js';
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
    const blocks = blockListRows(v.blocks).map((b) => ({ ordinal: b.ordinal, key: b.blockKey, offset: b.offset, length: b.length }));
    const at = v.modifiedAt?.toISOString() ?? now;
    return {
      file: randomUUID(),
      version: randomUUID(),
      namespace: v.namespaceId,
      parent: v.parentId,
      name,
      nameKey: nameKey(name),
      size: v.size,
      contentHash: v.contentHash,
      author: v.authorId,
      device: v.deviceId ?? null,
      blocks,
      blockKeys: [...new Set(blocks.map((b) => b.key))],
      now: at,
      // What commitVersion journals for a first version.
      payload: versionPayload({ name, parentId: v.parentId }, v, new Date(at)),
    };
  });
  return bulkCommit(tx, 'coffer_commit_new_files', items);
}

/** Calls one of the batch commit functions (coffer_commit_new_files, coffer_commit_new_versions) on `items`: a files row or undefined (declined) per item, in order. */
export async function bulkCommit(tx: Db, fn: 'coffer_commit_new_files' | 'coffer_commit_new_versions', items: readonly object[]): Promise<(FileRow | undefined)[]> {
  const rows = await rawValue<(Record<string, unknown> | null)[]>(tx, `select ${fn}($1::jsonb, $2::int, $3) as v`, [JSON.stringify(items), JOURNAL_LOCK_CLASS, JOURNAL_CHANNEL]);
  if (!rows || rows.length !== items.length) throw new Error(`${fn} answered the wrong number of rows`);
  return rows.map((r) => (r ? tableRow(files, r) : undefined));
}
