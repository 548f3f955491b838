/**
 * The share boundary. A move keeps an entry's row and id, and the journal mirror follows a row by
 * its place, so an entry moved into or out of a shared folder would vanish from (or appear in)
 * recipients' trees without a trace, and bytes would change whose quota they count against.
 * So a move across the boundary is refused (409 'share_boundary'); the way across is a copy
 * (charged to the destination's owner, made by whoever may read the source and write the
 * destination) and then a delete of the original (which needs delete rights where it is: the
 * owner, or an editor of the share). Copy is the "copy plus delete" of issue 15, with the rights
 * of each half checked on its own.
 */
import { eq, sql } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import { rowsOf, type Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { ancestorsCte } from '../files/ancestors.js';
import { can } from '../files/access.js';
import type { FolderId } from '../files/tree.js';
import type { FileRow } from '../files/view.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../http-errors.js';

/** The nearest shared root at or above `id` (`inclusive`) or strictly above it; null when none. */
export async function shareRootAbove(db: Db, id: string | null, inclusive: boolean): Promise<string | null> {
  if (id === null) return null;
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`${ancestorsCte(id)}
      select up.id from up join shares s on s.file_id = up.id where ${inclusive ? sql`true` : sql`up.depth > 0`}
      order by up.depth asc limit 1`),
  );
  return rows[0]?.id ?? null;
}

/** The namespace a new entry in `parentId` belongs to, after checking the caller may write there. */
export async function destinationNamespace(db: Db, user: AuthUser, parentId: FolderId): Promise<string> {
  if (parentId === null) return user.namespaceId;
  const [parent] = await db.select().from(files).where(eq(files.id, parentId));
  if (!parent) throw new NotFoundError('the destination folder does not exist', { code: 'parent_not_found' });
  if (!(await can(db, user, 'write', parent))) {
    throw (await can(db, user, 'read', parent))
      ? new ForbiddenError('the share is view-only here: you cannot change this', { code: 'read_only_share' })
      : new NotFoundError('the destination folder does not exist', { code: 'parent_not_found' });
  }
  return parent.namespaceId;
}

/** 409 'share_boundary' unless `row` moving into `parentId` stays on the same side of every share. */
export async function checkShareBoundary(db: Db, row: FileRow, parentId: FolderId, destNs: string): Promise<void> {
  if (destNs !== row.namespaceId) throw boundary();
  const from = await shareRootAbove(db, row.id, false);
  const to = await shareRootAbove(db, parentId, true);
  if (from !== to) throw boundary();
}

function boundary(): ConflictError {
  return new ConflictError('entries cannot move into or out of a shared folder: copy it there, then delete the original', { code: 'share_boundary' });
}
