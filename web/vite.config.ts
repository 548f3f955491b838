import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { bootScript } from './build/boot-plugin.js';
import { serviceWorker } from './build/sw-plugin.js';

/**
 * The app is built into web/dist with hashed file names (served immutable by the server) and no
 * inline script or style, so the server's Content-Security-Policy can say `script-src 'self'`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  plugins: [bootScript(), serviceWorker()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
