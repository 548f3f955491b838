/**
 * Single sign-on in a real browser: the sign-in screen shows "Sign in with <label>" when the
 * server has a provider, and clicking it goes to the provider (a real oidc-provider, signing in
 * the chosen account at once) and back, signed in. axe-core on the sign-in screen; screenshots at
 * phone and desktop size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '@coffer/server/testing/oidc-provider';
import { DESKTOP, PHONE, seriousViolations, shot, startWebEnv, type WebEnv } from '@coffer/web/testing/browser';

let idp: TestIdp;
let env: WebEnv;
beforeAll(async () => {
  idp = await startTestIdp();
  env = await startWebEnv(idp.env({ COFFER_OIDC_LABEL: 'Authentik' }));
  idp.redirectUris.push(`${env.server.url}/api/v1/auth/oidc/callback`);
}, 90_000);
afterAll(async () => {
  await env?.close();
  await idp?.close();
});

describe('single sign-on in the browser', () => {
  it('shows the SSO button on the sign-in screen and signs in through the provider', async () => {
    idp.signInAs({ sub: 'web-sso-1', preferred_username: 'carol', email: 'carol@example.com', email_verified: true, name: 'Carol', groups: ['family'] });
    for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await env.browser.newContext({ baseURL: env.server.url, viewport, locale: name === 'phone' ? 'ko-KR' : 'en-US' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto('/');
      const button = page.getByRole('link', { name: name === 'phone' ? 'Authentik(으)로 로그인' : 'Sign in with Authentik' });
      await button.waitFor();
      expect(await page.getByLabel(name === 'phone' ? '비밀번호' : 'Password').isVisible()).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await shot(page, `signin-sso-${name}`, true);
      // Each step once: the service worker answers a navigation to /api/ with its navigation preload
      // instead of letting the browser send it again (a second callback would find its sign-in spent).
      const seen: string[] = [];
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.startsWith('/api/v1/auth/oidc/')) seen.push(path);
      });
      await button.click();
      await page.getByRole('link', { name: /^(Account|계정):/ }).waitFor({ timeout: 30_000 });
      expect(seen).toEqual(['/api/v1/auth/oidc/start', '/api/v1/auth/oidc/callback']);
      expect(new URL(page.url()).origin).toBe(env.server.url);
      const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
      expect(me).toMatchObject({ username: 'carol' });
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 120_000);

  it('shows why when the sign-in coming back fails (a stale or forged state), in words and not JSON', async () => {
    const context = await env.browser.newContext({ baseURL: env.server.url, viewport: DESKTOP, locale: 'en-US' });
    const page = await context.newPage();
    // As a browser sent back by the provider without the sign-in it started (no state cookie).
    await page.goto('/api/v1/auth/oidc/callback?state=forged-state&code=forged-code');
    await page.getByText('Single sign-on took too long or was started elsewhere. Start it again.').waitFor();
    expect(new URL(page.url()).search).toBe(''); // said once: a reload does not say it again
    await page.getByRole('link', { name: 'Sign in with Authentik' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    // An API client still gets the JSON error.
    const api = await fetch(`${env.server.url}/api/v1/auth/oidc/callback?state=forged-state&code=forged-code`);
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('sso_state_invalid');
    await context.close();
  }, 60_000);
});
