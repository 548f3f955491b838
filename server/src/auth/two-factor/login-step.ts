/**
 * The second step of a sign-in. POST /auth/login with the right password of an account with a
 * second factor begins a step (no session yet: a ticket, minutes long); POST /auth/2fa finishes
 * it with an authenticator code, a recovery code or a passkey, and only then issues what the
 * sign-in asked for (a device token for the CLI and apps, a session and cookie for browsers). A
 * passwordless passkey sign-in is a step of its own, begun with no account named.
 */
import type { SessionOptions, TwoFactorChallenge, TwoFactorMethod, WebAuthnCredential } from '@coffer/protocol';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { users } from '../../db/schema.js';
import { ForbiddenError, UnauthorizedError } from '../../http-errors.js';
import type { LoginLimiter } from '../rate-limit.js';
import type { UserRow } from '../users.js';
import { authenticationOptions, finishAuthentication, type RelyingParty } from './passkeys.js';
import { useRecoveryCode } from './recovery-codes.js';
import type { SecretBox } from './secret-box.js';
import { beginStep, finishStep, invalidTicket, stepFailed, stepOf, type Step } from './steps.js';
import { useTotpCode } from './totp.js';

export interface StepDeps {
  db: Db;
  box: SecretBox;
  limiter: LoginLimiter;
}

/** The 202 answer of a sign-in whose password was right: a ticket, and passkey options when the account has passkeys. */
export async function beginLoginStep(db: Db, rp: RelyingParty, user: UserRow, methods: TwoFactorMethod[], session: SessionOptions): Promise<TwoFactorChallenge> {
  const passkeyOptions = methods.includes('passkey') ? await authenticationOptions(db, rp, user.id) : undefined;
  const { ticket, expiresAt } = await beginStep(db, { purpose: 'login', userId: user.id, challenge: passkeyOptions?.challenge, sessionOptions: session });
  return {
    twoFactor: {
      ticket,
      methods,
      expiresAt: expiresAt.toISOString(),
      ...(passkeyOptions ? { passkeyOptions: passkeyOptions as unknown as Record<string, unknown> } : {}),
    },
  };
}

/** Begin a passwordless passkey sign-in: options for any discoverable passkey of this site. */
export async function beginPasskeyLogin(db: Db, rp: RelyingParty, session: SessionOptions) {
  const options = await authenticationOptions(db, rp);
  const { ticket, expiresAt } = await beginStep(db, { purpose: 'passkey_login', challenge: options.challenge, sessionOptions: session });
  return { ticket, expiresAt: expiresAt.toISOString(), options: options as unknown as Record<string, unknown> };
}

export interface SecondFactor {
  totp?: string;
  recoveryCode?: string;
  passkey?: WebAuthnCredential;
}

/** The limiter's 'username' for answers that name no account yet (no username starts with ':'). */
const anonymousKey = (ip: string) => `:passkey:${ip}`;

const wrongCode = () => new UnauthorizedError('the code is wrong, expired, or was used already', { code: 'invalid_code' });

/**
 * Check the answer to a step and spend the step: the account signed in, with the session options
 * its sign-in asked for. Wrong answers count against the step (a few end it) and against the
 * username and address like wrong passwords.
 */
export async function finishLoginStep(deps: StepDeps, rp: RelyingParty, ip: string, ticket: string, answer: SecondFactor): Promise<{ user: UserRow; session: SessionOptions }> {
  const { db } = deps;
  // Before the step is even looked up: a flood of made-up tickets is limited by address too.
  deps.limiter.check(anonymousKey(ip), ip);
  const step = await stepOf(db, ticket, ['login', 'passkey_login']);
  const userId = step.purpose === 'login' ? step.userId! : await passwordlessUser(deps, rp, ip, step, answer);
  const user = await userById(db, userId);
  if (!user) throw invalidTicket();
  if (step.purpose === 'login') {
    const attempt = deps.limiter.begin(user.username, ip);
    if (!(await answerProves(deps, rp, step, user.id, answer))) {
      await stepFailed(db, step.id);
      throw wrongCode();
    }
    deps.limiter.succeeded(attempt);
  }
  if (!(await finishStep(db, step.id))) throw invalidTicket();
  if (user.disabled) throw new ForbiddenError('this account is disabled; ask an administrator', { code: 'account_disabled' });
  return { user, session: step.sessionOptions };
}

async function answerProves(deps: StepDeps, rp: RelyingParty, step: Step, userId: string, a: SecondFactor): Promise<boolean> {
  if (a.totp !== undefined) return useTotpCode(deps.db, deps.box, userId, a.totp);
  if (a.recoveryCode !== undefined) return useRecoveryCode(deps.db, userId, a.recoveryCode);
  if (a.passkey !== undefined && step.challenge) {
    return (await finishAuthentication(deps.db, rp, step.challenge, a.passkey, { userId, requireUserVerification: false })) === userId;
  }
  return false;
}

/** A passwordless step proves its account by the passkey alone, with user verification (the
 *  authenticator's PIN or biometric is the second factor). */
async function passwordlessUser(deps: StepDeps, rp: RelyingParty, ip: string, step: Step, a: SecondFactor): Promise<string> {
  if (!a.passkey || !step.challenge) throw new UnauthorizedError('this step is answered with a passkey', { code: 'invalid_code' });
  const userId = await finishAuthentication(deps.db, rp, step.challenge, a.passkey, { requireUserVerification: true });
  if (!userId) {
    await stepFailed(deps.db, step.id);
    deps.limiter.failed(anonymousKey(ip), ip);
    throw new UnauthorizedError('the passkey’s answer did not verify', { code: 'invalid_code' });
  }
  return userId;
}

export async function userById(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

