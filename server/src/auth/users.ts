/** Accounts: creating and finding users, their usage, their password, and how answers show them. */
import { eq, sql } from 'drizzle-orm';
import type { AdminUser, Me, SessionUser } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import { isUniqueViolation } from '../db/errors.js';
import { ConflictError } from '../http-errors.js';
import type { AuthUser } from './context.js';
import { revokeSessions } from './devices.js';
import { hashPassword, verifyPassword } from './passwords.js';

export type UserRow = typeof users.$inferSelect;

export interface NewUser {
  username: string;
  password: string;
  role?: 'user' | 'admin';
  quotaBytes?: number;
  email?: string | null;
  mustChangePassword?: boolean;
}

/** An account asked for (sign-up, an admin): as `createUser`, a taken name is 409 `username_taken`. */
export async function createAccount(db: Db, u: NewUser): Promise<UserRow> {
  try {
    return await createUser(db, u);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('that username is taken', { code: 'username_taken' });
    throw err;
  }
}

/** Create a user with a home namespace of their own. Uniqueness (case-insensitive) is the
 *  database's: a duplicate throws a unique violation (see `isUniqueViolation`). */
export async function createUser(db: Db, u: NewUser): Promise<UserRow> {
  const [row] = await db
    .insert(users)
    .values({
      username: u.username,
      email: u.email ?? null,
      passwordHash: await hashPassword(u.password),
      role: u.role ?? 'user',
      mustChangePassword: u.mustChangePassword ?? false,
      ...(u.quotaBytes !== undefined ? { quotaBytes: u.quotaBytes } : {}),
    })
    .returning();
  return row!;
}

/** The user with this name, compared case-insensitively (the users_username_ci index). */
export async function userByName(db: Db, username: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`);
  return row;
}

export { isUniqueViolation };

/** The caller as GET /me shows them: who the token says, with the account's quota and usage
 *  (committed and reserved apart: the room left is quota − both). */
export async function meOf(db: Db, user: AuthUser): Promise<Me> {
  const [usage] = await db
    .select({ quotaBytes: users.quotaBytes, usedBytes: users.usedBytes, reservedBytes: users.reservedBytes })
    .from(users)
    .where(eq(users.id, user.id));
  // The token was looked up a moment ago; an account deleted since shows no room at all.
  return { ...user, ...(usage ?? { quotaBytes: 0, usedBytes: 0, reservedBytes: 0 }) };
}

export async function passwordMatches(db: Db, userId: string, password: string): Promise<boolean> {
  const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return !!row && (await verifyPassword(password, row.passwordHash));
}

/** The user's own new password: every other token and device is signed out, the calling one stays. */
export async function changeOwnPassword(db: Db, userId: string, password: string, keep: { tokenId: string; deviceId?: string }): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, mustChangePassword: false }).where(eq(users.id, userId));
    await revokeSessions(tx as unknown as Db, userId, keep);
  });
}

/** What a client learns about itself at sign-in. */
export function sessionUserView(u: UserRow): SessionUser {
  return { id: u.id, username: u.username, role: u.role, namespaceId: u.namespaceId, mustChangePassword: u.mustChangePassword };
}

/** What an admin sees of an account (never the password hash). */
export function adminUserView(u: UserRow): AdminUser {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    role: u.role,
    quotaBytes: u.quotaBytes,
    usedBytes: u.usedBytes,
    reservedBytes: u.reservedBytes,
    disabled: u.disabled,
    mustChangePassword: u.mustChangePassword,
    createdAt: u.createdAt.toISOString(),
  };
}
