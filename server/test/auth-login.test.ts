/** Sign-in, sign-out, sign-up, rate limiting, the session cookie and CSRF, over real HTTP. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startTestServer, type TestServer } from './fixtures/server.js';

const PASSWORD = 'correct horse battery staple';
type Answer = { status: number; headers: Headers; body: any };

for (const backend of BACKENDS) {
  describe(`sign-in and sessions (${backend})`, () => {
    let srv: TestServer;
    // Each test signs in from its own address (trusted X-Forwarded-For), so per-address limits do not leak between tests.
    beforeAll(async () => {
      srv = await startTestServer(backend, { COFFER_TRUST_PROXY: '1', COFFER_OPEN_SIGNUP: '1', COFFER_LOGIN_FAILURES_PER_IP: '6' });
    }, 60_000);
    afterAll(async () => {
      await srv?.close();
    });

    const ip = () => `10.${randomBytes(3).join('.')}`;
    async function call(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
      const res = await fetch(`${srv.url}/api/v1${path}`, {
        method,
        headers: { 'x-forwarded-for': ip(), ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    }
    const login = (body: object, headers: Record<string, string> = {}) => call('POST', '/auth/login', { body, headers });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const cookieOf = (res: Answer) => res.headers.getSetCookie().find((c) => c.startsWith('coffer_session='));

    it('signs in with a session token; a wrong password and an unknown user get the very same 401', async () => {
      const u = await srv.user();
      const ok = await login({ username: u.username.toUpperCase(), password: PASSWORD });
      expect(ok.status).toBe(200);
      expect(ok.body.user).toEqual({ id: u.id, username: u.username, role: 'user', namespaceId: u.namespaceId, mustChangePassword: false });
      expect(ok.body.token).toMatch(/^cof_/);
      expect(cookieOf(ok)).toBeUndefined(); // no cookie unless asked
      const me = await call('GET', '/me', { headers: bearer(ok.body.token) });
      expect(me.body).toMatchObject({ id: u.id, tokenKind: 'session' });

      const wrong = await login({ username: u.username, password: 'not the password' });
      const unknown = await login({ username: `nobody_${u.username}`, password: 'not the password' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body.error.code).toBe('invalid_credentials');

      const bad = await login({ username: u.username });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
    });

    it('registers a device with a device token when one is named', async () => {
      const u = await srv.user();
      const res = await login({ username: u.username, password: PASSWORD, device: { name: 'laptop', kind: 'desktop' } });
      expect(res.status).toBe(200);
      const me = await call('GET', '/me', { headers: bearer(res.body.token) });
      expect(me.body.tokenKind).toBe('device');
      const list = await call('GET', '/devices', { headers: bearer(res.body.token) });
      expect(list.body.devices).toEqual([expect.objectContaining({ id: me.body.deviceId, name: 'laptop', kind: 'desktop', current: true })]);
      const badKind = await login({ username: u.username, password: PASSWORD, device: { name: 'x', kind: 'toaster' } });
      expect(badKind.status).toBe(400);
    });

    it('rate-limits failures per username with 429 and Retry-After, even for the right password', async () => {
      const u = await srv.user();
      for (let i = 0; i < 5; i++) expect((await login({ username: u.username, password: `wrong-${i}` })).status).toBe(401);
      const limited = await login({ username: u.username.toUpperCase(), password: PASSWORD });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body.error.details.retryAfter).toBe(Number(limited.headers.get('retry-after')));
      const other = await srv.user(); // another account is not affected
      expect((await login({ username: other.username, password: PASSWORD })).status).toBe(200);
    });

    it('rate-limits failures per client address across usernames', async () => {
      const from = { 'x-forwarded-for': ip() };
      for (let i = 0; i < 6; i++) expect((await login({ username: `spray${i}_${randomBytes(3).toString('hex')}`, password: 'guess1234' }, from)).status).toBe(401);
      const u = await srv.user();
      expect((await login({ username: u.username, password: PASSWORD }, from)).status).toBe(429);
      expect((await login({ username: u.username, password: PASSWORD })).status).toBe(200); // from elsewhere
    });

    it('sets an HttpOnly SameSite cookie that authenticates reads, and unsafe requests only with the CSRF header', async () => {
      const u = await srv.user();
      const res = await login({ username: u.username, password: PASSWORD, cookie: true }, { origin: srv.url });
      expect(res.status).toBe(200);
      const set = cookieOf(res)!;
      expect(set).toMatch(/HttpOnly/i);
      expect(set).toMatch(/SameSite=Lax/i);
      expect(set).toMatch(/Path=\//);
      expect(set).not.toMatch(/Secure/i); // the test server speaks plain HTTP
      const cookie = { cookie: set.split(';')[0]! };

      expect((await call('GET', '/me', { headers: cookie })).body.id).toBe(u.id);
      const forged = await call('POST', '/app-passwords', { body: { label: 'x' }, headers: cookie });
      expect(forged.status).toBe(403);
      expect(forged.body.error.code).toBe('csrf');
      const ours = await call('POST', '/app-passwords', { body: { label: 'x' }, headers: { ...cookie, 'x-coffer-csrf': '1' } });
      expect(ours.status).toBe(201);
      // A bearer request needs no CSRF header: no other site can make a browser send one.
      expect((await call('POST', '/app-passwords', { body: { label: 'y' }, headers: bearer(res.body.token) })).status).toBe(201);

      const secure = await login({ username: u.username, password: PASSWORD, cookie: true }, { 'x-forwarded-proto': 'https' });
      expect(cookieOf(secure)).toMatch(/; Secure/i); // the proxy says the browser used HTTPS
    });

    it('refuses a sign-in posted from another site (login CSRF)', async () => {
      const u = await srv.user();
      const res = await login({ username: u.username, password: PASSWORD, cookie: true }, { origin: 'https://evil.example' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('cross_origin');
      expect(cookieOf(res)).toBeUndefined();
    });

    it('signs out: the bearer token, the cookie (with the CSRF header) and a device', async () => {
      const u = await srv.user();
      const a = await login({ username: u.username, password: PASSWORD });
      expect((await call('POST', '/auth/logout', { headers: bearer(a.body.token) })).status).toBe(204);
      expect((await call('GET', '/me', { headers: bearer(a.body.token) })).status).toBe(401);
      expect((await call('POST', '/auth/logout')).status).toBe(401);

      const b = await login({ username: u.username, password: PASSWORD, cookie: true });
      const cookie = { cookie: cookieOf(b)!.split(';')[0]! };
      expect((await call('POST', '/auth/logout', { headers: cookie })).status).toBe(403);
      const out = await call('POST', '/auth/logout', { headers: { ...cookie, 'x-coffer-csrf': '1' } });
      expect(out.status).toBe(204);
      expect(cookieOf(out)).toMatch(/Max-Age=0/i);
      expect((await call('GET', '/me', { headers: cookie })).status).toBe(401);

      const d = await login({ username: u.username, password: PASSWORD, device: { name: 'phone', kind: 'mobile' } });
      const keep = await login({ username: u.username, password: PASSWORD });
      expect((await call('POST', '/auth/logout', { headers: bearer(d.body.token) })).status).toBe(204);
      expect((await call('GET', '/devices', { headers: bearer(keep.body.token) })).body.devices).toEqual([]);
    });

    it('signs up when open: usernames are unique case-insensitively and validated', async () => {
      const name = `New.User-${randomBytes(3).toString('hex')}`;
      const res = await call('POST', '/auth/signup', { body: { username: name, password: 'a fine password' } });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({ username: name, role: 'user', mustChangePassword: false });
      expect((await call('GET', '/me', { headers: bearer(res.body.token) })).body.username).toBe(name);

      const dup = await call('POST', '/auth/signup', { body: { username: name.toLowerCase(), password: 'another password' } });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('username_taken');
      for (const bad of [
        { username: '-dash', password: 'long enough' },
        { username: 'has space', password: 'long enough' },
        { username: 'x'.repeat(65), password: 'long enough' },
        { username: `ok${randomBytes(3).toString('hex')}`, password: 'short' },
      ]) {
        expect((await call('POST', '/auth/signup', { body: bad })).status).toBe(400);
      }
      expect((await login({ username: name.toUpperCase(), password: 'a fine password' })).status).toBe(200);
    });
  });
}
