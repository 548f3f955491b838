/**
 * Failed sign-ins, in one fixed form fail2ban can match (admin-ui/fail2ban/coffer.conf):
 *
 *   {"level":"warn",…,"msg":"authentication failed: client=203.0.113.7 method=password route=/api/v1/auth/login"}
 *
 * Any 401 to a request that presented credentials is one: a wrong password or second factor at
 * sign-in, a wrong app password on WebDAV (Basic), an unknown or revoked bearer token or session
 * cookie. A 429 at sign-in (the rate limit) is too. A request that presented nothing (WebDAV
 * clients ask first without credentials, to get the challenge) is not. The credentials
 * themselves, and the username, are never written.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '@coffer/protocol';

export const AUTH_FAILURE_MESSAGE = 'authentication failed';

export type AuthMethod = 'password' | 'two-factor' | 'passkey' | 'basic' | 'bearer' | 'cookie';

const SIGN_IN_ROUTES: Record<string, AuthMethod> = {
  '/api/v1/auth/login': 'password',
  '/api/v1/auth/2fa': 'two-factor',
  '/api/v1/auth/passkey': 'passkey',
};

/** How the refused request tried to authenticate, or undefined when this answer is no failed sign-in. */
export function failedAuthentication(c: Context, route: string, status: number): AuthMethod | undefined {
  if (status !== 401 && status !== 429) return undefined;
  const signIn = c.req.method === 'POST' ? SIGN_IN_ROUTES[route] : undefined;
  if (signIn) return signIn;
  if (status !== 401) return undefined;
  const authorization = c.req.header('authorization')?.trimStart().toLowerCase() ?? '';
  if (authorization.startsWith('basic ')) return 'basic';
  if (authorization.startsWith('bearer ')) return 'bearer';
  if (getCookie(c, SESSION_COOKIE)) return 'cookie';
  return undefined;
}

/** The line's message: address first, in a fixed place, for fail2ban's `<HOST>`. */
export function authFailureMessage(client: string, method: AuthMethod, route: string): string {
  return `${AUTH_FAILURE_MESSAGE}: client=${client} method=${method} route=${route}`;
}
