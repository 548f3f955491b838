/**
 * npm run typecheck: tsc --noEmit over each TypeScript project (the server side and scripts, the
 * web app, the admin UI, and their browser tests), two at a time — each tsc is one thread, and
 * one after another they took ~75 s of every `npm test` on two cores (39 s two at a time). A project's errors are
 * printed whole when it ends (not interleaved); the exit code is 1 if any project failed.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';

// Longest first, so the two lanes end together.
const projects = ['.', 'web', 'web/test', 'admin-ui/test', 'admin-ui'];
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const lanes = Math.max(1, Math.min(Number(process.env.COFFER_TYPECHECK_LANES ?? 2), availableParallelism()));

let failed = 0;
let next = 0;
async function lane() {
  while (next < projects.length) {
    const p = projects[next++];
    const t0 = performance.now();
    const { code, out } = await new Promise((resolve) => {
      const child = spawn(process.execPath, [tsc, '--noEmit', '-p', p], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => resolve({ code, out }));
    });
    if (code !== 0) failed++;
    process.stdout.write(`tsc -p ${p}: ${code === 0 ? 'ok' : 'FAILED'} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n${out}`);
  }
}
await Promise.all(Array.from({ length: lanes }, lane));
process.exitCode = failed ? 1 : 0;
