/** Accounts, for administrators (the operations' `auth: 'admin'` keeps everyone else out). */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { actorOf } from '../audit/actor.js';
import type { AppEnv } from '../auth/context.js';
import { adminCreateUser, deleteUser, listUsers, updateUser } from '../auth/user-admin.js';
import { adminUserView } from '../auth/users.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { ConflictError } from '../http-errors.js';

export function adminRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config, settings } = deps;
  const r = operationRouter(deps);

  r.mount(ops.adminListUsers, async () => ({ status: 200, body: { users: (await listUsers(db)).map(adminUserView) } }));

  r.mount(ops.adminCreateUser, async ({ body, user }, c) => {
    const quotaBytes = body.quotaBytes ?? (await settings.values()).defaultQuotaBytes;
    // The admin knows the password they typed, so by default the user should replace it.
    const row = await adminCreateUser(db, actorOf(c, user, config.trustProxy), { ...body, quotaBytes, mustChangePassword: body.mustChangePassword ?? true });
    return { status: 201, body: adminUserView(row) };
  });

  r.mount(ops.adminUpdateUser, async ({ params, body, user }, c) => ({
    status: 200,
    body: adminUserView(await updateUser(db, params.id, body, actorOf(c, user, config.trustProxy))),
  }));

  r.mount(ops.adminDeleteUser, async ({ params, user }, c) => {
    if (params.id === user.id) throw new ConflictError('you cannot delete your own account', { code: 'cannot_delete_self' });
    await deleteUser(db, params.id, actorOf(c, user, config.trustProxy));
    return { status: 204 };
  });

  return r.router;
}
