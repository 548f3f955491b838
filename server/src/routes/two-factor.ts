/**
 * Two-factor sign-in over HTTP. `twoFactorLoginRoutes` finish a sign-in (public, beside
 * /auth/login); `twoFactorRoutes` are the caller's enrolment (mounted before the enrolment
 * requirement, so an account told to enrol can); `twoFactorAdminRoutes` the administrator's
 * setting and reset.
 */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { clientIp } from '../auth/client-ip.js';
import { actorOf } from '../audit/actor.js';
import { recordAuditQuietly } from '../audit/record.js';
import { changeSettings } from '../settings/change.js';
import type { AppEnv } from '../auth/context.js';
import { requireSameOrigin } from '../auth/csrf.js';
import { LoginLimiter } from '../auth/rate-limit.js';
import { startSession } from '../auth/session.js';
import { afterEnrolment, afterRemoval, hasSecondFactor, reauthenticate, resetTwoFactor, twoFactorStatus } from '../auth/two-factor/factors.js';
import { beginPasskeyLogin, finishLoginStep, userById } from '../auth/two-factor/login-step.js';
import { deletePasskey, finishRegistration, registrationOptions, relyingParty } from '../auth/two-factor/passkeys.js';
import { regenerateRecoveryCodes } from '../auth/two-factor/recovery-codes.js';
import { SecretBox } from '../auth/two-factor/secret-box.js';
import { beginStep, finishStep, stepOf } from '../auth/two-factor/steps.js';
import { beginTotp, removeTotpSecret, totpState, useTotpCode } from '../auth/two-factor/totp.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../http-errors.js';

/** The box TOTP secrets are sealed in (auth/two-factor/secret-box.ts). */
export function totpBox(deps: AppDeps): SecretBox {
  return new SecretBox(deps.storage.secret, 'totp secret');
}

export function twoFactorLoginRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const r = operationRouter(deps);
  const step = { db, box: totpBox(deps), limiter: new LoginLimiter(config.loginLimits) };

  r.mount(ops.completeTwoFactorLogin, async ({ body }, c) => {
    requireSameOrigin(c, config);
    const address = clientIp(c, config.trustProxy);
    const { user, session } = await finishLoginStep(step, relyingParty(c, config), address, body.ticket, body).catch(async (err: unknown) => {
      // Who it was is in the ticket only, which failed: the address is what the record can name.
      await recordAuditQuietly(db, { id: null, name: null, address }, { kind: 'sign_in_failed', details: { reason: 'second_factor' } });
      throw err;
    });
    await recordAuditQuietly(db, { id: user.id, name: user.username, address }, { kind: 'sign_in', target: user.username, details: { secondFactor: true } });
    return { status: 200, body: await startSession(c, db, config, user, session) };
  });

  r.mount(ops.startPasskeyLogin, async ({ body }, c) => {
    requireSameOrigin(c, config);
    return { status: 200, body: await beginPasskeyLogin(db, relyingParty(c, config), body) };
  });

  return r.router;
}

export function twoFactorRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config, settings } = deps;
  const r = operationRouter(deps);
  const box = totpBox(deps);
  // Codes and passwords sent here are guessed at no faster than at sign-in.
  const limiter = new LoginLimiter(config.loginLimits);
  const ip = (c: Parameters<typeof clientIp>[0]) => clientIp(c, config.trustProxy);

  r.mount(ops.getTwoFactor, async ({ user }) => ({ status: 200, body: await twoFactorStatus(db, user.id, (await settings.get()).requireTwoFactor) }));

  r.mount(ops.startTotpEnrolment, async ({ user }) => {
    if ((await totpState(db, user.id)) === 'confirmed') throw new ConflictError('an authenticator app is enrolled already; remove it first', { code: 'totp_enabled' });
    return { status: 201, body: await beginTotp(db, box, user, issuerOf(config.publicUrl)) };
  });

  r.mount(ops.confirmTotpEnrolment, async ({ user, body }, c) => {
    const state = await totpState(db, user.id);
    if (state === 'confirmed') throw new ConflictError('an authenticator app is enrolled already', { code: 'totp_enabled' });
    if (state === 'none') throw new NotFoundError('no enrolment in progress: POST /me/2fa/totp first');
    const attempt = limiter.begin(user.username, ip(c));
    const had = await hasSecondFactor(db, user.id);
    if (!(await useTotpCode(db, box, user.id, body.code, { pending: true }))) throw new ForbiddenError('the code is wrong or expired; check the app’s clock', { code: 'invalid_code' });
    limiter.succeeded(attempt);
    const codes = await afterEnrolment(db, user.id, had);
    return { status: 200, body: codes ? { recoveryCodes: codes } : {} };
  });

  r.mount(ops.removeTotp, async ({ user, body }, c) => {
    if ((await totpState(db, user.id)) !== 'confirmed') throw new NotFoundError('no authenticator app is enrolled');
    await reauthenticate({ db, box, limiter }, user, ip(c), body);
    await removeTotpSecret(db, user.id);
    await afterRemoval(db, user.id);
    return { status: 204 };
  });

  r.mount(ops.regenerateRecoveryCodes, async ({ user, body }, c) => {
    if (!(await hasSecondFactor(db, user.id))) throw new ConflictError('enrol an authenticator app or a passkey first', { code: 'two_factor_not_enabled' });
    await reauthenticate({ db, box, limiter }, user, ip(c), body);
    return { status: 200, body: { recoveryCodes: await regenerateRecoveryCodes(db, user.id) } };
  });

  r.mount(ops.startPasskeyRegistration, async ({ user }, c) => {
    const options = await registrationOptions(db, relyingParty(c, config), user);
    const { ticket, expiresAt } = await beginStep(db, { purpose: 'passkey_register', userId: user.id, challenge: options.challenge });
    return { status: 200, body: { ticket, expiresAt: expiresAt.toISOString(), options: options as unknown as Record<string, unknown> } };
  });

  r.mount(ops.addPasskey, async ({ user, body }, c) => {
    const step = await stepOf(db, body.ticket, ['passkey_register'], user.id);
    // One ceremony, one answer: the challenge is not offered twice.
    if (!(await finishStep(db, step.id))) throw new ForbiddenError('this registration was finished already', { code: 'two_factor_ticket_invalid' });
    const had = await hasSecondFactor(db, user.id);
    const passkey = await finishRegistration(db, relyingParty(c, config), user.id, step.challenge!, body.name, body.credential);
    const codes = await afterEnrolment(db, user.id, had);
    return { status: 201, body: { passkey, ...(codes ? { recoveryCodes: codes } : {}) } };
  });

  r.mount(ops.removePasskey, async ({ user, params, body }, c) => {
    await reauthenticate({ db, box, limiter }, user, ip(c), body);
    if (!(await deletePasskey(db, user.id, params.id))) throw new NotFoundError('no such passkey');
    await afterRemoval(db, user.id);
    return { status: 204 };
  });

  return r.router;
}

export function twoFactorAdminRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, settings } = deps;
  const r = operationRouter(deps);

  r.mount(ops.getServerSettings, async () => ({ status: 200, body: await settings.get() }));

  // The same change as PUT /admin/settings/values (checked and audited there), answered in this older shape.
  r.mount(ops.updateServerSettings, async ({ user, body }, c) => {
    await changeSettings(db, settings, { ...actorOf(c, user, deps.config.trustProxy), id: user.id }, body);
    return { status: 200, body: await settings.get() };
  });

  r.mount(ops.resetUserTwoFactor, async ({ params }) => {
    const user = await userById(db, params.id);
    if (!user) throw new NotFoundError('no such user');
    await resetTwoFactor(db, user.id);
    return { status: 204 };
  });

  return r.router;
}

/** The issuer an authenticator app lists the account under: the server's public host, when known. */
function issuerOf(publicUrl: string | undefined): string {
  return publicUrl ? `Coffer (${new URL(publicUrl).host})` : 'Coffer';
}
