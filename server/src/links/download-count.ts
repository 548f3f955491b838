/**
 * A link's download limit: each download takes one from it in one conditional statement, so
 * concurrent downloads never pass the limit; the one that reaches it tells the owner (inbox
 * `link_limit`, in the same transaction).
 */
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { links } from '../db/schema.js';
import { addNotification } from '../notifications/store.js';
import { linkGone, type LinkTarget } from './link-access.js';

export async function countDownload(db: Db, t: LinkTarget): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(links)
      .set({ downloads: sql`${links.downloads} + 1` })
      .where(and(eq(links.id, t.link.id), or(isNull(links.maxDownloads), lt(links.downloads, links.maxDownloads))))
      .returning({ downloads: links.downloads, maxDownloads: links.maxDownloads });
    if (!row) throw linkGone('This link reached its download limit');
    if (row.maxDownloads !== null && row.downloads >= row.maxDownloads) {
      await addNotification(tx, {
        userId: t.link.ownerId,
        kind: 'link_limit',
        fileId: t.entry.id,
        payload: { linkId: t.link.id, path: t.path, name: t.entry.name, downloads: row.downloads },
      });
    }
  });
}

/** A download counts when it starts at the first byte (a resumed one does not count again). */
export function countsAsDownload(method: string, range: string | undefined): boolean {
  if (method !== 'GET') return false;
  return range === undefined || /^bytes=0-/.test(range.trim());
}
