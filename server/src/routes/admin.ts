/** Accounts, for administrators (mounted at /api/v1/admin, behind `authenticate`). */
import { and, asc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { count, isId } from '../wire/fields.js';
import type { AppEnv } from '../auth/context.js';
import { revokeSessions } from '../auth/devices.js';
import { requireAdmin } from '../auth/middleware.js';
import { hashPassword } from '../auth/passwords.js';
import { adminUserView, createUser, isUniqueViolation, Password, Username } from '../auth/users.js';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { ConflictError, NotFoundError, parseJsonBody } from '../http-errors.js';

const Role = z.enum(['user', 'admin']);
const Quota = count();
const Email = z.email().max(320); // ASCII only: no NUL or surrogate can pass it

const NewUserBody = z.object({
  username: Username,
  password: Password,
  role: Role.optional(),
  quotaBytes: Quota.optional(),
  email: Email.nullable().optional(),
  /** Default true: the admin knows the password they typed, so the user should replace it. */
  mustChangePassword: z.boolean().optional(),
});

const PatchUserBody = z
  .object({
    role: Role,
    quotaBytes: Quota,
    disabled: z.boolean(),
    password: Password,
    email: Email.nullable(),
    mustChangePassword: z.boolean(),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one field to change');

export function adminRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);

  // 200 {users: [AdminUserView]} ordered by username.
  r.get('/users', async (c) => {
    const rows = await db.select().from(users).orderBy(asc(users.username));
    return c.json({ users: rows.map(adminUserView) });
  });

  // 201 AdminUserView; 409 username_taken.
  r.post('/users', async (c) => {
    const body = await parseJsonBody(c, NewUserBody);
    try {
      const row = await createUser(db, { ...body, mustChangePassword: body.mustChangePassword ?? true });
      return c.json(adminUserView(row), 201);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('that username is taken', { code: 'username_taken' });
      throw err;
    }
  });

  // 200 AdminUserView; 404; 409 last_admin. Disabling or a new password signs the user out everywhere.
  r.patch('/users/:id', async (c) => {
    const id = userId(c.req.param('id'));
    const body = await parseJsonBody(c, PatchUserBody);
    const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
    const row = await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      if (body.role === 'user' || body.disabled === true) await keepOneAdmin(t, id);
      const [target] = await t.select().from(users).where(eq(users.id, id)).for('update');
      if (!target) throw new NotFoundError('no such user');
      const [updated] = await t
        .update(users)
        .set({
          ...(body.role !== undefined ? { role: body.role } : {}),
          ...(body.quotaBytes !== undefined ? { quotaBytes: body.quotaBytes } : {}),
          ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
          ...(body.email !== undefined ? { email: body.email } : {}),
          // An admin-set password is one the admin knows: the user should replace it.
          ...(passwordHash ? { passwordHash, mustChangePassword: body.mustChangePassword ?? true } : {}),
          ...(body.mustChangePassword !== undefined ? { mustChangePassword: body.mustChangePassword } : {}),
        })
        .where(eq(users.id, id))
        .returning();
      if (body.disabled === true || passwordHash) await revokeSessions(t, id);
      return updated!;
    });
    return c.json(adminUserView(row));
  });

  // 204; 404; 409 cannot_delete_self. Tokens and devices go with the account (ON DELETE CASCADE).
  // The files in the user's namespace are left for the storage jobs to purge.
  r.delete('/users/:id', async (c) => {
    const id = userId(c.req.param('id'));
    if (id === c.get('user').id) throw new ConflictError('you cannot delete your own account', { code: 'cannot_delete_self' });
    const gone = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
    if (gone.length === 0) throw new NotFoundError('no such user');
    return c.body(null, 204);
  });

  return r;
}

function userId(param: string): string {
  if (!isId(param)) throw new NotFoundError('no such user');
  return param;
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
