/**
 * Run-time settings (issue 18): each with its effective value and source (environment, database,
 * default); a change takes effect where the setting applies — sign-up, the default quota, the
 * link policy, trash days and audit retention — and one the environment pins is refused.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { auditEvents, files } from '../src/db/schema.js';
import { caller } from './fixtures/admin-calls.js';
import { runJob } from './fixtures/jobs.js';
import { useTestServer } from './fixtures/server.js';

const signup = (url: string, username: string) =>
  fetch(`${url}/api/v1/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'a good long password' }) });

describe('admin settings (postgres)', () => {
  const srv = useTestServer('postgres');
  const call = caller(srv);

  it('answers every setting with its default; a change is stored, audited, and null drops it again', async () => {
    const admin = await srv.user({ role: 'admin' });
    const got = await call('GET', '/admin/settings/values', admin.token);
    expect(got.status).toBe(200);
    expect(got.body.openSignup).toEqual({ value: false, source: 'default', env: 'COFFER_OPEN_SIGNUP', defaultValue: false });
    expect(got.body.requireTwoFactor).toEqual({ value: false, source: 'default', env: null, defaultValue: false });
    expect(Object.keys(got.body).sort()).toEqual(
      ['allowPublicLinks', 'auditRetentionDays', 'defaultQuotaBytes', 'journalRetentionDays', 'linkMaxExpiryDays', 'linkRequirePassword', 'maxVersions', 'openSignup', 'requireTwoFactor', 'trashDays'].sort(),
    );
    for (const bad of [{}, { trashDays: 0 }, { openSignup: 'yes' }, { bogus: 1 }, { defaultQuotaBytes: -1 }]) {
      expect((await call('PUT', '/admin/settings/values', admin.token, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const two = await call('PUT', '/admin/settings/values', admin.token, { requireTwoFactor: true, openSignup: true });
    expect(two.status).toBe(409);
    expect(two.body.error.code).toBe('two_factor_not_enabled');
    expect((await call('GET', '/admin/settings/values', admin.token)).body.openSignup.source).toBe('default'); // nothing changed

    const put = await call('PUT', '/admin/settings/values', admin.token, { openSignup: true, trashDays: 3 });
    expect(put.status).toBe(200);
    expect(put.body.openSignup).toMatchObject({ value: true, source: 'database' });
    expect(put.body.trashDays).toMatchObject({ value: 3, source: 'database', defaultValue: 30 });
    const audit = await call('GET', '/admin/audit?kind=settings_changed', admin.token);
    expect(audit.body.events[0]).toMatchObject({ actorName: admin.username, target: 'openSignup, trashDays', details: { openSignup: true, trashDays: 3 } });
    const dropped = await call('PUT', '/admin/settings/values', admin.token, { openSignup: null, trashDays: null });
    expect(dropped.body.openSignup).toMatchObject({ value: false, source: 'default' });
    expect(dropped.body.trashDays).toMatchObject({ value: 30, source: 'default' });
    // The older two-factor settings answer reads the same store.
    expect((await call('GET', '/admin/settings', admin.token)).body).toEqual({ requireTwoFactor: false });
  });

  it('sign-up opens and closes; new accounts take the default quota', async () => {
    const admin = await srv.user({ role: 'admin' });
    const closed = await signup(srv.url, `s_${randomBytes(3).toString('hex')}`);
    expect(closed.status).toBe(403);
    expect(((await closed.json()) as any).error.code).toBe('signup_closed');
    await call('PUT', '/admin/settings/values', admin.token, { openSignup: true, defaultQuotaBytes: 123_456_789 });
    const open = await signup(srv.url, `s_${randomBytes(3).toString('hex')}`);
    expect(open.status).toBe(201);
    const me = await call('GET', '/me', ((await open.json()) as any).token);
    expect(me.body.quotaBytes).toBe(123_456_789);
    const made = await call('POST', '/admin/users', admin.token, { username: `a_${randomBytes(3).toString('hex')}`, password: 'initial password' });
    expect(made.body.quotaBytes).toBe(123_456_789);
    const given = await call('POST', '/admin/users', admin.token, { username: `a_${randomBytes(3).toString('hex')}`, password: 'initial password', quotaBytes: 5 });
    expect(given.body.quotaBytes).toBe(5);
    await call('PUT', '/admin/settings/values', admin.token, { openSignup: null, defaultQuotaBytes: null });
    expect((await signup(srv.url, `s_${randomBytes(3).toString('hex')}`)).status).toBe(403);
  });

  it('the link policy refuses links without a password, too far an expiry, or any at all', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    expect((await fetch(`${srv.url}/api/v1/upload?uploadType=media&path=/l.txt`, { method: 'POST', headers: u.auth, body: 'linked' })).status).toBe(201);
    const soon = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const late = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const make = (extra: object) => call('POST', '/links', u.token, { path: '/l.txt', ...extra });

    await call('PUT', '/admin/settings/values', admin.token, { linkRequirePassword: true, linkMaxExpiryDays: 7 });
    for (const body of [{}, { password: 'link secret' }, { password: 'link secret', expiresAt: late }, { expiresAt: soon }]) {
      const res = await make(body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(res.body.error.code).toBe('link_policy');
    }
    const ok = await make({ password: 'link secret', expiresAt: soon });
    expect(ok.status).toBe(201);
    // Loosening it later is held to the policy too; disabling never is.
    expect((await call('PATCH', `/links/${ok.body.id}`, u.token, { password: null })).body.error.code).toBe('link_policy');
    expect((await call('PATCH', `/links/${ok.body.id}`, u.token, { expiresAt: late })).status).toBe(409);
    expect((await call('PATCH', `/links/${ok.body.id}`, u.token, { disabled: true })).status).toBe(200);

    await call('PUT', '/admin/settings/values', admin.token, { allowPublicLinks: false, linkRequirePassword: null, linkMaxExpiryDays: null });
    expect((await make({})).body.error.code).toBe('link_policy');
    await call('PUT', '/admin/settings/values', admin.token, { allowPublicLinks: null });
    expect((await make({})).status).toBe(201);
    const kinds = (await call('GET', `/admin/audit?actor=${u.username}`, admin.token)).body.events.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['link_created', 'link_revoked', 'link_created']);
  });

  it('trash days and audit retention take effect in the retention job', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    const db = srv.database.db;
    expect((await fetch(`${srv.url}/api/v1/upload?uploadType=media&path=/old.txt`, { method: 'POST', headers: u.auth, body: 'old' })).status).toBe(201);
    expect((await call('POST', '/delete', u.token, { path: '/old.txt' })).status).toBe(200);
    await db.update(files).set({ trashedAt: new Date(Date.now() - 3 * 86_400_000) }).where(sql`${files.namespaceId} = ${u.namespaceId}`);
    await db.insert(auditEvents).values({ kind: 'sign_in', at: new Date(Date.now() - 20 * 86_400_000), actorName: 'long-ago' });

    expect((await call('GET', '/trash', u.token)).body.entries).toHaveLength(1);
    // The defaults (30 days of trash, a year of audit) keep both.
    let job = await runJob(srv, 'retention');
    expect(job.progress).toMatchObject({ trashPurged: 0, auditTrimmed: 0 });
    await call('PUT', '/admin/settings/values', admin.token, { trashDays: 2, auditRetentionDays: 10 });
    job = await runJob(srv, 'retention');
    expect(job.progress).toMatchObject({ trashPurged: 1, auditTrimmed: 1 });
    const trash = await call('GET', '/trash', u.token);
    expect(trash.status).toBe(200);
    expect(trash.body.entries).toEqual([]);
    expect((await call('GET', '/admin/audit?actor=long-ago', admin.token)).body.events).toEqual([]);
    await call('PUT', '/admin/settings/values', admin.token, { trashDays: null, auditRetentionDays: null });
  });
});

describe('admin settings pinned by the environment (postgres)', () => {
  const srv = useTestServer('postgres', { COFFER_TRASH_DAYS: '7', COFFER_ALLOW_PUBLIC_LINKS: 'false', COFFER_DEFAULT_QUOTA_BYTES: '1000' });
  const call = caller(srv);

  it('shows the environment as the source and refuses to change what it pins, changing nothing', async () => {
    const admin = await srv.user({ role: 'admin' });
    const got = (await call('GET', '/admin/settings/values', admin.token)).body;
    expect(got.trashDays).toEqual({ value: 7, source: 'environment', env: 'COFFER_TRASH_DAYS', defaultValue: 30 });
    expect(got.allowPublicLinks).toMatchObject({ value: false, source: 'environment' });
    const res = await call('PUT', '/admin/settings/values', admin.token, { trashDays: 9, openSignup: true });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'setting_pinned', details: { settings: ['trashDays'], env: ['COFFER_TRASH_DAYS'] } });
    const after = (await call('GET', '/admin/settings/values', admin.token)).body;
    expect(after.openSignup.source).toBe('default');
    expect(after.trashDays.value).toBe(7);
    expect((await call('POST', '/admin/users', admin.token, { username: `e_${randomBytes(3).toString('hex')}`, password: 'initial password' })).body.quotaBytes).toBe(1000);
  });
});

describe('run-time settings from the environment', () => {
  it('reads set variables with the settings’ own rules and stops the boot on a bad one', () => {
    expect(loadConfig({ COFFER_OPEN_SIGNUP: 'true', COFFER_LINK_MAX_EXPIRY_DAYS: '14', COFFER_DEFAULT_QUOTA_BYTES: '' }).pinnedSettings).toEqual({ openSignup: true, linkMaxExpiryDays: 14 });
    expect(loadConfig({}).pinnedSettings).toEqual({});
    for (const bad of [{ COFFER_LINK_MAX_EXPIRY_DAYS: 'soon' }, { COFFER_ALLOW_PUBLIC_LINKS: 'maybe' }, { COFFER_AUDIT_RETENTION_DAYS: '0' }, { COFFER_OPEN_SIGNUP: 'yes' }]) {
      expect(() => loadConfig(bad), JSON.stringify(bad)).toThrow(/invalid configuration/);
    }
  });
});
