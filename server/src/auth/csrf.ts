import type { Context } from 'hono';
import { CSRF_HEADER } from '@coffer/protocol';
import type { Config } from '../config.js';
import { ForbiddenError } from '../http-errors.js';
import { publicHost } from '../public-url.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Browsers must send CSRF_HEADER on unsafe requests authenticated by the cookie. A cross-site
 *  form or image cannot set a custom header, and a cross-site fetch with one needs a CORS
 *  preflight we never grant, so its presence proves the request came from our own pages. */
export function requireCsrfHeader(c: Context): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  if (c.req.header(CSRF_HEADER) !== '1') {
    throw new ForbiddenError(`cookie-authenticated ${c.req.method} requests need the header ${CSRF_HEADER}: 1`, { code: 'csrf' });
  }
}

/**
 * Login CSRF: a cross-site page could post its own credentials to sign the victim's browser
 * into the attacker's account. Browsers send `Origin` on cross-site POSTs, so one that names
 * another host than the one addressed (or than COFFER_PUBLIC_URL's) is refused. Non-browser
 * clients send no Origin.
 */
export function requireSameOrigin(c: Context, config: Pick<Config, 'trustProxy' | 'publicUrl'>): void {
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  const host = ((config.trustProxy && c.req.header('x-forwarded-host')?.split(',')[0]?.trim()) || c.req.header('host') || '').toLowerCase();
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    originHost = undefined; // "null" (sandboxed frames, some redirects) or garbage
  }
  if (!originHost || (originHost !== host && originHost !== publicHost(config))) {
    throw new ForbiddenError('cross-origin sign-in refused: the Origin header names another site', { code: 'cross_origin' });
  }
}
