/**
 * The web app (web/dist, built by Vite) at the root and the admin UI (admin-ui/dist) at /admin:
 * hashed files under assets/ are immutable for a year; everything else (index.html, the service
 * worker, the manifest) is revalidated each time, so a new build reaches every browser on its next
 * load. Any other GET that is not an API, WebDAV, link or health path answers the app's shell, so
 * /files/a/b (or /admin/people) opens on reload. Both answer with the same CSP. Text files are
 * gzipped once and kept in memory (keyed by mtime): the shell and its scripts cost no disk read or
 * compression per request. The admin UI's files are no secret (the admin API is the boundary).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Context, Hono } from 'hono';
import { APP_HEADERS } from './csp.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.svg', '.txt', '.wasm']);
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** A file name inside dist: plain segments only (no '..', no dot-files, no backslashes). */
const SAFE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
/** Paths the web app never answers: other routers (or the admin UI) own them; a miss there stays their 404. */
const NOT_APP = /^\/(?:api|dav|s|healthz|readyz|metrics|admin)(?:\/|$)/;
/** The admin UI's own address space; /admin/api stays a 404 (no API there). */
const ADMIN = /^\/admin(?:\/|$)/;
const NOT_ADMIN = /^\/admin\/api(?:\/|$)/;
/** A public link's own address: a browser opening it as a page gets the app (the link's page);
 *  every other request there is the link's JSON (routes/public-links.ts). */
const LINK_PAGE = /^\/s\/[A-Za-z0-9_-]{1,100}\/?$/;

/**
 * Whether a request is a browser navigating to a page (not the app's own fetch of JSON):
 * `Sec-Fetch-Dest: document`, or an Accept preferring HTML (a fetch that follows a navigation's
 * redirect, e.g. the share target's, asks for HTML without being a document request).
 */
export function wantsPage(c: Context): boolean {
  if (c.req.header('sec-fetch-dest') === 'document') return true;
  const accept = (c.req.header('accept') ?? '').toLowerCase();
  const html = accept.indexOf('text/html');
  if (html < 0) return false;
  const json = accept.indexOf('application/json');
  return json < 0 || html < json;
}

interface Cached {
  mtimeMs: number;
  body: Buffer;
  gzip?: Buffer;
}

/** One built app's folder: its files (cached, gzipped) and its shell. */
function distFiles(dir: string, notBuilt: string) {
  const cache = new Map<string, Cached>();

  async function load(rel: string): Promise<Cached | undefined> {
    const file = join(dir, rel);
    let st;
    try {
      st = await stat(file);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const hit = cache.get(rel);
    if (hit && hit.mtimeMs === st.mtimeMs) return hit;
    const body = await readFile(file);
    const entry: Cached = { mtimeMs: st.mtimeMs, body };
    if (COMPRESSIBLE.has(extname(rel)) && body.length > 512) entry.gzip = gzipSync(body, { level: 9 });
    cache.set(rel, entry);
    return entry;
  }

  function answer(c: Context, rel: string, file: Cached, cacheControl: string): Response {
    const headers: Record<string, string> = {
      ...APP_HEADERS,
      'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream',
      'Cache-Control': cacheControl,
      Vary: 'Accept-Encoding',
    };
    const gz = file.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    const body = gz ? file.gzip! : file.body;
    if (gz) headers['Content-Encoding'] = 'gzip';
    headers['Content-Length'] = String(body.length);
    return c.req.method === 'HEAD' ? c.body(null, 200, headers) : c.body(new Uint8Array(body), 200, headers);
  }

  /**
   * A GET of `rel` (the path inside the app, '' for its root): a hashed asset, a file at the
   * top level or below (manifest, service worker, icons), else the shell for a browser asking for
   * a page (and for the root, which the service worker precaches); anything else (curl, a client's
   * mistyped API path) keeps the JSON 404.
   */
  return async function serve(c: Context, rel: string): Promise<Response> {
    if (rel.startsWith('assets/')) {
      const file = SAFE_PATH.test(rel) ? await load(rel) : undefined;
      return file ? answer(c, rel, file, IMMUTABLE) : c.notFound();
    }
    if (rel !== '' && rel !== 'index.html' && SAFE_PATH.test(rel) && extname(rel) !== '') {
      const file = await load(rel);
      if (file) return answer(c, rel, file, REVALIDATE);
      return c.notFound();
    }
    if (rel !== '' && !wantsPage(c)) return c.notFound();
    const index = await load('index.html');
    if (!index) return c.text(notBuilt, 503);
    return answer(c, 'index.html', index, REVALIDATE);
  };
}

export function mountWebApp(app: Hono, webDir: string, adminWebDir: string): void {
  const web = distFiles(webDir, 'The web app is not built: run `npm run build:web` (npm start builds it).\n');
  const admin = distFiles(adminWebDir, 'The admin UI is not built: run `npm run build:admin` (npm start builds it).\n');

  // The PWA's Web Share Target posts here; the service worker takes the post. Without one (the
  // app never opened on this device, or storage cleared) the files cannot be kept: open the app's
  // screen there, which says so, instead of a bare 404.
  app.post('/share-target', (c) => c.redirect('/share-target?lost=1', 303));

  app.on(['GET', 'HEAD'], '*', async (c) => {
    const path = c.req.path;
    if (ADMIN.test(path) && !NOT_ADMIN.test(path)) return admin(c, path.replace(/^\/admin\/?/, ''));
    if (NOT_APP.test(path) && !(LINK_PAGE.test(path) && wantsPage(c))) return c.notFound();
    return web(c, path.slice(1));
  });
}
