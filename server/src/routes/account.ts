/**
 * The caller's own account (mounted behind `authenticate`): `meRoutes` (GET /me, POST
 * /me/password) answer even while a password change is due; `accountRoutes` (app passwords,
 * devices) are mounted after `requirePasswordChanged`.
 */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { createAppPassword, listAppPasswords, revokeAppPassword } from '../auth/app-passwords.js';
import { clientIp } from '../auth/client-ip.js';
import type { AppEnv } from '../auth/context.js';
import { deleteDevice, listDevices } from '../auth/devices.js';
import { LoginLimiter } from '../auth/rate-limit.js';
import { enrolmentDue } from '../auth/two-factor/enrolment-required.js';
import { changeOwnPassword, meOf, passwordMatches } from '../auth/users.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { ForbiddenError, NotFoundError } from '../http-errors.js';

export function meRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const r = operationRouter(deps);
  // A stolen session must not be able to guess the current password at full speed either.
  const limiter = new LoginLimiter(config.loginLimits);

  r.mount(ops.getMe, async ({ user }) => ({ status: 200, body: { ...(await meOf(db, user)), twoFactorEnrolmentRequired: await enrolmentDue(deps, user.id) } }));

  r.mount(ops.changePassword, async ({ user, body }, c) => {
    const attempt = limiter.begin(user.username, clientIp(c, config.trustProxy));
    if (!(await passwordMatches(db, user.id, body.current))) {
      throw new ForbiddenError('the current password is wrong', { code: 'wrong_password' });
    }
    limiter.succeeded(attempt);
    // The calling token and its device stay signed in.
    await changeOwnPassword(db, user.id, body.new, { tokenId: c.get('credential').tokenId, deviceId: user.deviceId });
    return { status: 204 };
  });

  return r.router;
}

export function accountRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  r.mount(ops.listAppPasswords, async ({ user }) => ({ status: 200, body: { appPasswords: await listAppPasswords(db, user.id) } }));

  r.mount(ops.createAppPassword, async ({ user, body }) => ({ status: 201, body: await createAppPassword(db, user.id, body.label) }));

  r.mount(ops.deleteAppPassword, async ({ user, params }) => {
    if (!(await revokeAppPassword(db, user.id, params.id))) throw new NotFoundError('no such app password');
    return { status: 204 };
  });

  r.mount(ops.listDevices, async ({ user }) => ({ status: 200, body: { devices: await listDevices(db, user.id, user.deviceId) } }));

  r.mount(ops.deleteDevice, async ({ user, params }) => {
    if (!(await deleteDevice(db, user.id, params.id))) throw new NotFoundError('no such device');
    return { status: 204 };
  });

  return r.router;
}
