/**
 * The notification inbox: the newest page (GET /notifications), the unread count, marking read,
 * and what arrives live over the websocket (added to the list, announced by a toast). A share
 * offered, accepted, declined or revoked also bumps `sharesTick`, so "Shared with me" refreshes.
 */
import { signal, computed } from '@preact/signals';
import { userOperations as ops, type Notification } from '@coffer/protocol';
import { call } from '../api/client';
import { toast } from '../ui/index';
import { sharesTick } from './changes';
import { describe } from './describe';

export const inbox = signal<Notification[]>([]);
export const inboxLoaded = signal(false);
export const unreadCount = computed(() => inbox.value.filter((n) => n.readAt === null).length);

const PAGE = 50;

export async function loadInbox(): Promise<void> {
  const page = await call(ops.listNotifications, { query: { limit: PAGE } });
  inbox.value = page.notifications;
  inboxLoaded.value = true;
}

export async function markRead(ids?: string[]): Promise<void> {
  const unread = inbox.value.filter((n) => n.readAt === null && (!ids || ids.includes(n.id)));
  if (unread.length === 0) return;
  await call(ops.markNotificationsRead, { body: ids ? { ids: unread.map((n) => n.id) } : { all: true } });
  const now = new Date().toISOString();
  const done = new Set(unread.map((n) => n.id));
  inbox.value = inbox.value.map((n) => (done.has(n.id) ? { ...n, readAt: now } : n));
}

export function clearInbox(): void {
  inbox.value = [];
  inboxLoaded.value = false;
}

type Pushed = Omit<Notification, 'payload'> & { payload?: Notification['payload'] };

/** One notification pushed over the websocket (a grouped one may arrive again, updated). */
export function noteNotification(n: Pushed, truncated: boolean): void {
  if (n.kind.startsWith('share_')) sharesTick.value++;
  if (truncated || !n.payload) {
    void loadInbox().catch(() => {});
    return;
  }
  const full: Notification = { ...n, payload: n.payload };
  const known = inbox.value.some((x) => x.id === n.id);
  inbox.value = [full, ...inbox.value.filter((x) => x.id !== n.id)].slice(0, PAGE * 2);
  if (!known || n.readAt === null) toast(describe(full));
}
