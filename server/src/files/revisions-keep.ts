/**
 * Keep forever (issue 23): a kept revision is never thinned by retention (jobs/retention.ts). While
 * it is not the head it counts against the owner's quota, since it stays stored for good; the head
 * counts as the file's size already. A head moving onto or off a kept revision is charged by a
 * trigger (migration 0015), a purge frees kept revisions in files/purge.ts.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { files, keptVersions } from '../db/schema.js';
import { revisionView, versionOf, type RevisionView } from './revisions.js';
import { chargeQuota } from './versions.js';
import type { FileRow } from './view.js';

export async function keepRevision(db: Db, file: FileRow, rev: number, keep: boolean, by: string): Promise<RevisionView> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    // The file row lock orders this with commits, restores and retention of the same file.
    const [locked] = await t.select({ head: files.headVersionId }).from(files).where(eq(files.id, file.id)).for('update');
    const v = await versionOf(t, file, rev);
    const changed = keep
      ? await t.insert(keptVersions).values({ versionId: v.id, keptBy: by }).onConflictDoNothing().returning()
      : await t.delete(keptVersions).where(eq(keptVersions.versionId, v.id)).returning();
    if (changed.length > 0 && locked?.head !== v.id) await chargeQuota(t, file.namespaceId, keep ? v.size : -v.size);
    return revisionView(v, keep);
  });
}
