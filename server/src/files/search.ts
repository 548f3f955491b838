/**
 * Finding entries by name: live entries (not in the trash) whose name contains the query,
 * case-insensitively by the same folding as names (names.ts nameKey), with their paths.
 * Names that start with the query come first, then by name.
 */
import { and, asc, desc, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { nameKey } from '../names.js';
import { can } from './access.js';
import { starredFlag } from './star-flag.js';
import { pathsOf } from './subtree.js';
import { fileView, type FileView } from './view.js';

export async function searchByName(db: Db, user: AuthUser, q: string, limit: number): Promise<{ entries: FileView[] }> {
  const needle = escapeLike(nameKey(q.normalize('NFC')));
  const prefix = sql`${files.nameKey} like ${needle + '%'} escape '\\'`;
  const rows = await db
    .select({ ...getTableColumns(files), starred: starredFlag(user.id) })
    .from(files)
    .where(and(eq(files.namespaceId, user.namespaceId), isNull(files.trashedAt), sql`${files.nameKey} like ${'%' + needle + '%'} escape '\\'`))
    .orderBy(desc(prefix), asc(sql`${files.nameKey} collate "C"`), asc(files.id))
    .limit(limit);
  const allowed = [];
  for (const r of rows) if (await can(db, user, 'read', r)) allowed.push(r);
  const paths = await pathsOf(
    db,
    allowed.map((r) => r.id),
  );
  return { entries: allowed.map(({ starred, ...r }) => ({ ...fileView(r, paths.get(r.id) ?? `/${r.name}`), starred })) };
}

/** A LIKE pattern that matches `s` literally: '\', '%' and '_' escaped with '\'. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
