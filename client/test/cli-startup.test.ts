/**
 * The `coffer` command turns on V8's code cache on disk before it loads the bundle
 * (client/bin/coffer.mjs): a second start reads compiled code instead of compiling the bundle
 * again, most of a `coffer sync --once` over an unchanged tree. The commands that move file
 * contents start again at once with their V8 flags and, on Linux with glibc, malloc on
 * transparent huge pages (client/bin/relaunch.mjs); the others are left alone, and so are a
 * GLIBC_TUNABLES and flags already set.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { TRANSFER_NODE_FLAGS } from '../bin/relaunch.mjs';
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

  /** Each start of the process, in order: its pid, its GLIBC_TUNABLES and its V8 flags (printed by a module NODE_OPTIONS loads first). */
  function starts(args: string[], tunables?: string, flags: string[] = []): { pid: number; tunables: string | null; flags: string[] }[] {
    const probe = join(dir(), 'probe.mjs');
    writeFileSync(probe, "process.stderr.write(`start ${process.pid} ${JSON.stringify([process.env.GLIBC_TUNABLES ?? null, process.execArgv.filter((a) => !a.startsWith('--import'))])}\\n`);\n");
    const env: NodeJS.ProcessEnv = { ...process.env, COFFER_CONFIG_DIR: dir(), NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` };
    delete env.GLIBC_TUNABLES;
    if (tunables !== undefined) env.GLIBC_TUNABLES = tunables;
    const r = spawnSync(process.execPath, [...flags, join(ROOT, 'client/bin/coffer.mjs'), ...args], { env, encoding: 'utf8' });
    return [...r.stderr.matchAll(/^start (\d+) (.*)$/gm)].map((m) => {
      const [t, f] = JSON.parse(m[2]!) as [string | null, string[]];
      return { pid: Number(m[1]), tunables: t, flags: f };
    });
  }

  it.runIf(glibc)('starts sync, put and get again in the same process with their V8 flags and malloc on huge pages', () => {
    for (const command of ['sync', 'put', 'get']) {
      const seen = starts([command, '--help']);
      expect(seen).toHaveLength(2);
      expect(seen[0]).toMatchObject({ tunables: null, flags: [] });
      expect(seen[1]).toEqual({ pid: seen[0]!.pid, tunables: 'glibc.malloc.hugetlb=1', flags: TRANSFER_NODE_FLAGS });
    }
  });

  it.runIf(glibc)('leaves other commands, and a GLIBC_TUNABLES or flag already set, as they are', () => {
    expect(starts(['--version'])).toEqual([{ pid: expect.any(Number), tunables: null, flags: [] }]);
    // Tunables set: started again for the flags only, the tunables kept.
    for (const tunables of ['', 'glibc.malloc.arena_max=2']) {
      const seen = starts(['sync', '--help'], tunables);
      expect(seen).toEqual([
        { pid: seen[0]!.pid, tunables, flags: [] },
        { pid: seen[0]!.pid, tunables, flags: TRANSFER_NODE_FLAGS },
      ]);
    }
    // Everything set already (as after the restart): no restart.
    const mine = ['--initial-old-space-size=96'];
    expect(starts(['sync', '--help'], '', mine)).toEqual([{ pid: expect.any(Number), tunables: '', flags: mine }]);
  });
});
