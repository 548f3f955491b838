/** The notification inbox: list, page, mark as read. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { listNotifications, markRead } from '../notifications/inbox.js';

export function notificationRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = operationRouter(deps);

  r.mount(ops.listNotifications, async ({ query, user }) => ({ status: 200, body: await listNotifications(deps.db, user.id, query) }));

  r.mount(ops.markNotificationsRead, async ({ body, user }) => ({
    status: 200,
    body: { updated: await markRead(deps.db, user.id, body.ids ? { ids: body.ids } : { all: true }) },
  }));

  return r.router;
}
