/**
 * Finding entries in a namespace's tree: by path (segment by segment, case-insensitively) or by
 * id, always through `can`, so a path or id outside the caller's reach answers 404 like a
 * missing one (existence of other people's files is not disclosed).
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import { rowsOf, type Db } from '../db/open.js';
import { pgTextArray, rawValue } from '../db/raw.js';
import { tableRow } from '../db/table-row.js';
import { files } from '../db/schema.js';
import { ConflictError, ForbiddenError, HttpError, NotFoundError } from '../http-errors.js';
import { walkThroughMount } from '../sharing/mounts.js';
import { joinPath, nameKey, parsePath } from '../names.js';
import { isId } from '@coffer/protocol';
import { can, type FileAction } from './access.js';
import { ancestorsCte } from './ancestors.js';
import type { FileRow } from './view.js';

/** A folder to put things in: null is the namespace's root. */
export type FolderId = string | null;

/** The live (not trashed) entry named `name` in a folder, if any. */
export async function findChild(db: Db, namespaceId: string, parentId: FolderId, name: string): Promise<FileRow | undefined> {
  const [row] = await db
    .select()
    .from(files)
    .where(
      and(
        eq(files.namespaceId, namespaceId),
        parentId === null ? isNull(files.parentId) : eq(files.parentId, parentId),
        eq(files.nameKey, nameKey(name)),
        isNull(files.trashedAt),
      ),
    );
  return row;
}

/**
 * The live entries along a path, from the root down: one per segment until a name is missing,
 * and none after an entry that is not a folder. One statement (coffer_walk), whatever the depth.
 */
export async function walkPath(db: Db, namespaceId: string, segments: readonly string[]): Promise<FileRow[]> {
  if (segments.length === 0) return [];
  const keys = pgTextArray(segments.map((s) => nameKey(s)));
  const rows = await rawValue<Record<string, unknown>[]>(db, 'select coffer_walk($1::uuid, $2::text[]) as v', [namespaceId, keys]);
  const walked = (rows ?? []).map((r) => tableRow(files, r));
  // A mount at the root: the rest of the path is in the owner's tree (sharing/mounts.ts).
  return walked[0]?.mountShareId ? walkThroughMount(db, walked, segments.map((s) => nameKey(s))) : walked;
}

/** The live entry at a path (segments already parsed), undefined when any segment is missing. */
export async function entryAt(db: Db, namespaceId: string, segments: readonly string[]): Promise<FileRow | undefined> {
  const rows = await walkPath(db, namespaceId, segments);
  return rows.length === segments.length ? rows.at(-1) : undefined;
}

/** The folder a new entry at `segments` goes in: it must exist and be a folder. */
export async function parentFolder(db: Db, namespaceId: string, segments: readonly string[]): Promise<FolderId> {
  return folderOf(segments, await walkPath(db, namespaceId, segments.slice(0, -1)));
}

/**
 * The folder of the entry at `segments`, from a walk of at least its parent's path:
 * 404 'parent_not_found' when a folder on the way is missing, 409 'parent_not_folder' when it is a file.
 */
export function folderOf(segments: readonly string[], walked: readonly FileRow[]): FolderId {
  const parentSegs = segments.slice(0, -1);
  if (parentSegs.length === 0) return null;
  const parent = walked.length >= parentSegs.length ? walked[parentSegs.length - 1] : undefined;
  if (!parent) throw new NotFoundError(`the folder ${joinPath(parentSegs)} does not exist`, { code: 'parent_not_found' });
  if (!parent.isDir) throw new ConflictError(`${joinPath(parentSegs)} is a file, not a folder`, { code: 'parent_not_folder' });
  return parent.id;
}

/** The caller's live entry at a path, or 404. */
export async function entryByPath(db: Db, user: AuthUser, path: string, action: FileAction): Promise<{ row: FileRow; path: string }> {
  const segments = parsePath(path);
  if (segments.length === 0) throw new ConflictError('the root folder cannot be used here', { code: 'root' });
  const row = await entryAt(db, user.namespaceId, segments);
  if (!row || !(await can(db, user, action, row))) throw await refusal(db, user, action, row, `nothing at ${joinPath(segments)}`);
  return { row, path: joinPath(segments) };
}

/** An entry by id (live or trashed) the caller may act on, or 404. */
export async function entryById(db: Db, user: AuthUser, id: string, action: FileAction): Promise<FileRow> {
  const [row] = isId(id) ? await db.select().from(files).where(eq(files.id, id)) : [];
  if (!row || !(await can(db, user, action, row))) throw await refusal(db, user, action, row, `no file or folder with id ${id}`);
  return row;
}

/** A refused entry answers like a missing one, unless the caller may see it: then a change is 403
 *  (a viewer of a share, an editor deleting the shared root itself, re-sharing without leave). */
async function refusal(db: Db, user: AuthUser, action: FileAction, row: FileRow | undefined, missing: string): Promise<HttpError> {
  if (row && action !== 'read' && (await can(db, user, 'read', row))) {
    if (action === 'share') return new ForbiddenError('only the owner, or an editor the owner allowed, can share this', { code: 'cannot_share' });
    if (action === 'purge') return new ForbiddenError('only the owner can delete this for good', { code: 'forbidden' });
    if (action === 'delete' && (await can(db, user, 'write', row))) {
      return new ForbiddenError('a shared folder or file itself is its owner’s to delete: decline the share to leave it', { code: 'forbidden' });
    }
    return new ForbiddenError('the share is view-only here: you cannot change this', { code: 'read_only_share' });
  }
  return new NotFoundError(missing);
}

/** The path of an entry, from its ancestors (one recursive query; bounded, so even a corrupt cycle cannot spin). */
export async function pathOf(db: Db, row: Pick<FileRow, 'id' | 'parentId' | 'name'>): Promise<string> {
  if (row.parentId === null) return `/${row.name}`;
  const names = rowsOf<{ name: string }>(await db.execute(sql`${ancestorsCte(row.parentId)} select name from up order by depth desc`));
  return `/${[...names.map((r) => r.name), row.name].join('/')}`;
}

/** True when `ancestorId` is `id` itself or one of its ancestors (moving a folder into itself). */
export async function isWithin(db: Db, id: string, ancestorId: string): Promise<boolean> {
  if (id === ancestorId) return true;
  const hits = rowsOf(await db.execute(sql`
    with recursive up(id, parent_id) as (
      select id, parent_id from files where id = ${id}
      union
      select f.id, f.parent_id from files f join up on f.id = up.parent_id
    )
    select 1 as hit from up where id = ${ancestorId} limit 1`));
  return hits.length > 0;
}
