/**
 * Many folders' first pages at once (`POST /list/batch`, issue 20): a new device lists the tree
 * it syncs a level at a time in a few requests, not one request per folder (bench:tree's restore
 * listed 108 folders in 1.5 s before it fetched anything). The usual folder (in the caller's own
 * tree, not the root) is listed set-based: one walk of all the paths (walk-many), one select of
 * all their children (a window per folder keeps each to its page). The root (it may hold mounts)
 * and anything else (a mounted share on the way, a missing folder, a file, a path that does not
 * parse) is listed by listFolder itself, so each answer, and each refusal, is what GET /list gives.
 */
import { MAX_LIST_BATCH_ENTRIES } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { pgTextArray, rawValue } from '../db/raw.js';
import { files } from '../db/schema.js';
import { tableRow } from '../db/table-row.js';
import { HttpError } from '../http-errors.js';
import { parsePath } from '../names.js';
import { listCursor, listFolder, shownAs, type ListPage } from './listing.js';
import { fileView, type FileRow, type FileView } from './view.js';
import { walkPaths } from './walk-many.js';

export type ListOutcome = { ok: true; page: ListPage } | { ok: false; error: HttpError };

/** A page's entries when the request names no limit. */
const DEFAULT_LIMIT = 200;

export async function listFolders(db: Db, user: AuthUser, paths: readonly string[], limit = DEFAULT_LIMIT): Promise<ListOutcome[]> {
  const perFolder = Math.max(1, Math.min(limit, Math.floor(MAX_LIST_BATCH_ENTRIES / paths.length)));
  const segments = paths.map((p) => {
    try {
      return parsePath(p);
    } catch {
      return undefined; // listFolder answers it (400)
    }
  });
  const walkable = segments.flatMap((s, i) => (s && s.length > 0 ? [i] : []));
  const walks = walkable.length > 0 ? await walkPaths(db, user.namespaceId, walkable.map((i) => segments[i]!)) : [];
  // The folders listed together: found whole, a live folder of the caller's own namespace.
  const folders = new Map<number, { row: FileRow; path: string }>();
  for (const [k, i] of walkable.entries()) {
    const walked = walks[k];
    const row = walked?.at(-1);
    if (!walked || walked.length !== segments[i]!.length || !row?.isDir || walked.some((r) => r.namespaceId !== user.namespaceId)) continue;
    folders.set(i, { row, path: `/${walked.map((r) => r.name).join('/')}` });
  }
  const children = await childrenOf(db, user, [...new Set([...folders.values()].map((f) => f.row.id))], perFolder + 1);

  const out: ListOutcome[] = [];
  for (const [i, path] of paths.entries()) {
    const folder = folders.get(i);
    try {
      out.push({ ok: true, page: folder ? await pageOf(db, folder, children.get(folder.row.id) ?? [], perFolder) : await listFolder(db, user, { path, limit: perFolder, sort: 'name', order: 'asc' }) });
    } catch (err) {
      // A folder's own refusal; anything else (the database, a bug) fails the whole request.
      if (!(err instanceof HttpError)) throw err;
      out.push({ ok: false, error: err });
    }
  }
  return out;
}

interface Child {
  row: FileRow;
  starred: boolean;
}

/** The first `each` live children of every folder, in GET /list's order by name (folders first, then name_key in "C" order, then id). */
async function childrenOf(db: Db, user: AuthUser, folderIds: readonly string[], each: number): Promise<Map<string, Child[]>> {
  const out = new Map<string, Child[]>();
  if (folderIds.length === 0) return out;
  const rows = await rawValue<Record<string, unknown>[]>(
    db,
    `select coalesce(json_agg(row_to_json(x) order by x.parent_id, x.n), '[]'::json) as v from (
       select f.*,
              coalesce((select true from stars s where s.user_id = $2::uuid and s.file_id = f.id), false) as starred,
              row_number() over (partition by f.parent_id order by f.is_dir desc, f.name_key collate "C" asc, f.id asc) as n
       from files f
       where f.namespace_id = $1::uuid and f.parent_id = any($3::uuid[]) and f.trashed_at is null
     ) x where x.n <= $4`,
    [user.namespaceId, user.id, pgTextArray(folderIds), each],
  );
  for (const r of rows ?? []) {
    const row = tableRow(files, r);
    let list = out.get(row.parentId!);
    if (!list) out.set(row.parentId!, (list = []));
    list.push({ row, starred: r.starred === true });
  }
  return out;
}

/** One folder's page from its children (at most `limit` + 1 of them: one more says more follow), as listFolder makes it. */
async function pageOf(db: Db, folder: { row: FileRow; path: string }, children: readonly Child[], limit: number): Promise<ListPage> {
  const more = children.length > limit;
  const page = more ? children.slice(0, limit) : children;
  const entries: FileView[] = [];
  for (const { row, starred } of page) {
    // A mount is only ever at the root (listed by listFolder); kept for safety all the same.
    const target = row.mountShareId ? await shownAs(db, row) : row;
    if (target) entries.push({ ...fileView(target, `${folder.path}/${row.name}`), starred });
  }
  const last = page.at(-1)?.row;
  if (!more || !last) return { entries };
  return { entries, cursor: listCursor(folder.row.id, 'name', 'asc', last) };
}
