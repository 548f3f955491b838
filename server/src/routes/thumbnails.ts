/** Image thumbnails (thumbnails/): made on first request, then served from the block store. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { sendThumbnail } from '../thumbnails/thumbnail.js';

export function thumbnailRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = operationRouter(deps);
  r.mount(ops.getThumbnail, async ({ params, query, user }, c) =>
    sendThumbnail(c, deps, user, { id: params.id, edge: query.size, hash: query.hash }),
  );
  return r.router;
}
