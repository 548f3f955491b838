/**
 * bench:tree's yardsticks: borg (1.2, `borg init -e repokey`, `--compression zstd,3`) and restic
 * (0.14, a local repository, its default compression) backing up the same folder the Coffer
 * stages sync, in the same steps: each snapshot in turn, the unchanged tree again, the restore of
 * the last snapshot to an empty folder (`borg extract`, `restic restore`), then all five in one go
 * into a fresh repository. Each command runs under GNU time for its peak RSS; stored bytes are the
 * repository's size on disk (`du -sb`).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { treeDigest, placeTree, type Snapshot } from './corpus.js';
import { AGAIN, ALL, RESTORE, SNAPSHOT_STAGES, type RunResult, type StageChoice } from './report.js';

const run = promisify(execFile);

export type Yardstick = 'borg' | 'restic';

/** Passwords, and the tools' caches and key directories inside the run's folder (nothing left in ~). */
const envOf = (temp: string) => ({ ...process.env, BORG_PASSPHRASE: 'bench-tree', RESTIC_PASSWORD: 'bench-tree', BORG_BASE_DIR: join(temp, 'borg-base'), RESTIC_CACHE_DIR: join(temp, 'restic-cache') });

/** Runs a command under GNU time: wall seconds and peak RSS (bytes). */
async function timed(cmd: string, args: string[], cwd: string, temp: string): Promise<{ wall: number; rss: number }> {
  const out = join(temp, 'time.txt');
  const t0 = performance.now();
  try {
    await run('/usr/bin/time', ['-f', '%M', '-o', out, cmd, ...args], { cwd, env: envOf(temp), maxBuffer: 64 << 20 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr || e.message).slice(-2000)}`);
  }
  const wall = (performance.now() - t0) / 1000;
  const kib = Number((await readFile(out, 'utf8')).trim().split('\n').at(-1));
  return { wall, rss: kib * 1024 };
}

async function du(path: string): Promise<number> {
  const { stdout } = await run('du', ['-sb', path]);
  return Number(stdout.split('\t')[0]);
}

function commands(tool: Yardstick, repo: string) {
  if (tool === 'borg')
    return {
      init: ['borg', ['init', '-e', 'repokey', repo]] as const,
      backup: (tag: string, path: string) => ['borg', ['create', '--compression', 'zstd,3', `${repo}::${tag}`, path]] as const,
      restore: (tag: string) => ['borg', ['extract', `${repo}::${tag}`]] as const,
    };
  return {
    init: ['restic', ['init', '--repo', repo]] as const,
    backup: (_tag: string, path: string) => ['restic', ['backup', '--repo', repo, '--quiet', path]] as const,
    restore: (_tag: string) => ['restic', ['restore', 'latest', '--repo', repo, '--target', '.']] as const,
  };
}

/**
 * One run of a yardstick below `temp`: the folder is `temp/dir` (the snapshots placed there in
 * turn, backed up by relative path from `temp`), the restore goes to `temp/restore`.
 */
export async function runYardstick(tool: Yardstick, snapshots: Snapshot[], temp: string, log: (s: string) => void, o: StageChoice = {}): Promise<RunResult> {
  const res: RunResult = { stages: new Map(), peakRss: 0 };
  const step = async (stage: string, cmd: readonly [string, readonly string[]], cwd: string, repo: string) => {
    const r = await timed(cmd[0], [...cmd[1]], cwd, temp);
    const stored = await du(repo);
    res.stages.set(stage, { wall: r.wall, storedBytes: stored });
    res.peakRss = Math.max(res.peakRss, r.rss);
    log(`${tool}: ${stage}: ${r.wall.toFixed(1)} s, repository ${(stored / 1e6).toFixed(1)} MB, RSS ${(r.rss / 2 ** 20).toFixed(0)} MiB`);
  };

  const repo = join(temp, `${tool}-repo`);
  const c = commands(tool, repo);
  await run(c.init[0], [...c.init[1]], { env: envOf(temp) });
  const dir = join(temp, 'dir');
  for (const [k, s] of snapshots.entries()) {
    await placeTree(s.dir, dir);
    await step(SNAPSHOT_STAGES[k]!, c.backup(`s${k + 1}`, 'dir'), temp, repo);
  }
  if (!o.restoreOnly) await step(AGAIN, c.backup('again', 'dir'), temp, repo);
  if (o.ingestOnly) return res;

  const target = join(temp, 'restore');
  await rm(target, { recursive: true, force: true });
  await mkdir(target);
  await step(RESTORE, c.restore(`s${snapshots.length}`), target, repo);
  res.restoreCheck = await verifyRestore(join(target, 'dir'), snapshots.at(-1)!, tool, log);
  await rm(target, { recursive: true, force: true });
  if (o.restoreOnly) return res;

  const all = join(temp, 'all');
  for (const s of snapshots) await placeTree(s.dir, join(all, s.name.replace(/\s/g, '-')));
  const repo2 = join(temp, `${tool}-repo-all`);
  const c2 = commands(tool, repo2);
  await run(c2.init[0], [...c2.init[1]], { env: envOf(temp) });
  await step(ALL, c2.backup('all', 'all'), temp, repo2);
  await rm(all, { recursive: true, force: true });
  return res;
}

/** The restored folder must hold exactly the snapshot's files and bytes: 'ok', or what differs (logged; the run goes on). */
export async function verifyRestore(restored: string, s: Snapshot, who: string, log: (s: string) => void, skip: string[] = []): Promise<string> {
  const [got, want] = await Promise.all([treeDigest(restored, skip), treeDigest(s.dir)]);
  const check = got.digest === want.digest ? 'ok' : `DIFFERS (${got.files} files restored, ${want.files} in ${s.name})`;
  log(`${who}: restored folder against ${s.name} by SHA-256: ${check}`);
  return check;
}
