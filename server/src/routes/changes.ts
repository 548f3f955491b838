/**
 * The change journal over HTTP (mounted at /api/v1, behind `authenticate`): pages of changes
 * after a cursor, the cursor of "now", long polling, and which devices are online.
 * The same changes are pushed over the websocket /api/v1/events (sync/events.ts).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { parse } from '../http-errors.js';
import { readChanges } from '../sync/changes.js';
import { checkCursor } from '../sync/cursor.js';
import { longpoll } from '../sync/longpoll.js';
import { recordDeviceCursor } from '../sync/presence.js';
import { journalCursor, queryInt } from '../wire/fields.js';

const ChangesQuery = z.object({ cursor: journalCursor().default(0), limit: queryInt(1, 2000).default(500) });
const LongpollQuery = z.object({ cursor: journalCursor(), timeout: queryInt(30, 480).default(60) });

export function changeRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = new Hono<AppEnv>();

  // 200 {entries: ChangeEntry[], cursor, has_more}; 400 malformed cursor; 410 `reset`.
  r.get('/changes', async (c) => {
    const q = parse(ChangesQuery, c.req.query());
    const me = c.get('user');
    await checkCursor(db, me.namespaceId, q.cursor);
    const page = await readChanges(db, me.namespaceId, q.cursor, q.limit);
    if (me.deviceId) await recordDeviceCursor(db, me.deviceId, page.cursor);
    return c.json({ entries: page.entries, cursor: page.cursor, has_more: page.hasMore });
  });

  // 200 {cursor}: the newest entry's seq, to follow changes from now on (after listing the tree).
  r.get('/changes/latest', async (c) => {
    const me = c.get('user');
    return c.json({ cursor: await checkCursor(db, me.namespaceId, 0) });
  });

  // 200 {changes, events?, backoff?} as soon as there is something after the cursor, else at the timeout.
  r.get('/changes/longpoll', async (c) => {
    const q = parse(LongpollQuery, c.req.query());
    return c.json(await longpoll(db, deps.hub, c.get('user'), q.cursor, q.timeout, c.req.raw.signal));
  });

  // 200 {devices: [{id, name, kind, online, lastSeenAt, cursor}]}
  r.get('/presence', async (c) => c.json({ devices: await deps.hub.presence.devicesOf(c.get('user').id) }));

  return r;
}
