/**
 * Stars: a user marks entries they can read (their own, or inside a share mounted or reached by
 * id), and lists them, most recently starred first. A star outlives the trash (a trashed entry
 * leaves the list and comes back with a restore) and goes with a purge (the foreign key). An
 * entry the user can no longer read (a share revoked) keeps its star but is not shown.
 * Listings carry the flag through `starredFlag` (star-flag.ts): one primary-key probe per row shown, in the same statement.
 */
import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files, stars } from '../db/schema.js';
import { viewerPath } from '../sharing/mounts.js';
import { publish } from '../sync/hub.js';
import { encodePageCursor, type FileList, type StarredCursor } from '@coffer/protocol';
import { can } from './access.js';
import { fromMicros, microsOf } from './instants.js';
import { shownAs } from './listing.js';
import { resolveEntry } from './resolve.js';
import { pathsOf } from './subtree.js';
import { fileView, type FileView } from './view.js';

/**
 * Star an entry the user can read (404 otherwise); starring again keeps the first time. The
 * user's other devices hear of a change on the websocket (`starred`), once it is committed.
 */
export async function starEntry(db: Db, user: AuthUser, id: string): Promise<FileView> {
  const found = await resolveEntry(db, user, { id }, 'read');
  const view = { ...fileView(found.row, found.path), starred: true };
  await db.transaction(async (tx) => {
    const added = await tx.insert(stars).values({ userId: user.id, fileId: found.row.id }).onConflictDoNothing().returning({ fileId: stars.fileId });
    if (added.length > 0) await publish(tx, user.id, { type: 'starred', id: view.id, starred: true });
  });
  return view;
}

export async function unstarEntry(db: Db, user: AuthUser, id: string): Promise<FileView> {
  const found = await resolveEntry(db, user, { id }, 'read');
  const view = { ...fileView(found.row, found.path), starred: false };
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(stars)
      .where(and(eq(stars.userId, user.id), eq(stars.fileId, found.row.id)))
      .returning({ fileId: stars.fileId });
    if (removed.length > 0) await publish(tx, user.id, { type: 'starred', id: view.id, starred: false });
  });
  return view;
}

/** A page of the user's stars on live entries, newest first (keyset on the star's instant and file id; index stars_user_time). */
export function starredQuery(db: Db, userId: string, q: { limit: number; cursor?: StarredCursor }) {
  const where: (SQL | undefined)[] = [eq(stars.userId, userId), isNull(files.trashedAt)];
  if (q.cursor !== undefined) where.push(sql`(${stars.starredAt}, ${stars.fileId}) < (${fromMicros(q.cursor.t)}, ${q.cursor.i}::uuid)`);
  return db
    .select({ file: files, t: microsOf(stars.starredAt) })
    .from(stars)
    .innerJoin(files, eq(files.id, stars.fileId))
    .where(and(...where))
    .orderBy(desc(stars.starredAt), desc(stars.fileId))
    .limit(q.limit + 1);
}

/** The user's starred live entries they can still read, newest star first. */
export async function listStarred(db: Db, user: AuthUser, q: { limit: number; cursor?: StarredCursor }): Promise<FileList> {
  const rows = await starredQuery(db, user.id, q);
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const own = page.filter((r) => r.file.namespaceId === user.namespaceId);
  const paths = await pathsOf(
    db,
    own.map((r) => r.file.id),
  );
  const shown = await Promise.all(
    page.map(async ({ file }): Promise<FileView | undefined> => {
      if (file.namespaceId === user.namespaceId) {
        // A mount stands for its shared folder (gone when the share's folder is).
        const target = await shownAs(db, file);
        return target ? { ...fileView(target, paths.get(file.id) ?? `/${file.name}`), starred: true } : undefined;
      }
      // Inside someone else's tree: only while a share still lets the user read it.
      if (!(await can(db, user, 'read', file))) return undefined;
      return { ...fileView(file, (await viewerPath(db, user.namespaceId, file)) ?? `/${file.name}`), starred: true };
    }),
  );
  const entries = shown.filter((v): v is FileView => v !== undefined);
  const last = page[page.length - 1];
  if (!more || !last) return { entries };
  return { entries, cursor: encodePageCursor({ t: last.t, i: last.file.id } satisfies StarredCursor) };
}
