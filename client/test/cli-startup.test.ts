/**
 * The `coffer` command turns on V8's code cache on disk before it loads the bundle
 * (client/bin/coffer.mjs): a second start reads compiled code instead of compiling the bundle
 * again, most of a `coffer sync --once` over an unchanged tree.
 */
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { ROOT } from './cli-harness.js';

const dir = useTempDir('coffer-cli-startup-');

/** Every file below `d`, recursively. */
async function filesIn(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) out.push(...(await filesIn(join(d, e.name))));
    else out.push(join(d, e.name));
  }
  return out;
}

describe('coffer start-up', () => {
  it('keeps the compiled code of what it loaded in the OS temp dir for the next start', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: dir() };
    delete env.NODE_COMPILE_CACHE; // set, Node would cache by itself: this is about the command's own call
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const version = execFileSync(process.execPath, [join(ROOT, 'client/bin/coffer.mjs'), '--version'], { env, encoding: 'utf8' });
    expect(version.trim()).toMatch(/\d+\.\d+\.\d+/);
    const cached = await filesIn(join(dir(), 'node-compile-cache'));
    expect(cached.length).toBeGreaterThan(0);
  });
});
