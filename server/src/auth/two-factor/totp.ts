/**
 * Authenticator-app codes (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) with `otpauth`, the
 * well-kept library most Node projects use; storage is ours (user_totp, the secret sealed). A code
 * is accepted for the step before and after the current one (clock drift), and a step once only:
 * the accepted step is recorded with a conditional update, so the same code sent twice, even at
 * the same moment, succeeds once.
 */
import { and, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import type { Db } from '../../db/open.js';
import { userTotp } from '../../db/schema.js';
import type { SecretBox } from './secret-box.js';

export const TOTP_PERIOD_S = 30;
/** Steps either side of now that still count. */
const WINDOW = 1;
/** 160 bits, as RFC 4226 recommends. */
const SECRET_BYTES = 20;

function totpOf(secret: Secret, label = 'user', issuer = 'Coffer'): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_S, secret });
}

/** A new pending secret for the user (replacing a pending one); its base32 and otpauth:// URI. */
export async function beginTotp(db: Db, box: SecretBox, user: { id: string; username: string }, issuer: string): Promise<{ secret: string; uri: string }> {
  const secret = new Secret({ size: SECRET_BYTES });
  const sealed = box.seal(Buffer.from(secret.bytes), user.id);
  await db
    .insert(userTotp)
    .values({ userId: user.id, secretSealed: sealed })
    .onConflictDoUpdate({ target: userTotp.userId, set: { secretSealed: sealed, confirmedAt: null, lastStep: null, createdAt: new Date() }, setWhere: isNull(userTotp.confirmedAt) });
  return { secret: secret.base32, uri: totpOf(secret, user.username, issuer).toString() };
}

export type TotpState = 'none' | 'pending' | 'confirmed';

export async function totpState(db: Db, userId: string): Promise<TotpState> {
  const [row] = await db.select({ confirmedAt: userTotp.confirmedAt }).from(userTotp).where(eq(userTotp.userId, userId));
  return !row ? 'none' : row.confirmedAt ? 'confirmed' : 'pending';
}

/**
 * Check `code` against the user's secret (confirmed, or pending when `pending`) and spend its
 * step. True once per step; false for a wrong code, a spent step, or no secret.
 */
export async function useTotpCode(db: Db, box: SecretBox, userId: string, code: string, opts: { pending?: boolean; now?: number } = {}): Promise<boolean> {
  const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, userId));
  if (!row || (row.confirmedAt === null) !== (opts.pending ?? false)) return false;
  const bytes = box.open(row.secretSealed, userId);
  if (!bytes) return false;
  const now = opts.now ?? Date.now();
  const delta = totpOf(new Secret({ buffer: Uint8Array.from(bytes).buffer })).validate({ token: code, timestamp: now, window: WINDOW });
  if (delta === null) return false;
  const step = Math.floor(now / 1000 / TOTP_PERIOD_S) + delta;
  const spent = await db
    .update(userTotp)
    .set({ lastStep: step, ...(opts.pending ? { confirmedAt: new Date(now) } : {}) })
    .where(
      and(
        eq(userTotp.userId, userId),
        opts.pending ? isNull(userTotp.confirmedAt) : isNotNull(userTotp.confirmedAt),
        or(isNull(userTotp.lastStep), lt(userTotp.lastStep, step)),
      ),
    )
    .returning({ userId: userTotp.userId });
  return spent.length > 0;
}

export async function removeTotpSecret(db: Db, userId: string): Promise<boolean> {
  const gone = await db.delete(userTotp).where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt))).returning({ userId: userTotp.userId });
  return gone.length > 0;
}
