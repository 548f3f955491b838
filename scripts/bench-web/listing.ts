/**
 * bench:web, first listing: the time from navigation start to the rows of a folder of ~50 entries
 * painted, on loopback, against the real server process (PGlite, the embedded default, unless
 * told otherwise) serving the built app, in Debian's chromium.
 *  - cold: a fresh browser context each run (empty HTTP cache, no service worker), signed in by
 *    cookie, opening /files/<folder>; target ≤ 1 s.
 *  - warm: the same context reloaded once its service worker controls it (shell network first,
 *    hashed assets from the worker's cache); target ≤ 300 ms.
 * "Painted" is measured in the page: a MutationObserver (injected before the app's scripts) sees
 * the folder's first entry in the document, and the next animation frame stamps performance.now()
 * (whose origin is the navigation start). The same run also measures the listing request alone
 * from Node (the API's share of the time) and when, in the page, its answer ended.
 */
import { loadavg } from 'node:os';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureWebBuilt } from '@coffer/web/build';
import { launchBrowser } from '@coffer/web/testing/chromium';
import { PASSWORD, startServerProcess, type Backend } from '@coffer/server/testing/server-process';
import { median, type SectionReport } from './section.js';

export interface ListingOptions {
  runs?: number;
  entries?: number;
  backend?: Backend;
}

const FOLDER = '/Bench listing';
/** Sorts first by name whether folders come first or not, so even a virtualised list renders it. */
const MARK = 'Albums';
const COLD_TARGET_MS = 1000;
const WARM_TARGET_MS = 300;

// The page-side code is kept as text: this file is compiled without the DOM's types.
/** Stamps `__cofferListingAt` at the first animation frame after MARK is in the document. */
const WATCH_FOR_LISTING = `
new MutationObserver((_, observer) => {
  if (!document.body || !document.body.textContent.includes(${JSON.stringify(MARK)})) return;
  observer.disconnect();
  requestAnimationFrame(() => { window.__cofferListingAt = performance.now(); });
}).observe(document, { childList: true, subtree: true, characterData: true });`;

const LISTING_TIMES = `(() => {
  const list = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === '/api/v1/list');
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    paintedMs: window.__cofferListingAt,
    listStartedMs: list ? list.startTime : undefined,
    listAnsweredMs: list ? list.responseEnd : undefined,
    scriptsDoneMs: nav ? nav.domContentLoadedEventEnd : undefined,
  };
})()`;

interface Times {
  paintedMs: number;
  listStartedMs: number | undefined;
  listAnsweredMs: number | undefined;
  /** DOMContentLoaded ended: the app's module script has run. */
  scriptsDoneMs: number | undefined;
}

/** Navigation start → rows painted, and the steps before it, in this page load. */
async function timing(page: Page): Promise<Times> {
  // A function, not text: text would be eval'd in the page, which the app's CSP forbids.
  await page.waitForFunction(() => (globalThis as { __cofferListingAt?: number }).__cofferListingAt !== undefined, undefined, { timeout: 30_000 });
  return (await page.evaluate(LISTING_TIMES)) as Times;
}

async function signedIn(browser: Browser, url: string, username: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const res = await context.request.post('/api/v1/auth/login', { data: { username, password: PASSWORD, cookie: true }, headers: { origin: url } });
  if (!res.ok()) throw new Error(`sign-in failed: ${res.status()}`);
  await context.addInitScript({ content: WATCH_FOR_LISTING });
  return context;
}

export async function benchListing(opts: ListingOptions = {}): Promise<SectionReport> {
  const runs = opts.runs ?? 7;
  const entries = opts.entries ?? 50;
  await ensureWebBuilt();
  const srv = await startServerProcess({ backend: opts.backend ?? 'pglite' });
  let browser: Browser | undefined;
  try {
    // The folder: a few subfolders and files (~50 entries), made over the API.
    const mkdir = async (path: string) => {
      const r = await srv.call('POST', '/api/v1/mkdir', { json: { path, parents: true } });
      if (r.status !== 201) throw new Error(`mkdir ${path}: ${r.status} ${r.body}`);
    };
    await mkdir(FOLDER);
    await mkdir(`${FOLDER}/${MARK}`);
    const folders = Math.min(9, entries - 1);
    for (let i = 0; i < folders; i++) await mkdir(`${FOLDER}/folder-${String(i).padStart(2, '0')}`);
    for (let i = 0; i < entries - 1 - folders; i++) {
      const path = `${FOLDER}/photo-${String(i).padStart(3, '0')}.jpg`;
      const r = await srv.call('POST', `/api/v1/upload?uploadType=media&path=${encodeURIComponent(path)}`, { headers: { 'content-type': 'application/octet-stream' }, body: `bench bytes ${i}`.repeat(40) });
      if (r.status !== 201) throw new Error(`upload ${path}: ${r.status}`);
    }
    const appPath = `/files/${encodeURIComponent(FOLDER.slice(1))}`;

    // The API alone, from Node: the floor under any page.
    const api: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const t = performance.now();
      const r = await srv.call('GET', `/api/v1/list?path=${encodeURIComponent(FOLDER)}&limit=1000`);
      if (r.status !== 200) throw new Error(`list: ${r.status}`);
      if (i > 0) api.push(performance.now() - t);
      if (i === 0 && r.json<{ entries: unknown[] }>().entries.length !== entries) throw new Error(`the folder has ${r.json<{ entries: unknown[] }>().entries.length} entries, not ${entries}`);
    }

    browser = await launchBrowser();
    const cold: Times[] = [];
    const warm: Times[] = [];
    // One untimed load first: the server's first answers (JIT, database caches) are not the browser's cold start.
    for (let i = 0; i < runs + 1; i++) {
      const context = await signedIn(browser, srv.url, srv.username);
      const page = await context.newPage();
      await page.goto(appPath);
      const t = await timing(page);
      if (i > 0) cold.push(t);
      if (i === runs) {
        // Warm: this context, once its service worker controls the page.
        await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
        await page.reload();
        await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null);
        await timing(page);
        for (let j = 0; j < runs; j++) {
          await page.reload();
          warm.push(await timing(page));
        }
      }
      await context.close();
    }

    const med = (ts: Times[], k: keyof Times) => round(median(ts.map((t) => t[k]).filter((v): v is number => v !== undefined)));
    const coldMs = median(cold.map((t) => t.paintedMs));
    const warmMs = median(warm.map((t) => t.paintedMs));
    return {
      section: 'listing',
      figures: [
        { metric: `cold: navigation → ${entries} rows painted (median of ${runs})`, value: round(coldMs), unit: 'ms', target: `≤ ${COLD_TARGET_MS} ms`, ok: coldMs <= COLD_TARGET_MS },
        { metric: `warm: reload → ${entries} rows painted (median of ${runs})`, value: round(warmMs), unit: 'ms', target: `≤ ${WARM_TARGET_MS} ms`, ok: warmMs <= WARM_TARGET_MS },
        { metric: 'cold: app script done (DOMContentLoaded)', value: med(cold, 'scriptsDoneMs'), unit: 'ms' },
        { metric: 'cold: listing request started', value: med(cold, 'listStartedMs'), unit: 'ms' },
        { metric: 'cold: listing answer ended', value: med(cold, 'listAnsweredMs'), unit: 'ms' },
        { metric: 'warm: app script done (DOMContentLoaded)', value: med(warm, 'scriptsDoneMs'), unit: 'ms' },
        { metric: 'warm: listing request started', value: med(warm, 'listStartedMs'), unit: 'ms' },
        { metric: 'warm: listing answer ended', value: med(warm, 'listAnsweredMs'), unit: 'ms' },
        { metric: 'the listing request alone, from Node (median)', value: round(median(api)), unit: 'ms', target: 'the floor' },
      ],
      notes: [
        `cold runs: ${cold.map((t) => round(t.paintedMs)).join(', ')} ms; warm runs: ${warm.map((t) => round(t.paintedMs)).join(', ')} ms`,
        `server process on ${srv.backend}, plain HTTP on 127.0.0.1; chromium headless, 1280×800`,
        `load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (a shared machine's load lengthens every figure)`,
      ],
    };
  } finally {
    await browser?.close().catch(() => {});
    await srv.cleanup();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
