import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { ForbiddenError, UnauthorizedError } from '../http-errors.js';
import type { AppEnv, Credential } from './context.js';
import { requireCsrfHeader } from './csrf.js';
import { SESSION_COOKIE } from './session.js';
import { lookupToken, touchToken, type TokenAccess } from './tokens.js';

export { SESSION_COOKIE } from './session.js';

/** The token the request carries: the bearer header wins over the cookie (and is CSRF-exempt:
 *  no cross-site page can make a browser send it). */
export function presentedToken(c: Context): { token: string; via: Credential['via'] } | undefined {
  const header = c.req.header('authorization');
  if (header?.toLowerCase().startsWith('bearer ')) {
    const token = header.slice(7).trim();
    return token ? { token, via: 'bearer' } : undefined;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

/**
 * Every /api/v1 route behind this knows its caller: a bearer token (devices, CLI, app passwords)
 * or the session cookie (browsers; unsafe methods also need the CSRF header). Anything else is
 * a 401 with a reason.
 */
export function authenticate(access: TokenAccess) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const presented = presentedToken(c);
    if (!presented) throw new UnauthorizedError('sign in first: no bearer token or session cookie');
    const match = await lookupToken(access, presented.token);
    if (!match) throw new UnauthorizedError('the token is unknown, expired or revoked');
    if (presented.via === 'cookie') requireCsrfHeader(c);
    c.set('user', match.user);
    c.set('credential', { tokenId: match.tokenId, via: presented.via });
    await touchToken(access, match);
    await next();
  });
}

/** Admin routes: the role is read from the database on every request, so a demotion bites at once.
 *  App passwords never administer: they sit in WebDAV clients' config files. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.get('user');
  if (user.role !== 'admin') throw new ForbiddenError('only administrators may do this', { code: 'admin_only' });
  if (user.tokenKind === 'app_password') throw new ForbiddenError('app passwords cannot administer; sign in instead', { code: 'app_password_not_allowed' });
  await next();
});

/** Credential management (password, app passwords, devices) needs a real sign-in: a leaked app
 *  password must not be able to mint more credentials or lock its owner out. */
export const requireSignIn = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get('user').tokenKind === 'app_password') {
    throw new ForbiddenError('app passwords cannot manage credentials; sign in instead', { code: 'app_password_not_allowed' });
  }
  await next();
});
