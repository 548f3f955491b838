/** The JSON shape of an inbox entry, in API answers and in pushed events. */
import type { notifications } from '../db/schema.js';

export type NotificationRow = typeof notifications.$inferSelect;
export type NotificationKind = NotificationRow['kind'];

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  fileId: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
  /** Grouped entries: how many changes it stands for. */
  count?: number;
}

export function notificationView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    fileId: row.fileId,
    payload: row.payload,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt?.toISOString() ?? null,
    ...(row.groupKey ? { count: row.count } : {}),
  };
}
