/**
 * Who opens a websocket. Browsers cannot set an Authorization header on a websocket, so the
 * token may come, in order of preference, as:
 * 1. a subprotocol `bearer.<token>` offered next to `coffer` (the server selects `coffer` and
 *    never echoes the token): `new WebSocket(url, ['coffer', 'bearer.' + token])`;
 * 2. `Authorization: Bearer <token>` (non-browser clients);
 * 3. `?token=<token>` (last resort: URLs end up in logs);
 * 4. the session cookie, only when `Origin` names this host: a cookie rides along with
 *    cross-site websocket handshakes too, and no CORS check protects them (CSWSH).
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'hono/utils/cookie';
import type { AuthUser } from '../auth/context.js';
import { assertPasswordChanged } from '../auth/password-change.js';
import { SESSION_COOKIE } from '../auth/session.js';
import { enrolmentDue } from '../auth/two-factor/enrolment-required.js';
import type { SettingsStore } from '../settings/store.js';
import { lookupToken, touchToken, type TokenAccess } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { publicHost } from '../public-url.js';
import { ForbiddenError, UnauthorizedError } from '../http-errors.js';

export const EVENTS_SUBPROTOCOL = 'coffer';
const BEARER_PROTOCOL = 'bearer.';

export function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** `url`: the request target, already parsed (events.ts refuses one that is not a URL). */
export async function authenticateUpgrade(
  deps: TokenAccess & { config: Pick<Config, 'trustProxy' | 'publicUrl'>; settings: SettingsStore },
  req: IncomingMessage,
  url: URL,
): Promise<AuthUser> {
  const presented = presentedToken(req, url);
  if (!presented) throw new UnauthorizedError('sign in first: offer the subprotocols "coffer" and "bearer.<token>", or send the session cookie');
  if (presented.via === 'cookie') requireSameOrigin(req, deps.config);
  const match = await lookupToken(deps, presented.token);
  if (!match) throw new UnauthorizedError('the token is unknown, expired or revoked');
  assertPasswordChanged(match.user);
  // Like every /api/v1 route but enrolment: an administrator's two-factor requirement is met first.
  if (await enrolmentDue(deps, match.user.id)) {
    throw new ForbiddenError('an administrator requires two-factor sign-in: enrol a second factor first', { code: 'two_factor_enrolment_required' });
  }
  await touchToken(deps, match);
  return match.user;
}

function presentedToken(req: IncomingMessage, url: URL): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const fromProtocol = offeredProtocols(req).find((p) => p.startsWith(BEARER_PROTOCOL))?.slice(BEARER_PROTOCOL.length);
  if (fromProtocol) return { token: fromProtocol, via: 'bearer' };
  const header = req.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ') && header.slice(7).trim()) return { token: header.slice(7).trim(), via: 'bearer' };
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return { token: fromQuery, via: 'bearer' };
  const cookie = req.headers.cookie ? parseCookies(req.headers.cookie, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

function requireSameOrigin(req: IncomingMessage, config: Pick<Config, 'trustProxy' | 'publicUrl'>): void {
  const forwarded = config.trustProxy ? String(req.headers['x-forwarded-host'] ?? '').split(',')[0]?.trim() : '';
  const host = (forwarded || req.headers.host || '').toLowerCase();
  let origin: string | undefined;
  try {
    origin = req.headers.origin ? new URL(req.headers.origin).host.toLowerCase() : undefined;
  } catch {
    origin = undefined;
  }
  if (!origin || (origin !== host && origin !== publicHost(config))) {
    throw new ForbiddenError('a cookie-authenticated websocket must come from this site’s own pages (Origin)', { code: 'cross_origin' });
  }
}
