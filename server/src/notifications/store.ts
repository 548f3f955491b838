/** Adding an inbox entry: the one way, inside the transaction of the change it reports. */
import type { Db } from '../db/open.js';
import { notifications } from '../db/schema.js';
import { publishNotification } from './publish.js';
import type { NotificationKind, NotificationRow } from './view.js';

export type { NotificationRow } from './view.js';

export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  fileId: string | null;
  payload?: Record<string, unknown>;
}

/**
 * Written in the same transaction as the change it reports, so it exists exactly when the change
 * does; the addressee's online devices are told on commit (publish.ts).
 */
export async function addNotification(tx: Db, n: NewNotification): Promise<NotificationRow> {
  const [row] = await tx
    .insert(notifications)
    .values({ userId: n.userId, kind: n.kind, fileId: n.fileId, payload: n.payload ?? {} })
    .returning();
  await publishNotification(tx, row!);
  return row!;
}
