/**
 * A user who must change their password (the first admin with a generated one, an account an
 * admin made or reset) may change it, read `GET /me` and sign out, and nothing else: no files,
 * no long polls or websockets, no app passwords. Everything else answers 403
 * `password_change_required` until `POST /me/password` succeeds.
 */
import { createMiddleware } from 'hono/factory';
import { ForbiddenError } from '../http-errors.js';
import type { AppEnv, AuthUser } from './context.js';

export function assertPasswordChanged(user: AuthUser): void {
  if (user.mustChangePassword) {
    throw new ForbiddenError('change your password first (POST /api/v1/me/password); until then only GET /me and signing out work', {
      code: 'password_change_required',
    });
  }
}

/** For every authenticated route but GET /me and POST /me/password (mounted after those). */
export const requirePasswordChanged = createMiddleware<AppEnv>(async (c, next) => {
  assertPasswordChanged(c.get('user'));
  await next();
});
