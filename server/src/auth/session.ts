import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE, type SessionOptions } from '@coffer/protocol';
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import { createDevice } from './devices.js';
import { issueToken } from './tokens.js';
import { sessionUserView, type UserRow } from './users.js';

export { SESSION_COOKIE };
/** A browser session without a device lasts 30 days; device tokens last until revoked
 *  (a sync client must not silently stop syncing). */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
/** Browsers cap cookie lifetimes at 400 days; a device-bound cookie asks for that. */
const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 3600;

/**
 * Issue the token a signed-in user works with: bound to a new device row when one is named,
 * else a 30-day session; with `cookie`, also set it as the HttpOnly session cookie.
 */
export async function startSession(c: Context, db: Db, config: Config, user: UserRow, opts: SessionOptions) {
  const token = await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    if (!opts.device) return (await issueToken(t, user.id, 'session', { ttlMs: SESSION_TTL_MS })).token;
    const deviceId = await createDevice(t, user.id, opts.device);
    return (await issueToken(t, user.id, 'device', { deviceId })).token;
  });
  if (opts.cookie) {
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true, // never readable by scripts: an XSS cannot carry the session away
      secure: secureCookies(c, config),
      sameSite: 'Lax', // not sent on cross-site POSTs; still sent when following a link to Coffer
      path: '/',
      maxAge: opts.device ? DEVICE_COOKIE_MAX_AGE_S : SESSION_TTL_MS / 1000,
    });
  }
  return { token, user: sessionUserView(user) };
}

export function clearSessionCookie(c: Context, config: Config): void {
  if (getCookie(c, SESSION_COOKIE) === undefined) return;
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secureCookies(c, config), httpOnly: true, sameSite: 'Lax' });
}

/** Secure unless Coffer itself speaks plain HTTP and no trusted proxy says the browser used HTTPS
 *  (a Secure cookie over http://host would never come back). */
export function secureCookies(c: Context, config: Config): boolean {
  if (!config.plainHttp) return true;
  return config.trustProxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}
