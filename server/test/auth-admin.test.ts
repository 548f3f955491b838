/** The admin API: accounts, roles, quotas, disabling, deleting; and who may use it. */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { users } from '../src/db/schema.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';

const PASSWORD = 'correct horse battery staple';
type Answer = { status: number; body: any };

for (const backend of BACKENDS) {
  describe(`admin API (${backend})`, () => {
    const srv = useTestServer(backend);

    async function call(method: string, path: string, token: string, body?: unknown): Promise<Answer> {
      const res = await fetch(`${srv.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }
    const login = (username: string, password: string) =>
      fetch(`${srv.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const name = () => `member_${randomBytes(3).toString('hex')}`;

    it('is for admins only', async () => {
      const u = await srv.user();
      for (const [method, path] of [['GET', '/admin/users'], ['POST', '/admin/users'], ['PATCH', `/admin/users/${u.id}`], ['DELETE', `/admin/users/${u.id}`]] as const) {
        const res = await call(method, path, u.token, method === 'GET' || method === 'DELETE' ? undefined : {});
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('admin_only');
      }
    });

    it('creates, lists, updates and deletes accounts', async () => {
      const admin = await srv.user({ role: 'admin' });
      const username = name();
      const made = await call('POST', '/admin/users', admin.token, { username, password: 'initial password', quotaBytes: 5_000, email: 'm@example.com' });
      expect(made.status).toBe(201);
      expect(made.body).toEqual({
        id: expect.any(String), username, email: 'm@example.com', role: 'user', quotaBytes: 5_000, usedBytes: 0, reservedBytes: 0,
        disabled: false, mustChangePassword: true, createdAt: expect.any(String),
      });
      expect(made.body).not.toHaveProperty('passwordHash');
      expect((await call('POST', '/admin/users', admin.token, { username: username.toUpperCase(), password: 'initial password' })).status).toBe(409);
      for (const bad of [{ username: 'x y', password: 'initial password' }, { username: name(), password: 'short' }, { username: name(), password: 'long enough', quotaBytes: -1 }, { username: name(), password: 'long enough', role: 'root' }]) {
        const res = await call('POST', '/admin/users', admin.token, bad);
        expect(res.status).toBe(400);
      }
      const list = await call('GET', '/admin/users', admin.token);
      expect(list.body.users.find((x: { id: string }) => x.id === made.body.id)).toEqual(made.body);

      const patched = await call('PATCH', `/admin/users/${made.body.id}`, admin.token, { role: 'admin', quotaBytes: 10_000, email: null });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ role: 'admin', quotaBytes: 10_000, email: null });
      expect((await call('PATCH', `/admin/users/${made.body.id}`, admin.token, { bogus: 1 })).status).toBe(400);
      expect((await call('PATCH', `/admin/users/${made.body.id}`, admin.token, {})).status).toBe(400);
      expect((await call('PATCH', '/admin/users/00000000-0000-4000-8000-000000000000', admin.token, { quotaBytes: 1 })).status).toBe(404);
      expect((await call('PATCH', '/admin/users/nope', admin.token, { quotaBytes: 1 })).status).toBe(404);

      // A new password set by the admin signs the user out and must be replaced.
      const token = ((await (await login(username, 'initial password')).json()) as { token: string }).token;
      const reset = await call('PATCH', `/admin/users/${made.body.id}`, admin.token, { password: 'admin chose this' });
      expect(reset.body.mustChangePassword).toBe(true);
      expect((await call('GET', '/me', token)).status).toBe(401);
      expect((await login(username, 'admin chose this')).status).toBe(200);

      expect((await call('DELETE', `/admin/users/${made.body.id}`, admin.token)).status).toBe(204);
      expect((await call('DELETE', `/admin/users/${made.body.id}`, admin.token)).status).toBe(404);
      expect((await login(username, 'admin chose this')).status).toBe(401);
      const self = await call('DELETE', `/admin/users/${admin.id}`, admin.token);
      expect(self.status).toBe(409);
      expect(self.body.error.code).toBe('cannot_delete_self');
    });

    it('disables an account: it cannot sign in and its tokens stop working; re-enabling lets it sign in', async () => {
      const admin = await srv.user({ role: 'admin' });
      const u = await srv.user();
      const off = await call('PATCH', `/admin/users/${u.id}`, admin.token, { disabled: true });
      expect(off.body.disabled).toBe(true);
      expect((await call('GET', '/me', u.token)).status).toBe(401);
      const refused = await login(u.username, PASSWORD);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('account_disabled');
      // Without the right password, a disabled account looks like any wrong sign-in.
      expect((await login(u.username, 'not the password')).status).toBe(401);
      await call('PATCH', `/admin/users/${u.id}`, admin.token, { disabled: false });
      expect((await login(u.username, PASSWORD)).status).toBe(200);
    });

    it('never leaves the server without an enabled admin', async () => {
      // Start from exactly one enabled admin: demote every other one.
      const me = await srv.user({ role: 'admin' });
      const all = (await call('GET', '/admin/users', me.token)).body.users as { id: string; role: string }[];
      for (const x of all) if (x.role === 'admin' && x.id !== me.id) await call('PATCH', `/admin/users/${x.id}`, me.token, { role: 'user' });

      for (const change of [{ role: 'user' }, { disabled: true }]) {
        const res = await call('PATCH', `/admin/users/${me.id}`, me.token, change);
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('last_admin');
      }
      const other = await srv.user({ role: 'admin' });
      expect((await call('PATCH', `/admin/users/${me.id}`, me.token, { role: 'user' })).status).toBe(200);
      // The demotion bites at once, and the remaining admin is now the last one.
      expect((await call('GET', '/admin/users', me.token)).status).toBe(403);
      expect((await call('PATCH', `/admin/users/${other.id}`, other.token, { disabled: true })).status).toBe(409);

      // Two admins demoting each other at once: one wins, the other is refused, one admin remains.
      const third = await srv.user({ role: 'admin' });
      const both = await Promise.all([
        call('PATCH', `/admin/users/${third.id}`, other.token, { role: 'user' }),
        call('PATCH', `/admin/users/${other.id}`, third.token, { role: 'user' }),
      ]);
      const statuses = both.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 403 || s === 409)).toHaveLength(1);
      const admins = await srv.database.db.select().from(users).where(and(eq(users.role, 'admin'), eq(users.disabled, false)));
      expect(admins).toHaveLength(1);
    });
  });
}
