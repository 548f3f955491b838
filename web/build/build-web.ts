/**
 * Builds the web app into web/dist when its sources are newer than the build (or there is none):
 * `npm start` runs it first, and the test run's global setup too, so neither serves a stale app.
 * The build goes to a fresh folder that then replaces dist whole, so a server reading dist never
 * sees half of one.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WEB_DIST = join(WEB_ROOT, 'dist');

const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'build/sw-plugin.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when dist is missing or older than any source file. */
export function webBuildIsStale(): boolean {
  const built = join(WEB_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return SOURCES.some((s) => newestMtime(join(WEB_ROOT, s)) > builtAt);
}

export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  const tmp = join(WEB_ROOT, `dist.tmp-${process.pid}`);
  // Always a production build: Vite takes `import.meta.env.PROD` from NODE_ENV, which vitest sets
  // to 'test' — a build made by the tests' global setup would otherwise leave out what only
  // production does (the service worker's registration).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), mode: 'production', build: { outDir: tmp, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const old = join(WEB_ROOT, `dist.old-${process.pid}`);
  if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
  renameSync(tmp, WEB_DIST);
  rmSync(old, { recursive: true, force: true });
}

export async function ensureWebBuilt(): Promise<void> {
  if (webBuildIsStale()) await buildWeb();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const stale = webBuildIsStale();
  await ensureWebBuilt();
  if (stale) console.log(`web app built into web/dist in ${Date.now() - started} ms`);
}
