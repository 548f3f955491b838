/**
 * A link's download limit: each download takes one from it in one conditional statement, so
 * concurrent downloads never pass the limit; the one that reaches it tells the owner (inbox
 * `link_limit`, in the same transaction).
 */
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { matches } from '../downloads/send.js';
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

/**
 * Every answer that carries bytes counts: a whole file, any range of it, a zip. Counting only
 * ranges from byte 0 would let `Range: bytes=1-` fetch a file without limit; a resumed or
 * multi-connection download costs more than one, which is the safe side. HEAD and a 304 (the
 * client has the bytes already) do not count.
 */
export function countsAsDownload(method: string, ifNoneMatch: string | undefined, etag: string | undefined): boolean {
  return method === 'GET' && !(etag !== undefined && matches(ifNoneMatch, etag));
}
