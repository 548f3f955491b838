/** Accounts, for administrators (the operations' `auth: 'admin'` keeps everyone else out). */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import { deleteUser, listUsers, updateUser } from '../auth/user-admin.js';
import { adminUserView, createAccount } from '../auth/users.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { ConflictError } from '../http-errors.js';

export function adminRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  r.mount(ops.adminListUsers, async () => ({ status: 200, body: { users: (await listUsers(db)).map(adminUserView) } }));

  r.mount(ops.adminCreateUser, async ({ body }) => {
    // The admin knows the password they typed, so by default the user should replace it.
    const row = await createAccount(db, { ...body, mustChangePassword: body.mustChangePassword ?? true });
    return { status: 201, body: adminUserView(row) };
  });

  r.mount(ops.adminUpdateUser, async ({ params, body }) => ({ status: 200, body: adminUserView(await updateUser(db, params.id, body)) }));

  r.mount(ops.adminDeleteUser, async ({ params, user }) => {
    if (params.id === user.id) throw new ConflictError('you cannot delete your own account', { code: 'cannot_delete_self' });
    await deleteUser(db, params.id);
    return { status: 204 };
  });

  return r.router;
}
