/**
 * `npm run build:cli`: the `coffer` command as bundled JavaScript in client/dist/ (no TypeScript
 * compilation at run time: issue 22's start-up budget). client/bin/coffer.mjs runs it when it is
 * there. Commands are loaded when run (dynamic imports in main.ts), so esbuild splits them into
 * chunks and `coffer --version` loads only the entry. The native addon stays external and
 * optional: where it did not build, the engine's JavaScript paths serve (storage-engine/src/native.ts).
 */
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Bundles the CLI into `out` (its entry `coffer.js`, chunks beside it), emptied first. */
export async function buildCli(out = join(ROOT, 'client', 'dist')): Promise<void> {
  const started = Date.now();
  await rm(out, { recursive: true, force: true });
  await build({
    entryPoints: { coffer: join(ROOT, 'client/bin/coffer.ts') },
    outdir: out,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['@coffer/native'],
    chunkNames: 'chunks/[name]-[hash]',
    // Bundled CommonJS dependencies would need require: give ESM one.
    banner: { js: "import { createRequire as __cofferRequire } from 'node:module'; const require = __cofferRequire(import.meta.url);" },
  });
  console.log(`cli built into ${relative(ROOT, out)}/coffer.js in ${Date.now() - started} ms`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildCli();
