/**
 * One simulated world: the model server and N devices, each a VirtualDisk with a real sync agent
 * (client/src/sync/agent.ts, unchanged) talking to the model through the simulated network. The
 * history drives it: people's operations, steps of each agent, time passing, crashes, restarts,
 * offline periods and dropped connections. Everything is deterministic for a given history.
 */
import { DatabaseSync } from 'node:sqlite';
import { runAgent } from '../../src/sync/agent.js';
import type { Faults } from '../../src/sync/faults.js';
import { ModelServer } from './model-server.js';
import { NetError, Scheduler } from './scheduler.js';
import { simClock } from './sim-clock.js';
import { simFs } from './sim-fs.js';
import { simNet } from './sim-net.js';
import { applyUserOp, ContentSource, type OpEffect, type UserOp } from './user-ops.js';
import { VirtualDisk } from './virtual-disk.js';

export const REMOTE_ROOT = '/Family';

export class SimDevice {
  readonly disk: VirtualDisk;
  /** The agent's state database: in memory, kept across the agent's runs as its disk is
   *  (a run that is killed leaves its unsaved writes in an open transaction; the next rolls them back). */
  readonly stateDb = new DatabaseSync(':memory:');
  readonly watchers = new Set<(rel: string) => void>();
  /** The agent's open event websockets: each closes its socket with the error it is given. */
  readonly sockets = new Set<(err: Error) => void>();
  incarnation = 0;
  running = false;
  online = true;
  readonly deviceId: string;
  /** Pass failures that were not the simulated network's doing. */
  readonly unexpected: string[] = [];
  idleAt = -1;

  constructor(
    readonly index: number,
    world: World,
  ) {
    this.disk = new VirtualDisk(() => world.sched.now);
    this.disk.onChange = (rel) => {
      for (const w of this.watchers) w(rel);
    };
    this.deviceId = world.model.addDevice(`dev${index}`);
  }

  get owner(): string {
    return `d${this.index}#${this.incarnation}`;
  }
}

export interface WorldOptions {
  devices: number;
  seed: number;
  faults?: Faults;
}

export class World {
  readonly sched: Scheduler;
  readonly model: ModelServer;
  readonly devices: SimDevice[] = [];
  readonly log: string[] = [];
  readonly effects: OpEffect[] = [];
  readonly contents = new ContentSource();
  private readonly faults: Faults | undefined;

  constructor(o: WorldOptions) {
    this.sched = new Scheduler(o.seed);
    this.model = new ModelServer({ clock: { now: () => this.sched.now, setTimer: (ms, fn) => this.sched.timer('server', ms, fn) } });
    this.faults = o.faults;
    for (let i = 0; i < o.devices; i++) this.devices.push(new SimDevice(i, this));
  }

  note(line: string): void {
    this.log.push(`[${((this.sched.now - 1_800_000_000_000) / 1000).toFixed(3)}] ${line}`);
  }

  start(d: SimDevice): void {
    if (d.running) return;
    d.incarnation++;
    d.running = true;
    const owner = d.owner;
    const api = simNet(this.model.api(d.deviceId), this.model, this.sched, owner, () => d.online, d.sockets);
    this.note(`dev${d.index}: agent starts (run ${d.incarnation})`);
    void runAgent({
      api,
      fs: simFs(d.disk, this.sched, owner, d.watchers),
      state: d.stateDb,
      clock: simClock(this.sched, owner),
      remoteRoot: REMOTE_ROOT,
      deviceName: `dev${d.index}`,
      faults: this.faults,
      log: (line) => {
        if (d.owner === owner) this.note(`dev${d.index}: ${line}`);
      },
      observer: {
        idle: () => {
          if (d.owner === owner) d.idleAt = this.sched.now;
        },
        passFailed: (err) => {
          if (d.owner !== owner || err instanceof NetError) return;
          d.unexpected.push(String((err as Error).stack ?? err));
        },
      },
    }).catch((err: unknown) => {
      if (d.owner === owner) d.unexpected.push(`agent ended: ${String((err as Error).stack ?? err)}`);
    });
  }

  crash(d: SimDevice): void {
    if (!d.running) return;
    this.sched.drop(d.owner);
    d.watchers.clear();
    d.sockets.clear();
    d.running = false;
    d.incarnation++; // what the old run still does (it is never resumed) is ignored
    this.note(`dev${d.index}: agent killed`);
  }

  user(d: SimDevice, op: UserOp): void {
    const e = applyUserOp(d.disk, d.index, op, this.contents);
    if (!e) return;
    this.effects.push(e);
    this.note(`dev${d.index}: USER ${e.line}`);
  }

  setOnline(d: SimDevice, on: boolean): void {
    if (d.online === on) return;
    d.online = on;
    if (!on) this.sched.cut(d.owner);
    this.note(`dev${d.index}: ${on ? 'online' : 'offline'}`);
  }

  cut(d: SimDevice): void {
    this.sched.cut(d.owner);
    this.note(`dev${d.index}: connection dropped`);
  }

  /** Only the event websocket drops (a proxy's idle timeout, a NAT rebinding): its undelivered
   *  messages are lost; the agent's requests and long polls go on. */
  cutSocket(d: SimDevice): void {
    if (d.sockets.size === 0) return;
    for (const close of [...d.sockets]) close(new NetError('websocket cut (simulated)'));
    this.note(`dev${d.index}: event socket cut`);
  }

  async steps(d: SimDevice, n: number, pick: number): Promise<void> {
    for (let i = 0; i < n; i++) if (!(await this.sched.runOne(d.owner, pick + i))) return;
  }

  /**
   * Everyone back online and running, then time passes until nothing happens any more: every
   * runnable step is run (oldest first), timers fire, and the world is quiet when a whole rescan
   * period goes by with no agent doing anything but polling. False when it never got quiet.
   */
  async settle(maxVirtualMs = 20 * 60_000, quietMs = 130_000): Promise<boolean> {
    for (const d of this.devices) {
      this.setOnline(d, true);
      this.start(d);
    }
    const start = this.sched.now;
    let lastActivity = this.sched.now;
    let logged = this.log.length;
    let steps = 0;
    while (this.sched.now - start < maxVirtualMs) {
      if (await this.sched.runOldest()) {
        if (++steps > 200_000) return false;
        continue;
      }
      if (this.log.length !== logged) {
        if (this.log.slice(logged).some((l) => !/: idle$/.test(l))) lastActivity = this.sched.now;
        logged = this.log.length;
      }
      if (this.sched.now - lastActivity >= quietMs) return true;
      await this.sched.settleMicrotasks(); // reactions to a cut or a crash may still be queued
      if (this.sched.runnable() > 0) continue;
      const next = this.sched.nextTimerAt();
      if (next === undefined) return true;
      await this.sched.advance(Math.max(1, next - this.sched.now));
    }
    return false;
  }
}
