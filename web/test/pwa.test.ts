/**
 * The installable PWA in a real browser: the manifest and its icons, the service worker taking
 * control, the app shell and the last listing opening with the network off (with the offline
 * banner), API answers other than the offline copies never cached, and the Web Share Target path
 * (a multipart POST to /share-target, which the worker keeps and the app uploads into the drive).
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { sql } from 'drizzle-orm';
import { DESKTOP, PHONE, seriousViolations, shot, signedInContext, TEST_PASSWORD } from '@coffer/web/testing/browser';
import { webEnvForFile } from '@coffer/web/testing/suite';
import { driveFor } from '@coffer/web/testing/drive';

const env = webEnvForFile();
const { api, put } = driveFor(env);

/** Width and height from a PNG's IHDR chunk (bytes 16..23), after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Opens /files and waits until the service worker controls the page (a reload after the first install). */
async function controlledPage(context: BrowserContext, path = '/files'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(path);
  const state = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
  expect(['activating', 'activated']).toContain(state);
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toMatch(/\/sw\.js$/);
  return page;
}

interface Manifest {
  name: string;
  short_name: string;
  start_url: string;
  scope: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
  share_target: { action: string; method: string; enctype: string; params: { files: { name: string; accept: string[] }[] } };
}

describe('the PWA', () => {
  it('links a manifest that parses, names the app and its icons (PNGs really 192 and 512 px, which load)', async () => {
    const user = await env.server.user();
    const context = await signedInContext(env, user, PHONE);
    const page = await context.newPage();
    await page.goto('/files');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBe('/manifest.webmanifest');
    expect(await page.locator('link[rel="apple-touch-icon"]').count()).toBe(1);
    const res = await context.request.get(href!);
    expect(res.headers()['content-type']).toBe('application/manifest+json');
    const m = JSON.parse(await res.text()) as Manifest;
    expect(m.name).toBe('Coffer');
    expect(m.short_name).toBeTruthy();
    expect(m.start_url).toBe('/files');
    expect(m.scope).toBe('/');
    expect(m.display).toBe('standalone');
    expect(m.theme_color).toBe('#1f5fbf'); // --accent in theme.css
    expect(m.background_color).toBe('#f6f7f9'); // --bg
    expect(m.share_target).toMatchObject({ action: '/share-target', method: 'POST', enctype: 'multipart/form-data' });
    expect(m.share_target.params.files[0]?.accept).toEqual(expect.arrayContaining(['image/*', 'video/*']));
    for (const size of [192, 512]) {
      const icon = m.icons.find((i) => i.sizes === `${size}x${size}` && i.type === 'image/png' && (i.purpose ?? 'any').includes('any'));
      expect(icon, `a ${size} px PNG icon`).toBeDefined();
      const png = await context.request.get(icon!.src);
      expect(png.status()).toBe(200);
      expect(pngSize(await png.body())).toEqual({ width: size, height: size });
    }
    expect(m.icons.some((i) => i.purpose === 'maskable')).toBe(true);
    expect(m.icons.some((i) => i.type === 'image/svg+xml')).toBe(true);
    // Every icon loads in the page (under the app's CSP).
    const loaded = await page.evaluate(
      async (srcs) =>
        Promise.all(
          srcs.map(async (src) => {
            const img = new Image();
            img.src = src;
            await img.decode();
            return img.naturalWidth;
          }),
        ),
      m.icons.map((i) => i.src),
    );
    expect(loaded.every((w) => w > 0)).toBe(true);
    await context.close();
  });

  it('registers a service worker that controls the page, and opens the app shell and the last listing with the network off', async () => {
    const user = await env.server.user();
    await put(user, '/notes.md', '# hello');
    const mk = await fetch(`${env.server.url}/api/v1/mkdir`, { method: 'POST', headers: { ...user.auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/Documents' }) });
    expect(mk.status).toBe(201);
    await put(user, '/Documents/report.txt', 'quarterly numbers');
    const context = await signedInContext(env, user, PHONE);
    const page = await controlledPage(context);
    await page.getByText('notes.md').waitFor();
    const cacheNames = await page.evaluate(() => caches.keys());
    expect(cacheNames.some((c) => c.startsWith('coffer-shell-'))).toBe(true);

    await context.setOffline(true);
    await page.reload();
    // The app's own shell (not the browser's offline page), the cached listing, and the banner.
    await page.getByRole('link', { name: 'Coffer' }).waitFor();
    await page.getByText('notes.md').waitFor();
    await page.getByText('You are offline: showing what is cached.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'offline-files-phone', true);
    // A folder never opened is not in the offline copy: still the app's shell, still the banner.
    await page.goto('/files/Documents');
    await page.getByRole('link', { name: 'Coffer' }).waitFor();
    await page.getByText('You are offline: showing what is cached.').waitFor();
    expect(await page.getByText('report.txt').count()).toBe(0);
    await context.setOffline(false);

    // Only the offline copies (who am I, listings) of the API are ever stored.
    const apiKeys = await page.evaluate(async () => {
      const out: string[] = [];
      for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
      return out.filter((p) => /^\/(?:api|s|dav)\//.test(p));
    });
    expect(apiKeys.length).toBeGreaterThan(0);
    expect(apiKeys.filter((p) => !/^\/api\/v1\/(?:me|list)$/.test(p))).toEqual([]);

    // Signing out forgets them, and who was signed in.
    expect(await page.evaluate(() => localStorage.getItem('coffer.me'))).toContain(user.username);
    await page.goto('/files');
    await page.getByRole('button', { name: 'Open menu' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => caches.has('coffer-offline-v1'))).toBe(false);
    expect(await page.evaluate(() => localStorage.getItem('coffer.me'))).toBeNull();
    await context.close();
  });

  it('opens a folder at once with the listing last seen, then the fresh one when the server answers', async () => {
    const user = await env.server.user();
    await put(user, '/before.txt', 'kept');
    const context = await signedInContext(env, user, DESKTOP);
    const page = await controlledPage(context);
    await page.getByText('before.txt').waitFor();
    // Meanwhile the folder changes, and the server is slow to list it: its files table locked.
    expect((await api(user, 'POST', '/move', { from: '/before.txt', to: '/after.txt' })).status).toBe(200);
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const held = env.server.database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table files in access exclusive mode`);
      locked();
      await new Promise<void>((r) => (release = r));
    });
    try {
      await isLocked;
      await page.reload();
      await page.getByText('before.txt').waitFor(); // the copy last seen, while the listing waits
      expect(await page.getByText('after.txt').count()).toBe(0);
    } finally {
      release();
      await held;
    }
    await page.getByText('after.txt').waitFor();
    await expect.poll(() => page.getByText('before.txt').count()).toBe(0);
    await context.close();
  });

  it("deletes older builds' shell caches when a worker activates, and keeps the offline copies", async () => {
    const user = await env.server.user();
    const context = await signedInContext(env, user, PHONE);
    const page = await controlledPage(context);
    const names = await page.evaluate(async () => {
      await (await caches.open('coffer-shell-0ldbuild')).put('/', new Response('an old shell'));
      // A new worker installs and activates, as when a new build's sw.js arrives (another script
      // URL is an update even with the same bytes).
      const reg = await navigator.serviceWorker.register('/sw.js?next', { scope: '/' });
      const worker = reg.installing ?? reg.waiting;
      if (!worker) throw new Error('no new worker installing');
      if (worker.state !== 'activated') await new Promise<void>((r) => worker.addEventListener('statechange', () => worker.state === 'activated' && r()));
      return caches.keys();
    });
    expect(names).not.toContain('coffer-shell-0ldbuild');
    expect(names.filter((n) => n.startsWith('coffer-shell-'))).toHaveLength(1);
    expect(names).toContain('coffer-offline-v1');
    await context.close();
  });

  it('takes files shared to /share-target (the Web Share Target post) and uploads them into the drive', async () => {
    const user = await env.server.user();
    const context = await signedInContext(env, user, PHONE);
    const page = await controlledPage(context);
    // What the OS share sheet sends: a multipart form, here posted by the page so the worker takes it.
    const answer = await page.evaluate(async () => {
      const form = new FormData();
      form.append('title', 'Holiday');
      form.append('files', new File(['pretend jpeg bytes'], 'beach.jpg', { type: 'image/jpeg' }));
      form.append('files', new File(['a second file'], 'notes.txt', { type: 'text/plain' }));
      // As the share sheet's navigation does, it asks for a page (the redirect lands on the app).
      const res = await fetch('/share-target', { method: 'POST', body: form, headers: { accept: 'text/html' } });
      return { url: res.url, redirected: res.redirected, status: res.status };
    });
    expect(answer).toMatchObject({ redirected: true, status: 200 });
    expect(new URL(answer.url).pathname + new URL(answer.url).search).toBe('/share-target?received=2');

    await page.goto('/share-target?received=2');
    await page.getByText('beach.jpg').waitFor();
    await page.getByText('notes.txt').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'share-target-phone');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\/files\/Shared%20from%20phone$/);
    await page.getByText('beach.jpg').waitFor();
    for (const [name, body] of [['beach.jpg', 'pretend jpeg bytes'], ['notes.txt', 'a second file']]) {
      const res = await fetch(`${env.server.url}/api/v1/download?path=${encodeURIComponent(`/Shared from phone/${name}`)}`, { headers: user.auth });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(body);
    }
    // Uploaded files leave the inbox.
    expect(await page.evaluate(async () => (await (await caches.open('coffer-share-inbox')).keys()).length)).toBe(0);

    // Shared again with the same name: kept beside, not over, the first.
    await page.evaluate(async () => {
      const form = new FormData();
      form.append('files', new File(['another beach'], 'beach.jpg', { type: 'image/jpeg' }));
      await fetch('/share-target', { method: 'POST', body: form });
    });
    await page.goto('/share-target');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\/files\/Shared%20from%20phone$/);
    const second = await fetch(`${env.server.url}/api/v1/download?path=${encodeURIComponent('/Shared from phone/beach (2).jpg')}`, { headers: user.auth });
    expect(await second.text()).toBe('another beach');

    // As the OS does it: a form navigation posting the file; the worker answers with the screen.
    await page.evaluate(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.enctype = 'multipart/form-data';
      form.action = '/share-target';
      const input = document.createElement('input');
      input.type = 'file';
      input.name = 'files';
      input.id = 'share-file';
      form.append(input);
      document.body.append(form);
    });
    await page.setInputFiles('#share-file', { name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.from('pretend video') });
    await Promise.all([page.waitForURL(/\/share-target\?received=1$/), page.evaluate(() => document.querySelector('form')!.submit())]);
    await page.getByText('clip.mp4').waitFor();
    await page.getByLabel('Upload to folder').fill('/Videos/From phone');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\/files\/Videos\/From%20phone$/);
    const clip = await fetch(`${env.server.url}/api/v1/download?path=${encodeURIComponent('/Videos/From phone/clip.mp4')}`, { headers: user.auth });
    expect(await clip.text()).toBe('pretend video');
    await context.close();
  });

  it('fits a 360 px wide phone: sign-in, the shell with long names, its drawer, the share screen, the offline banner (English and Korean)', async () => {
    const user = await env.server.user();
    await put(user, '/a-very-long-file-name-without-any-spaces-that-could-push-the-row-wide.jpg', 'x');
    const narrow = { width: 360, height: 740 };
    for (const locale of ['en-US', 'ko-KR']) {
      const context = await env.browser.newContext({ baseURL: env.server.url, viewport: narrow, locale });
      const page = await context.newPage();
      const width = () => page.evaluate(() => document.documentElement.scrollWidth);
      await page.goto('/files');
      await page.locator('input[name="username"]').waitFor();
      expect(await width()).toBeLessThanOrEqual(360);
      const login = await context.request.post('/api/v1/auth/login', { data: { username: user.username, password: TEST_PASSWORD, cookie: true }, headers: { origin: env.server.url } });
      expect(login.ok()).toBe(true);
      await page.reload();
      await page.getByText('a-very-long-file-name', { exact: false }).waitFor();
      expect(await width()).toBeLessThanOrEqual(360);
      await page.locator('.menu-btn').click();
      await page.locator('.sidenav-foot').waitFor();
      expect(await width()).toBeLessThanOrEqual(360);
      await page.goto('/share-target');
      await page.locator('#share-title').waitFor();
      await context.setOffline(true);
      await page.locator('.offline-banner').waitFor();
      expect(await width()).toBeLessThanOrEqual(360);
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    }
  });

  it('answers a share posted without a service worker with the screen that says the files were lost', async () => {
    const form = new FormData();
    form.append('files', new Blob(['x']), 'x.txt');
    const res = await fetch(`${env.server.url}/share-target`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/share-target?lost=1');
  });
});
