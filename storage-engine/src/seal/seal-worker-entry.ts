import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The module a sealing worker starts from. Compiled JavaScript runs seal-worker.js directly. From
 * TypeScript sources (tsx, vitest) the worker's module graph is bundled once per process with
 * esbuild into node_modules/.cache/coffer/ (named by a hash of its content, written atomically),
 * so the thread runs plain JavaScript: a worker that loads tsx instead costs ~35 MiB of RSS, a
 * bundled one ~15. Native packages stay external and resolve from the project's node_modules.
 * Where the bundle cannot be made or written (no esbuild, a read-only tree), the worker loads tsx.
 */
let cached: URL | undefined;

export function sealWorkerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./seal-worker.js', import.meta.url);
  cached ??= bundled() ?? new URL('./seal-worker-boot.mjs', import.meta.url);
  return cached;
}

function bundled(): URL | undefined {
  try {
    const here = fileURLToPath(import.meta.url);
    const require = createRequire(import.meta.url);
    const esbuild = require('esbuild') as typeof import('esbuild');
    const out = esbuild.buildSync({
      entryPoints: [join(dirname(here), 'seal-worker.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      write: false,
      external: ['@ronomon/reed-solomon', 'zstd-napi', 'zstd-napi/*', '@node-rs/crc32', '@coffer/native'],
    });
    const code = out.outputFiles[0]!.text;
    const root = dirname(require.resolve('esbuild/package.json')).replace(/[\\/]esbuild$/, '');
    const dir = join(root, '.cache', 'coffer');
    const file = join(dir, `seal-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
    }
    return pathToFileURL(file);
  } catch {
    return undefined;
  }
}
