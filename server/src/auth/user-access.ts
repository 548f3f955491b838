/**
 * An account's ways in, as an administrator sees and ends them: devices, sessions, device tokens
 * and app passwords (never a token or its hash). Each revocation is audited with it.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { AdminToken, UserAccess } from '@coffer/protocol';
import { recordAudit, type Actor } from '../audit/record.js';
import type { Db } from '../db/open.js';
import { authTokens, devices, users } from '../db/schema.js';
import { NotFoundError } from '../http-errors.js';

async function usernameOf(db: Db, id: string): Promise<string> {
  const [u] = await db.select({ username: users.username }).from(users).where(eq(users.id, id));
  if (!u) throw new NotFoundError('no such user');
  return u.username;
}

export async function userAccess(db: Db, userId: string): Promise<UserAccess> {
  await usernameOf(db, userId);
  const devs = await db.select().from(devices).where(eq(devices.userId, userId)).orderBy(desc(devices.lastSeenAt));
  const toks = await db
    .select({ id: authTokens.id, kind: authTokens.kind, label: authTokens.label, deviceId: authTokens.deviceId, createdAt: authTokens.createdAt, lastUsedAt: authTokens.lastUsedAt, expiresAt: authTokens.expiresAt })
    .from(authTokens)
    .where(eq(authTokens.userId, userId))
    .orderBy(desc(authTokens.createdAt));
  return {
    devices: devs.map((d) => ({ id: d.id, name: d.name, kind: d.kind, lastSeenAt: d.lastSeenAt.toISOString(), createdAt: d.createdAt.toISOString() })),
    tokens: toks.map(
      (t): AdminToken => ({
        ...t,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        expiresAt: t.expiresAt?.toISOString() ?? null,
      }),
    ),
  };
}

/** One token of this user; 404 when it is not theirs. */
export async function revokeUserToken(db: Db, actor: Actor, userId: string, tokenId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const gone = await t
      .delete(authTokens)
      .where(and(eq(authTokens.id, tokenId), eq(authTokens.userId, userId)))
      .returning({ kind: authTokens.kind, label: authTokens.label });
    if (gone.length === 0) throw new NotFoundError('no such token');
    await recordAudit(t, actor, { kind: 'user_sessions_revoked', target: await usernameOf(t, userId), details: { userId, tokenId, tokenKind: gone[0]!.kind, label: gone[0]!.label } });
  });
}

/** One device of this user, its tokens with it (ON DELETE CASCADE); 404 when it is not theirs. */
export async function revokeUserDevice(db: Db, actor: Actor, userId: string, deviceId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const gone = await t
      .delete(devices)
      .where(and(eq(devices.id, deviceId), eq(devices.userId, userId)))
      .returning({ name: devices.name });
    if (gone.length === 0) throw new NotFoundError('no such device');
    await recordAudit(t, actor, { kind: 'user_sessions_revoked', target: await usernameOf(t, userId), details: { userId, deviceId, device: gone[0]!.name } });
  });
}

/** Every session and device token (and the devices); app passwords stay. Answers how many tokens ended. */
export async function revokeUserSessions(db: Db, actor: Actor, userId: string): Promise<number> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const username = await usernameOf(t, userId);
    const tokens = await t
      .delete(authTokens)
      .where(and(eq(authTokens.userId, userId), inArray(authTokens.kind, ['session', 'device'])))
      .returning({ id: authTokens.id });
    await t.delete(devices).where(eq(devices.userId, userId));
    await recordAudit(t, actor, { kind: 'user_sessions_revoked', target: username, details: { userId, all: true, tokens: tokens.length } });
    return tokens.length;
  });
}
