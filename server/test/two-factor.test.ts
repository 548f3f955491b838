/**
 * Two-factor sign-in over real HTTP (PostgreSQL and PGlite): TOTP enrolment and sign-in, codes
 * good once, recovery codes, removal, rate limits, the administrator's requirement, and passkeys
 * (registration, second factor, passwordless) answered by a software authenticator with real
 * ES256 signatures.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/open.js';
import { BACKENDS, startTestServer, type TestServer } from './fixtures/server.js';
import { SoftAuthenticator } from './fixtures/soft-authenticator.js';

const PASSWORD = 'correct horse battery staple';
type Answer = { status: number; body: any };
type User = Awaited<ReturnType<TestServer['user']>>;

/** The code an authenticator app shows for `secret` at `at` (ms). */
function codeAt(secret: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });
}

/** The start of a 30-second step with at least 8 s left, so codes for it and its neighbours stay good while a test runs. */
async function freshStep(): Promise<number> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 8_000) await new Promise((r) => setTimeout(r, left + 50));
  return Date.now();
}

for (const backend of BACKENDS) {
  describe(`two-factor sign-in (${backend})`, () => {
    let srv: TestServer;
    beforeAll(async () => {
      srv = await startTestServer(backend, { COFFER_TRUST_PROXY: '1', COFFER_LOGIN_FAILURES_PER_USER: '6', COFFER_LOGIN_FAILURES_PER_IP: '1000', COFFER_WEBDAV_ACCOUNT_PASSWORD: '1' });
    }, 60_000);
    afterAll(async () => {
      await srv?.close();
    });

    const ip = () => `10.${randomBytes(3).join('.')}`;
    async function call(method: string, path: string, opts: { body?: unknown; auth?: Record<string, string>; from?: string } = {}): Promise<Answer> {
      const res = await fetch(`${srv.url}/api/v1${path}`, {
        method,
        headers: { 'x-forwarded-for': opts.from ?? ip(), ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.auth },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    /** The status a websocket upgrade to the change feed gets (101: opened, then closed here). */
    const upgradeStatus = (token: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/api/v1/events`, ['coffer', `bearer.${token}`]);
        ws.once('open', () => (ws.close(), resolve(101)));
        ws.once('unexpected-response', (_req, res) => (resolve(res.statusCode ?? 0), res.resume()));
        ws.once('error', reject);
      });
    const login = (u: { username: string }, extra: object = {}) => call('POST', '/auth/login', { body: { username: u.username, password: PASSWORD, ...extra } });
    const second = (body: object, from?: string) => call('POST', '/auth/2fa', { body, from });

    /** Enrol an authenticator app for `u`, confirmed with the code of the step before `t`; its secret and recovery codes. */
    async function enrolTotp(u: User, t: number): Promise<{ secret: string; recoveryCodes: string[] }> {
      const begun = await call('POST', '/me/2fa/totp', { auth: u.auth });
      expect(begun.status).toBe(201);
      const done = await call('POST', '/me/2fa/totp/confirm', { auth: u.auth, body: { code: codeAt(begun.body.secret, t - 30_000) } });
      expect(done.status).toBe(200);
      return { secret: begun.body.secret, recoveryCodes: done.body.recoveryCodes };
    }

    it('enrols an authenticator app; sign-in then needs its code, each code works once, a wrong one is refused', async () => {
      const t = await freshStep();
      const u = await srv.user();
      expect((await call('GET', '/me/2fa', { auth: u.auth })).body).toEqual({ enabled: false, totp: false, passkeys: [], recoveryCodesLeft: 0, required: false });

      const begun = await call('POST', '/me/2fa/totp', { auth: u.auth });
      expect(begun.status).toBe(201);
      expect(begun.body.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(begun.body.uri).toMatch(new RegExp(`^otpauth://totp/Coffer:${u.username}\\?`));
      expect(begun.body.uri).toContain(`secret=${begun.body.secret}`);
      // Still pending: sign-in asks for nothing more yet.
      expect((await login(u)).status).toBe(200);
      // The secret is sealed at rest: neither its base32 nor its bytes are in the row.
      const [row] = rowsOf<{ s: string }>(await srv.database.db.execute(sql`select secret_sealed as s from user_totp where user_id = ${u.id}`));
      expect(row!.s).toMatch(/^v1\./);
      expect(row!.s).not.toContain(begun.body.secret);
      expect(row!.s).not.toContain(Buffer.from(Secret.fromBase32(begun.body.secret).bytes).toString('base64url'));

      const real = codeAt(begun.body.secret, t - 30_000);
      const wrongCode = real === '123456' ? '654321' : '123456';
      const wrong = await call('POST', '/me/2fa/totp/confirm', { auth: u.auth, body: { code: wrongCode } });
      expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'invalid_code' } } });
      const done = await call('POST', '/me/2fa/totp/confirm', { auth: u.auth, body: { code: real } });
      expect(done.status).toBe(200);
      expect(done.body.recoveryCodes).toHaveLength(10);
      expect(new Set(done.body.recoveryCodes).size).toBe(10);
      expect((await call('GET', '/me/2fa', { auth: u.auth })).body).toMatchObject({ enabled: true, totp: true, recoveryCodesLeft: 10 });
      expect((await call('POST', '/me/2fa/totp', { auth: u.auth })).body.error.code).toBe('totp_enabled');

      // The password alone gives a ticket, not a session.
      const first = await login(u, { cookie: true });
      expect(first.status).toBe(202);
      expect(first.body.token).toBeUndefined();
      expect(first.body.twoFactor).toMatchObject({ methods: ['totp', 'recovery'] });
      expect(first.body.twoFactor.passkeyOptions).toBeUndefined();
      const ticket = first.body.twoFactor.ticket;
      expect((await call('GET', '/me', { auth: bearer(ticket) })).status).toBe(401); // a ticket is no token
      expect(await second({ ticket, totp: wrongCode })).toMatchObject({ status: 401, body: { error: { code: 'invalid_code' } } });
      // The confirmation's code was spent: not good again.
      expect(await second({ ticket, totp: real })).toMatchObject({ status: 401, body: { error: { code: 'invalid_code' } } });
      const now = codeAt(begun.body.secret, t);
      const ok = await second({ ticket, totp: now });
      expect(ok.status).toBe(200);
      expect(ok.body.user.id).toBe(u.id);
      expect((await call('GET', '/me', { auth: bearer(ok.body.token) })).body.id).toBe(u.id);
      // The ticket is spent; the code is spent.
      expect(await second({ ticket, totp: codeAt(begun.body.secret, t + 30_000) })).toMatchObject({ status: 401, body: { error: { code: 'two_factor_ticket_invalid' } } });
      const again = await login(u);
      expect(await second({ ticket: again.body.twoFactor.ticket, totp: now })).toMatchObject({ status: 401, body: { error: { code: 'invalid_code' } } });
      // The next step's code (a clock a little ahead) still works, once.
      expect((await second({ ticket: again.body.twoFactor.ticket, totp: codeAt(begun.body.secret, t + 30_000) })).status).toBe(200);
    });

    it('a CLI device sign-in takes the second step too; a recovery code works once', async () => {
      const t = await freshStep();
      const u = await srv.user();
      const { recoveryCodes } = await enrolTotp(u, t);
      const first = await login(u, { device: { name: 'laptop', kind: 'cli' } });
      expect(first.status).toBe(202);
      // No device is made before the second step.
      expect((await call('GET', '/devices', { auth: u.auth })).body.devices.map((d: any) => d.name)).not.toContain('laptop');
      const code = recoveryCodes[3]!.toUpperCase().replace('-', ' ');
      const ok = await second({ ticket: first.body.twoFactor.ticket, recoveryCode: code });
      expect(ok.status).toBe(200);
      const devices = (await call('GET', '/devices', { auth: bearer(ok.body.token) })).body.devices;
      expect(devices.find((d: any) => d.current)).toMatchObject({ name: 'laptop', kind: 'cli' });
      expect((await call('GET', '/me/2fa', { auth: u.auth })).body.recoveryCodesLeft).toBe(9);
      const again = await login(u);
      expect(await second({ ticket: again.body.twoFactor.ticket, recoveryCode: recoveryCodes[3] })).toMatchObject({ status: 401, body: { error: { code: 'invalid_code' } } });
      expect((await second({ ticket: again.body.twoFactor.ticket, recoveryCode: recoveryCodes[4] })).status).toBe(200);
      // App passwords stay single-factor: made by a full sign-in, they work without a code.
      const app = await call('POST', '/app-passwords', { auth: bearer(ok.body.token), body: { label: 'webdav' } });
      expect(app.status).toBe(201);
      expect((await call('GET', '/me', { auth: bearer(app.body.password) })).status).toBe(200);
      // … and can do nothing to the second factors.
      expect((await call('POST', '/me/2fa/totp/remove', { auth: bearer(app.body.password), body: { password: PASSWORD } })).body.error.code).toBe('app_password_not_allowed');
    });

    it('WebDAV: with a second factor the account password no longer mounts; app passwords do, and the requirement reaches them', async () => {
      const t = await freshStep();
      const u = await srv.user();
      const admin = await srv.user({ role: 'admin' });
      const dav = (password: string) =>
        fetch(`${srv.url}/dav/`, { method: 'PROPFIND', headers: { depth: '0', 'x-forwarded-for': ip(), authorization: `Basic ${Buffer.from(`${u.username}:${password}`).toString('base64')}` } }).then((r) => r.status);
      const app = (await call('POST', '/app-passwords', { auth: u.auth, body: { label: 'mount' } })).body.password as string;
      expect(await dav(PASSWORD)).toBe(207); // COFFER_WEBDAV_ACCOUNT_PASSWORD=1 on this server
      await enrolTotp(admin, t);
      expect((await call('PATCH', '/admin/settings', { auth: admin.auth, body: { requireTwoFactor: true } })).status).toBe(200);
      try {
        expect(await dav(app)).toBe(403);
      } finally {
        expect((await call('PATCH', '/admin/settings', { auth: admin.auth, body: { requireTwoFactor: false } })).status).toBe(200);
      }
      await enrolTotp(u, t);
      expect(await dav(PASSWORD)).toBe(401);
      expect(await dav(app)).toBe(207);
    });

    it('wrong codes are rate-limited like passwords, and a few end the ticket', async () => {
      const t = await freshStep();
      const u = await srv.user();
      const { secret } = await enrolTotp(u, t);
      const from = ip();
      const first = await login(u);
      const ticket = first.body.twoFactor.ticket;
      const wrong = codeAt(secret, t) === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) expect((await second({ ticket, totp: wrong }, from)).body.error.code).toBe('invalid_code');
      // Five wrong answers ended this ticket, even with the right code now.
      expect((await second({ ticket, totp: codeAt(secret, t) }, from)).body.error.code).toBe('two_factor_ticket_invalid');
      const next = await login(u);
      expect((await second({ ticket: next.body.twoFactor.ticket, totp: wrong }, ip())).status).toBe(401);
      // Six failures for this user within the window: the seventh attempt waits, right code or not.
      const limited = await call('POST', '/auth/2fa', { body: { ticket: next.body.twoFactor.ticket, totp: codeAt(secret, t) } });
      expect(limited.status).toBe(429);
    });

    it('removing the authenticator needs the password or a current code; then the password alone signs in', async () => {
      const t = await freshStep();
      const u = await srv.user();
      const { recoveryCodes } = await enrolTotp(u, t);
      expect((await call('POST', '/me/2fa/totp/remove', { auth: u.auth, body: {} })).status).toBe(400);
      expect((await call('POST', '/me/2fa/totp/remove', { auth: u.auth, body: { password: 'not the password' } })).body.error.code).toBe('wrong_password');
      expect((await call('POST', '/me/2fa/totp/remove', { auth: u.auth, body: { code: '000000' } })).body.error.code).toBe('invalid_code');
      expect((await login(u)).status).toBe(202);
      // New recovery codes replace the old ones (a recovery code proves the owner here, and is spent).
      const regen = await call('POST', '/me/2fa/recovery-codes', { auth: u.auth, body: { code: recoveryCodes[0] } });
      expect(regen.status).toBe(200);
      expect(regen.body.recoveryCodes).toHaveLength(10);
      expect((await call('POST', '/me/2fa/totp/remove', { auth: u.auth, body: { code: recoveryCodes[1] } })).body.error.code).toBe('invalid_code');
      expect((await call('POST', '/me/2fa/totp/remove', { auth: u.auth, body: { password: PASSWORD } })).status).toBe(204);
      expect((await call('GET', '/me/2fa', { auth: u.auth })).body).toMatchObject({ enabled: false, totp: false, recoveryCodesLeft: 0 });
      const plain = await login(u);
      expect(plain.status).toBe(200);
      expect(plain.body.token).toMatch(/^cof_/);
    });

    it('an administrator can require two-factor for everyone: accounts without it reach only enrolment until they enrol', async () => {
      const t = await freshStep();
      const admin = await srv.user({ role: 'admin' });
      const u = await srv.user();
      // Not before the administrator has a second factor: they would lock themselves out.
      expect((await call('PATCH', '/admin/settings', { auth: admin.auth, body: { requireTwoFactor: true } })).body.error.code).toBe('two_factor_not_enabled');
      expect((await call('PATCH', '/admin/settings', { auth: u.auth, body: { requireTwoFactor: true } })).status).toBe(403);
      await enrolTotp(admin, t);
      try {
        expect(await call('PATCH', '/admin/settings', { auth: admin.auth, body: { requireTwoFactor: true } })).toEqual({ status: 200, body: { requireTwoFactor: true } });
        expect((await call('GET', '/admin/settings', { auth: admin.auth })).body).toEqual({ requireTwoFactor: true });
        expect((await call('GET', '/list?path=/', { auth: admin.auth })).status).toBe(200);
        // The user signs in with the password (no factor to ask for), and is led to enrolment.
        const s = await login(u);
        expect(s.status).toBe(200);
        const auth = bearer(s.body.token);
        expect(await call('GET', '/list?path=/', { auth })).toMatchObject({ status: 403, body: { error: { code: 'two_factor_enrolment_required' } } });
        expect((await call('POST', '/app-passwords', { auth, body: { label: 'x' } })).body.error.code).toBe('two_factor_enrolment_required');
        expect((await call('GET', '/me', { auth })).body).toMatchObject({ id: u.id, twoFactorEnrolmentRequired: true });
        expect((await call('GET', '/me/2fa', { auth })).body).toMatchObject({ enabled: false, required: true });
        expect(await upgradeStatus(s.body.token)).toBe(403); // the change feed's websocket too
        await enrolTotp({ ...u, auth }, t);
        expect((await call('GET', '/list?path=/', { auth })).status).toBe(200);
        expect((await call('GET', '/me', { auth })).body.twoFactorEnrolmentRequired).toBe(false);
        expect(await upgradeStatus(s.body.token)).toBe(101);
      } finally {
        await call('PATCH', '/admin/settings', { auth: admin.auth, body: { requireTwoFactor: false } });
      }
      expect((await call('GET', '/admin/settings', { auth: admin.auth })).body).toEqual({ requireTwoFactor: false });
    });

    it('passkeys: registration, sign-in with a passkey as the second factor, passwordless sign-in, removal', async () => {
      const u = await srv.user();
      const key = new SoftAuthenticator(srv.url);
      const begun = await call('POST', '/me/passkeys/options', { auth: u.auth });
      expect(begun.status).toBe(200);
      expect(begun.body.options).toMatchObject({ rp: { id: '127.0.0.1', name: 'Coffer' }, user: { name: u.username }, attestation: 'none' });
      const credential = key.register(begun.body.options);
      // Another origin's answer does not verify.
      const elsewhere = await call('POST', '/me/passkeys', { auth: u.auth, body: { ticket: begun.body.ticket, name: 'phone', credential: new SoftAuthenticator('https://evil.example').register(begun.body.options) } });
      expect(elsewhere.body.error.code).toBe('passkey_invalid');
      const again = await call('POST', '/me/passkeys/options', { auth: u.auth });
      const added = await call('POST', '/me/passkeys', { auth: u.auth, body: { ticket: again.body.ticket, name: 'phone', credential: key.register(again.body.options) } });
      expect(added.status).toBe(201);
      expect(added.body.passkey).toMatchObject({ name: 'phone', lastUsedAt: null });
      expect(added.body.recoveryCodes).toHaveLength(10);
      expect((await call('POST', '/me/passkeys', { auth: u.auth, body: { ticket: again.body.ticket, name: 'phone', credential } })).body.error.code).toBe('two_factor_ticket_invalid');
      expect((await call('GET', '/me/2fa', { auth: u.auth })).body).toMatchObject({ enabled: true, totp: false, passkeys: [{ name: 'phone' }] });

      // The passkey as second factor.
      const first = await login(u);
      expect(first.status).toBe(202);
      expect(first.body.twoFactor.methods).toEqual(['passkey', 'recovery']);
      const options = first.body.twoFactor.passkeyOptions;
      expect(options.allowCredentials).toEqual([{ id: key.id, type: 'public-key', transports: ['internal'] }]);
      const forged = await second({ ticket: first.body.twoFactor.ticket, passkey: key.assert(options, { challenge: 'c29tZXRoaW5nIGVsc2U' }) });
      expect(forged.body.error.code).toBe('invalid_code');
      const ok = await second({ ticket: first.body.twoFactor.ticket, passkey: key.assert(options) });
      expect(ok.status).toBe(200);
      expect(ok.body.user.id).toBe(u.id);

      // Passwordless: no username, the passkey names the account (with user verification).
      const start = await call('POST', '/auth/passkey', { body: { cookie: false } });
      expect(start.status).toBe(200);
      expect(start.body.options).toMatchObject({ rpId: '127.0.0.1', userVerification: 'required' });
      const alone = await second({ ticket: start.body.ticket, passkey: key.assert(start.body.options) });
      expect(alone.status).toBe(200);
      expect(alone.body.user.username).toBe(u.username);
      // A passkey unknown here, or an answer without user verification, proves nobody.
      const stranger = await call('POST', '/auth/passkey', { body: {} });
      expect((await second({ ticket: stranger.body.ticket, passkey: new SoftAuthenticator(srv.url).assert(stranger.body.options) })).status).toBe(401);

      // Removal needs the password (or a code); with no factor left, sign-in is the password again.
      const id = added.body.passkey.id;
      expect((await call('POST', `/me/passkeys/${id}/remove`, { auth: u.auth, body: { password: 'wrong password' } })).body.error.code).toBe('wrong_password');
      expect((await call('POST', `/me/passkeys/${id}/remove`, { auth: u.auth, body: { password: PASSWORD } })).status).toBe(204);
      expect((await call('POST', `/me/passkeys/${id}/remove`, { auth: u.auth, body: { password: PASSWORD } })).status).toBe(404);
      expect((await login(u)).status).toBe(200);
    });

    it('an administrator resets the factors of an account whose owner lost them; its sessions end', async () => {
      const t = await freshStep();
      const admin = await srv.user({ role: 'admin' });
      const u = await srv.user();
      await enrolTotp(u, t);
      expect((await login(u)).status).toBe(202);
      expect((await call('DELETE', `/admin/users/${u.id}/2fa`, { auth: u.auth })).status).toBe(403);
      expect((await call('DELETE', `/admin/users/${u.id}/2fa`, { auth: admin.auth })).status).toBe(204);
      expect((await call('GET', '/me', { auth: u.auth })).status).toBe(401);
      expect((await login(u)).status).toBe(200);
      expect((await call('DELETE', `/admin/users/${randomUUIDish()}/2fa`, { auth: admin.auth })).status).toBe(404);
    });
  });
}

function randomUUIDish(): string {
  return '00000000-0000-4000-8000-000000000077';
}
