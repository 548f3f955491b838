/**
 * Local S3 node processes (@20minutes/s3rver, one process, port and directory each) for tests
 * and development: `startS3Cluster`. The CLI that starts them for people is scripts/s3-nodes.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const S3_ACCESS_KEY = 'S3RVER';
export const S3_SECRET_KEY = 'S3RVER';
export const S3_BUCKET = 'coffer';

const ENTRY = fileURLToPath(new URL('./s3-node-process.mjs', import.meta.url));
const START_TIMEOUT_MS = 15_000;

export interface LocalS3Node {
  id: string;
  port: number;
  dir: string;
  /** http://S3RVER:S3RVER@127.0.0.1:PORT/coffer */
  url: string;
  /** Process id while running. */
  pid: number | undefined;
}

export interface LocalS3Cluster {
  nodes: LocalS3Node[];
  /** SIGKILL node i and wait until it is gone. */
  kill(i: number): Promise<void>;
  /** SIGSTOP node i: it keeps accepting TCP connections but never answers (a hung node). */
  pause(i: number): void;
  /** SIGCONT node i. */
  resume(i: number): void;
  /** (Re)start node i on its port; `wipe` empties its directory first (a replaced disk). */
  start(i: number, opts?: { wipe?: boolean }): Promise<void>;
  /** Kill every process this cluster started (and remove the directory it made). Always safe to call, also twice. */
  stopAll(): Promise<void>;
}

/** Every child of every cluster in this process, killed synchronously if the process exits. */
const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of allChildren) c.kill('SIGKILL');
    });
  }
  allChildren.add(child);
  child.once('exit', () => allChildren.delete(child));
}

/**
 * Starts `count` s3rver processes below `baseDir` (node i in `baseDir/node-i`), each with the
 * bucket `coffer` and the credentials S3RVER/S3RVER, and resolves once all answer. Without
 * `baseDir`, below a fresh temporary directory that `stopAll` removes. Without `basePort` each
 * takes a free port from the OS. `dirs` gives each node its own directory instead (one disk each,
 * as compose.yaml's HOTn_PATH; `stopAll` leaves those in place). A child also exits when this process dies
 * (its stdin closes), so no test run leaves processes behind.
 */
export async function startS3Cluster(opts: { count: number; baseDir?: string; basePort?: number; dirs?: readonly string[] }): Promise<LocalS3Cluster> {
  if (opts.dirs && opts.dirs.length !== opts.count) throw new RangeError(`dirs names ${opts.dirs.length} directories for ${opts.count} nodes`);
  const temp = opts.baseDir === undefined ? await mkdtemp(join(tmpdir(), 'coffer-s3-')) : undefined;
  const baseDir = resolve(opts.baseDir ?? temp!);
  const nodes: LocalS3Node[] = Array.from({ length: opts.count }, (_, i) => ({
    id: `s3-${i}`,
    port: opts.basePort === undefined ? 0 : opts.basePort + i,
    dir: opts.dirs?.[i] !== undefined ? resolve(opts.dirs[i]!) : join(baseDir, `node-${i}`),
    url: '',
    pid: undefined,
  }));
  const children: (ChildProcess | undefined)[] = nodes.map(() => undefined);
  const paused = new Set<number>();

  const nodeAt = (i: number): LocalS3Node => {
    const n = nodes[i];
    if (!n) throw new RangeError(`no node ${i} (cluster has ${nodes.length})`);
    return n;
  };

  const kill = async (i: number): Promise<void> => {
    nodeAt(i);
    const child = children[i];
    children[i] = undefined;
    paused.delete(i);
    nodes[i]!.pid = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGKILL');
    await exited;
  };

  const start = async (i: number, startOpts: { wipe?: boolean } = {}): Promise<void> => {
    const node = nodeAt(i);
    await kill(i);
    if (startOpts.wipe) await rm(node.dir, { recursive: true, force: true });
    await mkdir(node.dir, { recursive: true });
    const { child, port } = await spawnNode(node.port, node.dir);
    children[i] = child;
    node.port = port;
    node.pid = child.pid;
    node.url = `http://${S3_ACCESS_KEY}:${S3_SECRET_KEY}@127.0.0.1:${port}/${S3_BUCKET}`;
  };

  const cluster: LocalS3Cluster = {
    nodes,
    kill,
    start,
    pause(i) {
      const pid = nodeAt(i).pid;
      if (pid === undefined) throw new Error(`node ${i} is not running`);
      process.kill(pid, 'SIGSTOP');
      paused.add(i);
    },
    resume(i) {
      const pid = nodeAt(i).pid;
      if (pid === undefined) throw new Error(`node ${i} is not running`);
      process.kill(pid, 'SIGCONT');
      paused.delete(i);
    },
    async stopAll() {
      await Promise.all(nodes.map((_, i) => kill(i)));
      if (temp) await rm(temp, { recursive: true, force: true });
    },
  };

  try {
    await Promise.all(nodes.map((_, i) => start(i)));
  } catch (err) {
    await cluster.stopAll();
    throw err;
  }
  return cluster;
}

/** Spawns one node process and waits for its "ready PORT" line. */
function spawnNode(port: number, dir: string): Promise<{ child: ChildProcess; port: number }> {
  // A plain environment: no loaders (tsx, vitest) for a plain .mjs child.
  const { NODE_OPTIONS: _drop, ...env } = process.env;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', ENTRY, String(port), dir, S3_BUCKET], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  trackChild(child);
  return new Promise((resolvePort, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`S3 node on port ${port} (${dir}) ${why}${err ? `: ${err.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        out = '';
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume(); // keep draining, never block the child on a full pipe
        child.removeListener('exit', onEarlyExit);
        resolvePort({ child, port: Number(m[1]) });
      }
    });
    const onEarlyExit = (code: number | null, signal: string | null) => fail(`exited during start (code ${code}, signal ${signal})`);
    child.once('exit', onEarlyExit);
    child.once('error', (e) => fail(`could not be spawned (${e.message})`));
  });
}
