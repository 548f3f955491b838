/**
 * The owner's inbox entry for drops: one per link and burst, not one per file. While the last
 * `link_drop` of a link is unread and under GROUP_MS old, a new drop adds itself to it (count,
 * bytes, the latest names) and the entry is pushed again; otherwise a new entry starts. So a
 * stranger dropping 1,000 files leaves one notification, not 1,000.
 */
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { notifications } from '../db/schema.js';
import { publishNotification } from '../notifications/publish.js';
import { addNotification } from '../notifications/store.js';
import type { LinkTarget } from './link-access.js';

const GROUP_MS = 10 * 60_000;
/** Names kept in a grouped entry (the latest ones); `count` has them all. */
const NAMES_KEPT = 20;

export interface DroppedFile {
  id: string;
  name: string;
  path: string;
  size: number;
}

/** Must run in a transaction. */
export async function noticeDrop(tx: Db, t: LinkTarget, f: DroppedFile, now = new Date()): Promise<void> {
  const [open] = await tx
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, t.link.ownerId),
        eq(notifications.kind, 'link_drop'),
        isNull(notifications.readAt),
        sql`${notifications.payload}->>'linkId' = ${t.link.id}`,
        gt(notifications.createdAt, new Date(now.getTime() - GROUP_MS)),
      ),
    )
    .orderBy(desc(notifications.createdAt))
    .limit(1)
    .for('update');
  const latest = { path: f.path, name: f.name, size: f.size };
  if (!open) {
    await addNotification(tx, {
      userId: t.link.ownerId,
      kind: 'link_drop',
      fileId: f.id,
      payload: { linkId: t.link.id, folder: t.path, count: 1, bytes: f.size, names: [f.name], ...latest },
    });
    return;
  }
  const p = open.payload as { count?: number; bytes?: number; names?: string[] };
  const payload = { ...open.payload, count: (p.count ?? 1) + 1, bytes: (p.bytes ?? 0) + f.size, names: [...(p.names ?? []), f.name].slice(-NAMES_KEPT), ...latest };
  const [row] = await tx.update(notifications).set({ payload, fileId: f.id }).where(eq(notifications.id, open.id)).returning();
  await publishNotification(tx, row!);
}
