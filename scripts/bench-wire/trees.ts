/**
 * bench:wire's tree upgrades (issue 21): bench:tree's five pinned snapshots (typescript and rxjs
 * unpacked, three Debian packages) as four upgrades of one folder, synced by the real agent
 * (`coffer sync DIR REMOTE --once`) and by `rsync -rtz --delete`, each through its counting proxy.
 * Each side first gets snapshot 1 (not counted); then for each next snapshot the folder is
 * changed as an upgrade changes it and the sync is counted (both directions, fresh connections),
 * with a second `--once` pass after it (counted too).
 */
import { cp, mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { PASSWORD, runCli } from '@coffer/client/testing/cli-harness';
import { buildCorpus, treeDigest } from '../bench-tree/corpus.js';

export interface TreeSide {
  /** Bytes on the wire of `f` (both directions) through this side's proxy. */
  counted(f: () => Promise<unknown>): Promise<number>;
}

export interface TreeRow {
  name: string;
  coffer: number;
  rsync: number;
  /** Files changed, added and removed by the upgrade, and their new bytes. */
  changed: number;
  changedBytes: number;
}

async function files(dir: string, skip: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name));
    if (!skip.includes(rel.split('/')[0]!)) out.set(rel, join(e.parentPath, e.name));
  }
  return out;
}

/**
 * `to` made equal to `from` as a package upgrade leaves it: files whose bytes are the same are
 * not touched (their mtime kept); changed and new files get an mtime 10 s ahead of now, so that
 * neither rsync's quick check (size and whole seconds) nor the agent's scan can take them for
 * unchanged; files `from` lacks are removed. Names in `keep` (the agent's `.coffer`) stay.
 */
export async function upgradeTree(from: string, to: string, keep: string[] = []): Promise<{ changed: number; bytes: number }> {
  const [want, have] = [await files(from, []), await files(to, keep)];
  const later = new Date(Date.now() + 10_000);
  let changed = 0;
  let bytes = 0;
  for (const [rel, src] of want) {
    const next = await readFile(src);
    const dst = join(to, rel);
    const old = have.has(rel) ? await readFile(dst) : undefined;
    if (old && old.equals(next)) continue;
    await mkdir(dirname(dst), { recursive: true });
    await writeFile(dst, next);
    await utimes(dst, later, later);
    changed++;
    bytes += next.byteLength;
  }
  for (const [rel, dst] of have) {
    if (want.has(rel)) continue;
    await rm(dst);
    changed++;
  }
  return { changed, bytes };
}

export interface TreeBenchOptions {
  cache: string;
  work: string;
  /** The Coffer server through its counting proxy, its certificate's fingerprint and a user. */
  cofferUrl: string;
  fingerprint: string;
  username: string;
  coffer: TreeSide;
  rsync: TreeSide & { push(dir: string, sub: string): Promise<void>; root: string };
  log: (line: string) => void;
  /** Start from this snapshot (0-based; 0 by default): fewer upgrades, for a look at one. */
  first?: number;
  /** The agent's `--stats FILE` (its block counters). */
  statsFile?: string;
}

export async function treeUpgrades(o: TreeBenchOptions): Promise<TreeRow[]> {
  const snapshots = await buildCorpus(o.cache);
  const configDir = join(o.work, 'tree-config');
  const local = join(o.work, 'tree-coffer');
  const mirror = join(o.work, 'tree-rsync');
  const login = await runCli(['login', o.cofferUrl, '--username', o.username, '--password-stdin', '--fingerprint', o.fingerprint, '--device-name', 'bench-wire'], {
    configDir,
    input: PASSWORD,
  });
  if (login.code !== 0) throw new Error(`coffer login failed: ${login.stderr}`);
  const sync = async () => {
    const r = await runCli(['sync', local, '/trees', '--once', ...(o.statsFile ? ['--stats', o.statsFile] : [])], { configDir });
    if (r.code !== 0) throw new Error(`coffer sync failed (${r.code}): ${r.stderr.slice(-2000)}`);
  };
  // Snapshot 1 on both sides, not counted.
  const start = o.first ?? 0;
  for (const d of [local, mirror]) await cp(snapshots[start]!.dir, d, { recursive: true, preserveTimestamps: true });
  await sync();
  await o.rsync.push(mirror, 'trees');
  const rows: TreeRow[] = [];
  for (let k = start + 1; k < snapshots.length; k++) {
    const next = snapshots[k]!;
    const name = `tree: ${snapshots[k - 1]!.name} → ${next.name}`;
    const change = await upgradeTree(next.dir, local, ['.coffer']);
    await upgradeTree(next.dir, mirror);
    // A second pass, counted too: what one `--once` pass left for the next (seen: a chain of
    // upgrades where part of one upgrade went only with the next) belongs to this upgrade.
    const first = await o.coffer.counted(sync);
    const again = await o.coffer.counted(sync);
    const coffer = first + again;
    const rsync = await o.rsync.counted(() => o.rsync.push(mirror, 'trees'));
    const [want, got] = [await treeDigest(next.dir), await treeDigest(join(o.rsync.root, 'trees'))];
    if (want.digest !== got.digest) throw new Error(`${name}: rsync's copy is not the snapshot`);
    rows.push({ name, coffer, rsync, changed: change.changed, changedBytes: change.bytes });
    o.log(`  ${name} (${change.changed} files changed, ${(change.bytes / 1024 / 1024).toFixed(1)} MiB): Coffer ${coffer} B (second pass ${again} B), rsync -z ${rsync} B`);
  }
  await rm(local, { recursive: true, force: true });
  await rm(mirror, { recursive: true, force: true });
  return rows;
}

