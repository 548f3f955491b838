/**
 * The service worker (built into dist/sw.js by web/build/sw-plugin.ts, which defines the precache
 * list and the build id). Hand-written rather than Workbox: it does four small things, and the app
 * must not fetch anything from outside at run time.
 *  - Precaches the app shell of this build (`/`, the hashed assets, the manifest and icons) and
 *    deletes older builds' shells on activate.
 *  - Navigations: network first, so a new build arrives on the next load; the cached shell when the
 *    network fails, so the app opens offline. Hashed `/assets/`: cache first (they never change).
 *  - API answers are never cached, except the two the app needs to show what it last saw when
 *    offline: who is signed in (`/api/v1/me`) and folder listings (`/api/v1/list`). These are
 *    network first; the copy answers only when the network fails, marked with OFFLINE_COPY_HEADER.
 *    A 401 forgets them all. `/s/`, `/dav/` and every other API answer pass through untouched.
 *  - Web Share Target: the OS posts shared files to `/share-target`; the worker keeps them in the
 *    share inbox (Cache API) and redirects to the app's screen there, which uploads them.
 */
import {
  OFFLINE_CACHE,
  OFFLINE_COPY_HEADER,
  OFFLINE_ENTRIES,
  SHARE_CACHE,
  SHARE_INBOX_PREFIX,
  SHARE_TARGET_PATH,
  SHARED_NAME_HEADER,
  SHELL_CACHE_PREFIX,
} from './caches';

declare const COFFER_PRECACHE: string[];
declare const COFFER_BUILD: string;

const sw = self as unknown as ServiceWorkerGlobalScope;
const SHELL_CACHE = SHELL_CACHE_PREFIX + COFFER_BUILD;
const SHELL_KEY = '/';
const PRECACHED = new Set(COFFER_PRECACHE);
/** Paths the app does not own (the server's other routers, and the admin UI, a separate app):
 *  never answered from a cache, and never stored as this app's shell. */
const NOT_APP = /^\/(?:api|dav|s|healthz|readyz|metrics|admin)(?:\/|$)/;
const OFFLINE_READABLE = /^\/api\/v1\/(?:me|list)$/;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // `reload`: past the HTTP cache, so the shell stored is this build's.
      await cache.addAll(COFFER_PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(SHELL_CACHE_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
      // The shell's request starts while the worker boots, instead of after (network first costs less).
      await sw.registration.navigationPreload?.enable();
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return;
  if (req.method === 'POST' && url.pathname === SHARE_TARGET_PATH) return event.respondWith(receiveShare(req));
  if (req.method !== 'GET') return;
  if (OFFLINE_READABLE.test(url.pathname)) return event.respondWith(offlineReadable(req, event));
  if (NOT_APP.test(url.pathname)) {
    // Navigation preload has sent a navigation to the API already (single sign-on's start and
    // callback): answer with that response, or the browser sends it a second time and the second
    // callback finds its sign-in spent.
    if (req.mode === 'navigate' && url.pathname.startsWith('/api/')) event.respondWith(preloadedOrFetch(req, event.preloadResponse));
    return;
  }
  if (url.pathname.startsWith('/assets/')) return event.respondWith(cacheFirst(req));
  if (req.mode === 'navigate') return event.respondWith(appShell(req, event));
  if (PRECACHED.has(url.pathname)) return event.respondWith(networkFirst(req));
});

async function preloadedOrFetch(req: Request, preloaded: Promise<Response | undefined>): Promise<Response> {
  return (await preloaded.catch(() => undefined)) ?? fetch(req);
}

/** Keeps `res` while the page already reads it: a cache write is never on the page's way. */
function keepWhileAnswering(event: FetchEvent, write: Promise<unknown>): void {
  event.waitUntil(write.catch(() => {})); // a copy not kept is only a copy
}

async function appShell(req: Request, event: FetchEvent): Promise<Response> {
  try {
    const res = (await event.preloadResponse) ?? (await fetch(req));
    if (res.ok && (res.headers.get('content-type') ?? '').startsWith('text/html')) {
      const copy = res.clone();
      keepWhileAnswering(event, caches.open(SHELL_CACHE).then((cache) => cache.put(SHELL_KEY, copy)));
    }
    return res;
  } catch (err) {
    const cached = await caches.match(SHELL_KEY, { cacheName: SHELL_CACHE });
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(req: Request): Promise<Response> {
  const cached = await caches.match(req, { cacheName: SHELL_CACHE });
  if (cached) return cached;
  const res = await fetch(req);
  if (res.ok) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(req, res.clone());
  }
  return res;
}

async function networkFirst(req: Request): Promise<Response> {
  try {
    return await fetch(req);
  } catch (err) {
    const cached = await caches.match(req, { cacheName: SHELL_CACHE });
    if (cached) return cached;
    throw err;
  }
}

async function offlineReadable(req: Request, event: FetchEvent): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(req);
  } catch (err) {
    const copy = await caches.match(req, { cacheName: OFFLINE_CACHE });
    if (!copy) throw err;
    const headers = new Headers(copy.headers);
    headers.set(OFFLINE_COPY_HEADER, '1');
    return new Response(copy.body, { status: copy.status, statusText: copy.statusText, headers });
  }
  if (res.status === 401) await caches.delete(OFFLINE_CACHE);
  else if (res.ok) keepWhileAnswering(event, keepCopy(req, res.clone()));
  return res;
}

/** Stores the answer as the newest entry and drops the oldest past OFFLINE_ENTRIES. */
async function keepCopy(req: Request, res: Response): Promise<void> {
  const cache = await caches.open(OFFLINE_CACHE);
  await cache.delete(req);
  await cache.put(req, res);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - OFFLINE_ENTRIES))) await cache.delete(old);
}

async function receiveShare(req: Request): Promise<Response> {
  const back = new URL(SHARE_TARGET_PATH, sw.location.origin);
  try {
    const form = await req.formData();
    const cache = await caches.open(SHARE_CACHE);
    const batch = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const files = form.getAll('files').filter((f): f is File => typeof f !== 'string');
    if (files.length === 0) {
      // A link or text shared without files: kept as a small text file.
      const text = ['title', 'text', 'url'].map((k) => form.get(k)).filter((v): v is string => typeof v === 'string' && v !== '');
      if (text.length > 0) files.push(new File([text.join('\n') + '\n'], `${safeName(String(form.get('title') ?? '')) || 'Shared'}.txt`, { type: 'text/plain' }));
    }
    for (const [i, file] of files.entries()) {
      const headers = { 'Content-Type': file.type || 'application/octet-stream', [SHARED_NAME_HEADER]: encodeURIComponent(safeName(file.name) || `shared-${i + 1}`) };
      await cache.put(`${SHARE_INBOX_PREFIX}${batch}/${i}`, new Response(file, { headers }));
    }
    back.searchParams.set('received', String(files.length));
  } catch {
    back.searchParams.set('failed', '1');
  }
  return Response.redirect(back.href, 303);
}

/** A file name the drive accepts: no slashes or control characters, not '.' or '..'. */
function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const s = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim().slice(0, 200);
  return s === '.' || s === '..' ? '' : s;
}
