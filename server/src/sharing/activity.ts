/**
 * "Files added, edited or deleted in a shared folder by someone else": every member of the share
 * (its owner and each recipient who mounted it) but the actor gets one inbox entry per
 * (shared folder, actor) while it is unread, counting the changes (`count`), whatever the upload
 * path (simple, resumable, delta commit, WebDAV: they all commit through uploads/commit.ts).
 * Each change publishes the entry with its running count as a grouped event; the hub delivers a
 * burst once it pauses (sync/hub.ts), so a sync of 1,000 files is one push per connected device.
 */
import { eq, sql } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import { rowsOf, type Db } from '../db/open.js';
import { rawRows } from '../db/raw.js';
import { notifications } from '../db/schema.js';
import type { FileRow } from '../files/view.js';
import { notificationView, type NotificationRow } from '../notifications/view.js';
import { publish } from '../sync/hub.js';
import { shareRootAbove } from './boundary.js';

export type ActivityKind = 'added' | 'edited' | 'deleted';

/** Must run in the change's transaction (the entries exist exactly when the change does).
 *  Answers whether the entry is in a shared folder (its members were told). */
export async function noteActivity(tx: Db, actor: AuthUser, row: Pick<FileRow, 'id' | 'name' | 'namespaceId'>, kind: ActivityKind, path?: string): Promise<boolean> {
  // Most changes are in folders no one shares: one probe, then nothing.
  if (!(await hasShares(tx, row.namespaceId))) return false;
  const root = await shareRootAbove(tx, row.id, true);
  if (root === null) return false;
  const members = rowsOf<{ user_id: string }>(
    await tx.execute(sql`
      select owner_id as user_id from shares where file_id = ${root}
      union
      select m.user_id from share_mounts m join shares s on s.id = m.share_id where s.file_id = ${root} and m.state = 'accepted'`),
  ).map((r) => r.user_id);
  const groupKey = `activity:${root}:${actor.id}`;
  for (const userId of new Set(members)) {
    if (userId === actor.id) continue;
    const last = { fileId: row.id, name: row.name, kind, ...(path ? { path: path } : {}) };
    const [entry] = rowsOf<Record<string, unknown>>(
      await tx.execute(sql`
        insert into notifications (user_id, kind, file_id, payload, group_key, count)
        values (${userId}, 'activity', ${row.id}, ${JSON.stringify({ sharedFolderId: root, by: { id: actor.id, username: actor.username }, last, [kind]: 1 })}::jsonb, ${groupKey}, 1)
        on conflict (user_id, group_key) where group_key is not null and read_at is null
        do update set count = notifications.count + 1, updated_at = now(), file_id = excluded.file_id,
          payload = notifications.payload || jsonb_build_object('last', ${JSON.stringify(last)}::jsonb,
            ${kind}::text, coalesce((notifications.payload->>${kind})::int, 0) + 1)
        returning id`),
    );
    const [saved] = await tx.select().from(notifications).where(eq(notifications.id, String(entry!.id)));
    await publishGrouped(tx, saved!);
  }
  return true;
}

/** Whether anything in the namespace is shared (a batch of changes probes once, then tells each change's members).
 *  Every upload's commit asks: a prepared statement where the handle has one (db/raw.ts). */
export async function hasShares(tx: Db, namespaceId: string): Promise<boolean> {
  return (await rawRows(tx, 'select 1 from shares where namespace_id = $1 limit 1', [namespaceId])).length > 0;
}

async function publishGrouped(tx: Db, row: NotificationRow): Promise<void> {
  const { payload: _dropped, ...slim } = notificationView(row);
  await publish(tx, row.userId, { type: 'notification', groupKey: row.groupKey!, notification: { ...slim, payload: { last: row.payload.last } } });
}
