/**
 * History-API routing: the URL is a signal, `navigate` pushes, back/forward pops. The server
 * answers the app shell for every app path (server/src/web/static.ts), so a reload or a shared
 * URL opens the same screen.
 */
import { signal } from '@preact/signals';

export interface Location {
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  return { path: decodeURIComponent(window.location.pathname), query: new URLSearchParams(window.location.search) };
}

export const location = signal<Location>(read());

window.addEventListener('popstate', () => {
  location.value = read();
});

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  location.value = read();
}

/** The app URL of a folder or file path in the drive: '/' → '/files', '/a b/c' → '/files/a%20b/c'. */
export function filesHref(path: string): string {
  const segs = path.split('/').filter(Boolean).map(encodeURIComponent);
  return segs.length ? `/files/${segs.join('/')}` : '/files';
}

/** The drive path an app URL under /files names ('/files/a%20b' → '/a b'). */
export function drivePathOf(appPath: string): string {
  const rest = appPath.replace(/^\/files\/?/, '');
  return '/' + rest.split('/').filter(Boolean).join('/');
}
