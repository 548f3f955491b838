/**
 * Departed accounts (issue 23): deleting a user leaves their namespace behind (the trigger of
 * migration 0016 records it in `departed_namespaces`). Once the grace has passed (the trash
 * period: an admin who deleted the wrong account can still restore the database's files from a
 * backup), this job purges it: every file and folder with its versions (their blocks lose their
 * references), the journal, pending reservations; then the namespace's blocks and their shards
 * on every node at once (nobody can reference them any more: the owner, their shares and links
 * are gone); and only when no block of it is left, the namespace's data keys, so nothing of it
 * stays readable. Idempotent: a run cut short is finished by the next.
 */
import { eq, lt, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';
import { departedNamespaces, files, journal, namespaceKeys, quotaReservations } from '../db/schema.js';
import { releaseVersionBlocks } from '../files/versions.js';
import type { Storage } from '../storage.js';
import { releaseOrphanThumbnails } from '../thumbnails/cache.js';
import type { JobHandler } from './runner.js';

export interface DepartedOptions {
  /** Days after the deletion before the purge (the trash period by default). */
  graceDays: () => Promise<number>;
  now?: () => number;
}

export function departedHandler(deps: { db: Db; storage: Storage }, opts: DepartedOptions): JobHandler {
  return async (_job, ctx) => {
    const { db } = deps;
    const cutoff = new Date((opts.now ?? Date.now)() - (await opts.graceDays()) * 86_400_000);
    const due = await db.select().from(departedNamespaces).where(lt(departedNamespaces.deletedAt, cutoff));
    let purged = 0;
    let blocksDeleted = 0;
    for (const d of due) {
      ctx.signal.throwIfAborted();
      await dropTree(db, d.namespaceId);
      blocksDeleted += await dropBlocks(deps, d.namespaceId, ctx.signal);
      const [left] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from blocks where namespace_id = ${d.namespaceId}`));
      if ((left?.n ?? 0) > 0) continue; // a block still referenced (or failing to delete): the keys wait for the next run
      // The data keys last: with them gone nothing of the namespace can be decrypted, wherever a copy lies.
      await db.transaction(async (tx) => {
        const t = tx as unknown as Db;
        await t.delete(namespaceKeys).where(eq(namespaceKeys.namespaceId, d.namespaceId));
        await t.delete(departedNamespaces).where(eq(departedNamespaces.namespaceId, d.namespaceId));
      });
      purged++;
      await ctx.report({ purged, blocksDeleted, due: due.length });
    }
    await ctx.report({ purged, blocksDeleted, due: due.length, finished: true });
  };
}

/** Every entry of the namespace, its versions' block references, journal and reservations. */
async function dropTree(db: Db, namespaceId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const versions = rowsOf<{ id: string }>(
      await t.execute(sql`select v.id from file_versions v join files f on f.id = v.file_id where f.namespace_id = ${namespaceId}`),
    );
    await releaseVersionBlocks(
      t,
      versions.map((v) => v.id),
    );
    await t.delete(files).where(eq(files.namespaceId, namespaceId));
    await t.delete(journal).where(eq(journal.namespaceId, namespaceId));
    await t.delete(quotaReservations).where(eq(quotaReservations.namespaceId, namespaceId));
  });
  await releaseOrphanThumbnails(db);
}

/** Claims and deletes the namespace's unreferenced blocks without GC's grace (no one can reference them again). */
async function dropBlocks(deps: { db: Db; storage: Storage }, namespaceId: string, signal: AbortSignal): Promise<number> {
  let deleted = 0;
  for (;;) {
    signal.throwIfAborted();
    const claimed = rowsOf<{ key: string }>(
      await deps.db.execute(sql`
        update blocks set refcount = -1
        where key in (select key from blocks where namespace_id = ${namespaceId} and refcount <= 0 order by key limit 100 for update skip locked)
          and refcount <= 0
        returning key`),
    );
    if (claimed.length === 0) return deleted;
    for (const b of claimed) {
      await deps.storage.blocks.delete(b.key);
      deleted++;
    }
  }
}
