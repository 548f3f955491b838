/**
 * History-API routing under /admin: the URL is a signal, `navigate` pushes, back/forward pops.
 * The server answers the dashboard's shell for every /admin path, so a reload opens the same page.
 */
import { signal } from '@preact/signals';

export const BASE = '/admin';

export interface Location {
  /** The path inside the dashboard: '/' for /admin, '/people' for /admin/people. */
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  const full = decodeURIComponent(window.location.pathname);
  const inner = full.startsWith(BASE) ? full.slice(BASE.length) : full;
  return { path: inner === '' ? '/' : inner.replace(/\/+$/, '') || '/', query: new URLSearchParams(window.location.search) };
}

export const location = signal<Location>(read());

window.addEventListener('popstate', () => {
  location.value = read();
});

/** The address of a dashboard path ('/people' → '/admin/people'). */
export const hrefOf = (path: string): string => (path === '/' ? BASE : `${BASE}${path}`);

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', hrefOf(path));
  else history.pushState(null, '', hrefOf(path));
  location.value = read();
}
