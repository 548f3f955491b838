/**
 * The caller's own account (mounted at /api/v1, behind `authenticate`): `meRoutes` (GET /me,
 * POST /me/password) answer even while a password change is due; `accountRoutes` (app
 * passwords, devices) are mounted after `requirePasswordChanged`.
 */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { isId, text } from '../wire/fields.js';
import { createAppPassword, listAppPasswords, revokeAppPassword } from '../auth/app-passwords.js';
import { clientIp } from '../auth/client-ip.js';
import type { AppEnv } from '../auth/context.js';
import { deleteDevice, listDevices, revokeSessions } from '../auth/devices.js';
import { requireSignIn } from '../auth/middleware.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { LoginLimiter } from '../auth/rate-limit.js';
import { Password } from '../auth/users.js';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { ForbiddenError, NotFoundError, parseJsonBody } from '../http-errors.js';

const PasswordChange = z.object({ current: text(1024, 1), new: Password });
const AppPasswordBody = z.object({ label: text(100).trim().min(1) });

export function meRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const r = new Hono<AppEnv>();
  // A stolen session must not be able to guess the current password at full speed either.
  const limiter = new LoginLimiter(config.loginLimits);

  // The caller, with their quota and usage (apps show it; WebDAV and the CLI read it too): the
  // committed usage and what uploads in progress hold reserved, apart (the room left is quota − both).
  r.get('/me', async (c) => {
    const user = c.get('user');
    const [usage] = await db
      .select({ quotaBytes: users.quotaBytes, usedBytes: users.usedBytes, reservedBytes: users.reservedBytes })
      .from(users)
      .where(eq(users.id, user.id));
    return c.json({ ...user, ...usage });
  });

  // 204. Every other token and device of the user is revoked; the calling one stays signed in.
  r.post('/me/password', requireSignIn, async (c) => {
    const me = c.get('user');
    const body = await parseJsonBody(c, PasswordChange);
    const attempt = limiter.begin(me.username, clientIp(c, config.trustProxy));
    if (!(await currentPasswordMatches(db, me.id, body.current))) {
      throw new ForbiddenError('the current password is wrong', { code: 'wrong_password' });
    }
    limiter.succeeded(attempt);
    const passwordHash = await hashPassword(body.new);
    const keep = { tokenId: c.get('credential').tokenId, deviceId: me.deviceId };
    await db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash, mustChangePassword: false }).where(eq(users.id, me.id));
      await revokeSessions(tx as unknown as Db, me.id, keep);
    });
    return c.body(null, 204);
  });

  return r;
}

export function accountRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = new Hono<AppEnv>();

  // 200 {appPasswords: [{id, label, createdAt, lastUsedAt}]}
  r.get('/app-passwords', requireSignIn, async (c) => c.json({ appPasswords: await listAppPasswords(db, c.get('user').id) }));

  // 201 {id, label, password, createdAt}: the password is shown this once.
  r.post('/app-passwords', requireSignIn, async (c) => {
    const body = await parseJsonBody(c, AppPasswordBody);
    return c.json(await createAppPassword(db, c.get('user').id, body.label), 201);
  });

  // 204; 404 when it is not one of the caller's app passwords.
  r.delete('/app-passwords/:id', requireSignIn, async (c) => {
    const id = c.req.param('id');
    if (!isId(id) || !(await revokeAppPassword(db, c.get('user').id, id))) throw new NotFoundError('no such app password');
    return c.body(null, 204);
  });

  // 200 {devices: [{id, name, kind, lastSeenAt, createdAt, current}]}
  r.get('/devices', async (c) => {
    const me = c.get('user');
    return c.json({ devices: await listDevices(db, me.id, me.deviceId) });
  });

  // 204: the device is forgotten and its tokens stop working; 404 when it is not the caller's.
  r.delete('/devices/:id', requireSignIn, async (c) => {
    const id = c.req.param('id');
    if (!isId(id) || !(await deleteDevice(db, c.get('user').id, id))) throw new NotFoundError('no such device');
    return c.body(null, 204);
  });

  return r;
}

async function currentPasswordMatches(db: Db, userId: string, password: string): Promise<boolean> {
  const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return !!row && (await verifyPassword(password, row.passwordHash));
}
