/**
 * Two-step sign-in in a real browser: enrolling an authenticator app on the account page (the
 * test reads the key and computes the codes, as the phone would), signing out and in again with a
 * code; adding a passkey with Chromium's virtual authenticator (CDP WebAuthn domain) and signing
 * in with it, as a second step and on its own; app passwords made and revoked. axe-core on each
 * screen; screenshots of the main ones.
 */
import { Secret, TOTP } from 'otpauth';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, seriousViolations, shot, startWebEnv, TEST_PASSWORD, type TestUser, type WebEnv } from '@coffer/web/testing/browser';

let env: WebEnv;
/** WebAuthn refuses IP addresses as relying-party ids: the browser reaches the server as localhost. */
let base: string;
beforeAll(async () => {
  env = await startWebEnv();
  base = env.server.url.replace('127.0.0.1', 'localhost');
});
afterAll(async () => {
  await env?.close();
});

const codeAt = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });

/** Start early in a 30-second step, so the codes of this step and the next stay good while the test runs. */
async function freshStep(): Promise<number> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 50));
  return Date.now();
}

async function open(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await env.browser.newContext({ baseURL: base, viewport, locale: 'en-US' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

async function signInWithPassword(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const signedIn = (page: Page) => page.getByRole('link', { name: /^Account:/ }).waitFor();

async function noViolations(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

describe('two-step sign-in in the browser', () => {
  it('enrols an authenticator app on the account page, then signing in asks for its code', async () => {
    const user = await env.server.user();
    const { context, page, errors } = await open(DESKTOP);
    try {
      await page.goto('/account');
      await signInWithPassword(page, user);
      await signedIn(page);
      await page.getByRole('heading', { name: 'Sign-in security' }).waitFor();
      await noViolations(page);
      await shot(page, 'account-desktop', true);

      const t = await freshStep();
      await page.getByRole('button', { name: 'Set up authenticator app' }).click();
      const secret = (await page.getByTestId('totp-secret').getAttribute('data-secret'))!;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await page.getByRole('img', { name: 'QR code for your authenticator app' }).count()).toBe(1);
      await noViolations(page);
      await shot(page, 'account-totp-setup-desktop', true);
      await page.getByLabel('Enter the code the app shows now').fill(codeAt(secret, t));
      await page.getByRole('button', { name: 'Confirm' }).click();
      // The recovery codes, shown once.
      const dialog = page.getByRole('dialog', { name: 'Save your recovery codes' });
      await dialog.waitFor();
      expect(await dialog.getByRole('listitem').count()).toBe(10);
      await noViolations(page);
      await shot(page, 'account-recovery-codes-desktop', true);
      await dialog.getByRole('button', { name: 'I have saved them' }).click();
      await expect.poll(() => page.getByTestId('recovery-left').textContent()).toBe('10 of 10 codes left.');

      // Sign out; the password alone is no longer enough.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInWithPassword(page, user);
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      await page.getByLabel('Authenticator code').fill(codeAt(secret, t) === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('That code is wrong');
      await noViolations(page);
      await shot(page, 'sign-in-second-step-desktop', true);
      // The code of the next step (the app's clock a little ahead): the one used to enrol is spent.
      await page.getByLabel('Authenticator code').fill(codeAt(secret, t + 30_000));
      await page.getByRole('button', { name: 'Verify' }).click();
      await signedIn(page);
      expect(new URL(page.url()).pathname).toBe('/account');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('adds a passkey with the virtual authenticator and signs in with it, as second step and alone; app passwords', async () => {
    const user = await env.server.user();
    const { context, page, errors } = await open(PHONE);
    try {
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      });
      await page.goto('/account');
      await signInWithPassword(page, user);
      await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
      await page.getByLabel('Passkey name').fill('Test phone');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      const dialog = page.getByRole('dialog', { name: 'Save your recovery codes' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'I have saved them' }).click();
      await page.getByRole('list', { name: 'Passkeys' }).getByText('Test phone').waitFor();
      await noViolations(page);
      await shot(page, 'account-passkeys-phone', true);

      // An app password, shown once, then revoked.
      await page.getByLabel('What is it for?').fill('WebDAV on the NAS');
      await page.getByRole('button', { name: 'Create' }).click();
      const created = page.getByRole('dialog', { name: 'Your new app password' });
      await created.waitFor();
      const secret = (await created.getByTestId('secret').textContent())!;
      expect(secret).toMatch(/^cof_/);
      expect((await fetch(`${env.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
      await noViolations(page);
      await created.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Revoke: WebDAV on the NAS' }).click();
      await page.getByText('App passwords', { exact: true }).waitFor();
      await expect.poll(() => page.getByText('No app passwords.').count()).toBe(1);
      expect((await fetch(`${env.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);

      // The passkey as the second step (phone: sign out from the menu).
      const signOut = async () => {
        // The drawer stays as it was left (open after the last sign-out).
        const menu = page.getByRole('button', { name: 'Open menu' });
        if (await menu.count()) await menu.click();
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByLabel('Username').waitFor();
      };
      await signOut();
      await signInWithPassword(page, user);
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      await noViolations(page);
      await shot(page, 'sign-in-second-step-phone', true);
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await signedIn(page);

      // And alone: no username, no password.
      await signOut();
      await page.getByRole('button', { name: 'Use a passkey instead' }).click();
      await signedIn(page);
      const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
      expect(me.username).toBe(user.username);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('when an administrator requires two-step sign-in, an account without it sees only enrolment until it enrols', async () => {
    const admin = await env.server.user({ role: 'admin' });
    const user = await env.server.user();
    const api = (method: string, path: string, auth: Record<string, string>, body?: unknown) =>
      fetch(`${env.server.url}/api/v1${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    // The administrator enrols first (the server refuses the requirement otherwise).
    const t = await freshStep();
    const begun = (await (await api('POST', '/me/2fa/totp', admin.auth)).json()) as { secret: string };
    expect((await api('POST', '/me/2fa/totp/confirm', admin.auth, { code: codeAt(begun.secret, t) })).status).toBe(200);
    expect((await api('PATCH', '/admin/settings', admin.auth, { requireTwoFactor: true })).status).toBe(200);
    const { context, page, errors } = await open(PHONE);
    try {
      await page.goto('/');
      await signInWithPassword(page, user);
      await page.getByText('Your administrator requires two-step verification.').waitFor();
      expect(await page.getByRole('link', { name: /^Account:/ }).count()).toBe(0); // no way into the drive yet
      await noViolations(page);
      await shot(page, 'enrolment-required-phone', true);
      await page.getByRole('button', { name: 'Set up authenticator app' }).click();
      const secret = (await page.getByTestId('totp-secret').getAttribute('data-secret'))!;
      await page.getByLabel('Enter the code the app shows now').fill(codeAt(secret, Date.now()));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('dialog', { name: 'Save your recovery codes' }).getByRole('button', { name: 'I have saved them' }).click();
      // Enrolled: the drive opens.
      await signedIn(page);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await api('PATCH', '/admin/settings', admin.auth, { requireTwoFactor: false });
    }
  }, 120_000);

  it('the account page in Korean and the dark theme', async () => {
    const user = await env.server.user();
    const context = await env.browser.newContext({ baseURL: base, viewport: PHONE, locale: 'ko-KR', colorScheme: 'dark' });
    const page = await context.newPage();
    try {
      await page.goto('/account');
      await page.getByLabel('사용자 이름').fill(user.username);
      await page.getByLabel('비밀번호').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: '로그인', exact: true }).click();
      await page.getByRole('heading', { name: '로그인 보안' }).waitFor();
      await page.getByRole('button', { name: '인증 앱 설정' }).click();
      await page.getByRole('img', { name: '인증 앱용 QR 코드' }).waitFor();
      await noViolations(page);
      await shot(page, 'account-ko-dark-phone', true);
    } finally {
      await context.close();
    }
  });
});
