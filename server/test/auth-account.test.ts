/** The caller's own credentials: password change, app passwords, devices; sign-up closed by default. */
import { describe, expect, it } from 'vitest';
import { userForAppPassword } from '../src/auth/app-passwords.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';

const PASSWORD = 'correct horse battery staple';
type Answer = { status: number; headers: Headers; body: any };

for (const backend of BACKENDS) {
  describe(`account credentials (${backend})`, () => {
    const srv = useTestServer(backend);

    async function call(method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<Answer> {
      const res = await fetch(`${srv.url}/api/v1${path}`, {
        method,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    }
    const login = async (username: string, password: string, device?: { name: string; kind: string }) => {
      const res = await call('POST', '/auth/login', { body: { username, password, device } });
      expect(res.status).toBe(200);
      return res.body.token as string;
    };

    it('refuses sign-up unless the server opened it', async () => {
      const res = await call('POST', '/auth/signup', { body: { username: 'newcomer', password: 'long enough' } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('signup_closed');
    });

    it('changes the password: the current one is checked, other sessions and app passwords are revoked', async () => {
      const u = await srv.user();
      const here = await login(u.username, PASSWORD);
      const elsewhere = await login(u.username, PASSWORD, { name: 'other laptop', kind: 'desktop' });
      const app = await call('POST', '/app-passwords', { token: here, body: { label: 'nas' } });

      const wrong = await call('POST', '/me/password', { token: here, body: { current: 'not it at all', new: 'a new password' } });
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe('wrong_password');
      expect((await call('POST', '/me/password', { token: here, body: { current: PASSWORD, new: 'short' } })).status).toBe(400);

      expect((await call('POST', '/me/password', { token: here, body: { current: PASSWORD, new: 'a new password' } })).status).toBe(204);
      expect((await call('GET', '/me', { token: here })).status).toBe(200);
      expect((await call('GET', '/me', { token: elsewhere })).status).toBe(401);
      expect((await call('GET', '/me', { token: app.body.password })).status).toBe(401);
      expect((await call('GET', '/devices', { token: here })).body.devices).toEqual([]);
      expect((await call('POST', '/auth/login', { body: { username: u.username, password: PASSWORD } })).status).toBe(401);
      await login(u.username, 'a new password');
    });

    it('creates app passwords shown once, lists them without secrets, uses and revokes them', async () => {
      const u = await srv.user();
      const made = await call('POST', '/app-passwords', { token: u.token, body: { label: '  WebDAV on the NAS ' } });
      expect(made.status).toBe(201);
      expect(made.body).toEqual({ id: expect.any(String), label: 'WebDAV on the NAS', password: expect.stringMatching(/^cof_/), createdAt: expect.any(String) });
      expect((await call('POST', '/app-passwords', { token: u.token, body: { label: '' } })).status).toBe(400);

      const list = await call('GET', '/app-passwords', { token: u.token });
      expect(list.body.appPasswords).toEqual([{ id: made.body.id, label: 'WebDAV on the NAS', createdAt: made.body.createdAt, lastUsedAt: null }]);
      expect(JSON.stringify(list.body)).not.toContain(made.body.password);

      // A bearer token for the API, and Basic-auth material for WebDAV (with the right username only).
      const me = await call('GET', '/me', { token: made.body.password });
      expect(me.body).toMatchObject({ id: u.id, tokenKind: 'app_password' });
      expect((await userForAppPassword(srv.deps, u.username.toUpperCase(), made.body.password))?.id).toBe(u.id);
      expect(await userForAppPassword(srv.deps, 'someone-else', made.body.password)).toBeUndefined();
      expect(await userForAppPassword(srv.deps, u.username, PASSWORD)).toBeUndefined(); // not the account password
      expect(await userForAppPassword(srv.deps, u.username, u.token)).toBeUndefined(); // not a device token
      // An app password cannot mint more credentials.
      const minted = await call('POST', '/app-passwords', { token: made.body.password, body: { label: 'more' } });
      expect(minted.status).toBe(403);
      expect(minted.body.error.code).toBe('app_password_not_allowed');

      const other = await srv.user();
      expect((await call('DELETE', `/app-passwords/${made.body.id}`, { token: other.token })).status).toBe(404);
      expect((await call('DELETE', '/app-passwords/not-a-uuid', { token: u.token })).status).toBe(404);
      expect((await call('DELETE', `/app-passwords/${made.body.id}`, { token: u.token })).status).toBe(204);
      expect((await call('GET', '/me', { token: made.body.password })).status).toBe(401);
      expect((await call('GET', '/app-passwords', { token: u.token })).body.appPasswords).toEqual([]);
    });

    it("lists the caller's devices and revokes one; another user's device is a 404", async () => {
      const u = await srv.user();
      const laptop = await login(u.username, PASSWORD, { name: 'laptop', kind: 'desktop' });
      const phone = await login(u.username, PASSWORD, { name: 'phone', kind: 'mobile' });
      const list = await call('GET', '/devices', { token: laptop });
      expect(list.body.devices).toHaveLength(2);
      const [l, p] = list.body.devices;
      expect(l).toMatchObject({ name: 'laptop', kind: 'desktop', current: true, lastSeenAt: expect.any(String) });
      expect(p).toMatchObject({ name: 'phone', kind: 'mobile', current: false });

      const other = await srv.user();
      expect((await call('DELETE', `/devices/${p.id}`, { token: other.token })).status).toBe(404);
      expect((await call('GET', '/me', { token: phone })).status).toBe(200);
      expect((await call('DELETE', `/devices/${p.id}`, { token: laptop })).status).toBe(204);
      expect((await call('GET', '/me', { token: phone })).status).toBe(401);
      expect((await call('GET', '/devices', { token: laptop })).body.devices.map((d: { id: string }) => d.id)).toEqual([l.id]);
      expect((await call('DELETE', `/devices/${p.id}`, { token: laptop })).status).toBe(404);
    });
  });
}
