/**
 * Builds the admin UI into admin-ui/dist with the web app's build step (`@coffer/web/build`):
 * when its sources, or the web app's shared components and strings it is built from, are newer
 * than the build. `npm start` runs it first (`npm run build:admin`), the test run's global setup too.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, WEB_KIT_SOURCES, type ViteApp } from '@coffer/web/build';

export const ADMIN_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ADMIN_DIST = join(ADMIN_ROOT, 'dist');

const ADMIN_APP: ViteApp = {
  root: ADMIN_ROOT,
  dist: ADMIN_DIST,
  sources: [...['src', 'index.html', 'vite.config.ts'].map((s) => join(ADMIN_ROOT, s)), ...WEB_KIT_SOURCES],
};

/** Builds when stale; true when it built. */
export function ensureAdminBuilt(): Promise<boolean> {
  return ensureBuilt(ADMIN_APP);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  if (await ensureAdminBuilt()) console.log(`admin UI built into admin-ui/dist in ${Date.now() - started} ms`);
}
