/** What second factors an account has, proving one again before a factor goes, and what
 *  enrolling the first one brings (recovery codes). */
import { eq, sql } from 'drizzle-orm';
import type { TwoFactorMethod, TwoFactorStatus } from '@coffer/protocol';
import { rowsOf, type Db } from '../../db/open.js';
import { passkeys, recoveryCodes, userTotp } from '../../db/schema.js';
import { ForbiddenError } from '../../http-errors.js';
import { revokeSessions } from '../devices.js';
import type { LoginLimiter } from '../rate-limit.js';
import { passwordMatches } from '../users.js';
import { listPasskeys } from './passkeys.js';
import { recoveryCodesLeft, regenerateRecoveryCodes, useRecoveryCode } from './recovery-codes.js';
import type { SecretBox } from './secret-box.js';
import { totpState, useTotpCode } from './totp.js';

/** The methods a sign-in of this user may answer its second step with; none: no second step. */
export async function secondFactorMethods(db: Db, userId: string): Promise<TwoFactorMethod[]> {
  const [row] = rowsOf<{ totp: boolean; passkeys: boolean; recovery: boolean }>(await db.execute(sql`select
    exists(select 1 from ${userTotp} where ${userTotp.userId} = ${userId} and ${userTotp.confirmedAt} is not null) as totp,
    exists(select 1 from ${passkeys} where ${passkeys.userId} = ${userId}) as passkeys,
    exists(select 1 from ${recoveryCodes} where ${recoveryCodes.userId} = ${userId} and ${recoveryCodes.usedAt} is null) as recovery`));
  if (!row || (!row.totp && !row.passkeys)) return [];
  const out: TwoFactorMethod[] = [];
  if (row.totp) out.push('totp');
  if (row.passkeys) out.push('passkey');
  if (row.recovery) out.push('recovery');
  return out;
}

export async function hasSecondFactor(db: Db, userId: string): Promise<boolean> {
  return (await secondFactorMethods(db, userId)).length > 0;
}

export async function twoFactorStatus(db: Db, userId: string, required: boolean): Promise<TwoFactorStatus> {
  const [totp, keys, left] = [await totpState(db, userId), await listPasskeys(db, userId), await recoveryCodesLeft(db, userId)];
  return { enabled: totp === 'confirmed' || keys.length > 0, totp: totp === 'confirmed', passkeys: keys, recoveryCodesLeft: left, required };
}

/** A factor was just enrolled: the first one brings recovery codes (shown once), later ones do not. */
export async function afterEnrolment(db: Db, userId: string, hadFactor: boolean): Promise<string[] | undefined> {
  if (hadFactor && (await recoveryCodesLeft(db, userId)) > 0) return undefined;
  return regenerateRecoveryCodes(db, userId);
}

/** A factor went: with none left, the recovery codes go too (they would be a lone factor). */
export async function afterRemoval(db: Db, userId: string): Promise<void> {
  if (!(await hasSecondFactor(db, userId))) await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}

/**
 * The owner again, before a factor goes or codes are replaced: the password, or a current
 * authenticator code, or an unused recovery code (spent by this). Rate-limited like sign-in;
 * wrong: 403 `wrong_password` / `invalid_code`.
 */
export async function reauthenticate(
  deps: { db: Db; box: SecretBox; limiter: LoginLimiter },
  user: { id: string; username: string },
  ip: string,
  proof: { password?: string; code?: string },
): Promise<void> {
  const attempt = deps.limiter.begin(user.username, ip);
  if (proof.password !== undefined) {
    if (!(await passwordMatches(deps.db, user.id, proof.password))) throw new ForbiddenError('the password is wrong', { code: 'wrong_password' });
  } else {
    const code = proof.code ?? '';
    const ok = /^\d{6}$/.test(code) ? await useTotpCode(deps.db, deps.box, user.id, code) : await useRecoveryCode(deps.db, user.id, code);
    if (!ok) throw new ForbiddenError('the code is wrong, expired, or was used already', { code: 'invalid_code' });
  }
  deps.limiter.succeeded(attempt);
}

/** An administrator's reset for an owner who lost their factors: every factor and code goes, and
 *  every session (whoever holds the lost factor may hold one too). */
export async function resetTwoFactor(db: Db, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await t.delete(userTotp).where(eq(userTotp.userId, userId));
    await t.delete(passkeys).where(eq(passkeys.userId, userId));
    await t.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await revokeSessions(t, userId);
  });
}
