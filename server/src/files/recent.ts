/**
 * Recent files: the caller's files with content, outside the trash, most recently modified (an
 * upload, a new revision, a restore) first, a page at a time. Served by the partial index
 * `files_recent` (namespace, modified_at desc, id desc where live and not a folder): a page is an
 * index range scan from the cursor on, whatever the size of the tree.
 *
 * The caller's own tree only: files inside shares mounted from others live in their owners'
 * namespaces, and finding "everything under these shared roots" would walk each share's subtree
 * on every request; the starred list and the share's own folder reach them instead.
 */
import { and, desc, eq, gt, isNull, not, sql, type SQL } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { encodePageCursor, type FileList, type RecentCursor } from '@coffer/protocol';
import { fromMicros, microsOf } from './instants.js';
import { starredFlag } from './star-flag.js';
import { pathsOf } from './subtree.js';
import { fileView } from './view.js';

/** The query of a page: exported so a test can EXPLAIN exactly what runs. */
export function recentQuery(db: Db, user: AuthUser, q: { limit: number; cursor?: RecentCursor }) {
  const where: (SQL | undefined)[] = [
    eq(files.namespaceId, user.namespaceId),
    not(files.isDir),
    isNull(files.trashedAt),
    // A file whose first upload has not finished has nothing to open yet; a mount is not a file of this tree.
    gt(files.rev, 0),
    isNull(files.mountShareId),
  ];
  if (q.cursor !== undefined) where.push(sql`(${files.modifiedAt}, ${files.id}) < (${fromMicros(q.cursor.t)}, ${q.cursor.i}::uuid)`);
  return db
    .select({ file: files, t: microsOf(files.modifiedAt), starred: starredFlag(user.id) })
    .from(files)
    .where(and(...where))
    .orderBy(desc(files.modifiedAt), desc(files.id))
    .limit(q.limit + 1);
}

export async function listRecent(db: Db, user: AuthUser, q: { limit: number; cursor?: RecentCursor }): Promise<FileList> {
  const rows = await recentQuery(db, user, q);
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const paths = await pathsOf(
    db,
    page.map((r) => r.file.id),
  );
  const entries = page.map((r) => ({ ...fileView(r.file, paths.get(r.file.id) ?? `/${r.file.name}`), starred: r.starred }));
  const last = page[page.length - 1];
  if (!more || !last) return { entries };
  return { entries, cursor: encodePageCursor({ t: last.t, i: last.file.id } satisfies RecentCursor) };
}
