/**
 * What administrators do to accounts: list them, change role, quota, email, password or the
 * disabled flag (never leaving the server without an enabled admin), delete them.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import type { AuditKind } from '@coffer/protocol';
import { recordAudit, type Actor } from '../audit/record.js';
import { ConflictError, NotFoundError } from '../http-errors.js';
import { revokeSessions } from './devices.js';
import { hashPassword } from './passwords.js';
import { createAccount, type NewUser, type UserRow } from './users.js';

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

/** An account an admin makes: the quota defaults to the `defaultQuotaBytes` setting; audited. */
export async function adminCreateUser(db: Db, actor: Actor, u: NewUser): Promise<UserRow> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const row = await createAccount(t, u);
    await recordAudit(t, actor, { kind: 'user_created', target: row.username, details: { userId: row.id, role: row.role, quotaBytes: row.quotaBytes } });
    return row;
  });
}

/** The audit kinds a change makes: one per thing an operator looks for, else `user_updated`. */
function patchKinds(patch: UserPatch): AuditKind[] {
  const kinds: AuditKind[] = [];
  if (patch.disabled !== undefined) kinds.push(patch.disabled ? 'user_disabled' : 'user_enabled');
  if (patch.role !== undefined) kinds.push('user_role_changed');
  if (patch.quotaBytes !== undefined) kinds.push('user_quota_changed');
  if (patch.password !== undefined) kinds.push('user_password_reset');
  if (patch.email !== undefined || (patch.mustChangePassword !== undefined && patch.password === undefined)) kinds.push('user_updated');
  return kinds;
}

/** 404 for no such user; 409 `last_admin`. Disabling or a new password signs the user out everywhere. */
export async function updateUser(db: Db, id: string, patch: UserPatch, actor?: Actor): Promise<UserRow> {
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
    if (actor) {
      // Which fields changed and to what, never the password itself.
      const { password: _password, ...shown } = patch;
      const details = { userId: id, ...shown, ...(passwordHash ? { passwordReset: true } : {}) };
      for (const kind of patchKinds(patch)) await recordAudit(t, actor, { kind, target: updated!.username, details });
    }
    return updated!;
  });
}

/** 404 for no such user. Tokens and devices go with the account (ON DELETE CASCADE); the files
 *  in its namespace are left for the storage jobs to purge. */
export async function deleteUser(db: Db, id: string, actor?: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const gone = await t.delete(users).where(eq(users.id, id)).returning({ id: users.id, username: users.username });
    if (gone.length === 0) throw new NotFoundError('no such user');
    if (actor) await recordAudit(t, actor, { kind: 'user_deleted', target: gone[0]!.username, details: { userId: id } });
  });
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
