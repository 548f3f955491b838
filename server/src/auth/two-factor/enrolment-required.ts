/**
 * When an administrator requires two-factor sign-in, an account without a second factor can
 * still sign in, like on GitHub, but reaches only its own two-factor enrolment (and GET /me,
 * signing out, the password change): every other route answers 403
 * `two_factor_enrolment_required` until a factor is enrolled. Mounted after the enrolment routes,
 * as `requirePasswordChanged` is after the password change.
 */
import { createMiddleware } from 'hono/factory';
import type { Db } from '../../db/open.js';
import { ForbiddenError } from '../../http-errors.js';
import type { AppEnv } from '../context.js';
import { hasSecondFactor } from './factors.js';
import type { SettingsStore } from '../../settings/store.js';

export async function enrolmentDue(deps: { db: Db; settings: SettingsStore }, userId: string): Promise<boolean> {
  return (await deps.settings.get()).requireTwoFactor && !(await hasSecondFactor(deps.db, userId));
}

export function requireTwoFactorEnrolled(deps: { db: Db; settings: SettingsStore }) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (await enrolmentDue(deps, c.get('user').id)) {
      throw new ForbiddenError('an administrator requires two-factor sign-in: enrol an authenticator app or a passkey first (GET /api/v1/me/2fa)', {
        code: 'two_factor_enrolment_required',
      });
    }
    await next();
  });
}
