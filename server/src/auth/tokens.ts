import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { authTokens, users } from '../db/schema.js';
import type { AuthUser } from './context.js';

export type TokenKind = 'session' | 'device' | 'app_password';

/** Only a token's SHA-256 is stored: a stolen database does not yield usable tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new random token (shown once), recorded for the user. */
export async function issueToken(
  db: Db,
  userId: string,
  kind: TokenKind,
  opts: { deviceId?: string; label?: string; ttlMs?: number } = {},
): Promise<{ token: string; id: string }> {
  const token = `cof_${randomBytes(32).toString('base64url')}`;
  const [row] = await db
    .insert(authTokens)
    .values({
      userId,
      kind,
      tokenHash: hashToken(token),
      deviceId: opts.deviceId,
      label: opts.label,
      expiresAt: opts.ttlMs ? new Date(Date.now() + opts.ttlMs) : null,
    })
    .returning({ id: authTokens.id });
  return { token, id: row!.id };
}

/** The user a token stands for, or undefined (unknown, expired, or the user is disabled). */
export async function userForToken(db: Db, token: string, kinds?: TokenKind[]): Promise<AuthUser | undefined> {
  const [row] = await db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      namespaceId: users.namespaceId,
      disabled: users.disabled,
      deviceId: authTokens.deviceId,
      kind: authTokens.kind,
      tokenId: authTokens.id,
    })
    .from(authTokens)
    .innerJoin(users, eq(users.id, authTokens.userId))
    .where(and(eq(authTokens.tokenHash, hashToken(token)), or(isNull(authTokens.expiresAt), gt(authTokens.expiresAt, new Date()))));
  if (!row || row.disabled || (kinds && !kinds.includes(row.kind))) return undefined;
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    namespaceId: row.namespaceId,
    deviceId: row.deviceId ?? undefined,
    tokenKind: row.kind,
  };
}

export async function revokeToken(db: Db, token: string): Promise<void> {
  await db.delete(authTokens).where(eq(authTokens.tokenHash, hashToken(token)));
}
