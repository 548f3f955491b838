/**
 * The app in a real browser: the shell's headers (CSP, immutable hashed assets), signing in (a
 * wrong password said plainly, then the drive), the forced password change, a deep link opened
 * on reload, and axe-core on each screen. Saves the main screens at phone and desktop size.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, seriousViolations, shot, signedInContext, TEST_PASSWORD } from '@coffer/web/testing/browser';
import { webEnvForFile } from '@coffer/web/testing/suite';
import { driveFor } from '@coffer/web/testing/drive';

const env = webEnvForFile();
const { put } = driveFor(env);

describe('the web app', () => {
  it('is served with a strict CSP, no inline script, and immutable hashed assets', async () => {
    const res = await fetch(`${env.server.url}/files/some/deep/folder`, { headers: { accept: 'text/html' } });
    // Not a browser asking for a page: the JSON 404, not the shell.
    expect((await fetch(`${env.server.url}/files/some/deep/folder`)).status).toBe(404);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script has a src
    // The boot script (a classic script that starts the first API requests) comes first, tiny.
    const boot = /<script src="(\/assets\/boot-[^"]+\.js)"><\/script>/.exec(html)?.[1];
    expect(boot).toBeDefined();
    expect(html.indexOf(boot!)).toBeLessThan(html.indexOf('type="module"'));
    expect((await (await fetch(`${env.server.url}${boot}`)).text()).length).toBeLessThan(1024);
    const asset = /<script type="module"[^>]*src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${env.server.url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    // The initial JavaScript, gzipped, stays within 150 KiB.
    const gz = Number((await fetch(`${env.server.url}${asset}`, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } })).headers.get('content-length'));
    expect(gz).toBeGreaterThan(0);
    expect(gz).toBeLessThanOrEqual(150 * 1024);
    // API and health misses stay theirs, never the app shell.
    const api = await fetch(`${env.server.url}/api/v1/nope`);
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${env.server.url}/assets/../../package.json`)).status).toBe(404);
  });

  it('signs in (a wrong password is refused plainly), lists the drive and opens a deep link on reload', async () => {
    const user = await env.server.user();
    const mk = await fetch(`${env.server.url}/api/v1/mkdir`, { method: 'POST', headers: { ...user.auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/Documents' }) });
    expect(mk.status).toBe(201);
    await put(user.token, '/Documents/report.txt', 'quarterly numbers');
    await put(user.token, '/notes.md', '# hello');
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await env.browser.newContext({ baseURL: env.server.url, viewport, locale: 'en-US' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && !m.text().includes('401') && errors.push(m.text()));
      await page.goto('/');
      await page.getByLabel('Username').fill(user.username);
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password');
      expect(await seriousViolations(page)).toEqual([]);
      await shot(page, `sign-in-${size}`, true);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Documents', exact: true }).waitFor();
      expect(await page.getByText('notes.md').count()).toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
      await shot(page, `files-${size}`, true);
      await page.getByRole('link', { name: 'Documents', exact: true }).click();
      await page.getByText('report.txt').waitFor();
      expect(new URL(page.url()).pathname).toBe('/files/Documents');
      await page.reload();
      await page.getByText('report.txt').waitFor();
      expect(errors).toEqual([]);
      await context.close();
    }
  });

  it('asks for who is signed in and the folder once each at page load, started before the app ran', async () => {
    const user = await env.server.user();
    const mk = await fetch(`${env.server.url}/api/v1/mkdir`, { method: 'POST', headers: { ...user.auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/Deep/Folder ü&x', parents: true }) });
    expect(mk.status).toBe(201);
    await put(user.token, '/Deep/Folder ü&x/inside.txt', 'in the folder');
    const context = await signedInContext(env, user);
    const page = await context.newPage();
    const asked: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) asked.push(u.pathname + u.search);
    });
    await page.goto(`/files/${encodeURIComponent('Deep')}/${encodeURIComponent('Folder ü&x')}`);
    await page.getByText('inside.txt').waitFor();
    // boot.ts's URLs are the app's own: had either differed, the app would have asked again.
    expect(asked.filter((a) => a.startsWith('/api/v1/me')), asked.join(' ')).toHaveLength(1);
    expect(asked.filter((a) => a.startsWith('/api/v1/list')), asked.join(' ')).toEqual([`/api/v1/list?${new URLSearchParams({ path: '/Deep/Folder ü&x', limit: '200' })}`]);
    // boot.ts ran first and started both.
    const early = await page.evaluate('Object.keys(window.__cofferEarly?.answers ?? {})');
    expect(early).toEqual(['/api/v1/me', `/api/v1/list?${new URLSearchParams({ path: '/Deep/Folder ü&x', limit: '200' })}`]);
    await context.close();
  });

  it('asks for a new password first when the account must change it', async () => {
    const user = await env.server.user({ mustChangePassword: true });
    const context = await signedInContext(env, user, PHONE);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'password-change-phone', true);
    await page.getByLabel('Current password').fill(TEST_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('a brand new secret');
    await page.getByLabel('New password again').fill('a brand new secret');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByText('This folder is empty.').waitFor();
    await context.close();
  });

  it('speaks Korean', async () => {
    const user = await env.server.user();
    const context = await env.browser.newContext({ baseURL: env.server.url, viewport: PHONE, locale: 'ko-KR' });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Coffer에 로그인' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
    await page.getByLabel('사용자 이름').fill(user.username);
    await page.getByLabel('비밀번호').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByText('이 폴더는 비어 있습니다.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'files-empty-ko-phone', true);
    await context.close();
  });
});
