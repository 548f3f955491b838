import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import { hashPassword } from './passwords.js';

export interface NewUser {
  username: string;
  password: string;
  role?: 'user' | 'admin';
  quotaBytes?: number;
  email?: string;
}

/** Create a user with a home namespace of their own. Uniqueness (case-insensitive) is the database's. */
export async function createUser(db: Db, u: NewUser) {
  const [row] = await db
    .insert(users)
    .values({
      username: u.username,
      email: u.email,
      passwordHash: await hashPassword(u.password),
      role: u.role ?? 'user',
      ...(u.quotaBytes !== undefined ? { quotaBytes: u.quotaBytes } : {}),
    })
    .returning();
  return row!;
}
