/**
 * bench:tree's Coffer stages, as a user meets them: the server process over HTTPS (the test
 * fixture `@coffer/server/testing/server-process`), the real `coffer` CLI as installed
 * (`client/bin/coffer.mjs`, running the bundle built at the start; `--cli source`: the TypeScript
 * through tsx, which compiles every module at each start). On the embedded default (PGlite, three local-directory
 * nodes) or on PostgreSQL with six S3 node processes (`@coffer/test-support/s3-nodes`; six nodes
 * give 4+2). One server: `coffer sync DIR /bench --once` for each snapshot placed in DIR in turn,
 * the unchanged tree again, then a second device (its own login) syncs /bench into an empty folder
 * — the restore of the last snapshot, checked file by file against it by SHA-256. A fresh server:
 * all snapshots side by side in one sync. Stored bytes after each stage come from the admin
 * overview (before and after erasure coding); the server's peak RSS from /proc.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fingerprintOfPem, PASSWORD, ROOT, runCli } from '@coffer/client/testing/cli-harness';
import { startServerProcess, watchMemory, type ServerProcess } from '@coffer/server/testing/server-process';
import { startS3Cluster, type LocalS3Cluster } from '@coffer/test-support/s3-nodes';
import { placeTree, type Snapshot } from './corpus.js';
import { verifyRestore } from './borg-restic.js';
import { AGAIN, ALL, RESTORE, SNAPSHOT_STAGES, type RunResult, type StageChoice } from './report.js';

export type CofferBackend = 'embedded' | 'pg';

const TSX = import.meta.resolve('tsx');

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ, 100 on Linux)
}

export const BACKEND_TITLES: Record<CofferBackend, string> = {
  embedded: 'the embedded default (PGlite, three local-directory nodes, 2+1)',
  pg: 'PostgreSQL with six S3 node processes (s3rver, 4+2)',
};

export interface Started {
  srv: ServerProcess;
  /** Stops the server (and its nodes); answers the peak RSS of the server's process tree (itself and any child it started). */
  stop(): Promise<number>;
  /** The peak RSS, in bytes, of each process the server started (by command line), for the breakdown. */
  children(): Map<string, number>;
  /** The process tree's peak RSS since the previous call: which stage the peak came in. */
  peakSinceLast(): number;
}

/** The server process on a back end, its process tree's memory sampled every 100 ms. `nodeArgs`, `env`: for experiments (bench:rss). */
export async function startServer(backend: CofferBackend, temp: string, extra: { nodeArgs?: string[]; env?: Record<string, string>; build?: 'source' | 'dist'; profileDir?: string } = {}): Promise<Started> {
  let cluster: LocalS3Cluster | undefined;
  let srv: ServerProcess | undefined;
  try {
    if (backend === 'pg') cluster = await startS3Cluster({ count: 6, baseDir: join(temp, 's3') });
    srv = await startServerProcess({
      backend: backend === 'pg' ? 'postgres' : 'pglite',
      tls: true,
      admin: true,
      parentDir: temp,
      ...(extra.nodeArgs || extra.profileDir ? { nodeArgs: [...(extra.nodeArgs ?? []), ...(extra.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${extra.profileDir}`] : [])] } : {}),
      ...(extra.build ? { build: extra.build } : {}),
      // As production runs it: the fixture checks every answer against @coffer/protocol (tests only; it reads each JSON body twice).
      env: { COFFER_VALIDATE_ANSWERS: '0', ...extra.env, ...(cluster ? { COFFER_NODES: cluster.nodes.map((n) => `${n.id}=${n.url}`).join(',') } : {}) },
    });
  } catch (err) {
    await srv?.cleanup();
    await cluster?.stopAll();
    throw err;
  }
  const mem = watchMemory(srv.pid);
  const s = srv;
  let byCommand = new Map<string, number>();
  return {
    srv: s,
    async stop() {
      const m = await mem.stop();
      byCommand = m.byCommand;
      // A profiled server must exit on its own to write its profile (cleanup kills it outright).
      if (extra.profileDir) {
        await s.kill('SIGTERM');
        await writeFile(join(extra.profileDir, `server-${s.pid}.log`), s.output());
      }
      await s.cleanup();
      await cluster?.stopAll();
      return m.peakRss;
    },
    children: () => byCommand,
    peakSinceLast: () => mem.peakSinceLast(),
  };
}

export async function login(srv: ServerProcess, configDir: string, device: string): Promise<void> {
  const r = await runCli(['login', srv.url, '--username', srv.username, '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!), '--device-name', device], {
    configDir,
    input: PASSWORD,
  });
  if (r.code !== 0) throw new Error(`coffer login failed: ${r.stderr}`);
}

/** The blocks' frames before erasure coding, and what the nodes hold after it. */
async function storage(srv: ServerProcess): Promise<{ compressedBytes: number; storedBytes: number }> {
  const r = await srv.call('GET', '/api/v1/admin/overview', { headers: srv.adminAuth });
  if (r.status !== 200) throw new Error(`admin overview: ${r.status} ${r.body.toString().slice(0, 500)}`);
  return r.json<{ storage: { compressedBytes: number; storedBytes: number } }>().storage;
}

/** What a run covers: `ingest` is the snapshots and the unchanged tree only (no restore, no all-in-one-go). `profileDir`: CPU profiles of the server and of each sync there. */
export interface RunScope extends StageChoice {
  profileDir?: string;
  /** Run the agent from the TypeScript source through tsx (which compiles every module at each start) instead of the installed command's bundle. */
  fromSource?: boolean;
  /** Extra Node flags for the server process (experiments, as bench:rss --node-args). */
  nodeArgs?: string[];
}

/**
 * The installed `coffer` command (client/bin/coffer.mjs) runs the bundle client/dist/coffer.js;
 * it is built afresh once per bench process, so the bench never times a stale one.
 */
let built: Promise<void> | undefined;
export function buildCli(): Promise<void> {
  built ??= promisify(execFile)(process.execPath, ['--import', TSX, `${ROOT}scripts/build-cli.ts`], { cwd: ROOT }).then(() => undefined);
  return built;
}

/** One run on one back end below `temp` (the folder is `temp/dir`, the restore `temp/restore`). */
export async function runCoffer(backend: CofferBackend, snapshots: Snapshot[], temp: string, log: (s: string) => void, scope: RunScope = {}): Promise<RunResult> {
  const res: RunResult = { stages: new Map(), peakRss: 0 };
  const prof = scope.profileDir;
  if (!scope.fromSource) await buildCli();
  const sync = async (srv: ServerProcess, stage: string, configDir: string, dir: string, remote: string) => {
    const env = prof ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${prof} --cpu-prof-name=agent-${stage.replace(/\W+/g, '-')}.cpuprofile` } : undefined;
    // The agent under GNU time, for its CPU seconds (all threads): wall times swing with the machine's load, CPU much less.
    const times = join(temp, 'agent-time.txt');
    const serverCpu0 = await cpuSeconds(srv.pid);
    server.peakSinceLast();
    const t0 = performance.now();
    const cli = scope.fromSource ? ['--import', TSX, `${ROOT}client/bin/coffer.ts`] : [`${ROOT}client/bin/coffer.mjs`];
    const r = await runCli(['-f', '%U %S', '-o', times, process.execPath, ...cli, 'sync', dir, remote, '--once'], { configDir, bin: '/usr/bin/time', ...(env ? { env } : {}) });
    const wall = (performance.now() - t0) / 1000;
    const serverCpu = (await cpuSeconds(srv.pid)) - serverCpu0;
    const peak = server.peakSinceLast();
    if (prof) await writeFile(join(prof, `agent-${stage.replace(/\W+/g, '-')}.log`), `${r.stdout}\n--- stderr\n${r.stderr}`);
    if (r.code !== 0) throw new Error(`coffer sync (${stage}) failed (${r.code}): ${r.stderr.slice(-2000)}`);
    const [user, sys] = (await readFile(times, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
    const st = await storage(srv);
    res.stages.set(stage, { wall, storedBytes: st.compressedBytes, nodeBytes: st.storedBytes });
    log(
      `coffer ${backend}: ${stage}: ${wall.toFixed(1)} s (CPU: agent ${(user! + sys!).toFixed(1)} s, server ${serverCpu.toFixed(1)} s), stored ${(st.compressedBytes / 1e6).toFixed(1)} MB before erasure coding, ${(st.storedBytes / 1e6).toFixed(1)} MB on the nodes, server peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
    );
  };

  const flags = scope.nodeArgs?.length ? { nodeArgs: scope.nodeArgs } : {};
  let server = await startServer(backend, temp, { ...flags, ...(prof ? { profileDir: prof } : {}) });
  try {
    const { srv } = server;
    const configDir = join(temp, 'config');
    await login(srv, configDir, 'bench');
    const dir = join(temp, 'dir');
    for (const [k, s] of snapshots.entries()) {
      await placeTree(s.dir, dir, ['.coffer']);
      await sync(srv, SNAPSHOT_STAGES[k]!, configDir, dir, '/bench');
    }
    if (!scope.restoreOnly) await sync(srv, AGAIN, configDir, dir, '/bench');
    if (scope.ingestOnly) return res;
    // The restore: a second device syncing the folder into an empty one.
    const restoreConfig = join(temp, 'config-restore');
    await login(srv, restoreConfig, 'bench-restore');
    const target = join(temp, 'restore');
    await rm(target, { recursive: true, force: true });
    await mkdir(target);
    await sync(srv, RESTORE, restoreConfig, target, '/bench');
    res.restoreCheck = await verifyRestore(target, snapshots.at(-1)!, `coffer ${backend}`, log, ['.coffer']);
    await rm(target, { recursive: true, force: true });
  } finally {
    res.peakRss = Math.max(res.peakRss, await server.stop());
  }
  if (scope.restoreOnly) return res;

  server = await startServer(backend, temp, { ...flags, ...(prof ? { profileDir: prof } : {}) });
  try {
    const { srv } = server;
    const configDir = join(temp, 'config-all');
    await login(srv, configDir, 'bench-all');
    const all = join(temp, 'all');
    for (const s of snapshots) await placeTree(s.dir, join(all, s.name.replace(/\s/g, '-')));
    await sync(srv, ALL, configDir, all, '/bench-all');
  } finally {
    res.peakRss = Math.max(res.peakRss, await server.stop());
  }
  return res;
}
