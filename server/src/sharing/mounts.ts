/**
 * Mounts: an accepted share is a row at the recipient's root (files.mount_share_id set) standing
 * for the shared folder or file. A path walk that reaches one continues in the owner's tree from
 * the shared root; paths the recipient is shown are rewritten under the mount's name.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';
import { files, shares } from '../db/schema.js';
import { ancestorsCte } from '../files/ancestors.js';
import type { FileRow, ViewedRow } from '../files/view.js';

/** The shared root a mount row stands for, seen under the mount's name at the recipient's root. */
export async function mountTarget(db: Db, mount: FileRow): Promise<ViewedRow | undefined> {
  if (!mount.mountShareId) return undefined;
  const [target] = await db
    .select({ f: files })
    .from(shares)
    .innerJoin(files, eq(files.id, shares.fileId))
    .where(and(eq(shares.id, mount.mountShareId), isNull(files.trashedAt)));
  return target ? { ...target.f, name: mount.name, parentId: null, viewId: mount.id } : undefined;
}

/** The live child `name` of `parentId` in any namespace (a walk inside an owner's tree). */
async function childOf(db: Db, parentId: string, key: string): Promise<FileRow | undefined> {
  const [row] = await db
    .select()
    .from(files)
    .where(and(eq(files.parentId, parentId), eq(files.nameKey, key), isNull(files.trashedAt)));
  return row;
}

/**
 * A walk whose first row is a mount: that row becomes the shared root (named as the mount), and
 * the walk goes on below it, one folder at a time, with the same rules (stops at a missing name
 * and after a file).
 */
export async function walkThroughMount(db: Db, walked: FileRow[], keys: readonly string[]): Promise<FileRow[]> {
  const first = walked[0];
  if (!first?.mountShareId) return walked;
  const root = await mountTarget(db, first);
  if (!root) return [];
  const out: FileRow[] = [root];
  let parent = root;
  for (const key of keys.slice(1)) {
    if (!parent.isDir) break;
    const child = await childOf(db, parent.id, key);
    if (!child) break;
    out.push(child);
    parent = child;
  }
  return out;
}

/**
 * The path of an entry as `viewerNs`'s owner sees it: their own entries as stored; an entry in
 * someone else's tree under the mount of the share holding it (or under `/<shared root name>`
 * when the share is not mounted: reached by id).
 */
export async function viewerPath(db: Db, viewerNs: string, row: Pick<FileRow, 'id' | 'parentId' | 'name' | 'namespaceId'>): Promise<string | undefined> {
  if (row.namespaceId === viewerNs) return undefined;
  const up = rowsOf<{ id: string; name: string; depth: number }>(
    await db.execute(sql`${ancestorsCte(row.id)}
      select id, name, depth from up order by depth asc`),
  );
  if (up.length === 0) return undefined;
  const ids = up.map((r) => r.id);
  const mounts = await db
    .select({ rootId: shares.fileId, name: files.name })
    .from(files)
    .innerJoin(shares, eq(shares.id, files.mountShareId))
    .where(and(eq(files.namespaceId, viewerNs), isNull(files.trashedAt), inArray(shares.fileId, ids)));
  const byRoot = new Map(mounts.map((m) => [m.rootId, m.name]));
  // The nearest shared root above (or at) the entry.
  for (let i = 0; i < up.length; i++) {
    const mountName = byRoot.get(up[i]!.id);
    if (mountName !== undefined) return `/${[mountName, ...up.slice(0, i).reverse().map((r) => r.name)].join('/')}`;
  }
  return undefined;
}
