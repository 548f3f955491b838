/**
 * A Vite plugin that builds src/boot.ts into its own tiny hashed file, assets/boot-HASH.js, and
 * puts it first in index.html's head as a classic script, so it runs before the app's main
 * module (which Vite would otherwise merge it into): it starts the page's first API requests while
 * the main script still downloads and runs. Under /assets/, it is served immutable and precached
 * by the service worker like every hashed file.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { Plugin } from 'vite';

const BOOT_SOURCE = fileURLToPath(new URL('../src/boot.ts', import.meta.url));

export function bootScript(): Plugin {
  let fileName = '';
  return {
    name: 'coffer-boot-script',
    apply: 'build',
    async buildStart() {
      const out = await esbuild({ entryPoints: [BOOT_SOURCE], bundle: true, write: false, format: 'iife', target: 'es2022', minify: true, legalComments: 'none' });
      const code = out.outputFiles[0]?.text;
      if (!code) throw new Error('the boot script did not build');
      fileName = `assets/boot-${createHash('sha256').update(code).digest('base64url').slice(0, 8)}.js`;
      this.emitFile({ type: 'asset', fileName, source: code });
    },
    transformIndexHtml() {
      return [{ tag: 'script', attrs: { src: `/${fileName}` }, injectTo: 'head-prepend' }];
    },
  };
}
