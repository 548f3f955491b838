import { and, asc, eq } from 'drizzle-orm';
import type { AppPassword, AppPasswordCreated } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { authTokens } from '../db/schema.js';
import type { AuthUser } from './context.js';
import { assertPasswordChanged } from './password-change.js';
import { issueToken, lookupToken, touchToken, type TokenAccess } from './tokens.js';

/**
 * App passwords: long random secrets for programs that cannot do an interactive sign-in (WebDAV
 * mounts, scripts). Stored like every token (SHA-256 only), kind 'app_password'; they work as
 * bearer tokens and as the password of HTTP Basic auth with the account's username.
 */
export async function createAppPassword(db: Db, userId: string, label: string): Promise<AppPasswordCreated> {
  const t = await issueToken(db, userId, 'app_password', { label });
  return { id: t.id, label, password: t.token, createdAt: t.createdAt.toISOString() };
}

/** The user's app passwords, without secrets (only hashes are kept anyway). */
export async function listAppPasswords(db: Db, userId: string): Promise<AppPassword[]> {
  const rows = await db
    .select({ id: authTokens.id, label: authTokens.label, createdAt: authTokens.createdAt, lastUsedAt: authTokens.lastUsedAt })
    .from(authTokens)
    .where(and(eq(authTokens.userId, userId), eq(authTokens.kind, 'app_password')))
    .orderBy(asc(authTokens.createdAt), asc(authTokens.id));
  return rows.map((r) => ({ id: r.id, label: r.label ?? '', createdAt: r.createdAt.toISOString(), lastUsedAt: r.lastUsedAt?.toISOString() ?? null }));
}

/** False when there is no such app password of this user. */
export async function revokeAppPassword(db: Db, userId: string, id: string): Promise<boolean> {
  const gone = await db
    .delete(authTokens)
    .where(and(eq(authTokens.id, id), eq(authTokens.userId, userId), eq(authTokens.kind, 'app_password')))
    .returning({ id: authTokens.id });
  return gone.length > 0;
}

/** WebDAV Basic auth: the user when `password` is a live app password of the account named
 *  `username` (case-insensitively), else undefined; 403 while the account must change its
 *  password. Account passwords are never accepted here. */
export async function userForAppPassword(access: TokenAccess, username: string, password: string): Promise<AuthUser | undefined> {
  const match = await lookupToken(access, password, ['app_password']);
  if (!match || match.user.username.toLowerCase() !== username.toLowerCase()) return undefined;
  assertPasswordChanged(match.user);
  await touchToken(access, match);
  return match.user;
}
