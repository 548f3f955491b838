/**
 * People in the admin dashboard (issue 18): creating, disabling, resetting passwords (the change
 * enforced at the next sign-in), deleting with a preview of what goes, devices, sessions and app
 * passwords revoked; and the audit log those actions, sign-ins and their failures write.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caller, login } from './fixtures/admin-calls.js';
import { useTestServer } from './fixtures/server.js';

const PASSWORD = 'correct horse battery staple';

describe('admin people and audit log (postgres)', () => {
  const srv = useTestServer('postgres', { COFFER_TRUST_PROXY: '1' });
  const call = caller(srv);
  const name = () => `p_${randomBytes(3).toString('hex')}`;

  async function signIn(username: string, password: string, device?: string) {
    const res = await fetch(`${srv.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ username, password, ...(device ? { device: { name: device, kind: 'desktop' } } : {}) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('a disabled user cannot sign in or use their tokens; enabled again, they can', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    expect((await call('GET', '/me', u.token)).status).toBe(200);
    expect((await call('PATCH', `/admin/users/${u.id}`, admin.token, { disabled: true })).body.disabled).toBe(true);
    expect((await call('GET', '/me', u.token)).status).toBe(401);
    const refused = await signIn(u.username, PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_disabled');
    expect((await call('PATCH', `/admin/users/${u.id}`, admin.token, { disabled: false })).status).toBe(200);
    expect((await signIn(u.username, PASSWORD)).status).toBe(200);
    const events = (await call('GET', `/admin/audit?q=${u.username}`, admin.token)).body.events;
    expect(events.map((e: { kind: string }) => e.kind)).toEqual(['sign_in', 'user_enabled', 'sign_in_failed', 'user_disabled']);
    expect(events[2]).toMatchObject({ actorId: u.id, details: { reason: 'account_disabled' }, clientAddress: '203.0.113.7' });
    expect(events[3]).toMatchObject({ actorId: admin.id, actorName: admin.username, target: u.username });
  });

  it('a reset password must be changed: sign-in says so and everything else refuses until it is', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    const reset = await call('PATCH', `/admin/users/${u.id}`, admin.token, { password: 'temporary pass 1' });
    expect(reset.body.mustChangePassword).toBe(true);
    expect((await call('GET', '/me', u.token)).status).toBe(401); // signed out everywhere
    const s = await signIn(u.username, 'temporary pass 1');
    expect(s.status).toBe(200);
    expect(s.body.user.mustChangePassword).toBe(true);
    const files = await call('GET', '/list?path=/', s.body.token);
    expect(files.status).toBe(403);
    expect(files.body.error.code).toBe('password_change_required');
    expect((await call('POST', '/me/password', s.body.token, { current: 'temporary pass 1', new: 'my own new password' })).status).toBeLessThan(300);
    expect((await call('GET', '/list?path=/', s.body.token)).status).toBe(200);
    // Forced without a new password: the same rule.
    expect((await call('PATCH', `/admin/users/${u.id}`, admin.token, { mustChangePassword: true })).body.mustChangePassword).toBe(true);
    expect((await call('GET', '/list?path=/', s.body.token)).body.error.code).toBe('password_change_required');
    const audit = (await call('GET', `/admin/audit?kind=user_password_reset&q=${u.username}`, admin.token)).body.events;
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('temporary pass 1');
  });

  it('create uses the default quota; role and quota changes are audited', async () => {
    const admin = await srv.user({ role: 'admin' });
    const username = name();
    const made = await call('POST', '/admin/users', admin.token, { username, password: 'initial password' });
    expect(made.status).toBe(201);
    expect(made.body.quotaBytes).toBe(10 * 1024 ** 3);
    await call('PATCH', `/admin/users/${made.body.id}`, admin.token, { role: 'admin', quotaBytes: 1024 ** 3 });
    const kinds = (await call('GET', `/admin/audit?q=${username}`, admin.token)).body.events.map((e: { kind: string }) => e.kind);
    // Newest first: one change, recorded per thing an operator looks for, in the order listed.
    expect(kinds).toEqual(['user_quota_changed', 'user_role_changed', 'user_created']);
  });

  it('devices, sessions and app passwords: listed without secrets and revoked one by one or all at once', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    const a = await signIn(u.username, PASSWORD, 'laptop');
    const b = await signIn(u.username, PASSWORD);
    const app = await call('POST', '/app-passwords', a.body.token, { label: 'webdav' });
    expect(app.status).toBe(201);
    const access = await call('GET', `/admin/users/${u.id}/access`, admin.token);
    expect(access.status).toBe(200);
    expect(access.body.devices.map((d: { name: string }) => d.name)).toEqual(['laptop']);
    const kinds = access.body.tokens.map((t: { kind: string }) => t.kind).sort();
    expect(kinds).toEqual(['app_password', 'device', 'device', 'session']);
    const text = JSON.stringify(access.body);
    for (const secret of [a.body.token, b.body.token, app.body.password, u.token]) expect(text).not.toContain(secret);

    // One session.
    const session = access.body.tokens.find((t: { kind: string }) => t.kind === 'session');
    expect((await call('POST', `/admin/users/${u.id}/tokens/${session.id}/revoke`, admin.token)).status).toBe(204);
    expect((await call('GET', '/me', b.body.token)).status).toBe(401);
    expect((await call('POST', `/admin/users/${u.id}/tokens/${session.id}/revoke`, admin.token)).status).toBe(404);
    // Another user's token through this user's path: not found, nothing revoked.
    const other = await srv.user();
    const otherTok = (await call('GET', `/admin/users/${other.id}/access`, admin.token)).body.tokens[0];
    expect((await call('POST', `/admin/users/${u.id}/tokens/${otherTok.id}/revoke`, admin.token)).status).toBe(404);
    expect((await call('GET', '/me', other.token)).status).toBe(200);
    // The device, its token with it.
    expect((await call('POST', `/admin/users/${u.id}/devices/${access.body.devices[0].id}/revoke`, admin.token)).status).toBe(204);
    expect((await call('GET', '/me', a.body.token)).status).toBe(401);
    // All sessions: the fixture's device token ends, the app password stays.
    const all = await call('POST', `/admin/users/${u.id}/sessions/revoke`, admin.token);
    expect(all.body.revoked).toBe(1);
    expect((await call('GET', '/me', u.token)).status).toBe(401);
    expect((await call('GET', '/me', app.body.password)).status).toBe(200);
    expect((await call('GET', `/admin/audit?kind=user_sessions_revoked&q=${u.username}`, admin.token)).body.events).toHaveLength(3);
    expect((await call('GET', '/admin/users/00000000-0000-4000-8000-000000000000/access', admin.token)).status).toBe(404);
  });

  it('deletion preview states the files, bytes, shares and links that go; the delete is audited', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    const friend = await srv.user();
    expect((await call('POST', '/mkdir', u.token, { path: '/docs' })).status).toBe(201);
    for (const p of ['/docs/one.txt', '/docs/two.txt']) {
      expect((await fetch(`${srv.url}/api/v1/upload?uploadType=media&path=${p}`, { method: 'POST', headers: u.auth, body: `content of ${p}` })).status).toBe(201);
    }
    expect((await call('POST', '/shares', u.token, { path: '/docs', user: friend.username, role: 'viewer' })).status).toBe(201);
    expect((await call('POST', '/links', u.token, { path: '/docs/one.txt' })).status).toBe(201);
    const preview = await call('GET', `/admin/users/${u.id}/deletion`, admin.token);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ user: { id: u.id }, files: 2, folders: 1, sharesEnding: 1, linksEnding: 1, devices: 0, tokens: 1 });
    expect(preview.body.bytes).toBe('content of /docs/one.txt'.length + 'content of /docs/two.txt'.length);
    expect((await call('DELETE', `/admin/users/${u.id}`, admin.token)).status).toBe(204);
    expect((await call('GET', `/admin/users/${u.id}/deletion`, admin.token)).status).toBe(404);
    const kinds = (await call('GET', `/admin/audit?actor=${u.username}`, admin.token)).body.events.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['link_created', 'share_created']);
    expect((await call('GET', `/admin/audit?kind=user_deleted&q=${u.username}`, admin.token)).body.events[0]).toMatchObject({ actorName: admin.username, target: u.username });
  });

  it('audit log: failed sign-ins with the address and no password; search by text, actor, kind, time; pages by cursor', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    const wrong = 'not-the-password-' + randomBytes(4).toString('hex');
    expect((await login(srv, u.username, wrong, { 'x-forwarded-for': '198.51.100.9' })).status).toBe(401);
    expect((await login(srv, `nobody_${u.username}`, wrong, { 'x-forwarded-for': '198.51.100.9' })).status).toBe(401);
    const failed = await call('GET', `/admin/audit?kind=sign_in_failed&q=${u.username}`, admin.token);
    expect(failed.body.events).toHaveLength(2);
    expect(failed.body.events.every((e: { clientAddress: string }) => e.clientAddress === '198.51.100.9')).toBe(true);
    expect(JSON.stringify(failed.body)).not.toContain(wrong);
    expect(failed.body.retentionDays).toBe(365);

    // Five groups made: paged two at a time, newest first, nothing lost or repeated.
    const tag = randomBytes(3).toString('hex');
    for (let i = 0; i < 5; i++) expect((await call('POST', '/admin/groups', admin.token, { name: `g${i}_${tag}` })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call('GET', `/admin/audit?kind=group_created&q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin.token);
      expect(page.body.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.events.map((e: { target: string }) => e.target));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `g${i}_${tag}`));
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await call('GET', `/admin/audit?q=${tag}&from=${encodeURIComponent(future)}`, admin.token)).body.events).toEqual([]);
    expect((await call('GET', `/admin/audit?q=${tag}&to=${encodeURIComponent(future)}`, admin.token)).body.events).toHaveLength(5);
    expect((await call('GET', `/admin/audit?actor=${admin.username.toUpperCase()}&kind=group_created`, admin.token)).body.events).toHaveLength(5);
    for (const bad of ['kind=nope', 'cursor=%21%21', 'from=yesterday', 'limit=0']) expect((await call('GET', `/admin/audit?${bad}`, admin.token)).status, bad).toBe(400);
  });
});
