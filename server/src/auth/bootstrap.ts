import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import { createUser, isUniqueViolation } from './users.js';

export const FIRST_ADMIN = 'admin';

export interface FirstAdmin {
  username: string;
  password: string;
  /** True when the password was generated (print it once); false when it came from COFFER_ADMIN_PASSWORD. */
  generated: boolean;
}

/**
 * First boot: with no user at all, create `admin` so somebody can sign in and create the rest.
 * A generated password must be changed after the first sign-in (mustChangePassword); one the
 * operator chose (COFFER_ADMIN_PASSWORD) need not. Two instances booting at once both may see an
 * empty table; the unique username index lets exactly one insert win, the other returns undefined.
 */
export async function bootstrapAdmin(db: Db, config: Pick<Config, 'adminPassword'>): Promise<FirstAdmin | undefined> {
  const [someone] = await db.select({ id: users.id }).from(users).limit(1);
  if (someone) return undefined;
  const generated = config.adminPassword === undefined;
  const password = config.adminPassword ?? randomBytes(18).toString('base64url');
  try {
    await createUser(db, { username: FIRST_ADMIN, password, role: 'admin', mustChangePassword: generated });
  } catch (err) {
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
  return { username: FIRST_ADMIN, password, generated };
}
