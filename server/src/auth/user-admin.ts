/**
 * What administrators do to accounts: list them, change role, quota, email, password or the
 * disabled flag (never leaving the server without an enabled admin), delete them.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import { ConflictError, NotFoundError } from '../http-errors.js';
import { revokeSessions } from './devices.js';
import { hashPassword } from './passwords.js';
import type { UserRow } from './users.js';

export interface UserPatch {
  role?: 'user' | 'admin';
  quotaBytes?: number;
  disabled?: boolean;
  password?: string;
  email?: string | null;
  mustChangePassword?: boolean;
}

/** Every account, ordered by username. */
export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.select().from(users).orderBy(asc(users.username));
}

/** 404 for no such user; 409 `last_admin`. Disabling or a new password signs the user out everywhere. */
export async function updateUser(db: Db, id: string, patch: UserPatch): Promise<UserRow> {
  const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    if (patch.role === 'user' || patch.disabled === true) await keepOneAdmin(t, id);
    const [target] = await t.select().from(users).where(eq(users.id, id)).for('update');
    if (!target) throw new NotFoundError('no such user');
    const [updated] = await t
      .update(users)
      .set({
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.quotaBytes !== undefined ? { quotaBytes: patch.quotaBytes } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        // An admin-set password is one the admin knows: the user should replace it.
        ...(passwordHash ? { passwordHash, mustChangePassword: patch.mustChangePassword ?? true } : {}),
        ...(patch.mustChangePassword !== undefined ? { mustChangePassword: patch.mustChangePassword } : {}),
      })
      .where(eq(users.id, id))
      .returning();
    if (patch.disabled === true || passwordHash) await revokeSessions(t, id);
    return updated!;
  });
}

/** 404 for no such user. Tokens and devices go with the account (ON DELETE CASCADE); the files
 *  in its namespace are left for the storage jobs to purge. */
export async function deleteUser(db: Db, id: string): Promise<void> {
  const gone = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
  if (gone.length === 0) throw new NotFoundError('no such user');
}

/**
 * Refuse a change that would leave no enabled admin. All enabled admin rows are locked first (in
 * id order, so two admins demoting each other at once serialise instead of deadlocking, and the
 * second sees the first's change and is refused).
 */
async function keepOneAdmin(tx: Db, losing: string): Promise<void> {
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.disabled, false)))
    .orderBy(asc(users.id))
    .for('update');
  if (admins.some((a) => a.id === losing) && admins.length === 1) {
    throw new ConflictError('this is the last enabled administrator; make another admin first', { code: 'last_admin' });
  }
}
