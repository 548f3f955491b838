/** Downloads: by path or by id, the head or any revision, with Range, ETag and conditional requests. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { sendVersion } from '../downloads/send.js';
import { versionOf } from '../files/revisions.js';
import { entryById, entryByPath } from '../files/tree.js';
import { operationRouter } from '../http/operation.js';

export function downloadRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  // HEAD requests reach the GET routes (Hono answers them without the body); the HEAD
  // operations are mounted too, so that every documented operation is a route.
  for (const op of [ops.download, ops.downloadHead]) {
    r.mount(op, async ({ query, user }, c) => {
      const { row } = await entryByPath(db, user, query.path, 'read');
      return sendVersion(c, deps, row.name, await versionOf(db, row, query.rev), { inline: query.inline });
    });
  }

  for (const op of [ops.downloadById, ops.downloadByIdHead]) {
    r.mount(op, async ({ params, query, user }, c) => {
      const row = await entryById(db, user, params.id, 'read');
      return sendVersion(c, deps, row.name, await versionOf(db, row, query.rev), { inline: query.inline });
    });
  }

  return r.router;
}
