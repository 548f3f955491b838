/**
 * The thumbnail cache: each thumbnail is a block of its own in the source's namespace (sealed by
 * the engine: compressed no further, encrypted with the namespace's key, erasure-coded over the
 * nodes like any block; no plaintext touches a disk), listed in `thumbnails` by source content
 * hash and edge. The row holds one reference on the block (blocks.refcount), so GC keeps it the
 * way it keeps a version's blocks.
 */
import { and, eq, sql } from 'drizzle-orm';
import { NotFoundError as EngineNotFoundError } from '@coffer/storage-engine';
import { rowsOf, type Db } from '../db/open.js';
import { thumbnails } from '../db/schema.js';
import type { Storage } from '../storage.js';
import type { Rendered } from './render.js';

export interface ThumbnailKey {
  namespaceId: string;
  contentHash: string;
  edge: number;
}

/** The cached thumbnail's bytes, or undefined (none yet, or its block is gone: the row goes too). */
export async function cachedThumbnail(db: Db, storage: Storage, k: ThumbnailKey): Promise<Buffer | undefined> {
  const where = and(eq(thumbnails.namespaceId, k.namespaceId), eq(thumbnails.contentHash, k.contentHash), eq(thumbnails.edge, k.edge));
  const [row] = await db.select({ blockKey: thumbnails.blockKey }).from(thumbnails).where(where);
  if (!row) return undefined;
  try {
    return await storage.blocks.get(row.blockKey);
  } catch (err) {
    if (!(err instanceof EngineNotFoundError)) throw err;
    await db.delete(thumbnails).where(where);
    return undefined;
  }
}

/** Store a thumbnail made for `k` (a lost race with another request making the same one is fine). */
export async function storeThumbnail(db: Db, storage: Storage, k: ThumbnailKey, t: Rendered): Promise<void> {
  // Already compressed (WebP): sealing only encrypts and spreads it.
  const put = await storage.blocks.put(k.namespaceId, t.data, { compress: false });
  await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(thumbnails)
      .values({ ...k, blockKey: put.key, width: t.width, height: t.height, bytes: t.data.byteLength })
      .onConflictDoNothing()
      .returning({ blockKey: thumbnails.blockKey });
    if (!inserted) return;
    // The row's reference; refcount -1 means GC has claimed the block (an old identical one): no cache then.
    const held = rowsOf(await tx.execute(sql`update blocks set refcount = refcount + 1 where key = ${put.key} and refcount >= 0 returning key`));
    if (held.length === 0) await tx.delete(thumbnails).where(and(eq(thumbnails.namespaceId, k.namespaceId), eq(thumbnails.contentHash, k.contentHash), eq(thumbnails.edge, k.edge)));
  });
}

/**
 * For GC: thumbnails of content no version in their namespace has any more (purged, thinned by
 * retention) go, and give back their block reference; a block left at zero is then garbage like
 * any other (after the grace period). One anti-join over the versions; how many went.
 */
export async function releaseOrphanThumbnails(db: Db): Promise<number> {
  const rows = rowsOf<{ n: string | number }>(
    await db.execute(sql`
      with gone as (
        delete from thumbnails t
        where not exists (
          select 1 from file_versions v join files f on f.id = v.file_id
          where f.namespace_id = t.namespace_id and v.content_hash = t.content_hash)
        returning t.block_key),
      released as (
        update blocks b set refcount = greatest(b.refcount - g.n, 0)
        from (select block_key, count(*)::int as n from gone group by block_key) g
        where b.key = g.block_key and b.refcount > 0
        returning 1)
      select (select count(*) from gone) as n`),
  );
  return Number(rows[0]?.n ?? 0);
}
