import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Db } from '../db/open.js';
import { UnauthorizedError } from '../http-errors.js';
import type { AppEnv } from './context.js';
import { userForToken } from './tokens.js';

export const SESSION_COOKIE = 'coffer_session';

/**
 * Every /api/v1 route behind this knows its caller: a bearer token (devices, CLI) or the session
 * cookie (browsers). Anything else is a 401 with a reason.
 */
export function authenticate(db: Db) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    let token: string | undefined;
    if (header?.toLowerCase().startsWith('bearer ')) token = header.slice(7).trim();
    else token = getCookie(c, SESSION_COOKIE);
    if (!token) throw new UnauthorizedError('sign in first: no bearer token or session cookie');
    const user = await userForToken(db, token);
    if (!user) throw new UnauthorizedError('the token is unknown, expired or revoked');
    c.set('user', user);
    await next();
  });
}
