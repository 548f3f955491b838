/** A user's inbox: newest first, keyset-paged, optionally only what is unread; marking as read. */
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { notifications } from '../db/schema.js';
import { BadRequestError } from '../http-errors.js';
import { notificationView, type NotificationView } from './view.js';

export interface InboxQuery {
  unread: boolean;
  limit: number;
  /** The id of the last entry of the previous page (opaque to clients). */
  cursor?: string;
}

export async function listNotifications(db: Db, userId: string, q: InboxQuery): Promise<{ notifications: NotificationView[]; cursor?: string }> {
  const where: SQL[] = [eq(notifications.userId, userId)];
  if (q.unread) where.push(isNull(notifications.readAt));
  if (q.cursor !== undefined) {
    const [anchor] = await db
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.id, q.cursor), eq(notifications.userId, userId)));
    if (!anchor) throw new BadRequestError('the cursor does not name one of your notifications', { code: 'invalid_cursor' });
    // Compared in SQL against the anchor row: timestamps keep their microseconds (a JS Date would not).
    where.push(sql`(${notifications.createdAt}, ${notifications.id}) < (select n.created_at, n.id from ${notifications} n where n.id = ${q.cursor})`);
  }
  const rows = await db
    .select()
    .from(notifications)
    .where(and(...where))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { notifications: page.map(notificationView), ...(rows.length > q.limit ? { cursor: page.at(-1)!.id } : {}) };
}

/** Mark the caller's unread entries as read (these ids, or all); returns how many changed. Others' ids are ignored. */
export async function markRead(db: Db, userId: string, which: { ids: readonly string[] } | { all: true }): Promise<number> {
  const where = [eq(notifications.userId, userId), isNull(notifications.readAt)];
  if ('ids' in which) {
    if (which.ids.length === 0) return 0;
    where.push(inArray(notifications.id, [...which.ids]));
  }
  const rows = await db.update(notifications).set({ readAt: new Date() }).where(and(...where)).returning({ id: notifications.id });
  return rows.length;
}
