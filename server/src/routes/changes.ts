/**
 * The change journal over HTTP (behind `authenticate`): pages of changes after a cursor, the
 * cursor of "now", long polling, and which devices are online. The same changes are pushed
 * over the websocket /api/v1/events (sync/events.ts).
 */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { readChanges } from '../sync/changes.js';
import { checkCursor } from '../sync/cursor.js';
import { longpoll } from '../sync/longpoll.js';
import { recordDeviceCursor } from '../sync/presence.js';

export function changeRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  r.mount(ops.listChanges, async ({ query, user }) => {
    await checkCursor(db, user.namespaceId, query.cursor);
    const page = await readChanges(db, user.namespaceId, query.cursor, query.limit);
    if (user.deviceId) await recordDeviceCursor(db, user.deviceId, page.cursor);
    return { status: 200, body: { entries: page.entries, cursor: page.cursor, has_more: page.hasMore } };
  });

  // The newest entry's seq, to follow changes from now on (after listing the tree).
  r.mount(ops.latestCursor, async ({ user }) => ({ status: 200, body: { cursor: await checkCursor(db, user.namespaceId, 0) } }));

  // As soon as there is something after the cursor, else at the timeout.
  r.mount(ops.longpollChanges, async ({ query, user }, c) => ({
    status: 200,
    body: await longpoll(db, deps.hub, user, query.cursor, query.timeout, c.req.raw.signal),
  }));

  r.mount(ops.presence, async ({ user }) => {
    const devices = await deps.hub.presence.devicesOf(user.id);
    return { status: 200, body: { devices: devices.map((d) => ({ ...d, lastSeenAt: d.lastSeenAt.toISOString() })) } };
  });

  return r.router;
}
