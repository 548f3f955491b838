/**
 * Who gets the dashboard: a signed-in user who is not an administrator gets no admin data from
 * any /api/v1/admin route (every admin operation of @coffer/protocol, tried with a token and with
 * the session cookie) and the /admin page says "not allowed"; someone signed out gets its sign-in.
 * The shell at /admin carries the app's CSP and its hashed assets are immutable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_OPERATIONS, pathOf } from '@coffer/protocol';
import { DESKTOP, PHONE, signedInContext, startWebEnv, TEST_PASSWORD, type WebEnv } from '@coffer/web/testing/browser';
import { adminShot, expectAccessible, openPage } from './fixtures/admin.js';

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => {
  await env?.close();
});

const ADMIN_OPS = ALL_OPERATIONS.filter((op) => op.path.startsWith('/admin/') || op.path === '/admin');
const SOME_ID = '00000000-0000-4000-8000-000000000000';

describe('the dashboard for someone who is not an administrator', () => {
  it('every admin operation refuses a user (token and cookie alike) and answers no admin data', async () => {
    expect(ADMIN_OPS.length).toBeGreaterThanOrEqual(15);
    for (const op of ADMIN_OPS) expect(op.auth, op.id).toBe('admin');
    const user = await env.server.user();
    const admin = await env.server.user({ role: 'admin' });
    const cookieLogin = await fetch(`${env.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: env.server.url },
      body: JSON.stringify({ username: user.username, password: TEST_PASSWORD, cookie: true }),
    });
    const cookie = (cookieLogin.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^coffer_session=/);
    for (const op of ADMIN_OPS) {
      const params = Object.fromEntries([...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name!, name === 'id' && op.path.startsWith('/admin/nodes') ? 's3-0' : SOME_ID]));
      const url = `${env.server.url}/api/v1${pathOf(op, params)}`;
      const body = op.body ? '{}' : undefined;
      for (const auth of [user.auth, { cookie, 'x-coffer-csrf': '1', origin: env.server.url }]) {
        const res = await fetch(url, { method: op.method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
        const text = await res.text();
        expect(res.status, `${op.id} ${op.method} ${op.path}`).toBe(403);
        expect(JSON.parse(text), op.id).toMatchObject({ error: { code: expect.any(String) } });
        expect(text, op.id).not.toContain(admin.username);
        expect(text, op.id).not.toContain(user.username);
      }
    }
    // The same calls by an administrator reach the routes (not a 403), so the 403s above were the role.
    const asAdmin = await fetch(`${env.server.url}/api/v1/admin/users`, { headers: admin.auth });
    expect(asAdmin.status).toBe(200);
    expect(await asAdmin.text()).toContain(user.username);
  });

  it('shows "not allowed" at /admin to a user, and the sign-in to someone signed out', async () => {
    const user = await env.server.user();
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const context = await signedInContext(env, user, viewport);
      const { page, errors } = await openPage(context, '/admin/people');
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      expect(await page.getByText(`signed in as ${user.username}`).count()).toBe(1);
      expect(await page.getByRole('table').count()).toBe(0);
      await expectAccessible(page, 'not allowed');
      await adminShot(page, `not-allowed-${size}`);
      expect(errors).toEqual([]);
      await context.close();

      const anon = await env.browser.newContext({ baseURL: env.server.url, viewport, locale: 'en-US' });
      const signIn = await openPage(anon, '/admin');
      await signIn.page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      await expectAccessible(signIn.page, 'sign-in');
      await adminShot(signIn.page, `sign-in-${size}`);
      await anon.close();
    }
  });

  it('serves /admin with the app CSP, hashed immutable assets, and keeps /admin/api a 404', async () => {
    const res = await fetch(`${env.server.url}/admin/storage`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).toContain('<title>Coffer admin</title>');
    const asset = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${env.server.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${env.server.url}/admin`, { headers: { accept: 'text/html' } })).status).toBe(200);
    expect((await fetch(`${env.server.url}/admin/people`)).status).toBe(404); // not a browser asking for a page
    expect((await fetch(`${env.server.url}/admin/api/x`, { headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await fetch(`${env.server.url}/admin/assets/../index.html`)).status).toBe(404);
    // The drive app's shell is still the drive app's.
    expect(await (await fetch(`${env.server.url}/files`, { headers: { accept: 'text/html' } })).text()).not.toContain('Coffer admin');
  });
});
