/** Revisions: list a file's history, restore an old revision as the newest one. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { blockListOf, listRevisions, restoreRevision, versionOf } from '../files/revisions.js';
import { entryById, entryByPath, pathOf } from '../files/tree.js';
import { fileView } from '../files/view.js';
import { BadRequestError, parse, parseJsonBody } from '../http-errors.js';
import { id, int4, path, queryInt, queryRev } from '../wire/fields.js';

const Limit = queryInt(1, 1000).default(100);
const Restore = z.object({
  path: path().optional(),
  id: id().optional(),
  rev: int4(1),
});

export function revisionRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/revisions', async (c) => {
    const q = parse(z.object({ path: path(), limit: Limit }), c.req.query());
    const { row } = await entryByPath(deps.db, c.get('user'), q.path, 'read');
    return c.json({ revisions: await listRevisions(deps.db, row, q.limit) });
  });

  r.get('/files/:id/revisions', async (c) => {
    const q = parse(z.object({ limit: Limit }), c.req.query());
    const row = await entryById(deps.db, c.get('user'), c.req.param('id'), 'read');
    return c.json({ revisions: await listRevisions(deps.db, row, q.limit) });
  });

  // The block list of a revision (head by default), for delta downloads.
  r.get('/revisions/blocks', async (c) => {
    const q = parse(z.object({ path: path(), rev: queryRev(1).optional() }), c.req.query());
    const { row } = await entryByPath(deps.db, c.get('user'), q.path, 'read');
    const v = await versionOf(deps.db, row, q.rev);
    return c.json({ rev: v.rev, size: v.size, contentHash: v.contentHash, blocks: await blockListOf(deps.db, v) });
  });

  r.post('/revisions/restore', async (c) => {
    const body = await parseJsonBody(c, Restore);
    const user = c.get('user');
    if ((body.path === undefined) === (body.id === undefined)) throw new BadRequestError('give either path or id', { code: 'invalid_request' });
    const row = body.path !== undefined ? (await entryByPath(deps.db, user, body.path, 'write')).row : await entryById(deps.db, user, body.id!, 'write');
    const restored = await restoreRevision(deps.db, user, row, body.rev);
    return c.json(fileView(restored, await pathOf(deps.db, restored)));
  });

  return r;
}
