import type { Db } from '../db/open.js';
import { userByName, type UserRow } from '../auth/users.js';
import { AdminError } from './context.js';

/** The account named on the command line (case-insensitively, as sign-in matches it). */
export async function namedUser(db: Db, username: string): Promise<UserRow> {
  const user = await userByName(db, username);
  if (!user) throw new AdminError(`no user named "${username}" (coffer-admin users lists them)`);
  return user;
}
