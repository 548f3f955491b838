/**
 * The trash over HTTP (API.md), mounted at /api/v1/trash: list the items, restore one (to where
 * it was, or `to` another path), purge one, empty it. Ids the caller cannot reach answer 404.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { emptyTrash, purgeEntry } from '../files/purge.js';
import { listTrash, restoreEntry } from '../files/trash.js';
import { parse, parseOptionalJsonBody } from '../http-errors.js';
import { TrashCursor } from '../wire/cursors.js';
import { optionalParam, pageCursor, path, queryInt } from '../wire/fields.js';

const listQuery = z.object({
  limit: queryInt(1, 1000).default(100),
  // `cursor=` (empty) is the first page.
  cursor: optionalParam(pageCursor(TrashCursor)),
});

const restoreBody = z.strictObject({ to: path().optional() });

export function trashRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const { db } = deps;

  r.get('/', async (c) => {
    const q = parse(listQuery, c.req.query());
    return c.json(await listTrash(db, c.get('user'), q));
  });

  r.post('/:id/restore', async (c) => {
    // The body is optional: none (or an empty one) restores to the original place.
    const body = (await parseOptionalJsonBody(c, restoreBody)) ?? {};
    const user = c.get('user');
    const view = await db.transaction((tx) => restoreEntry(tx, user, c.req.param('id'), body.to));
    return c.json(view);
  });

  r.delete('/:id', async (c) => {
    const user = c.get('user');
    return c.json(await db.transaction((tx) => purgeEntry(tx, user, c.req.param('id'))));
  });

  r.delete('/', async (c) => {
    const user = c.get('user');
    return c.json(await db.transaction((tx) => emptyTrash(tx, user)));
  });

  return r;
}
