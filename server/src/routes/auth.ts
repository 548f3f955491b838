/** Sign in, sign out, sign up (mounted before `authenticate`: they check credentials themselves). */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { recordAuditQuietly } from '../audit/record.js';
import { clientIp } from '../auth/client-ip.js';
import type { AppEnv } from '../auth/context.js';
import { requireCsrfHeader, requireSameOrigin } from '../auth/csrf.js';
import { deleteDevice } from '../auth/devices.js';
import { checkCredentials } from '../auth/login.js';
import { presentedToken } from '../auth/middleware.js';
import { LoginLimiter } from '../auth/rate-limit.js';
import { clearSessionCookie, startSession } from '../auth/session.js';
import { lookupToken, revokeToken } from '../auth/tokens.js';
import { secondFactorMethods } from '../auth/two-factor/factors.js';
import { beginLoginStep } from '../auth/two-factor/login-step.js';
import { relyingParty } from '../auth/two-factor/passkeys.js';
import { createAccount } from '../auth/users.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { ForbiddenError, UnauthorizedError } from '../http-errors.js';

export function authRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const r = operationRouter(deps);
  const limiter = new LoginLimiter(config.loginLimits);

  r.mount(ops.login, async ({ body }, c) => {
    requireSameOrigin(c, config);
    const address = clientIp(c, config.trustProxy);
    const attempt = limiter.begin(body.username, address);
    const user = await checkCredentials(db, body.username, body.password).catch(async (err: unknown) => {
      // The name tried, never the password; the address is what a ban acts on.
      await recordAuditQuietly(db, { id: null, name: body.username, address }, { kind: 'sign_in_failed', target: body.username, details: { reason: 'bad_credentials' } });
      throw err;
    });
    limiter.succeeded(attempt);
    const actor = { id: user.id, name: user.username, address };
    if (user.disabled) {
      await recordAuditQuietly(db, actor, { kind: 'sign_in_failed', target: user.username, details: { reason: 'account_disabled' } });
      throw new ForbiddenError('this account is disabled; ask an administrator', { code: 'account_disabled' });
    }
    // An account with a second factor gets a ticket for POST /auth/2fa, not a session: the same for
    // browsers and for the device tokens of the CLI and apps.
    const methods = await secondFactorMethods(db, user.id);
    // With a second factor the sign-in completes (and is recorded) at POST /auth/2fa.
    if (methods.length > 0) {
      const session = { ...(body.device ? { device: body.device } : {}), ...(body.cookie ? { cookie: body.cookie } : {}) };
      return { status: 202, body: await beginLoginStep(db, relyingParty(c, config), user, methods, session) };
    }
    await recordAuditQuietly(db, actor, { kind: 'sign_in', target: user.username, details: { mustChangePassword: user.mustChangePassword } });
    return { status: 200, body: await startSession(c, db, config, user, body) };
  });

  r.mount(ops.signup, async ({ body }, c) => {
    if (!(await deps.settings.values()).openSignup) throw new ForbiddenError('sign-up is closed; ask an administrator for an account', { code: 'signup_closed' });
    requireSameOrigin(c, config);
    const user = await createAccount(db, { username: body.username, password: body.password, quotaBytes: (await deps.settings.values()).defaultQuotaBytes });
    return { status: 201, body: await startSession(c, db, config, user, body) };
  });

  // Revokes the token the request carries (a device token: the device with it) and clears the cookie.
  r.mount(ops.logout, async (_input, c) => {
    const presented = presentedToken(c);
    if (!presented) throw new UnauthorizedError('sign in first: no bearer token or session cookie');
    if (presented.via === 'cookie') requireCsrfHeader(c); // else any site could sign the user out
    const match = await lookupToken(deps, presented.token);
    if (match?.user.deviceId && match.user.tokenKind === 'device') await deleteDevice(db, match.user.id, match.user.deviceId);
    else await revokeToken(db, presented.token); // unknown or expired: nothing to revoke, still a success
    clearSessionCookie(c, config);
    return { status: 204 };
  });

  return r.router;
}
