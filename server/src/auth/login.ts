import { randomBytes } from 'node:crypto';
import type { Db } from '../db/open.js';
import { UnauthorizedError } from '../http-errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { userByName, type UserRow } from './users.js';

/** One message for an unknown user and a wrong password: the answer must not tell which. */
export const BAD_CREDENTIALS = 'wrong username or password';

let dummy: Promise<string> | undefined;
/** A hash of nothing anyone knows, with the current parameters: verifying against it when the user
 *  does not exist costs the same scrypt as a real check, so timing does not reveal usernames. */
function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('hex')));
}

/** The user these credentials prove, or a 401 (the same for every way of being wrong).
 *  Disabled accounts are the caller's to refuse: only after the password proved right may
 *  the answer say the account is disabled. */
export async function checkCredentials(db: Db, username: string, password: string): Promise<UserRow> {
  const user = await userByName(db, username);
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !ok) throw new UnauthorizedError(BAD_CREDENTIALS, { code: 'invalid_credentials' });
  return user;
}
