/**
 * The simulation's event loop: every file-system call, network request, network answer and
 * timer of every simulated agent is a pending step here, and nothing happens until the
 * simulation runs it. After a step, the microtask queue is drained, so the agent that owned the
 * step runs on until it blocks on its next step: the whole world advances one decision at a time,
 * in an order chosen by the history (seeded, shrinkable) — a crash simply drops an owner's steps.
 */
export type StepKind = 'fs' | 'req' | 'res';

interface Pending {
  owner: string;
  kind: StepKind;
  /** Not runnable yet (a long poll waiting for the journal or its timeout). */
  ready: boolean;
  run(): void;
  fail(err: Error): void;
}

interface Timer {
  owner: string;
  at: number;
  seq: number;
  fn(): void;
}

/** A request or answer lost on the network. */
export class NetError extends Error {
  readonly code = 'ECONNRESET';
}

export function drain(): Promise<void> {
  return new Promise<void>((r) => setImmediate(r));
}

export class Scheduler {
  now = 1_800_000_000_000; // a fixed, plausible epoch: 2027-01-15
  private pending: Pending[] = [];
  private timers: Timer[] = [];
  private timerSeq = 0;
  private seeded: number;
  /** Owners whose process is gone: whatever they still try to do never happens. */
  private readonly dead = new Set<string>();

  constructor(seed: number) {
    this.seeded = seed >>> 0 || 1;
  }

  /** A deterministic pseudo-random number in [0, 1) (xorshift). */
  random(): number {
    let x = this.seeded;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seeded = x >>> 0;
    return this.seeded / 0x100000000;
  }

  /** A step that does `fn` when run and settles with its result. */
  step<T>(owner: string, kind: StepKind, fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.dead.has(owner)) return;
      this.pending.push({
        owner,
        kind,
        ready: true,
        run: () => {
          try {
            resolve(fn());
          } catch (err) {
            reject(err);
          }
        },
        fail: reject,
      });
    });
  }

  /** A step that becomes runnable only when `arm` calls its `ready` (long polls). */
  waiting<T>(owner: string, kind: StepKind, arm: (ready: (answer: () => T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.dead.has(owner)) return;
      let answer: (() => T) | undefined;
      const p: Pending = {
        owner,
        kind,
        ready: false,
        run: () => {
          try {
            resolve(answer!());
          } catch (err) {
            reject(err);
          }
        },
        fail: reject,
      };
      this.pending.push(p);
      arm((a) => {
        if (p.ready || !this.pending.includes(p)) return;
        answer = a;
        p.ready = true;
      });
    });
  }

  timer(owner: string, ms: number, fn: () => void): () => void {
    if (this.dead.has(owner)) return () => {};
    const t: Timer = { owner, at: this.now + Math.max(0, ms), seq: this.timerSeq++, fn };
    this.timers.push(t);
    return () => {
      const i = this.timers.indexOf(t);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  runnable(owner?: string): number {
    return this.pending.filter((p) => p.ready && (owner === undefined || p.owner === owner)).length;
  }

  /** Run one runnable step of `owner` (the `pick`-th, modulo how many there are); false when it has none. */
  async runOne(owner: string, pick = 0): Promise<boolean> {
    const mine = this.pending.filter((p) => p.ready && p.owner === owner);
    if (mine.length === 0) return false;
    const p = mine[pick % mine.length]!;
    this.pending.splice(this.pending.indexOf(p), 1);
    p.run();
    await drain();
    return true;
  }

  /** The oldest runnable step of anyone (fair settling); false when there is none. */
  async runOldest(): Promise<boolean> {
    const p = this.pending.find((x) => x.ready);
    if (!p) return false;
    this.pending.splice(this.pending.indexOf(p), 1);
    p.run();
    await drain();
    return true;
  }

  nextTimerAt(): number | undefined {
    let at: number | undefined;
    for (const t of this.timers) if (at === undefined || t.at < at) at = t.at;
    return at;
  }

  /** Move the clock forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.now = Math.max(this.now, due.at);
      due.fn();
      await drain();
    }
    this.now = until;
  }

  /** Fail an owner's network steps (a dropped connection: requests not delivered, answers lost). */
  cut(owner: string): void {
    const hit = this.pending.filter((p) => p.owner === owner && p.kind !== 'fs');
    this.pending = this.pending.filter((p) => !hit.includes(p));
    for (const p of hit) p.fail(new NetError('connection reset (simulated)'));
  }

  /** Forget everything an owner was doing (its process crashed): its steps never run, now or later. */
  drop(owner: string): void {
    this.dead.add(owner);
    this.pending = this.pending.filter((p) => p.owner !== owner);
    this.timers = this.timers.filter((t) => t.owner !== owner);
  }

  async settleMicrotasks(): Promise<void> {
    await drain();
  }
}
