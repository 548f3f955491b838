/**
 * compose.yaml's topology as processes on this machine (`npm run test:stack`): its services,
 * environment and healthchecks read from the file, its addresses translated to local ones —
 * each S3 node service an s3rver process on its HOTn_PATH/COLD1_PATH directory, `postgres` a
 * fresh database on the machine's PostgreSQL, each Coffer service the image's command (the
 * Dockerfile's CMD: the compiled server) with the service's environment, the proxy the
 * balancer stand-in (balancer.ts).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startS3Cluster, S3_ACCESS_KEY, S3_SECRET_KEY, type LocalS3Cluster } from '@coffer/test-support/s3-nodes';
import { freshPostgresDatabase } from '@coffer/server/testing/postgres';
import { startBalancer, type Balancer } from './balancer.js';
import type { ImageLayout } from './image-layout.js';
import { loadCompose, parseEnvFile, serviceEnvironment, type ComposeFile, type ComposeService } from './compose-file.js';

export const ADMIN_PASSWORD = 'stack test admin password';

export interface Instance {
  name: string;
  url: string;
  port: number;
  env: Record<string, string>;
  proc: ChildProcess | undefined;
  output: string;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
}

export interface Stack {
  compose: ComposeFile;
  /** The .env values the stack runs with (scripts/gen-env.sh's output, paths pointed at the work dir). */
  env: Record<string, string>;
  nodes: LocalS3Cluster;
  /** Node service name → index in `nodes`. */
  nodeIndex: Record<string, number>;
  workDir: string;
  /** Node service name → its local port (including nodes started later). */
  nodePorts: Map<string, number>;
  /** Starts an S3 node service added to the compose file later (on its host path). */
  startNode(name: string, service: ComposeService): Promise<void>;
  /** A Coffer service's environment in a (changed) compose file and .env, translated to this machine. */
  instanceEnv(doc: ComposeFile, name: string, dotEnv: string): Record<string, string>;
  databaseUrl: string;
  instances: Instance[];
  balancer: Balancer;
  /** What was started, for people (printed by run.ts). */
  describe(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const isS3Node = (s: ComposeService) => Array.isArray(s.command) && s.command[0] === 'server' && String(s.image).includes('minio');
const isCoffer = (s: ComposeService) => s.build !== undefined;

/** The service's one host path mounted at /data (compose: `${HOT1_PATH}:/data`). */
function hostDataPath(name: string, s: ComposeService): string {
  const vol = (s.volumes ?? []).find((v): v is string => typeof v === 'string' && v.endsWith(':/data'));
  if (!vol) throw new Error(`${name}: no host path mounted at /data`);
  return vol.slice(0, -':/data'.length);
}

export async function startStack(opts: { root: string; workDir: string; image: ImageLayout; log: (line: string) => void }): Promise<Stack> {
  const { root, workDir, image, log } = opts;
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    // .env as an operator makes it (README): gen-env.sh's output, with this machine's paths.
    const gen = spawnSync('sh', [join(root, 'scripts/gen-env.sh')], { encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`scripts/gen-env.sh failed: ${gen.stderr}`);
    const balancerPort = await freePort();
    const env: Record<string, string> = {
      ...parseEnvFile(gen.stdout),
      COFFER_DOMAIN: '127.0.0.1',
      COFFER_PUBLIC_URL: `https://127.0.0.1:${balancerPort}`,
      POSTGRES_PATH: join(workDir, 'postgres'),
      COFFER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    };
    for (const n of ['HOT1', 'HOT2', 'HOT3', 'HOT4', 'HOT5', 'HOT6', 'COLD1']) env[`${n}_PATH`] = join(workDir, 'disks', n.toLowerCase());
    await mkdir(workDir, { recursive: true });
    const envText = Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
    await writeFile(join(workDir, '.env'), envText, { mode: 0o600 });
    const compose = loadCompose(join(root, 'compose.yaml'), env);

    // S3 nodes: every service running the S3 server, on its own directory.
    const nodeNames = Object.keys(compose.services).filter((n) => isS3Node(compose.services[n]!));
    const nodes = await startS3Cluster({ count: nodeNames.length, baseDir: join(workDir, 's3'), dirs: nodeNames.map((n) => hostDataPath(n, compose.services[n]!)) });
    cleanups.push(() => nodes.stopAll());
    const nodeIndex = Object.fromEntries(nodeNames.map((n, i) => [n, i]));
    const nodePorts = new Map(nodeNames.map((n, i) => [n, nodes.nodes[i]!.port]));
    /** Starts one more S3 node service (a disk added later). */
    const startNode = async (name: string, service: ComposeService): Promise<void> => {
      const extra = await startS3Cluster({ count: 1, baseDir: join(workDir, 's3', name), dirs: [hostDataPath(name, service)] });
      cleanups.push(() => extra.stopAll());
      nodePorts.set(name, extra.nodes[0]!.port);
    };

    // PostgreSQL: a fresh database on the machine's server stands for the postgres service.
    const pg = await freshPostgresDatabase();
    cleanups.push(() => pg.drop());

    const cofferNames = Object.keys(compose.services).filter((n) => isCoffer(compose.services[n]!));
    const command = image.cmd;
    const ports = await Promise.all(cofferNames.map(() => freePort()));
    const balancer = await startBalancer({
      upstreams: cofferNames.map((name, i) => ({ name, host: '127.0.0.1', port: ports[i]! })),
      failMs: 30_000,
      healthMs: 2_000,
      port: balancerPort,
    });
    cleanups.push(() => balancer.close());

    /** compose addresses → local ones: node hosts, the database, this machine's port and directories. */
    const translate = (name: string, e: Record<string, string>, port: number): Record<string, string> => {
      const out: Record<string, string> = { ...e, COFFER_HOST: '127.0.0.1', COFFER_PORT: String(port), COFFER_DATA_DIR: join(workDir, `${name}-data`), DATABASE_URL: pg.url };
      for (const key of ['COFFER_NODES', 'COFFER_COLD_NODES']) {
        out[key] = (out[key] ?? '').replace(/http:\/\/[^@/]+@([a-z0-9-]+):9000\//g, (_whole: string, host: string) => {
          const port = nodePorts.get(host);
          if (port === undefined) throw new Error(`${name}: ${key} names ${host}, which is no running S3 node service`);
          return `http://${S3_ACCESS_KEY}:${S3_SECRET_KEY}@127.0.0.1:${port}/`;
        });
      }
      return out;
    };

    const composeEnvOf = (doc: ComposeFile, name: string, dotEnv: string): Record<string, string> =>
      serviceEnvironment(doc.services[name]!, (p) => {
        if (p !== '.env') throw new Error(`${name}: env_file ${p} (the stack writes only .env)`);
        return parseEnvFile(dotEnv);
      });
    const instances: Instance[] = cofferNames.map((name, i) => {
      const composeEnv = composeEnvOf(compose, name, envText);
      const inst: Instance = {
        name,
        port: ports[i]!,
        url: `http://127.0.0.1:${ports[i]}`,
        env: translate(name, composeEnv, ports[i]!),
        proc: undefined,
        output: '',
        async kill() {
          const p = inst.proc;
          if (!p || p.exitCode !== null || p.signalCode !== null) return;
          const exited = new Promise<void>((r) => p.once('exit', () => r()));
          p.kill('SIGKILL');
          await exited;
        },
      };
      return inst;
    });
    for (const inst of instances) cleanups.push(() => inst.kill());

    // Both at once, as compose starts them once their dependencies are healthy: one migrates
    // under the advisory lock while the other waits.
    await Promise.all(instances.map((inst) => bootInstance(inst, image)));
    for (const inst of instances) await waitHealthy(inst, image);
    await balancer.ready();

    return {
      compose,
      env,
      workDir,
      nodes,
      nodeIndex,
      nodePorts,
      startNode,
      instanceEnv: (doc, name, dotEnv) => {
        const inst = instances.find((x) => x.name === name)!;
        return translate(name, composeEnvOf(doc, name, dotEnv), inst.port);
      },
      databaseUrl: pg.url,
      instances,
      balancer,
      stop,
      describe() {
        const lines = [`topology of compose.yaml (project "${compose.name}") as processes on this machine:`];
        lines.push(`  proxy     (caddy stand-in, round robin)  ${balancer.url}  →  ${instances.map((i) => `${i.name} ${i.url}`).join(', ')}`);
        for (const inst of instances) lines.push(`  ${inst.name.padEnd(9)} pid ${inst.proc?.pid}  \`${command.join(' ')}\`  ${inst.url}  data ${inst.env.COFFER_DATA_DIR}`);
        lines.push(`  postgres  ${pg.url.replace(/\/\/[^@]*@/, '//')}  (the machine's PostgreSQL, a fresh database)`);
        for (const n of nodeNames) {
          const node = nodes.nodes[nodeIndex[n]!]!;
          lines.push(`  ${n.padEnd(9)} s3rver pid ${node.pid}  http://127.0.0.1:${node.port}/coffer  dir ${node.dir}`);
        }
        lines.push(`  networks  ${Object.entries(compose.networks ?? {}).map(([k, v]) => `${k}${v?.internal ? ' (internal)' : ''}`).join(', ')}; published: ${Object.keys(compose.services).filter((s) => compose.services[s]!.ports?.length).join(', ')}`);
        return lines.join('\n');
      },
    };
  } catch (err) {
    log(`stack: start failed: ${err instanceof Error ? err.message : String(err)}`);
    await stop();
    throw err;
  }
}

/** Instance processes still running: killed if this process exits any other way than stop(). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** Starts (or restarts) an instance's process and waits for its "listening" line. */
export async function bootInstance(inst: Instance, image: ImageLayout): Promise<void> {
  const [exe, ...args] = image.cmd;
  const { NODE_OPTIONS: _loader, ...parentEnv } = process.env;
  const proc = spawn(exe === 'node' ? process.execPath : exe!, args, { cwd: image.dir, env: { ...parentEnv, ...inst.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  inst.proc = proc;
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${inst.name} printed no URL within 60 s:\n${inst.output}`)), 60_000);
    const onData = (d: Buffer) => {
      inst.output += d.toString();
      if (/listening on http/.test(inst.output)) {
        clearTimeout(timer);
        proc.removeListener('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${inst.name} exited (${code}) before listening:\n${inst.output}`));
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (inst.output += d.toString()));
    proc.once('exit', onExit);
  });
}

/** The image's HEALTHCHECK (scripts/healthcheck.mjs) in the image's layout, with the instance's environment, until it passes. */
export async function waitHealthy(inst: Instance, image: ImageLayout, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  const [exe, ...args] = image.healthcheck;
  while (Date.now() < deadline) {
    // Not spawnSync: the balancer shares this event loop.
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(exe === 'node' ? process.execPath : exe!, args, { cwd: image.dir, env: { ...process.env, ...inst.env } }, (err, _out, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
      );
    });
    if (r.code === 0) return;
    last = r.stderr;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`${inst.name} never became healthy: ${last}`);
}
