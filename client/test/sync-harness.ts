/**
 * Two sync agents against one real server: each a `coffer sync` child process with its own
 * login (a device of the same user) and folder, plus helpers to wait until both folders hold
 * the same files and to read the agents' `--stats` block counters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach } from 'vitest';
import { startServerProcess, type ServerProcess, type ServerProcessOptions } from '@coffer/server/testing/server-process';
import { makeTempDir } from '@coffer/test-support/temp-dir';
import { fingerprintOfPem, PASSWORD, ROOT, runCli, usernameOf } from './cli-harness.js';
// The installed command's V8 flags and environment for sync (bin/relaunch.mjs), which the tsx entry point does not restart to add.
import { TRANSFER_NODE_FLAGS, transferEnv } from '../bin/relaunch.mjs';

const TSX = import.meta.resolve('tsx');

export class Agent {
  child: ChildProcess | undefined;
  output = '';
  /** More environment for the agent process (e.g. its timings). */
  env: Record<string, string> = {};
  constructor(
    readonly name: string,
    readonly dir: string,
    readonly configDir: string,
    readonly statsFile: string,
    readonly remote: string,
  ) {}

  start(): void {
    const env: NodeJS.ProcessEnv = { ...process.env, ...transferEnv(), COFFER_CONFIG_DIR: this.configDir, COFFER_SYNC_RESCAN_MS: '5000', COFFER_SYNC_POLL_S: '30', ...this.env };
    const child = spawn(process.execPath, [...TRANSFER_NODE_FLAGS, '--import', TSX, `${ROOT}client/bin/coffer.ts`, 'sync', this.dir, this.remote, '--stats', this.statsFile], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (this.output += d));
    child.stderr!.on('data', (d: Buffer) => (this.output += d));
    this.child = child;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
    this.child = undefined;
  }

  /** Block counters summed over every process this agent ran (the last line of each pid). */
  async stats(): Promise<{ blocksSent: number; blockBytesSent: number; blocksReceived: number; blockBytesReceived: number }> {
    const text = await readFile(this.statsFile, 'utf8').catch(() => '');
    const last = new Map<number, Record<string, number>>();
    for (const line of text.split('\n')) if (line.trim()) {
      const j = JSON.parse(line) as Record<string, number>;
      last.set(j.pid!, j);
    }
    const sum = { blocksSent: 0, blockBytesSent: 0, blocksReceived: 0, blockBytesReceived: 0 };
    for (const j of last.values()) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += j[k] ?? 0;
    return sum;
  }

  /** Wait until the agent prints `pattern` after output position `from` (e.g. 'idle': a pass finished). */
  async waitFor(pattern: RegExp, from: number, timeoutMs = 45_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(this.output.slice(from))) {
      if (Date.now() > until) throw new Error(`agent ${this.name} never printed ${pattern}:\n${this.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }
}

export interface World {
  srv: ServerProcess;
  base: string;
  a: Agent;
  b: Agent;
  cleanup(): Promise<void>;
}

export async function twoAgents(remote = '/sync', server: ServerProcessOptions = {}): Promise<World> {
  const srv = await startServerProcess({ tls: true, ...server });
  const temp = await makeTempDir('coffer-sync-');
  const base = temp.path;
  const user = await usernameOf(srv);
  const make = async (name: string) => {
    const configDir = join(base, `config-${name}`);
    const r = await runCli(['login', srv.url, '--username', user, '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!), '--device-name', `laptop-${name}`], { configDir, input: PASSWORD });
    if (r.code !== 0) throw new Error(`login failed: ${r.stderr}`);
    const dir = join(base, `dir-${name}`);
    await mkdir(dir);
    return new Agent(name, dir, configDir, join(base, `stats-${name}.jsonl`), remote);
  };
  const a = await make('a');
  const b = await make('b');
  return {
    srv,
    base,
    a,
    b,
    async cleanup() {
      await a.stop();
      await b.stop();
      await srv.cleanup();
      await temp.remove();
    },
  };
}

/**
 * Print both agents' last output when a test of this file fails (a failing fs call in a test
 * says nothing of what the agents did; CI's runs are the ones that cannot be repeated).
 */
export function logAgentsOnFailure(world: () => World | undefined): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      const w = world();
      if (w) console.error(`--- agent a\n${w.a.output.slice(-6000)}\n--- agent b\n${w.b.output.slice(-6000)}`);
    });
  });
}

/**
 * Relative path → sha256 of the content (or 'dir'), without the agent's own files. With `sizesOnly`,
 * the size instead of the hash: a cheap look that already tells two folders apart while a transfer runs.
 */
export async function snapshot(dir: string, sizesOnly = false): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(rel: string): Promise<void> {
    for (const name of await readdir(join(dir, rel)).catch(() => [] as string[])) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === '.coffer' || /\.coffer-[0-9a-f]+\.part$/.test(name)) continue;
      const st = await lstat(join(dir, r)).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) {
        out.set(r, 'dir');
        await walk(r);
      } else if (sizesOnly) {
        out.set(r, `size ${st.size}`);
      } else {
        // The agent may move or delete it between the lstat and the read (a pass running while we look):
        // left out, so this snapshot differs from the next and converged() keeps polling.
        const bytes = await readFile(join(dir, r)).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
          throw err;
        });
        if (bytes) out.set(r, createHash('sha256').update(bytes).digest('hex'));
      }
    }
  }
  await walk('');
  return out;
}

const show = (m: Map<string, string>) => JSON.stringify([...m].map(([k, v]) => `${k}:${v.slice(0, 8)}`).sort());
const whole = (m: Map<string, string>) => JSON.stringify([...m].sort());

/** Poll both folders until they hold the same files and `ok` accepts them; the snapshot. */
export async function converged(w: World, ok: (s: Map<string, string>) => boolean = () => true, timeoutMs = 45_000): Promise<Map<string, string>> {
  const until = Date.now() + timeoutMs;
  let sa = new Map<string, string>();
  let sb = new Map<string, string>();
  while (Date.now() < until) {
    // Names and sizes first: while they differ the folders cannot hold the same files, and hashing
    // a big file on every poll takes a core from the agents that are moving it.
    if (whole(await snapshot(w.a.dir, true)) !== whole(await snapshot(w.b.dir, true))) {
      await new Promise((r) => setTimeout(r, 150));
      continue;
    }
    sa = await snapshot(w.a.dir);
    sb = await snapshot(w.b.dir);
    if (show(sa) === show(sb) && ok(sa)) {
      // Stable for a moment: not a passing state in the middle of a pass.
      await new Promise((r) => setTimeout(r, 300));
      if (show(await snapshot(w.a.dir)) === show(sa) && show(await snapshot(w.b.dir)) === show(sa)) return sa;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  // What they hold now, hashed (the loop may have looked at sizes only).
  [sa, sb] = [await snapshot(w.a.dir), await snapshot(w.b.dir)];
  throw new Error(`no convergence within ${timeoutMs} ms\nA: ${show(sa)}\nB: ${show(sb)}\n--- agent a\n${w.a.output.slice(-3000)}\n--- agent b\n${w.b.output.slice(-3000)}`);
}

export function sha(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Poll every `everyMs` until `cond` holds (45 s at most). */
export async function until(cond: () => Promise<boolean>, timeoutMs = 45_000, everyMs = 150): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${cond.toString()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
