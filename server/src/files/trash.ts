/**
 * The trash: deleting moves an entry (a folder with everything in it) there; it can be listed,
 * restored to where it was or elsewhere, and purged (purge.ts). Everything one delete trashed
 * shares one `trashed_at` instant, which is how a restore knows what to bring back and how the
 * trash list shows a deleted folder as one item, not as each thing that was in it. Something
 * deleted earlier inside that folder keeps its own, earlier instant: it stays an item of its own.
 * Trashed entries keep their place (parent and name), so their original path is always known;
 * their names are free again (the unique index covers live entries only).
 */
import { and, desc, eq, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { ConflictError } from '../http-errors.js';
import { isUniqueViolation } from './entries.js';
import { appendJournal, journalEntry, placeOf } from './journal.js';
import { ensureFree, nameTaken, renameRow } from './move.js';
import { resolveDestination, resolveLiveEntry, type EntryRef } from './resolve.js';
import { ancestorsLive, byId, hasLiveChild, latestTrashTimeMs, lockTree, pathsOf, subtree } from './subtree.js';
import { entryById, isWithin, pathOf, type FolderId } from './tree.js';
import { fileView, type FileRow, type FileView } from './view.js';
import { noteActivity } from '../sharing/activity.js';
import { encodePageCursor, type FileList, type TrashCursor } from '@coffer/protocol';

/** Conditions a sync client puts on a delete, so it never removes what it has not seen. */
export interface DeleteCondition {
  /** Only while the entry's head revision is this one: 409 'stale_revision' (with `current`) otherwise. */
  rev?: number;
  /** false: a folder is trashed only when nothing live is in it, 409 'not_empty' otherwise. Default true. */
  recursive?: boolean;
}

/**
 * Must run inside a transaction. Trash a live entry and everything live below it, all at one
 * instant; journals one 'delete' for the entry (a device removes a folder with its contents).
 * The root answers 409 'root', an entry already in the trash 409 'in_trash'; a condition that
 * does not hold changes nothing.
 */
export async function trashEntry(tx: Db, user: AuthUser, ref: EntryRef, cond: DeleteCondition = {}): Promise<FileView> {
  await lockTree(tx, user.namespaceId);
  const found = await resolveLiveEntry(tx, user, ref, 'delete');
  const { path } = found;
  if (found.row.namespaceId !== user.namespaceId) await lockTree(tx, found.row.namespaceId); // inside a mounted share
  // The row locked, then read again, before its revision is checked: a commit to it in flight
  // (which holds this lock) finishes first and is seen, so "only if still revision N" holds.
  const [row] = await tx.select().from(files).where(eq(files.id, found.row.id)).for('update');
  if (!row || row.trashedAt) throw new ConflictError(`${path} is in the trash; restore it first`, { code: 'in_trash' });
  if (cond.rev !== undefined && cond.rev !== row.rev) {
    throw new ConflictError(`${path} is at revision ${row.rev}, not ${cond.rev}: it changed since, so it was not deleted`, {
      code: 'stale_revision',
      current: { id: row.id, rev: row.rev, size: row.size, contentHash: row.contentHash },
    });
  }
  if (cond.recursive === false && row.isDir && (await hasLiveChild(tx, row.namespaceId, row.id))) {
    throw new ConflictError(`${path} is not empty, so it was not deleted`, { code: 'not_empty' });
  }
  // Strictly later than anything trashed below it before, so those stay items of their own.
  const latest = await latestTrashTimeMs(tx, row.id);
  const at = new Date(Math.max(Date.now(), latest === null ? 0 : latest + 1));
  await tx.execute(sql`${subtree(byId(row.id), { live: true })}
    update files set trashed_at = ${at.toISOString()}::timestamptz where id in (select id from sub) and trashed_at is null`);
  await appendJournal(tx, journalEntry('delete', row, user.deviceId, { path, ...placeOf(row), isDir: row.isDir }));
  await noteActivity(tx, user, row, 'deleted', path);
  return fileView({ ...row, trashedAt: at }, path);
}

/**
 * Must run inside a transaction. Bring back a trashed entry and what was trashed with it: to its
 * original place, or to `to` (a full path, name included). 409 'not_in_trash' for a live entry,
 * 'parent_missing' when the original folder is gone or in the trash itself (give `to`),
 * 'name_taken' when the name was taken meanwhile (give `to`). Journals one 'restore'.
 */
export async function restoreEntry(tx: Db, user: AuthUser, id: string, to?: string): Promise<FileView> {
  await lockTree(tx, user.namespaceId);
  const row = await entryById(tx, user, id, 'write');
  if (!row.trashedAt) throw new ConflictError(`${await pathOf(tx, row)} is not in the trash`, { code: 'not_in_trash' });
  const originalPath = await pathOf(tx, row);

  let parentId: FolderId = row.parentId;
  let name = row.name;
  if (to !== undefined) {
    const dest = await resolveDestination(tx, row.namespaceId, to);
    if (dest.parentId !== null && (await isWithin(tx, dest.parentId, row.id))) {
      throw new ConflictError(`${originalPath} cannot be restored into itself (${dest.path})`, { code: 'into_itself' });
    }
    ({ parentId, name } = dest);
  } else if (!(await ancestorsLive(tx, row.parentId))) {
    throw new ConflictError(`the folder ${originalPath.slice(0, originalPath.lastIndexOf('/')) || '/'} is gone or in the trash: restore it first, or give another place (to)`, {
      code: 'parent_missing',
    });
  }
  await ensureFree(tx, row.namespaceId, parentId, name);

  try {
    // The contents first (they are matched by the entry's trash instant, which the next update clears).
    await tx.transaction(async (sp) => {
      await sp.execute(sql`${subtree(byId(row.id), { sameTrashTime: true })}
        update files set trashed_at = null where id in (select id from sub where depth > 0)`);
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw nameTaken('an entry inside it'); // only a race (something created in the trashed folder) gets here
  }
  const restored = await renameRow(tx, row, parentId, name, { touch: false, untrash: true });
  const path = await pathOf(tx, restored);
  await appendJournal(tx, journalEntry('restore', row, user.deviceId, { path, from: originalPath, ...placeOf(restored), isDir: row.isDir }));
  return fileView(restored, path);
}

/** Top-level trashed items, most recently trashed first; `path` is where each was (the protocol's `FileList`). */
export type TrashPage = FileList;

const parent = alias(files, 'parent');

/** Trashed entries that are items of their own: not trashed along with their folder. */
function topLevel(namespaceId: string): SQL {
  return and(
    eq(files.namespaceId, namespaceId),
    isNotNull(files.trashedAt),
    or(isNull(parent.id), isNull(parent.trashedAt), ne(parent.trashedAt, files.trashedAt)),
  )!;
}

const micros = sql<string>`(extract(epoch from ${files.trashedAt}) * 1000000)::bigint`;

/** The caller's trash, a page at a time (keyset on the trash instant and id, like listings). */
export async function listTrash(db: Db, user: AuthUser, q: { limit: number; cursor?: TrashCursor }): Promise<TrashPage> {
  const where: SQL[] = [topLevel(user.namespaceId)];
  if (q.cursor !== undefined) {
    const c = q.cursor;
    where.push(or(sql`${micros} < ${c.t}::bigint`, and(sql`${micros} = ${c.t}::bigint`, sql`${files.id} < ${c.i}::uuid`))!);
  }
  const rows = await db
    .select({ file: files, t: sql<string>`${micros}::text` })
    .from(files)
    .leftJoin(parent, eq(parent.id, files.parentId))
    .where(and(...where))
    .orderBy(desc(micros), desc(files.id))
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const paths = await pathsOf(db, page.map((r) => r.file.id));
  const entries = page.map((r) => fileView(r.file, paths.get(r.file.id) ?? `/${r.file.name}`));
  const last = page[page.length - 1];
  if (!more || !last) return { entries };
  return { entries, cursor: encodePageCursor({ t: String(last.t), i: last.file.id }) };
}

/** Every top-level trashed item of a namespace (for emptying the trash), with its path. */
export async function allTopLevelTrash(db: Db, namespaceId: string): Promise<{ row: FileRow; path: string }[]> {
  const rows = await db
    .select({ file: files })
    .from(files)
    .leftJoin(parent, eq(parent.id, files.parentId))
    .where(topLevel(namespaceId));
  const paths = await pathsOf(db, rows.map((r) => r.file.id));
  return rows.map((r) => ({ row: r.file, path: paths.get(r.file.id) ?? `/${r.file.name}` }));
}
