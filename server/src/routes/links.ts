/** The owner's link management under /api/v1/links (the links themselves: routes/public-links.ts). */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { createLink, deleteLink, getLink, listLinks, updateLink } from '../links/manage.js';
import { absoluteUrl } from '../public-url.js';

export function linkRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  r.mount(ops.createLink, async ({ body, user }, c) => ({
    status: 201,
    body: await createLink(db, user, body, (token) => absoluteUrl(c, deps.config, `/s/${token}`)),
  }));

  r.mount(ops.listLinks, async ({ user }) => ({ status: 200, body: { links: await listLinks(db, user) } }));

  r.mount(ops.getLink, async ({ params, user }) => ({ status: 200, body: await getLink(db, user, params.id) }));

  r.mount(ops.updateLink, async ({ params, body, user }) => ({ status: 200, body: await updateLink(db, user, params.id, body) }));

  r.mount(ops.deleteLink, async ({ params, user }) => {
    await deleteLink(db, user, params.id);
    return { status: 204 };
  });

  return r.router;
}
