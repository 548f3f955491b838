/** People beyond the account record: what deleting one ends, their devices and credentials (administrators). */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { actorOf } from '../audit/actor.js';
import type { AppEnv } from '../auth/context.js';
import { revokeUserDevice, revokeUserSessions, revokeUserToken, userAccess } from '../auth/user-access.js';
import { userDeletePreview } from '../auth/user-deletion.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';

export function adminPeopleRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const r = operationRouter(deps);

  r.mount(ops.adminUserDeletePreview, async ({ params }) => ({ status: 200, body: await userDeletePreview(db, params.id) }));

  r.mount(ops.adminUserAccess, async ({ params }) => ({ status: 200, body: await userAccess(db, params.id) }));

  r.mount(ops.adminRevokeUserToken, async ({ params, user }, c) => {
    await revokeUserToken(db, actorOf(c, user, config.trustProxy), params.id, params.tokenId);
    return { status: 204 };
  });

  r.mount(ops.adminRevokeUserDevice, async ({ params, user }, c) => {
    await revokeUserDevice(db, actorOf(c, user, config.trustProxy), params.id, params.deviceId);
    return { status: 204 };
  });

  r.mount(ops.adminRevokeUserSessions, async ({ params, user }, c) => ({
    status: 200,
    body: { revoked: await revokeUserSessions(db, actorOf(c, user, config.trustProxy), params.id) },
  }));

  return r.router;
}
