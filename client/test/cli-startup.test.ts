/**
 * The `coffer` command turns on V8's code cache on disk before it loads the bundle
 * (client/bin/coffer.mjs): a second start reads compiled code instead of compiling the bundle
 * again, most of a `coffer sync --once` over an unchanged tree. On Linux with glibc, the commands
 * that move file contents start again at once with malloc on transparent huge pages
 * (client/bin/huge-pages.mjs); the others, and a GLIBC_TUNABLES already set, are left alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { ROOT } from './cli-harness.js';

const dir = useTempDir('coffer-cli-startup-');
const glibc = process.platform === 'linux' && !!(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;

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

  /** Each start of the process, in order: its pid and its GLIBC_TUNABLES (printed by a module NODE_OPTIONS loads first). */
  function starts(args: string[], tunables?: string): { pid: number; tunables: string | null }[] {
    const probe = join(dir(), 'probe.mjs');
    writeFileSync(probe, "process.stderr.write(`start ${process.pid} ${JSON.stringify(process.env.GLIBC_TUNABLES ?? null)}\\n`);\n");
    const env: NodeJS.ProcessEnv = { ...process.env, COFFER_CONFIG_DIR: dir(), NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` };
    delete env.GLIBC_TUNABLES;
    if (tunables !== undefined) env.GLIBC_TUNABLES = tunables;
    const r = spawnSync(process.execPath, [join(ROOT, 'client/bin/coffer.mjs'), ...args], { env, encoding: 'utf8' });
    return [...r.stderr.matchAll(/^start (\d+) (.*)$/gm)].map((m) => ({ pid: Number(m[1]), tunables: JSON.parse(m[2]!) as string | null }));
  }

  it.runIf(glibc)('starts sync, put and get again in the same process with malloc on huge pages', () => {
    for (const command of ['sync', 'put', 'get']) {
      const seen = starts([command, '--help']);
      expect(seen).toHaveLength(2);
      expect(seen[0]!.tunables).toBeNull();
      expect(seen[1]).toEqual({ pid: seen[0]!.pid, tunables: 'glibc.malloc.hugetlb=1' });
    }
  });

  it.runIf(glibc)('leaves other commands, and a GLIBC_TUNABLES the user set, as they are', () => {
    expect(starts(['--version'])).toEqual([{ pid: expect.any(Number), tunables: null }]);
    expect(starts(['sync', '--help'], '')).toEqual([{ pid: expect.any(Number), tunables: '' }]);
    expect(starts(['sync', '--help'], 'glibc.malloc.arena_max=2')).toEqual([{ pid: expect.any(Number), tunables: 'glibc.malloc.arena_max=2' }]);
  });
});
