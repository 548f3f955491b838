/**
 * `coffer-admin reset-password USER`: a new password, generated and printed (or read from stdin
 * with --password-stdin). The user is signed out everywhere and asked to choose their own at next
 * sign-in, as when an administrator sets one in the admin UI.
 */
import { randomBytes } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { updateUser } from '../../auth/user-admin.js';
import { AdminError, parse, print, withDatabase } from '../context.js';
import { namedUser } from '../user-arg.js';

const MIN_LENGTH = 8;

export async function resetPassword(args: string[]): Promise<void> {
  const { positionals, values } = parse(args, { 'password-stdin': { type: 'boolean' } }, { min: 1, max: 1, usage: 'reset-password USER [--password-stdin]' });
  const given = values['password-stdin'] ? (await text(process.stdin)).replace(/\r?\n$/, '') : undefined;
  if (given !== undefined && given.length < MIN_LENGTH) throw new AdminError(`the password must be at least ${MIN_LENGTH} characters`);
  if (given !== undefined && given.length > 1024) throw new AdminError('the password must be at most 1024 characters');
  const password = given ?? randomBytes(15).toString('base64url');
  await withDatabase(async ({ db }) => {
    const user = await namedUser(db, positionals[0]!);
    await updateUser(db, user.id, { password });
    print(given === undefined ? `new password for ${user.username}: ${password}` : `password of ${user.username} changed`);
    print(`${user.username} is signed out everywhere and must choose a new password at the next sign-in`);
  });
}
