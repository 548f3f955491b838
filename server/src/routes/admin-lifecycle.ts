/** The lifecycle of stored data for administrators (issue 23): the change journal's size and age, a departing user's files transferred. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { actorOf } from '../audit/actor.js';
import type { AppEnv } from '../auth/context.js';
import { transferAndDeleteUser } from '../auth/user-transfer.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { ConflictError } from '../http-errors.js';
import { journalStats } from '../sync/journal-retention.js';

export function adminLifecycleRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, settings } = deps;
  const r = operationRouter(deps);

  r.mount(ops.adminJournal, async () => ({
    status: 200,
    body: { ...(await journalStats(db)), retentionDays: (await settings.values()).journalRetentionDays },
  }));

  r.mount(ops.adminTransferUser, async ({ params, body, user }, c) => {
    if (params.id === user.id) throw new ConflictError('you cannot delete your own account', { code: 'cannot_delete_self' });
    return { status: 200, body: await transferAndDeleteUser(db, params.id, body.to, actorOf(c, user, deps.config.trustProxy)) };
  });

  return r.router;
}
