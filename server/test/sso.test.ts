/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider on a loopback port): the
 * whole redirect dance over real HTTP, as a browser does it (a cookie jar, redirects followed by
 * hand), then what Coffer made of it in the database.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, groups, ssoIdentities, ssoLogins, users } from '../src/db/schema.js';
import { hashToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { startTestIdp, type TestAccount, type TestIdp } from './fixtures/oidc-provider.js';
import { startTestServer, type TestServer } from './fixtures/server.js';

/** Cookies by host, as a browser keeps them (paths ignored: each test's flow is short). */
class Jar {
  private readonly byHost = new Map<string, Map<string, string>>();
  store(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    this.byHost.set(host, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
  }
  header(url: string): string {
    return [...(this.byHost.get(new URL(url).host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(url: string, name: string): string | undefined {
    return this.byHost.get(new URL(url).host)?.get(name);
  }
}

async function go(jar: Jar, url: string): Promise<Response> {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
  jar.store(url, res);
  return res;
}

describe('single sign-on with OpenID Connect (postgres)', () => {
  let idp: TestIdp;
  let srv: TestServer;

  beforeAll(async () => {
    idp = await startTestIdp();
    srv = await startTestServer(
      'postgres',
      idp.env({ COFFER_OIDC_LABEL: 'Test IdP', COFFER_OIDC_ADMIN_VALUE: 'coffer-admins', COFFER_OIDC_GROUP_MAP: 'family=Family,staff=Staff,coffer-admins=Admins' }),
    );
    idp.redirectUris.push(`${srv.url}/api/v1/auth/oidc/callback`);
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
    await idp?.close();
  });

  /** Start at Coffer, follow the provider's redirects until it sends the browser back; the callback
   *  (optionally changed by `tamper`) is then requested with the jar's cookies. */
  async function signIn(account: TestAccount, opts: { jar?: Jar; tamper?: (callback: URL) => URL } = {}) {
    idp.signInAs(account);
    const jar = opts.jar ?? new Jar();
    let res = await go(jar, `${srv.url}/api/v1/auth/oidc/start`);
    expect(res.status).toBe(302);
    let location = new URL(res.headers.get('location')!, srv.url);
    expect(location.origin).toBe(idp.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('nonce')).toBeTruthy();
    for (let hops = 0; location.origin === idp.issuer; hops++) {
      expect(hops).toBeLessThan(10);
      res = await go(jar, location.href);
      expect([302, 303]).toContain(res.status);
      location = new URL(res.headers.get('location')!, location);
    }
    expect(location.pathname).toBe('/api/v1/auth/oidc/callback');
    const callback = opts.tamper ? opts.tamper(location) : location;
    const answer = await go(jar, callback.href);
    const text = await answer.text();
    return { jar, callback, answer, body: text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : undefined };
  }

  async function me(jar: Jar) {
    const res = await fetch(`${srv.url}/api/v1/me`, { headers: { cookie: jar.header(srv.url) } });
    return { status: res.status, body: (await res.json()) as { id: string; username: string; role: string } };
  }

  async function groupsOf(userId: string): Promise<string[]> {
    const rows = await srv.database.db
      .select({ name: groups.name })
      .from(groupMembers)
      .innerJoin(groups, eq(groups.id, groupMembers.groupId))
      .where(eq(groupMembers.userId, userId));
    return rows.map((r) => r.name).sort();
  }

  const userCount = async () => (await srv.database.db.select({ n: sql<number>`count(*)::int` }).from(users))[0]!.n;

  it('tells the sign-in page that SSO is on, with its label', async () => {
    const res = await fetch(`${srv.url}/api/v1/auth/methods`);
    expect(await res.json()).toEqual({ password: true, sso: { label: 'Test IdP', startPath: '/api/v1/auth/oidc/start' } });
  });

  it('a first sign-in makes the account, with its groups and the admin role from the claims; the second reuses it and follows the claims', async () => {
    const alice: TestAccount = { sub: 'alice-sub-1', preferred_username: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice A.', groups: ['family', 'coffer-admins', 'unmapped'] };
    const first = await signIn(alice);
    expect(first.answer.status).toBe(302);
    expect(first.answer.headers.get('location')).toBe('/');
    expect(first.jar.get(srv.url, 'coffer_session')).toMatch(/^cof_/);
    expect(first.jar.header(srv.url)).not.toMatch(/coffer_sso_/); // the sign-in's cookie is spent
    const m1 = await me(first.jar);
    expect(m1.status).toBe(200);
    expect(m1.body).toMatchObject({ username: 'alice', role: 'admin' });
    const [row] = await srv.database.db.select().from(users).where(eq(users.id, m1.body.id));
    expect(row).toMatchObject({ email: 'alice@example.com', displayName: 'Alice A.', disabled: false, mustChangePassword: false });
    expect(await groupsOf(m1.body.id)).toEqual(['Admins', 'Family']);
    const [link] = await srv.database.db.select().from(ssoIdentities).where(eq(ssoIdentities.subject, 'alice-sub-1'));
    expect(link).toMatchObject({ issuer: idp.issuer, userId: m1.body.id });

    // An administrator's own addition survives the sync; "Family" goes, "Staff" comes, admin goes.
    await srv.database.db.insert(groups).values({ name: 'Manual' });
    const [manual] = await srv.database.db.select().from(groups).where(eq(groups.name, 'Manual'));
    await srv.database.db.insert(groupMembers).values({ groupId: manual!.id, userId: m1.body.id });
    const second = await signIn({ ...alice, name: 'Alice B.', groups: ['staff'] });
    expect(second.answer.status).toBe(302);
    const m2 = await me(second.jar);
    expect(m2.body).toMatchObject({ id: m1.body.id, username: 'alice', role: 'user' });
    expect(await groupsOf(m1.body.id)).toEqual(['Manual', 'Staff']);
    const [again] = await srv.database.db.select().from(users).where(eq(users.id, m1.body.id));
    expect(again!.displayName).toBe('Alice B.');
  });

  it('refuses a callback whose state is wrong, missing from the browser, or used already, and creates nothing', async () => {
    const before = await userCount();
    const wrong = await signIn({ sub: 'mallory-1', preferred_username: 'mallory1' }, {
      tamper: (u) => {
        const t = new URL(u);
        t.searchParams.set('state', 'not-the-state');
        return t;
      },
    });
    expect(wrong.answer.status).toBe(400);
    expect(wrong.body?.error?.code).toBe('sso_state_invalid');
    expect(wrong.jar.get(srv.url, 'coffer_session')).toBeUndefined();

    // A callback planted in another browser (no state cookie there).
    const planted = await signIn({ sub: 'mallory-2', preferred_username: 'mallory2' }, { tamper: (u) => u });
    // (that one was a real sign-in: the user now exists; use its callback from a fresh jar)
    const replayed = await go(new Jar(), planted.callback.href);
    expect(replayed.status).toBe(400);
    expect(((await replayed.json()) as { error: { code: string } }).error.code).toBe('sso_state_invalid');
    // The same browser replaying its own used callback.
    const replay = await go(planted.jar, planted.callback.href);
    expect(replay.status).toBe(400);
    expect(await userCount()).toBe(before + 1); // mallory2's own sign-in only
    const [m] = await srv.database.db.select().from(users).where(eq(users.username, 'mallory1'));
    expect(m).toBeUndefined();
  });

  it('answers a provider error and a forged ID token with 400 sso_failed, changing nothing', async () => {
    const before = await userCount();
    const denied = await signIn({ sub: 'eve-1', preferred_username: 'eve1' }, {
      tamper: (u) => {
        const t = new URL(u);
        t.searchParams.delete('code');
        t.searchParams.set('error', 'access_denied');
        t.searchParams.set('error_description', 'the user said no');
        return t;
      },
    });
    expect(denied.answer.status).toBe(400);
    expect(denied.body?.error?.code).toBe('sso_failed');

    let forgedState = '';
    idp.corruptIdTokens = true;
    try {
      const forged = await signIn({ sub: 'eve-2', preferred_username: 'eve2' });
      expect(forged.answer.status).toBe(400);
      expect(forged.body?.error?.code).toBe('sso_failed');
      expect(forged.body?.error?.message).toMatch(/signature/i);
      expect(forged.jar.get(srv.url, 'coffer_session')).toBeUndefined();
      forgedState = forged.callback.searchParams.get('state')!;
    } finally {
      idp.corruptIdTokens = false;
    }
    expect(await userCount()).toBe(before);
    // Each state was spent by its callback: a retry of either is refused as used.
    for (const state of [denied.callback.searchParams.get('state')!, forgedState]) {
      expect(await srv.database.db.select().from(ssoLogins).where(eq(ssoLogins.stateHash, hashToken(state)))).toEqual([]);
    }
  });

  it('refuses a disabled account and does not sign it in', async () => {
    const bob: TestAccount = { sub: 'bob-sub', preferred_username: 'bob', groups: ['family'] };
    const ok = await signIn(bob);
    expect(ok.answer.status).toBe(302);
    const { body } = await me(ok.jar);
    await srv.database.db.update(users).set({ disabled: true }).where(eq(users.id, body.id));
    const refused = await signIn({ ...bob, groups: ['staff'] });
    expect(refused.answer.status).toBe(403);
    expect(refused.body?.error?.code).toBe('account_disabled');
    expect(refused.jar.get(srv.url, 'coffer_session')).toBeUndefined();
    expect(await groupsOf(body.id)).toEqual(['Family']); // the refused sign-in synced nothing
  });

  it('never takes over a local account of the same name: 409 sso_username_taken', async () => {
    const local = await srv.user();
    const res = await signIn({ sub: 'imposter', preferred_username: local.username, email: 'x@example.com', email_verified: true });
    expect(res.answer.status).toBe(409);
    expect(res.body?.error?.code).toBe('sso_username_taken');
    const links = await srv.database.db.select().from(ssoIdentities).where(and(eq(ssoIdentities.subject, 'imposter')));
    expect(links).toEqual([]);
  });
});

describe('single sign-on only, linking by verified email (pglite)', () => {
  let idp: TestIdp;
  let srv: TestServer;
  beforeAll(async () => {
    idp = await startTestIdp();
    srv = await startTestServer('pglite', idp.env({ COFFER_PASSWORD_LOGIN: '0', COFFER_OIDC_LINK_BY_EMAIL: '1', COFFER_OIDC_GROUPS_CLAIM: '' }));
    idp.redirectUris.push(`${srv.url}/api/v1/auth/oidc/callback`);
  }, 90_000);
  afterAll(async () => {
    await srv?.close();
    await idp?.close();
  });

  it('refuses password sign-in, says so to the sign-in page, and links a first SSO sign-in to the account of the same verified email', async () => {
    const methods = await (await fetch(`${srv.url}/api/v1/auth/methods`)).json();
    expect(methods).toEqual({ password: false, sso: { label: 'SSO', startPath: '/api/v1/auth/oidc/start' } });
    const local = await srv.user();
    await srv.database.db.update(users).set({ email: 'Dana@Example.com' }).where(eq(users.id, local.id));
    const login = await fetch(`${srv.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: local.username, password: 'correct horse battery staple' }),
    });
    expect(login.status).toBe(403);
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe('password_login_disabled');

    idp.signInAs({ sub: 'dana-unverified', preferred_username: 'dana', email: 'dana@example.com', email_verified: false });
    const jar = new Jar();
    const start = await go(jar, `${srv.url}/api/v1/auth/oidc/start`);
    let location = new URL(start.headers.get('location')!);
    while (location.origin === idp.issuer) location = new URL((await go(jar, location.href)).headers.get('location')!, location);
    const unverified = await go(jar, location.href);
    expect(unverified.status).toBe(403); // an unverified email links nothing
    expect(((await unverified.json()) as { error: { code: string } }).error.code).toBe('sso_claim_invalid');

    idp.signInAs({ sub: 'dana-verified', preferred_username: 'dana', email: 'dana@example.com', email_verified: true });
    const jar2 = new Jar();
    location = new URL((await go(jar2, `${srv.url}/api/v1/auth/oidc/start`)).headers.get('location')!);
    while (location.origin === idp.issuer) location = new URL((await go(jar2, location.href)).headers.get('location')!, location);
    expect((await go(jar2, location.href)).status).toBe(302);
    const me = await fetch(`${srv.url}/api/v1/me`, { headers: { cookie: jar2.header(srv.url) } });
    expect(await me.json()).toMatchObject({ id: local.id, username: local.username });
  });
});

describe('single sign-on settings', () => {
  it('refuses password sign-in off without SSO, a plain-http issuer off loopback, and an issuer without a client id', () => {
    expect(() => loadConfig({ COFFER_PASSWORD_LOGIN: '0' })).toThrow(/COFFER_PASSWORD_LOGIN=0 needs single sign-on/);
    expect(() => loadConfig({ COFFER_OIDC_ISSUER: 'http://idp.example.com', COFFER_OIDC_CLIENT_ID: 'c' })).toThrow(/https/);
    expect(() => loadConfig({ COFFER_OIDC_ISSUER: 'https://idp.example.com' })).toThrow(/CLIENT_ID/);
    expect(() => loadConfig({ COFFER_OIDC_ISSUER: 'https://idp.example.com', COFFER_OIDC_CLIENT_ID: 'c', COFFER_OIDC_GROUP_MAP: 'nonsense' })).toThrow(/GROUP_MAP/);
    const c = loadConfig({ COFFER_OIDC_ISSUER: 'https://idp.example.com', COFFER_OIDC_CLIENT_ID: 'c', COFFER_OIDC_GROUP_MAP: 'a=A, b = B' });
    expect(c.signIn.oidc?.groupMap).toEqual(new Map([['a', 'A'], ['b', 'B']]));
  });
});
