/** The owner's link management under /api/v1/links (the links themselves: routes/public-links.ts). */
import type { Context, Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { actorOf } from '../audit/actor.js';
import type { AppEnv, AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { createLink, deleteLink, getLink, listLinks, updateLink } from '../links/manage.js';
import { absoluteUrl } from '../public-url.js';

export function linkRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  const actor = (c: Context<AppEnv>, user: AuthUser) => actorOf(c, user, deps.config.trustProxy);

  r.mount(ops.createLink, async ({ body, user }, c) => ({
    status: 201,
    body: await createLink(db, user, body, (token) => absoluteUrl(c, deps.config, `/s/${token}`), await deps.settings.values(), actor(c, user)),
  }));

  r.mount(ops.listLinks, async ({ user }) => ({ status: 200, body: { links: await listLinks(db, user) } }));

  r.mount(ops.getLink, async ({ params, user }) => ({ status: 200, body: await getLink(db, user, params.id) }));

  r.mount(ops.updateLink, async ({ params, body, user }, c) => ({
    status: 200,
    body: await updateLink(db, user, params.id, body, await deps.settings.values(), actor(c, user)),
  }));

  r.mount(ops.deleteLink, async ({ params, user }, c) => {
    await deleteLink(db, user, params.id, actor(c, user));
    return { status: 204 };
  });

  return r.router;
}
