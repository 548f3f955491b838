import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import { text } from '../wire/fields.js';
import { hashPassword } from './passwords.js';

/** 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit: safe in paths, URLs,
 *  WebDAV Basic auth and shell commands without quoting. */
export const Username = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a username is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** At least 8 characters (NIST SP 800-63B); at most 1024 so hashing stays cheap to ask for. */
export const Password = text(1024).min(8, 'a password has at least 8 characters');

export type UserRow = typeof users.$inferSelect;

export interface NewUser {
  username: string;
  password: string;
  role?: 'user' | 'admin';
  quotaBytes?: number;
  email?: string | null;
  mustChangePassword?: boolean;
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

export { isUniqueViolation } from '../db/errors.js';

/** What a client learns about itself at sign-in. */
export function sessionUserView(u: UserRow) {
  return { id: u.id, username: u.username, role: u.role, namespaceId: u.namespaceId, mustChangePassword: u.mustChangePassword };
}

/** What an admin sees of an account (never the password hash). */
export function adminUserView(u: UserRow) {
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
    createdAt: u.createdAt,
  };
}
