/**
 * Public links in the browser. The owner makes a password-protected link in the share dialog;
 * a stranger (a fresh browser, never signed in) opens it: the page is the app's (its CSP), a
 * wrong password is refused, the right one shows the file page with a preview, and the download
 * is the file. A folder link lets them browse inside and download a file and the folder as a
 * zip; a drop link takes an upload that lands in the owner's folder. Unknown, used-up and
 * expired links say so. The same URL fetched as JSON keeps answering JSON. axe-core on each
 * page; screenshots of the file page at phone and desktop size.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { DESKTOP, PHONE, seriousViolations, shot, signedInContext } from '@coffer/web/testing/browser';
import { webEnvForFile } from '@coffer/web/testing/suite';
import { driveFor } from '@coffer/web/testing/drive';

const env = webEnvForFile();
const { put, api } = driveFor(env);

async function makeLink(token: string, body: Record<string, unknown>): Promise<string> {
  const res = await api(token, 'POST', '/links', body);
  expect(res.status).toBe(201);
  // The server answers the link's full URL (its public address).
  return new URL(((await res.json()) as { url: string }).url, env.server.url).href;
}

function stranger(viewport: { width: number; height: number } = DESKTOP): Promise<BrowserContext> {
  return env.browser.newContext({ baseURL: env.server.url, viewport, locale: 'en-US', acceptDownloads: true });
}

describe('public link pages', () => {
  it('a browser opening /s/{token} gets the app page; the app fetching it as JSON gets JSON', async () => {
    const owner = await env.server.user();
    await put(owner.token, '/a.txt', 'hello');
    const url = await makeLink(owner.token, { path: '/a.txt' });
    const asPage = await fetch(url, { headers: { 'sec-fetch-dest': 'document', accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(asPage.status).toBe(200);
    expect(asPage.headers.get('content-type')).toMatch(/text\/html/);
    expect(asPage.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(asPage.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await asPage.text()).toMatch(/<div id="app">/);
    // Without Sec-Fetch-Dest (an older browser), an Accept preferring HTML is a page too.
    expect((await fetch(url, { headers: { accept: 'text/html,*/*;q=0.8' } })).headers.get('content-type')).toMatch(/text\/html/);
    for (const headers of [{ accept: 'application/json' }, {}, { 'sec-fetch-dest': 'empty', accept: '*/*' }] as Record<string, string>[]) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/json/);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(((await res.json()) as { name: string }).name).toBe('a.txt');
    }
    // The link's other paths never answer the app.
    const dl = await fetch(`${url}/download`, { headers: { 'sec-fetch-dest': 'document' } });
    expect(await dl.text()).toBe('hello');
    expect((await fetch(`${url}/nope`, { headers: { 'sec-fetch-dest': 'document' } })).status).toBe(404);
  });

  it('a password link made in the share dialog: a stranger is refused a wrong password, sees the file page with the right one, and downloads it', async () => {
    const owner = await env.server.user();
    await put(owner.token, '/vault.txt', 'the secret plans, line one\nline two');
    const ctx = await signedInContext(env, owner, DESKTOP);
    const page = await ctx.newPage();
    await page.goto('/files');
    await page.getByRole('button', { name: "Share 'vault.txt'" }).click();
    const dialog = page.getByRole('dialog', { name: "Share 'vault.txt'" });
    await dialog.getByLabel('Password').fill('open sesame');
    await dialog.getByLabel('Download limit').fill('5');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const field = dialog.getByLabel('New link');
    await field.waitFor();
    const link = await field.inputValue();
    expect(link).toMatch(new RegExp(`^${env.server.url}/s/[A-Za-z0-9_-]{43}$`));
    await dialog.getByText('password · 0 of 5 downloads').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await ctx.close();

    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const s = await stranger(viewport);
      const p = await s.newPage();
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(e.message));
      const res = await p.goto(link);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await p.getByRole('heading', { name: 'This link is protected' }).waitFor();
      expect(await seriousViolations(p)).toEqual([]);
      await p.getByLabel('Password').fill('not it');
      await p.getByRole('button', { name: 'Open' }).click();
      await expect.poll(() => p.getByRole('alert').textContent()).toContain('Wrong password');
      await p.getByLabel('Password').fill('open sesame');
      await p.getByRole('button', { name: 'Open' }).click();
      await p.getByRole('heading', { name: 'vault.txt' }).waitFor();
      await p.getByText('the secret plans, line one').waitFor();
      expect(await seriousViolations(p)).toEqual([]);
      await shot(p, `link-file-${size}`, true);
      const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe('vault.txt');
      expect(await readFile((await download.path())!, 'utf8')).toBe('the secret plans, line one\nline two');
      expect(errors).toEqual([]);
      // The stranger never got a session.
      expect((await s.cookies()).filter((c) => c.name.includes('session'))).toEqual([]);
      await s.close();
    }
  });

  it('a folder link: browse inside, download a file and the folder as a zip', async () => {
    const owner = await env.server.user();
    expect((await api(owner.token, 'POST', '/mkdir', { path: '/Album' })).status).toBe(201);
    expect((await api(owner.token, 'POST', '/mkdir', { path: '/Album/Day 2' })).status).toBe(201);
    await put(owner.token, '/Album/cover.txt', 'cover');
    await put(owner.token, '/Album/Day 2/beach.txt', 'sand and sea');
    const url = await makeLink(owner.token, { path: '/Album' });
    const s = await stranger(PHONE);
    const p = await s.newPage();
    await p.goto(url);
    await p.getByRole('heading', { name: 'Album' }).waitFor();
    await p.getByRole('button', { name: 'cover.txt', exact: true }).waitFor();
    expect(await seriousViolations(p)).toEqual([]);
    await shot(p, 'link-folder-phone', true);
    await p.getByRole('link', { name: 'Day 2' }).click();
    await p.getByRole('heading', { name: 'Day 2' }).waitFor();
    expect(new URL(p.url()).searchParams.get('path')).toBe('/Day 2');
    // Preview a file inside, then download it.
    await p.getByRole('button', { name: 'beach.txt', exact: true }).click();
    await p.getByRole('dialog').getByText('sand and sea').waitFor();
    expect(await seriousViolations(p)).toEqual([]);
    await p.getByRole('button', { name: 'Close preview' }).click();
    const [file] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: "Download 'beach.txt'" }).click()]);
    expect(await readFile((await file.path())!, 'utf8')).toBe('sand and sea');
    // Back to the link's root by the breadcrumb; the whole folder as a zip.
    await p.getByRole('link', { name: 'Album', exact: true }).click();
    await p.getByRole('heading', { name: 'Album' }).waitFor();
    const [zip] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download all (zip)' }).click()]);
    expect(zip.suggestedFilename()).toBe('Album.zip');
    const bytes = await readFile((await zip.path())!);
    expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304');
    expect(bytes.includes(Buffer.from('Day 2/beach.txt'))).toBe(true);
    await s.close();
  });

  it('a drop link: a stranger uploads a file that lands in the owner’s folder', async () => {
    const owner = await env.server.user();
    expect((await api(owner.token, 'POST', '/mkdir', { path: '/Inbox' })).status).toBe(201);
    const url = await makeLink(owner.token, { path: '/Inbox', kind: 'drop' });
    const s = await stranger(PHONE);
    const p = await s.newPage();
    await p.goto(url);
    await p.getByRole('heading', { name: "Send files to 'Inbox'" }).waitFor();
    expect(await seriousViolations(p)).toEqual([]);
    await p.locator('input[type=file]').setInputFiles([{ name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from('paid in full') }]);
    await p.getByText('Sent', { exact: true }).waitFor();
    expect(await seriousViolations(p)).toEqual([]);
    await shot(p, 'link-drop-phone', true);
    const dl = await api(owner.token, 'GET', `/download?path=${encodeURIComponent('/Inbox/receipt.txt')}`);
    expect(dl.status).toBe(200);
    expect(await dl.text()).toBe('paid in full');
    await s.close();
  });

  it('unknown, used-up and expired links say so', async () => {
    const owner = await env.server.user();
    await put(owner.token, '/once.txt', 'once');
    const once = await makeLink(owner.token, { path: '/once.txt', maxDownloads: 1 });
    expect((await fetch(`${once}/download`)).status).toBe(200);
    const res = await api(owner.token, 'POST', '/links', { path: '/once.txt', expiresAt: new Date(Date.now() + 1500).toISOString() });
    const expiring = new URL(((await res.json()) as { url: string }).url, env.server.url).href;
    await new Promise((r) => setTimeout(r, 1600));
    const s = await stranger();
    const p = await s.newPage();
    await p.goto('/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await expect.poll(() => p.getByRole('alert').textContent()).toContain('This link does not exist, or it needs a password');
    expect(await seriousViolations(p)).toEqual([]);
    await p.goto(once);
    await expect.poll(() => p.getByRole('alert').textContent()).toContain('This link reached its download limit.');
    expect(await seriousViolations(p)).toEqual([]);
    await p.goto(expiring);
    await expect.poll(() => p.getByRole('alert').textContent()).toContain('This link has expired.');
    await s.close();
    // In Korean, in the dark theme: the same page, still without serious violations (contrast).
    const ko = await env.browser.newContext({ baseURL: env.server.url, viewport: PHONE, locale: 'ko-KR', colorScheme: 'dark' });
    const kp = await ko.newPage();
    await kp.goto(once);
    await expect.poll(() => kp.getByRole('alert').textContent()).toContain('이 링크는 다운로드 한도에 도달했습니다.');
    expect(await seriousViolations(kp)).toEqual([]);
    await ko.close();
  });
});
