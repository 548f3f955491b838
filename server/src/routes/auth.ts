/** Public auth routes (mounted at /api/v1/auth, before `authenticate`): sign in, sign out, sign up. */
import { Hono } from 'hono';
import { text } from '../wire/fields.js';
import { clientIp } from '../auth/client-ip.js';
import type { AppEnv } from '../auth/context.js';
import { requireCsrfHeader, requireSameOrigin } from '../auth/csrf.js';
import { deleteDevice } from '../auth/devices.js';
import { checkCredentials } from '../auth/login.js';
import { presentedToken } from '../auth/middleware.js';
import { LoginLimiter } from '../auth/rate-limit.js';
import { clearSessionCookie, SessionOptions, startSession } from '../auth/session.js';
import { lookupToken, revokeToken } from '../auth/tokens.js';
import { createUser, isUniqueViolation, Password, Username } from '../auth/users.js';
import type { AppDeps } from '../deps.js';
import { ConflictError, ForbiddenError, parseJsonBody, UnauthorizedError } from '../http-errors.js';

/** Sign-in accepts any existing name (names made before a rule change still sign in). */
const LoginBody = SessionOptions.extend({
  username: text(256, 1),
  password: text(1024, 1),
});

const SignupBody = SessionOptions.extend({ username: Username, password: Password });

export function authRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const r = new Hono<AppEnv>();
  const limiter = new LoginLimiter(config.loginLimits);

  // 200 {token, user}; 401 invalid_credentials; 403 account_disabled | cross_origin; 429 with Retry-After.
  r.post('/login', async (c) => {
    requireSameOrigin(c, config);
    const body = await parseJsonBody(c, LoginBody);
    const attempt = limiter.begin(body.username, clientIp(c, config.trustProxy));
    const user = await checkCredentials(db, body.username, body.password);
    limiter.succeeded(attempt);
    if (user.disabled) throw new ForbiddenError('this account is disabled; ask an administrator', { code: 'account_disabled' });
    return c.json(await startSession(c, db, config, user, body));
  });

  // 201 {token, user}; 403 signup_closed; 409 username_taken.
  r.post('/signup', async (c) => {
    if (!config.openSignup) throw new ForbiddenError('sign-up is closed; ask an administrator for an account', { code: 'signup_closed' });
    requireSameOrigin(c, config);
    const body = await parseJsonBody(c, SignupBody);
    let user;
    try {
      user = await createUser(db, { username: body.username, password: body.password });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('that username is taken', { code: 'username_taken' });
      throw err;
    }
    return c.json(await startSession(c, db, config, user, body), 201);
  });

  // 204. Revokes the token the request carries (a device token: the device with it) and clears the cookie.
  r.post('/logout', async (c) => {
    const presented = presentedToken(c);
    if (!presented) throw new UnauthorizedError('sign in first: no bearer token or session cookie');
    if (presented.via === 'cookie') requireCsrfHeader(c); // else any site could sign the user out
    const match = await lookupToken(deps, presented.token);
    if (match?.user.deviceId && match.user.tokenKind === 'device') await deleteDevice(db, match.user.id, match.user.deviceId);
    else await revokeToken(db, presented.token); // unknown or expired: nothing to revoke, still a success
    clearSessionCookie(c, config);
    return c.body(null, 204);
  });

  return r;
}
