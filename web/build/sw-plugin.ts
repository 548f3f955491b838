/**
 * A Vite plugin that builds the service worker (src/pwa/sw.ts) into dist/sw.js at the end of a
 * production build, with this build's precache list compiled in: `/` (the shell), every public file
 * (manifest, icons) and every hashed file under /assets/. The build id names the worker's shell
 * cache; it is a hash of the list and the public files' contents, so any change makes a new cache
 * (and a changed sw.js, which is what makes browsers install the new worker).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { Plugin } from 'vite';

const SW_SOURCE = fileURLToPath(new URL('../src/pwa/sw.ts', import.meta.url));

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(filesUnder(p));
    else out.push(p);
  }
  return out;
}

export function serviceWorker(): Plugin {
  let publicDir = '';
  return {
    name: 'coffer-service-worker',
    apply: 'build',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    async generateBundle(_options, bundle) {
      const hash = createHash('sha256');
      const publicFiles = publicDir ? filesUnder(publicDir) : [];
      const publicUrls = publicFiles.map((p) => '/' + relative(publicDir, p).split(sep).join('/')).filter((u) => u !== '/sw.js');
      for (const p of publicFiles) hash.update(readFileSync(p));
      const assets = Object.keys(bundle).filter((f) => f.startsWith('assets/')).map((f) => '/' + f);
      const precache = ['/', ...publicUrls.sort(), ...assets.sort()];
      hash.update(JSON.stringify(precache));
      const build = hash.digest('hex').slice(0, 16);
      const out = await esbuild({
        entryPoints: [SW_SOURCE],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        minify: true,
        legalComments: 'none',
        define: { COFFER_PRECACHE: JSON.stringify(precache), COFFER_BUILD: JSON.stringify(build) },
      });
      const code = out.outputFiles[0]?.text;
      if (!code) throw new Error('the service worker did not build');
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: code });
    },
  };
}
