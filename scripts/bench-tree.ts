/**
 * npm run bench:tree [-- --runs 3 --cache DIR]
 *
 * A real folder tree of many small files through `coffer sync DIR --once` on the embedded default
 * (one server process: HTTPS, PGlite, local nodes). The corpus is published files, pinned and
 * checked by SHA-256: npm package tarballs (typescript and rxjs, two versions each, so that the
 * second snapshot dedups against the first), unpacked. Per run, on a fresh server: the first
 * snapshot into an empty folder, the second replacing it (every file re-read, few changed), the
 * same tree again (nothing to do). Prints each stage's wall time and files/s, medians over runs,
 * and the server's peak RSS. (Issue 20's full bench — borg, restic, Debian packages, PostgreSQL
 * with S3 nodes, restore — is still to come.)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fingerprintOfPem, PASSWORD, ROOT, runCli, usernameOf } from '@coffer/client/testing/cli-harness';
import { startServerProcess, watchMemory } from '@coffer/server/testing/server-process';
import { makeTempDir } from '@coffer/test-support/temp-dir';
import { scriptOptions } from './options.js';

const run = promisify(execFile);
const opt = scriptOptions({ runs: 3, cache: join(ROOT, '.tmp', 'bench-tree') }, 'npm run bench:tree [-- --runs 3 --cache DIR]');

/** Each snapshot's tarballs, pinned by SHA-256 (of the .tgz the registry serves). */
const SNAPSHOTS: { name: string; packages: [string, string][] }[] = [
  {
    name: 'snapshot 1',
    packages: [
      ['typescript@5.4.5', '154fae77169f04155ac52d521ac59abb07c9be29ea3744732adbf9f14abb2440'],
      ['rxjs@7.8.0', '693b37ffcde839f6026c822b66bfac187c10673c89c4325f32c61eefedb15480'],
    ],
  },
  {
    name: 'snapshot 2',
    packages: [
      ['typescript@5.5.4', '2680b6354d462a1d90a2cf10c790e071f1c45081c9d4561cb47ce23c934d8586'],
      ['rxjs@7.8.1', 'c532167725ab7d085123209156c93cef22f2479cb9c8527060f1cd903aa9d149'],
    ],
  },
];

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

/** The snapshot's tree (cached): each package's tarball fetched with `npm pack`, checked, unpacked under its name. */
async function corpus(s: (typeof SNAPSHOTS)[number]): Promise<string> {
  const dir = join(opt.cache, s.name.replace(/\s/g, '-'));
  await mkdir(join(opt.cache, 'tgz'), { recursive: true });
  for (const [spec, want] of s.packages) {
    const tgz = join(opt.cache, 'tgz', `${spec.replace('@', '-').replace('/', '-')}.tgz`);
    let bytes = await readFile(tgz).catch(() => undefined);
    if (!bytes) {
      const { stdout } = await run('npm', ['pack', spec, '--silent', '--pack-destination', join(opt.cache, 'tgz')]);
      const packed = join(opt.cache, 'tgz', stdout.trim().split('\n').at(-1)!);
      if (packed !== tgz) await cp(packed, tgz);
      bytes = await readFile(tgz);
    }
    const got = sha256(bytes);
    if (got !== want) throw new Error(`${spec}: SHA-256 ${got}, pinned ${want}`);
    // Under the package's name, not its version: the next snapshot replaces the same files (few change).
    const out = join(dir, spec.slice(0, spec.lastIndexOf('@')));
    if (!(await readdir(out).catch(() => undefined))) {
      await mkdir(out, { recursive: true });
      await run('tar', ['xzf', tgz, '-C', out]);
    }
  }
  return dir;
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}

const trees = [];
for (const s of SNAPSHOTS) trees.push({ name: s.name, dir: await corpus(s), files: 0 });
for (const t of trees) t.files = await countFiles(t.dir);

const stages = [...trees.map((t) => `${t.name} (${t.files} files)`), 'unchanged tree again'];
const walls = new Map<string, number[]>(stages.map((s) => [s, []]));
const rss: number[] = [];
for (let i = 0; i < opt.runs; i++) {
  const srv = await startServerProcess({ tls: true });
  const temp = await makeTempDir('coffer-bench-tree-');
  const mem = watchMemory(srv.pid);
  try {
    const configDir = join(temp.path, 'config');
    const user = await usernameOf(srv);
    const login = await runCli(['login', srv.url, '--username', user, '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!), '--device-name', 'bench'], { configDir, input: PASSWORD });
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
    const dir = join(temp.path, 'dir');
    const sync = async (stage: string) => {
      const t0 = performance.now();
      const r = await runCli(['sync', dir, '/bench', '--once'], { configDir });
      const s = (performance.now() - t0) / 1000;
      if (r.code !== 0) throw new Error(`sync failed (${r.code}): ${r.stderr.slice(-2000)}`);
      walls.get(stage)!.push(s);
      console.log(`  run ${i + 1}: ${stage}: ${s.toFixed(1)} s`);
    };
    for (const [k, t] of trees.entries()) {
      await rm(dir, { recursive: true, force: true });
      await cp(t.dir, dir, { recursive: true });
      await sync(stages[k]!);
    }
    await sync(stages.at(-1)!);
  } finally {
    rss.push((await mem.stop()).peakRss);
    await srv.cleanup();
    await temp.remove();
  }
}

console.log(`coffer sync DIR --once, embedded default (PGlite, local nodes, HTTPS); medians of ${opt.runs} run(s)`);
for (const [k, stage] of stages.entries()) {
  const xs = walls.get(stage)!;
  const files = trees[Math.min(k, trees.length - 1)]!.files;
  const m = median(xs);
  console.log(`  ${stage.padEnd(30)} ${m.toFixed(1).padStart(7)} s   ${(files / m).toFixed(0).padStart(6)} files/s   (runs: ${xs.map((x) => x.toFixed(1)).join(', ')} s)`);
}
console.log(`  server peak RSS: ${(median(rss) / 2 ** 20).toFixed(0)} MiB (median of runs)`);
