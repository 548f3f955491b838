/**
 * Purging: trashed entries leave for good. Their rows go (versions and block lists with them),
 * each version's blocks lose a reference (GC takes blocks nobody references), and the owner's
 * usage drops by the files' sizes — trashed files count against the quota until purged.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { PurgeResult } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import { rowsOf, type Db } from '../db/open.js';
import { ConflictError } from '../http-errors.js';
import { appendJournal, journalEntry } from './journal.js';
import { byId, lockTree, subtree } from './subtree.js';
import { entryById, pathOf } from './tree.js';
import { allTopLevelTrash } from './trash.js';
import { chargeQuota, releaseVersionBlocks } from './versions.js';

/** What a purge freed (the protocol's `PurgeResult`). */
export type { PurgeResult };

/**
 * Must run inside a transaction. Purge one trashed entry and everything below it; 409
 * 'not_in_trash' for a live entry (delete it first). Journals one 'purge'.
 */
export async function purgeEntry(tx: Db, user: AuthUser, id: string): Promise<PurgeResult> {
  await lockTree(tx, user.namespaceId);
  const row = await entryById(tx, user, id, 'purge');
  const path = await pathOf(tx, row);
  if (!row.trashedAt) throw new ConflictError(`${path} is not in the trash; delete it first`, { code: 'not_in_trash' });
  const result = await purgeSubtrees(tx, row.namespaceId, byId(row.id));
  await appendJournal(tx, journalEntry('purge', row, user.deviceId, { path, name: row.name, isDir: row.isDir, ...result }));
  return result;
}

/** Must run inside a transaction. Purge everything in the caller's trash; journals one 'purge' per trash item. */
export async function emptyTrash(tx: Db, user: AuthUser): Promise<PurgeResult> {
  await lockTree(tx, user.namespaceId);
  const items = await allTopLevelTrash(tx, user.namespaceId);
  if (items.length === 0) return { files: 0, folders: 0, freedBytes: 0 };
  const result = await purgeSubtrees(tx, user.namespaceId, sql`namespace_id = ${user.namespaceId} and trashed_at is not null`);
  for (const { row, path } of items) {
    await appendJournal(tx, journalEntry('purge', row, user.deviceId, { path, name: row.name, isDir: row.isDir, emptied: true }));
  }
  return result;
}

/** Delete the rows matching `seed` (within one namespace) and all below them, releasing blocks and quota. */
async function purgeSubtrees(tx: Db, namespaceId: string, seed: SQL): Promise<PurgeResult> {
  const cte = subtree(sql`namespace_id = ${namespaceId} and (${seed})`);
  const [stats] = rowsOf<{ files: number | string; folders: number | string; bytes: number | string }>(
    await tx.execute(sql`${cte}
      select count(*) filter (where not is_dir) as files, count(*) filter (where is_dir) as folders,
             coalesce(sum(size) filter (where not is_dir), 0) as bytes
      from files where id in (select id from sub)`),
  );
  const versions = rowsOf<{ id: string }>(
    await tx.execute(sql`${cte} select id from file_versions where file_id in (select id from sub)`),
  );
  await releaseVersionBlocks(
    tx,
    versions.map((v) => v.id),
  );
  // Kept revisions other than the head count against the quota too (files/revisions-keep.ts).
  const [kept] = rowsOf<{ bytes: number | string }>(
    await tx.execute(sql`${cte}
      select coalesce(sum(v.size), 0) as bytes from file_versions v join files f on f.id = v.file_id
      join kept_versions k on k.version_id = v.id
      where f.id in (select id from sub) and v.id is distinct from f.head_version_id`),
  );
  const freedBytes = Number(stats?.bytes ?? 0);
  await chargeQuota(tx, namespaceId, -(freedBytes + Number(kept?.bytes ?? 0)));
  await tx.execute(sql`${cte} delete from files where id in (select id from sub)`);
  return { files: Number(stats?.files ?? 0), folders: Number(stats?.folders ?? 0), freedBytes };
}
