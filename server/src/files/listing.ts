/**
 * A folder's children, a page at a time. Keyset pagination: the cursor names the last entry
 * handed out (its sort key and id), and the next page is "everything after it" in the same
 * order, so inserts and deletes between pages never make an entry appear twice or push one
 * that was already there out of sight (offsets would). Folders come first in every sort, as in
 * the file managers people know; ties are broken by id so the order is total.
 */
import { and, asc, desc, eq, getTableColumns, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { BadRequestError, ConflictError, NotFoundError } from '../http-errors.js';
import { joinPath, parsePath } from '../names.js';
import { can } from './access.js';
import { mountTarget, viewerPath } from '../sharing/mounts.js';
import { starredFlag } from './star-flag.js';
import { entryAt, pathOf, type FolderId } from './tree.js';
import { fileView, type FileRow, type FileView, type ViewedRow } from './view.js';
import { encodePageCursor, type FileList, type ListCursor, type ListOrder, type ListSort } from '@coffer/protocol';

export interface ListQuery {
  path: string;
  limit: number;
  /** Decoded and shape-checked at the edge (@coffer/protocol's cursors); here it must match the listing. */
  cursor?: ListCursor;
  sort: ListSort;
  order: ListOrder;
}

/** A page of a folder (the protocol's `FileList`): `cursor`, when more follow, goes back with the same path, sort and order. */
export type ListPage = FileList;

/** The folder at a path the caller may read: the root, or a live folder (409 'not_a_folder' for a file). */
export async function folderAt(db: Db, user: AuthUser, path: string): Promise<{ id: FolderId; path: string; namespaceId: string; viewId?: string }> {
  const segments = parsePath(path);
  if (segments.length === 0) return { id: null, path: '/', namespaceId: user.namespaceId };
  const row = await entryAt(db, user.namespaceId, segments);
  const typed = joinPath(segments);
  if (!row || !(await can(db, user, 'read', row))) throw new NotFoundError(`nothing at ${typed}`);
  if (!row.isDir) throw new ConflictError(`${typed} is a file, not a folder`, { code: 'not_a_folder' });
  const shown = (await viewerPath(db, user.namespaceId, row)) ?? (await pathOf(db, row));
  return { id: row.id, path: shown, namespaceId: row.namespaceId, viewId: (row as ViewedRow).viewId }; // as stored: names are case-insensitive, paths show the real case
}

export async function listFolder(db: Db, user: AuthUser, q: ListQuery): Promise<ListPage> {
  const folder = await folderAt(db, user, q.path);
  const after = q.cursor === undefined ? undefined : sameListing(q.cursor, folder.id, q.sort, q.order);

  const micros = sql<string>`(extract(epoch from ${files.modifiedAt}) * 1000000)::bigint`;
  const keys = sortKeys(q.sort, micros);
  const dir = q.order === 'asc' ? asc : desc;
  const where: (SQL | undefined)[] = [
    eq(files.namespaceId, folder.namespaceId), // a mounted share's folders are in its owner's namespace
    folder.id === null ? isNull(files.parentId) : eq(files.parentId, folder.id),
    isNull(files.trashedAt),
  ];
  if (after) where.push(keysetAfter(keys, q.order, after));

  const rows = await db
    .select({ ...getTableColumns(files), modifiedMicros: sql<string>`${micros}::text`, starred: starredFlag(user.id) })
    .from(files)
    .where(and(...where))
    .orderBy(desc(files.isDir), dir(keys.primary), dir(files.id))
    .limit(q.limit + 1);

  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const base = folder.path === '/' ? '' : folder.path;
  const shown = await Promise.all(
    page.map(async ({ modifiedMicros: _m, starred, ...row }): Promise<FileView | undefined> => {
      const target = await shownAs(db, row as FileRow);
      if (!target) return undefined;
      const view = { ...fileView(target, `${base}/${row.name}`), starred };
      // Children of a mounted share's root name the mount as their folder, as the recipient's journal does.
      return folder.viewId && view.parentId === folder.id ? { ...view, parentId: folder.viewId } : view;
    }),
  );
  const entries = shown.filter((v): v is FileView => v !== undefined);
  const last = page[page.length - 1];
  if (!more || !last) return { entries };
  return { entries, cursor: listCursor(folder.id, q.sort, q.order, last) };
}

/** The cursor after `last` for GET /list of this folder, sort and order (list-batch.ts hands it out too). */
export function listCursor(folderId: FolderId, sort: ListSort, order: ListOrder, last: FileRow & { modifiedMicros?: string }): string {
  const cursor: ListCursor = { v: 1, f: folderId, s: sort, o: order, d: last.isDir, k: keyOf(sort, last), i: last.id };
  return encodePageCursor(cursor);
}

interface SortKeys {
  /** The sort's own column (after folders-first, before the id tie-break). */
  primary: SQL;
  /** How a cursor's key value compares with it. */
  compareTo(value: string): SQL;
}

function sortKeys(sort: ListSort, micros: SQL<string>): SortKeys {
  switch (sort) {
    case 'name': {
      // name_key is already case-folded; "C" makes the order the same on every server and locale.
      const primary = sql`${files.nameKey} collate "C"`;
      return { primary, compareTo: (v) => sql`${v}::text collate "C"` };
    }
    case 'modified':
      // Microseconds: a millisecond Date would lose the database's precision and repeat rows.
      return { primary: micros, compareTo: (v) => sql`${v}::bigint` };
    case 'size':
      return { primary: sql`${files.size}`, compareTo: (v) => sql`${v}::bigint` };
  }
}

function keyOf(sort: ListSort, row: FileRow & { modifiedMicros?: string }): string {
  if (sort === 'name') return row.nameKey;
  if (sort === 'modified') {
    if (row.modifiedMicros === undefined) throw new Error('a cursor sorted by modification time needs the row’s microseconds');
    return String(row.modifiedMicros);
  }
  return String(row.size);
}

/**
 * Rows strictly after the cursor in the order (is_dir desc, primary <order>, id <order>):
 * is_dir after, or the same is_dir and primary after, or both the same and id after.
 */
function keysetAfter(keys: SortKeys, order: ListOrder, c: ListCursor): SQL {
  const gt = (a: SQL, b: SQL) => (order === 'asc' ? sql`${a} > ${b}` : sql`${a} < ${b}`);
  const dirAfter = c.d ? sql`${files.isDir} = false` : sql`false`;
  const sameDir = eq(files.isDir, c.d);
  const value = keys.compareTo(c.k);
  return or(
    dirAfter,
    and(sameDir, gt(keys.primary, value)),
    and(sameDir, sql`${keys.primary} = ${value}`, gt(sql`${files.id}`, sql`${c.i}::uuid`)),
  )!;
}

/** The cursor was handed out for this folder, sort and order (its shape was checked at the edge). */
function sameListing(c: ListCursor, folderId: FolderId, sort: ListSort, order: ListOrder): ListCursor {
  if (c.f !== folderId || c.s !== sort || c.o !== order) {
    throw new BadRequestError('the cursor belongs to another listing: pass the same path, sort and order as the first page', {
      code: 'invalid_cursor',
    });
  }
  return c;
}

/** A mount is listed as what it stands for (size, revision, content), under its own id and name;
 *  one whose shared folder is gone (trashed, purged, its owner deleted) is not listed. */
export async function shownAs(db: Db, row: FileRow): Promise<FileRow | undefined> {
  if (!row.mountShareId) return row;
  const target = await mountTarget(db, row);
  return target ? { ...target, id: row.id, name: row.name, namespaceId: row.namespaceId } : undefined;
}
