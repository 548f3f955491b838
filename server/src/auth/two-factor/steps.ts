/**
 * Steps in flight between two requests: the second step of a sign-in, a passwordless passkey
 * sign-in, a passkey registration. The client holds a random ticket (only its SHA-256 is stored,
 * like tokens); a step lives five minutes, is spent by its success, and ends after a few wrong
 * answers, so a ticket is no session and no way to guess codes at leisure.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { SessionOptions } from '@coffer/protocol';
import type { Db } from '../../db/open.js';
import { twoFactorSteps } from '../../db/schema.js';
import { UnauthorizedError } from '../../http-errors.js';
import { hashToken } from '../tokens.js';

export const STEP_TTL_MS = 5 * 60_000;
/** Wrong answers a step takes before it ends (the sign-in rate limit applies as well). */
export const STEP_MAX_ATTEMPTS = 5;

export type StepPurpose = (typeof twoFactorSteps.purpose.enumValues)[number];

export interface Step {
  id: string;
  purpose: StepPurpose;
  userId: string | null;
  challenge: string | null;
  sessionOptions: SessionOptions;
}

export async function beginStep(
  db: Db,
  s: { purpose: StepPurpose; userId?: string; challenge?: string; sessionOptions?: SessionOptions },
): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = `c2f_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + STEP_TTL_MS);
  // Expired steps go as new ones come: the table holds minutes of sign-ins.
  await db.delete(twoFactorSteps).where(lt(twoFactorSteps.expiresAt, new Date()));
  await db.insert(twoFactorSteps).values({
    ticketHash: hashToken(ticket),
    purpose: s.purpose,
    userId: s.userId ?? null,
    challenge: s.challenge ?? null,
    sessionOptions: (s.sessionOptions ?? {}) as Record<string, unknown>,
    expiresAt,
  });
  return { ticket, expiresAt };
}

const INVALID = () => new UnauthorizedError('this sign-in step is unknown, used or expired; start again', { code: 'two_factor_ticket_invalid' });

/** The live step of this ticket and purpose (and user, when given), or 401 `two_factor_ticket_invalid`. */
export async function stepOf(db: Db, ticket: string, purposes: StepPurpose[], userId?: string): Promise<Step> {
  const [row] = await db
    .select()
    .from(twoFactorSteps)
    .where(and(eq(twoFactorSteps.ticketHash, hashToken(ticket)), gt(twoFactorSteps.expiresAt, new Date())));
  if (!row || !purposes.includes(row.purpose) || (userId !== undefined && row.userId !== userId) || row.attempts >= STEP_MAX_ATTEMPTS) throw INVALID();
  return { id: row.id, purpose: row.purpose, userId: row.userId, challenge: row.challenge, sessionOptions: row.sessionOptions as SessionOptions };
}

/** A wrong answer: counts towards the step's end. */
export async function stepFailed(db: Db, id: string): Promise<void> {
  await db.update(twoFactorSteps).set({ attempts: sql`${twoFactorSteps.attempts} + 1` }).where(eq(twoFactorSteps.id, id));
}

/** Spend the step: true once (two requests racing with one ticket get one session). */
export async function finishStep(db: Db, id: string): Promise<boolean> {
  const gone = await db.delete(twoFactorSteps).where(eq(twoFactorSteps.id, id)).returning({ id: twoFactorSteps.id });
  return gone.length > 0;
}

export { INVALID as invalidTicket };
