/**
 * `npm run build:server`: the server as plain JavaScript in dist/server/ (what the image runs with
 * `npm run start:prod`, no tsx at run time). esbuild bundles the server and the workspace parts it
 * imports (their package faces point at TypeScript); every other package stays external and
 * resolves from node_modules at run time (native addons must).
 *
 * Files find their neighbours through `import.meta.url` (migrations in server/drizzle, web/dist,
 * the engine's fs-write worker, createRequire of native addons), so each bundled file's
 * `import.meta.url` is rewritten to its source file's URL, taken relative to the bundle: the
 * bundle keeps working wherever the tree is copied. The seal worker is bundled on its own as
 * dist/server/seal-worker.js, which seal-worker-entry.ts loads when not running from .ts.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'dist', 'server');
/** Node 24 is the runtime (package.json engines). */
const TARGET = 'node24';

/** Bare imports stay external, except Coffer's own TypeScript parts (bundled). */
const externals: Plugin = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@coffer/') && !args.path.startsWith('@coffer/native')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** `import.meta.url` of each source file, as seen from the bundle (see the header). */
const sourceUrls: Plugin = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      // seal-worker-entry.ts asks whether it runs from .ts: it must see the bundle's own URL.
      if (args.path.endsWith('seal-worker-entry.ts') || !text.includes('import.meta.url')) return undefined;
      const rel = relative(OUT, args.path).split('\\').join('/');
      const contents = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
      return { contents, loader: args.path.endsWith('ts') ? 'ts' : 'js', resolveDir: dirname(args.path) };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: TARGET,
  sourcemap: 'linked' as const,
  logLevel: 'warning' as const,
  plugins: [externals, sourceUrls],
  // Bundled CommonJS dependencies (none today) would need require: give ESM one.
  banner: { js: "import { createRequire as __cofferRequire } from 'node:module'; const require = __cofferRequire(import.meta.url);" },
};

const started = Date.now();
await build({ ...common, entryPoints: { main: join(ROOT, 'server/src/main.ts') }, outdir: OUT, outExtension: { '.js': '.js' } });
await build({ ...common, entryPoints: { 'seal-worker': join(ROOT, 'storage-engine/src/seal/seal-worker.ts') }, outdir: OUT });
// The operator's command, run in the image as `coffer-admin` (server/src/admin-cli).
await build({ ...common, entryPoints: { 'coffer-admin': join(ROOT, 'server/bin/coffer-admin.ts') }, outdir: OUT });
console.log(`server built into ${relative(ROOT, OUT)}/ (main.js, seal-worker.js, coffer-admin.js) in ${Date.now() - started} ms`);
