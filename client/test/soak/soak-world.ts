/**
 * The soak's world of real processes: one server process on PostgreSQL (plain HTTP) and N
 * `coffer sync` agents (devices of one user), each on its own real folder and behind its own
 * gate, so the soak can take an agent offline without stopping it, kill it (SIGKILL) and start
 * it again, and kill and restart the server. People's operations are the simulation's
 * (applyUserOp on a real folder); after a quiet period the same checks as the simulation's run
 * on what the folders and the server hold.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { PASSWORD, runCli } from '../cli-harness.js';
import type { Observed } from '../sim/checks.js';
import { applyUserOp, ContentSource, short, visible, type OpEffect, type UserDisk, type UserOp } from '../sim/user-ops.js';
import { Agent, snapshot } from '../sync-harness.js';
import { agentErrors, type AgentErrors } from './agent-errors.js';
import { Gate } from './gate.js';
import { realDisk } from './real-disk.js';
import { revisionTags, serverTree } from './server-view.js';

export const SOAK_REMOTE = '/Family';

export interface SoakWorldOptions {
  agents: number;
  /** Agent timings: a full rescan this often (the quiet period spans several). */
  rescanMs?: number;
  /** Each line of what happens (kills, offline periods, people's operations). */
  note?: (line: string) => void;
}

export class SoakDevice {
  running = false;
  /** Killed or stopped by the soak: its exit is expected. */
  private stopping = false;
  readonly exits: string[] = [];
  constructor(
    readonly index: number,
    readonly agent: Agent,
    readonly gate: Gate,
  ) {}

  get name(): string {
    return `dev${this.index}`;
  }

  start(): void {
    if (this.running) return;
    this.agent.start();
    this.running = true;
    this.stopping = false;
    const child = this.agent.child!;
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.exits.push(`agent process ended by itself (${code ?? signal})`);
      if (this.agent.child === child || this.agent.child === undefined) this.running = false;
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    await this.agent.stop(signal);
    this.running = false;
  }
}

export class SoakWorld {
  readonly contents = new ContentSource();
  readonly effects: OpEffect[] = [];
  serverUp = true;

  private constructor(
    readonly srv: ServerProcess,
    readonly devices: SoakDevice[],
    private readonly temp: TempDir,
    private readonly note: (line: string) => void,
  ) {}

  static async start(o: SoakWorldOptions): Promise<SoakWorld> {
    const srv = await startServerProcess({ backend: 'postgres' });
    const temp = await makeTempDir('coffer-soak-');
    const serverPort = Number(new URL(srv.url).port);
    const gates: Gate[] = [];
    let devices: SoakDevice[];
    try {
      // Each device its own gate, login and folder: set up side by side (a login is a CLI process, seconds each).
      devices = await Promise.all(
        Array.from({ length: o.agents }, async (_, i) => {
          const gate = await Gate.start(() => serverPort);
          gates.push(gate);
          const configDir = join(temp.path, `config-${i}`);
          const r = await runCli(['login', gate.url, '--username', srv.username, '--password-stdin', '--insecure-http', '--device-name', `dev${i}`], { configDir, input: PASSWORD });
          if (r.code !== 0) throw new Error(`login of dev${i} failed: ${r.stderr}`);
          const dir = join(temp.path, `dir-${i}`);
          await mkdir(dir);
          const agent = new Agent(`dev${i}`, dir, configDir, join(temp.path, `stats-${i}.jsonl`), SOAK_REMOTE);
          agent.env = { COFFER_SYNC_RESCAN_MS: String(o.rescanMs ?? 5000) };
          return new SoakDevice(i, agent, gate);
        }),
      );
    } catch (err) {
      await Promise.allSettled(gates.map((g) => g.close()));
      await srv.cleanup();
      await temp.remove();
      throw err;
    }
    return new SoakWorld(srv, devices, temp, o.note ?? (() => undefined));
  }

  startAll(): void {
    for (const d of this.devices) d.start();
  }

  user(i: number, op: UserOp): OpEffect | undefined {
    const d = this.devices[i]!;
    // What an operation really replaced or removed, read right before it did (the agent is
    // another process and may have changed the file since the operation looked).
    const replaced: OpEffect['superseded'] = [];
    const disk = realDisk(d.agent.dir, (content, by) => replaced.push({ content, by }));
    let e: OpEffect | undefined;
    try {
      e = applyUserOp(disk, i, op, this.contents);
    } catch (err) {
      // The agent moved or removed something under the operation: it did not happen.
      this.note(`${d.name}: USER ${op.kind} failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (replaced.length) this.effects.push({ line: `(what ${d.name}'s ${op.kind} replaced)`, written: [], superseded: replaced, moved: [] });
    if (!e) return undefined;
    this.effects.push(e);
    this.note(`${d.name}: USER ${e.line}`);
    return e;
  }

  /**
   * A scripted person's step on device `i` (the regression tests): `fn` acts on the folder and says
   * what it wrote and moved; what it replaced or removed is read from the disk as it happens.
   */
  act(i: number, line: string, fn: (disk: UserDisk, path: (rel: string) => string) => { written?: string[]; moved?: string[] } | void): void {
    const d = this.devices[i]!;
    const superseded: OpEffect['superseded'] = [];
    const disk = realDisk(d.agent.dir, (content, by) => superseded.push({ content, by }));
    const e = fn(disk, (rel) => join(d.agent.dir, rel)) ?? {};
    this.effects.push({ line: `${d.name}: ${line}`, written: e.written ?? [], superseded, moved: e.moved ?? [] });
    this.note(`${d.name}: USER ${line}`);
  }

  /** Device `i` writes new content (in place) to `rel`; the content. */
  write(i: number, rel: string, size = 40): string {
    const c = this.contents.next(i, size);
    this.act(i, `write ${rel} = ${short(c)}`, (disk) => {
      disk.writeFile(rel, new TextEncoder().encode(c));
      return { written: [c] };
    });
    return c;
  }

  /** Device `i` saves new content to `rel` the way editors do: a temp file renamed over it. */
  saveViaTemp(i: number, rel: string, size = 40): string {
    const c = this.contents.next(i, size);
    this.act(i, `save-via-temp ${rel} = ${short(c)}`, (disk) => {
      disk.writeFile(`${rel}.tmp`, new TextEncoder().encode(c));
      disk.rename(`${rel}.tmp`, rel);
      return { written: [c] };
    });
    return c;
  }

  /** Device `i` renames or moves `from` (a file or a folder) to `to`. */
  rename(i: number, from: string, to: string): void {
    this.act(i, `rename ${from} -> ${to}`, (disk) => {
      const moved = disk.walk().filter((e) => e.kind === 'file' && (e.path === from || e.path.startsWith(`${from}/`))).map((e) => new TextDecoder().decode(e.bytes));
      disk.rename(from, to);
      return { moved };
    });
  }

  /** Device `i` deletes a file or a whole folder. */
  remove(i: number, rel: string): void {
    this.act(i, `delete ${rel}`, (disk) => {
      if (disk.stat(rel)?.kind === 'dir') disk.removeTree(rel);
      else disk.unlink(rel);
    });
  }

  mkdir(i: number, rel: string): void {
    this.act(i, `mkdir ${rel}`, (disk) => disk.mkdir(rel));
  }

  async kill(i: number): Promise<void> {
    const d = this.devices[i]!;
    if (!d.running) return;
    await d.kill('SIGKILL');
    this.note(`${d.name}: agent killed`);
  }

  start(i: number): void {
    const d = this.devices[i]!;
    if (d.running) return;
    d.start();
    this.note(`${d.name}: agent starts`);
  }

  setOnline(i: number, on: boolean): void {
    const d = this.devices[i]!;
    if (d.gate.isOpen === on) return;
    if (on) d.gate.restore();
    else d.gate.cut();
    this.note(`${d.name}: ${on ? 'online' : 'offline'}`);
  }

  async killServer(): Promise<void> {
    if (!this.serverUp) return;
    await this.srv.kill('SIGKILL');
    this.serverUp = false;
    this.note('server killed');
  }

  async restartServer(): Promise<void> {
    if (this.serverUp) return;
    await this.srv.restart();
    this.serverUp = true;
    this.note('server restarted');
  }

  /**
   * Everyone online and running, the server up; then wait until no agent has printed anything
   * but "idle" for `quietMs` (several rescans), every agent has finished a pass since it last
   * started, and all folders hold the same files. False when that never happens within `maxMs`.
   */
  async settle(quietMs = 20_000, maxMs = 5 * 60_000): Promise<boolean> {
    await this.restartServer();
    for (const d of this.devices) {
      this.setOnline(d.index, true);
      this.start(d.index);
    }
    const startedAt = Date.now();
    const seen = this.devices.map((d) => d.agent.output.length);
    const idleSince = this.devices.map(() => -1);
    let lastActivity = Date.now();
    while (Date.now() - startedAt < maxMs) {
      // Polled often: the quiet period is timed from the agents' last words, not rounded up to a poll.
      await new Promise((r) => setTimeout(r, 100));
      for (const d of this.devices) {
        const fresh = d.agent.output.slice(seen[d.index]);
        seen[d.index] = d.agent.output.length;
        const lines = fresh.split('\n').filter((l) => l.trim());
        if (lines.some((l) => !/ idle$/.test(l))) lastActivity = Date.now();
        // Idle: its last word was "idle" (a pass finished with nothing left), not something after it.
        if (lines.length) idleSince[d.index] = / idle$/.test(lines[lines.length - 1]!) ? (idleSince[d.index]! < 0 ? Date.now() : idleSince[d.index]!) : -1;
      }
      if (Date.now() - lastActivity < quietMs || idleSince.some((t) => t < 0) || this.devices.some((d) => !d.running)) continue;
      const shots = await Promise.all(this.devices.map((d) => snapshot(d.agent.dir)));
      const shown = shots.map((s) => JSON.stringify([...s].sort()));
      if (shown.every((s) => s === shown[0])) return true;
      lastActivity = Date.now() - quietMs / 2; // not yet equal: give them a little longer
    }
    return false;
  }

  /** What the checks judge, plus where every committed content is now (for telling lost from stale). */
  async observe(settled: boolean): Promise<{ observed: Observed; tags: Map<string, 'head' | 'old' | 'trash'>; errors: AgentErrors[] }> {
    const { tree, liveIds } = await serverTree(this.srv, SOAK_REMOTE);
    const tags = await revisionTags(this.srv, liveIds);
    const errors = this.devices.map((d) => agentErrors(d.agent.output, d.exits));
    const devices = this.devices.map((d, i) => ({
      name: d.name,
      tree: new Map(visible(realDisk(d.agent.dir)).map((e) => [e.path, e.kind === 'dir' ? null : e.content!] as const)),
      errors: errors[i]!.unexpected,
    }));
    return { observed: { server: tree, devices, effects: this.effects, settled }, tags, errors };
  }

  async cleanup(): Promise<void> {
    for (const d of this.devices) {
      await d.kill('SIGTERM');
      await d.gate.close();
    }
    await this.srv.cleanup();
    await this.temp.remove();
  }
}
