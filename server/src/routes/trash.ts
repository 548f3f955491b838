/**
 * The trash over HTTP: list the items, restore one (to where it was, or `to` another path),
 * purge one, empty it. Ids the caller cannot reach answer 404.
 */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { emptyTrash, purgeEntry } from '../files/purge.js';
import { listTrash, restoreEntry } from '../files/trash.js';
import { operationRouter } from '../http/operation.js';

export function trashRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  r.mount(ops.listTrash, async ({ query, user }) => ({ status: 200, body: await listTrash(db, user, query) }));

  // The body is optional: none (or an empty one) restores to the original place.
  r.mount(ops.restoreFromTrash, async ({ params, body, user }) => ({
    status: 200,
    body: await db.transaction((tx) => restoreEntry(tx, user, params.id, body?.to)),
  }));

  r.mount(ops.purgeFromTrash, async ({ params, user }) => ({ status: 200, body: await db.transaction((tx) => purgeEntry(tx, user, params.id)) }));

  r.mount(ops.emptyTrash, async ({ user }) => ({ status: 200, body: await db.transaction((tx) => emptyTrash(tx, user)) }));

  return r.router;
}
