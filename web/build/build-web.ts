/**
 * Builds a Vite app of this repository (the web app into web/dist; the admin UI uses the same
 * step for admin-ui/dist) when its sources are newer than the build (or there is none): `npm
 * start` runs it first, and the test run's global setup too, so neither serves a stale app. The
 * build goes to a fresh folder that then replaces dist whole, so a server reading dist never sees
 * half of one.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One app: its Vite root (holding vite.config.ts), where it builds to, and what it is built from (absolute paths). */
export interface ViteApp {
  root: string;
  dist: string;
  sources: string[];
}

export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WEB_DIST = join(WEB_ROOT, 'dist');
/** The web app's shared components and strings: the admin UI is built from them too. */
export const WEB_KIT_SOURCES = [join(WEB_ROOT, 'src', 'ui'), join(WEB_ROOT, 'src', 'i18n')];

const WEB_APP: ViteApp = {
  root: WEB_ROOT,
  dist: WEB_DIST,
  sources: ['src', 'public', 'index.html', 'vite.config.ts', 'build/sw-plugin.ts'].map((s) => join(WEB_ROOT, s)),
};

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when the app's dist is missing or older than any source file. */
export function buildIsStale(app: ViteApp): boolean {
  const built = join(app.dist, 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return app.sources.some((s) => newestMtime(s) > builtAt);
}

export async function buildApp(app: ViteApp): Promise<void> {
  const { build } = await import('vite');
  const tmp = `${app.dist}.tmp-${process.pid}`;
  // A production build whatever runs it: vitest sets NODE_ENV=test, which would make Vite's
  // import.meta.env.PROD false (no service worker, dev-only paths kept).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(app.root, 'vite.config.ts'), mode: 'production', build: { outDir: tmp, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const old = `${app.dist}.old-${process.pid}`;
  if (existsSync(app.dist)) renameSync(app.dist, old);
  renameSync(tmp, app.dist);
  rmSync(old, { recursive: true, force: true });
}

export async function ensureBuilt(app: ViteApp): Promise<boolean> {
  if (!buildIsStale(app)) return false;
  await buildApp(app);
  return true;
}

export const webBuildIsStale = (): boolean => buildIsStale(WEB_APP);
export const buildWeb = (): Promise<void> => buildApp(WEB_APP);
export async function ensureWebBuilt(): Promise<void> {
  await ensureBuilt(WEB_APP);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  if (await ensureBuilt(WEB_APP)) console.log(`web app built into web/dist in ${Date.now() - started} ms`);
}
