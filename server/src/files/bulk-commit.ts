/**
 * What the batch commit functions (coffer_commit_new_files, migration 0017; coffer_commit_new_versions,
 * migration 0020) share: the call itself, and an item's content fields as the SQL reads them.
 */
import type { Db } from '../db/open.js';
import { rawValue } from '../db/raw.js';
import { files } from '../db/schema.js';
import { tableRow } from '../db/table-row.js';
import { JOURNAL_CHANNEL, JOURNAL_LOCK_CLASS } from './journal.js';
import { blockListRows, type NewVersion } from './versions.js';
import type { FileRow } from './view.js';

/** A version's content as an item of either function takes it (its block list, each block key once). */
export function contentItem(v: Pick<NewVersion, 'blocks' | 'size' | 'contentHash' | 'authorId' | 'deviceId'>) {
  const blocks = blockListRows(v.blocks).map((b) => ({ ordinal: b.ordinal, key: b.blockKey, offset: b.offset, length: b.length }));
  return {
    size: v.size,
    contentHash: v.contentHash,
    author: v.authorId,
    device: v.deviceId ?? null,
    blocks,
    blockKeys: [...new Set(blocks.map((b) => b.key))],
  };
}

/** Calls one of the batch commit functions on `items`: a files row or undefined (declined) per item, in order. */
export async function bulkCommit(tx: Db, fn: 'coffer_commit_new_files' | 'coffer_commit_new_versions', items: readonly object[]): Promise<(FileRow | undefined)[]> {
  const rows = await rawValue<(Record<string, unknown> | null)[]>(tx, `select ${fn}($1::jsonb, $2::int, $3) as v`, [JSON.stringify(items), JOURNAL_LOCK_CLASS, JOURNAL_CHANNEL]);
  if (!rows || rows.length !== items.length) throw new Error(`${fn} answered the wrong number of rows`);
  return rows.map((r) => (r ? tableRow(files, r) : undefined));
}
