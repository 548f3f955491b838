/** Inbox entries reach the addressee's online devices at once (websocket, long poll); offline ones find them in the inbox. */
import type { Db } from '../db/open.js';
import { publish } from '../sync/hub.js';
import { notificationView, type NotificationRow } from './view.js';

/** NOTIFY carries under 8,000 bytes; an entry with long paths goes out slim and the client reads the inbox. */
const FULL_EVENT_MAX_BYTES = 7_000;

/** In the entry's transaction: the event is delivered when, and only if, it commits. */
export async function publishNotification(tx: Db, row: NotificationRow): Promise<void> {
  const notification = notificationView(row);
  const full = { type: 'notification', notification };
  const fits = Buffer.byteLength(JSON.stringify(full)) <= FULL_EVENT_MAX_BYTES;
  const { payload: _dropped, ...slim } = notification;
  await publish(tx, row.userId, fits ? full : { type: 'notification', notification: slim, truncated: true });
}
