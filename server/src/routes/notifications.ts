/** The notification inbox (mounted at /api/v1/notifications): list, page, mark as read. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { parse, parseJsonBody } from '../http-errors.js';
import { listNotifications, markRead } from '../notifications/inbox.js';
import { id, optionalParam, queryFlag, queryInt } from '../wire/fields.js';

const ListQuery = z.object({
  unread: queryFlag().default(false),
  limit: queryInt(1, 200).default(50),
  // `cursor=` (empty) is the first page; else the id of the previous page's last notification.
  cursor: optionalParam(id()),
});

const ReadBody = z
  .strictObject({ ids: z.array(id()).max(1000).optional(), all: z.literal(true).optional() })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give exactly one of ids and all: true' });

export function notificationRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    const q = parse(ListQuery, c.req.query());
    return c.json(await listNotifications(deps.db, c.get('user').id, q));
  });

  r.post('/read', async (c) => {
    const body = await parseJsonBody(c, ReadBody);
    const updated = await markRead(deps.db, c.get('user').id, body.ids ? { ids: body.ids } : { all: true });
    return c.json({ updated });
  });

  return r;
}
