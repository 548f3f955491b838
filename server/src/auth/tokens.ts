import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { driverDate } from '../db/table-row.js';
import { tokenRow, type TokenCache } from '../db/token-cache.js';
import { authTokens, devices } from '../db/schema.js';
import type { AuthUser } from './context.js';

export type TokenKind = 'session' | 'device' | 'app_password';

/** Only a token's SHA-256 is stored: a stolen database does not yield usable tokens. (A fast hash
 *  is enough: tokens carry 256 random bits, nothing to brute-force.) */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new random token (shown once), recorded for the user. */
export async function issueToken(
  db: Db,
  userId: string,
  kind: TokenKind,
  opts: { deviceId?: string; label?: string; ttlMs?: number } = {},
): Promise<{ token: string; id: string; createdAt: Date }> {
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
    .returning({ id: authTokens.id, createdAt: authTokens.createdAt });
  return { token, id: row!.id, createdAt: row!.createdAt };
}

/** Where tokens are looked up: the database and, on the embedded one, its token cache (AppDeps has both). */
export interface TokenAccess {
  db: Db;
  tokens: TokenCache | null;
}

export interface TokenMatch {
  user: AuthUser;
  tokenId: string;
  lastUsedAt: Date | null;
}

/** The live token and its user, or undefined (unknown, expired, wrong kind, or the user is disabled).
 *  It runs on every authenticated request: one call of coffer_token, remembered on the embedded
 *  database (db/token-cache.ts). */
export async function lookupToken(access: TokenAccess, token: string, kinds?: TokenKind[]): Promise<TokenMatch | undefined> {
  const row = await tokenRow(access.db, access.tokens, hashToken(token));
  const kind = row?.kind as TokenKind | undefined;
  if (!row || !kind || row.disabled || (kinds && !kinds.includes(kind))) return undefined;
  const deviceId = row.device_id as string | null;
  return {
    user: {
      id: row.id as string,
      username: row.username as string,
      role: row.role as AuthUser['role'],
      namespaceId: row.namespace_id as string,
      ...(deviceId ? { deviceId } : {}),
      tokenKind: kind,
      mustChangePassword: row.must_change_password as boolean,
    },
    tokenId: row.token_id as string,
    lastUsedAt: row.last_used_at === null ? null : driverDate(row.last_used_at),
  };
}

/** The user a token stands for, or undefined (unknown, expired, or the user is disabled). */
export async function userForToken(access: TokenAccess, token: string, kinds?: TokenKind[]): Promise<AuthUser | undefined> {
  return (await lookupToken(access, token, kinds))?.user;
}

/** Writing on every request would turn each read into a write; a minute's precision is plenty
 *  for "last used" and "last seen". */
const TOUCH_EVERY_MS = 60_000;

/** Record that a token (and its device) was just used, at most once a minute. */
export async function touchToken({ db, tokens }: TokenAccess, match: TokenMatch): Promise<void> {
  const now = new Date();
  if (match.lastUsedAt && now.getTime() - match.lastUsedAt.getTime() < TOUCH_EVERY_MS) return;
  await db.update(authTokens).set({ lastUsedAt: now }).where(eq(authTokens.id, match.tokenId));
  tokens?.used(match.tokenId, now);
  if (match.user.deviceId) await db.update(devices).set({ lastSeenAt: now }).where(eq(devices.id, match.user.deviceId));
}

export async function revokeToken(db: Db, token: string): Promise<void> {
  await db.delete(authTokens).where(eq(authTokens.tokenHash, hashToken(token)));
}
