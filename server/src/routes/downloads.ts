/** Downloads: by path or by id, the head or any revision, with Range, ETag and conditional requests. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { sendVersion } from '../downloads/send.js';
import { versionOf } from '../files/revisions.js';
import { entryById, entryByPath } from '../files/tree.js';
import { parse } from '../http-errors.js';
import { path, queryFlag, queryRev } from '../wire/fields.js';

const ByPath = z.object({ path: path(), rev: queryRev(1).optional(), inline: queryFlag().optional() });
const ById = z.object({ rev: queryRev(1).optional(), inline: queryFlag().optional() });

export function downloadRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.on(['GET', 'HEAD'], '/download', async (c) => {
    const q = parse(ByPath, c.req.query());
    const { row } = await entryByPath(deps.db, c.get('user'), q.path, 'read');
    return sendVersion(c, deps, row.name, await versionOf(deps.db, row, q.rev), { inline: q.inline });
  });

  r.on(['GET', 'HEAD'], '/files/:id/content', async (c) => {
    const q = parse(ById, c.req.query());
    const row = await entryById(deps.db, c.get('user'), c.req.param('id'), 'read');
    return sendVersion(c, deps, row.name, await versionOf(deps.db, row, q.rev), { inline: q.inline });
  });

  return r;
}
