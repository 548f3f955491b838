/**
 * Who a WebDAV request is: HTTP Basic with the account's username and an app password (or the
 * account password itself when the admin allows it: COFFER_WEBDAV_ACCOUNT_PASSWORD=1). Every
 * attempt is rate limited like a sign-in; a session cookie or bearer token is never taken here,
 * so a page in a browser can never make a signed-in user's browser act through /dav/.
 */
import type { Context } from 'hono';
import { userForAppPassword } from '../auth/app-passwords.js';
import { clientIp } from '../auth/client-ip.js';
import type { AuthUser } from '../auth/context.js';
import { checkCredentials } from '../auth/login.js';
import { assertPasswordChanged } from '../auth/password-change.js';
import type { LoginLimiter } from '../auth/rate-limit.js';
import { enrolmentDue } from '../auth/two-factor/enrolment-required.js';
import { hasSecondFactor } from '../auth/two-factor/factors.js';
import type { AppDeps } from '../deps.js';
import { HttpError, UnauthorizedError } from '../http-errors.js';

export const BASIC_CHALLENGE = 'Basic realm="Coffer WebDAV", charset="UTF-8"';

export function davUnauthorized(message: string): UnauthorizedError {
  return new UnauthorizedError(message, { challenge: BASIC_CHALLENGE });
}

/** The user the request's Basic credentials prove, or a 401 with the Basic challenge (429 when over the limit). */
export async function davUser(c: Context, deps: AppDeps, limiter: LoginLimiter): Promise<AuthUser> {
  const user = await basicUser(c, deps, limiter);
  // An administrator's two-factor requirement reaches mounts too: an account without a second
  // factor must enrol (in the web app) before its app passwords work again.
  if (await enrolmentDue(deps, user.id)) {
    throw new HttpError(403, 'two_factor_enrolment_required', 'an administrator requires two-factor sign-in: enrol a second factor first');
  }
  return user;
}

async function basicUser(c: Context, deps: AppDeps, limiter: LoginLimiter): Promise<AuthUser> {
  const header = c.req.header('authorization');
  const m = header ? /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) throw davUnauthorized('WebDAV needs HTTP Basic auth: your username and an app password');
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw davUnauthorized('malformed Basic credentials');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const ip = clientIp(c, deps.config.trustProxy);
  // A mount sends many requests at once, each with its credentials, so an app password (one hash
  // lookup; 256 random bits, beyond guessing) is tried first and only failures count: someone
  // guessing at an account cannot lock its owner's mounts out. Past the limit, failures are 429.
  const user = await userForAppPassword(deps, username, password);
  if (user) return user;
  if (deps.config.webdavAccountPassword && deps.config.signIn.passwordLogin) {
    // The account password can be guessed and costs scrypt: limited from the start, like a sign-in.
    const attempt = limiter.begin(username, ip);
    const account = await accountUser(deps, username, password);
    if (account) {
      limiter.succeeded(attempt);
      return account;
    }
    throw davUnauthorized('wrong username or password');
  }
  limiter.check(username, ip);
  limiter.failed(username, ip);
  throw davUnauthorized('wrong username or app password');
}

/** The account password, when allowed: a full sign-in check (scrypt; the limiter has counted it). */
async function accountUser(deps: AppDeps, username: string, password: string): Promise<AuthUser | undefined> {
  try {
    const row = await checkCredentials(deps.db, username, password);
    // An account with a second factor never mounts with its password alone: app passwords are
    // the single-factor credential, made after a full sign-in.
    if (row.disabled || (await hasSecondFactor(deps.db, row.id))) return undefined;
    const user: AuthUser = { id: row.id, username: row.username, role: row.role as AuthUser['role'], namespaceId: row.namespaceId, tokenKind: 'app_password', mustChangePassword: row.mustChangePassword };
    assertPasswordChanged(user);
    return user;
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return undefined;
    throw err;
  }
}
