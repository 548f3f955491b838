/**
 * Runs jobs from the queue in this server instance: polls for due jobs, runs their handlers
 * (a few at once), heartbeats its claims (one statement renews the leases of all it runs), records
 * progress, retries failures with exponential back-off, and enqueues periodic jobs. Any number of
 * instances may run one.
 *
 * A killed instance's claims must not hold their kinds for long (issue 20): leases are short
 * (10 s), so another instance takes them over soon; on the embedded database, which one process
 * owns at a time, a starting runner (`sole`) hands back every claim left by an earlier process at
 * once. A job never runs twice at once: an instance that could not renew its leases for most of
 * a lease stops those jobs itself (fencing) before anyone may take them over.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/open.js';
import { describeError, loggable } from '../error-log.js';
import { componentLogger } from '../observability/log.js';
import { performance } from 'node:perf_hooks';
import { claim, complete, enqueue, fail, release, releaseOrphans, renewAll, saveProgress, type Job, type Json } from './queue.js';

export interface JobContext {
  /** Aborted when the job is cancelled, its lease is lost, or the runner stops. */
  signal: AbortSignal;
  /** What an earlier attempt recorded (resume from it). */
  progress: Json;
  /** Persist progress; throws (and aborts) when the job was cancelled or its lease lost. */
  report(progress: Json): Promise<void>;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>;

/** A periodic job: enqueued once per `everyMs` slot, across all instances. */
export interface Schedule {
  kind: string;
  everyMs: number;
  payload?: Json;
}

export interface RunnerOptions {
  id?: string;
  pollMs?: number;
  /** How long a claim holds without a heartbeat (default 10 s); heartbeats come every fifth of it. */
  leaseMs?: number;
  /**
   * No other runner can use this database while this one lives (the embedded default: its
   * lockfile admits one process). On start, claims of earlier runners are handed back at once —
   * their holders are gone — and no fencing is needed.
   */
  sole?: boolean;
  concurrency?: number;
  /** First retry after this long, doubling per attempt, at most an hour. */
  retryBaseMs?: number;
  schedules?: Schedule[];
  now?: () => number;
  log?: (msg: string) => void;
  /** Told of every failed attempt (the metrics' failure counter). */
  onAttemptFailed?: (kind: string) => void;
}

const jobsLog = componentLogger('jobs');

class LeaseLost extends Error {}

/** A claim being run here: aborted when lost; fenced by the last heartbeat (or the claim) that reached the database. */
interface Held {
  ctl: AbortController;
  /** performance.now() when the claim was sent: its lease runs at least from then. */
  claimSentAt: number;
}

export class JobRunner {
  readonly id: string;
  private readonly opts: Required<Omit<RunnerOptions, 'id'>>;
  private readonly active = new Map<string, { ctl: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;
  private schedulesCheckedAt = -Infinity;
  private readonly held = new Map<string, Held>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private beating = false;
  /** performance.now() when the last heartbeat that succeeded was sent. */
  private lastBeatSentAt = -Infinity;
  /** Earlier claims still to hand back: at start when sole, or after a hand-back failed. */
  private orphansToRelease: 'others' | 'own' | undefined;

  constructor(
    private readonly db: Db,
    private readonly handlers: Record<string, JobHandler>,
    opts: RunnerOptions = {},
  ) {
    this.id = opts.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.opts = {
      pollMs: opts.pollMs ?? 1_000,
      leaseMs: opts.leaseMs ?? 10_000,
      sole: opts.sole ?? false,
      concurrency: opts.concurrency ?? 2,
      retryBaseMs: opts.retryBaseMs ?? 5_000,
      schedules: opts.schedules ?? [],
      now: opts.now ?? Date.now,
      log: opts.log ?? ((m) => jobsLog.warn(m)),
      onAttemptFailed: opts.onAttemptFailed ?? (() => {}),
    };
  }

  start(): void {
    if (this.timer) return;
    this.stopping = false;
    if (this.opts.sole) this.orphansToRelease = 'others';
    this.timer = setInterval(() => void this.tick(), this.opts.pollMs);
    this.timer.unref();
    void this.tick();
  }

  /** Stops polling, aborts running handlers and hands their jobs back to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    for (const a of this.active.values()) a.ctl.abort();
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
  }

  /** One round: enqueue due schedules, then claim jobs up to the concurrency limit. */
  tick(): Promise<void> {
    this.ticking ??= this.round()
      .catch((err: unknown) => this.opts.log(`jobs: poll failed: ${describeError(err)}`))
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** For tests and tools: claim and run jobs until none is due; resolves when all finished. */
  async drain(): Promise<number> {
    let ran = 0;
    for (;;) {
      // A hand-back that failed (the database refused a connection, say) is retried before the
      // next claim: a claim never takes back this runner's own job, so it would stay held.
      if (this.orphansToRelease) await this.releaseOrphans(this.orphansToRelease);
      const sentAt = performance.now();
      const job = await claim(this.db, this.id, Object.keys(this.handlers), this.opts.leaseMs);
      if (!job) return ran;
      await this.run(job, sentAt);
      ran++;
    }
  }

  async enqueueSchedules(): Promise<void> {
    const now = this.opts.now();
    for (const s of this.opts.schedules) {
      const slot = Math.floor(now / s.everyMs);
      await enqueue(this.db, { kind: s.kind, payload: s.payload, uniqueKey: `${s.kind}@${s.everyMs}:${slot}` });
    }
  }

  private async round(): Promise<void> {
    if (this.stopping) return;
    if (this.orphansToRelease) await this.releaseOrphans(this.orphansToRelease);
    // Slots are minutes apart at the least: looking once a minute is enough.
    if (this.opts.now() - this.schedulesCheckedAt >= 60_000) {
      await this.enqueueSchedules();
      this.schedulesCheckedAt = this.opts.now();
    }
    while (!this.stopping && this.active.size < this.opts.concurrency) {
      const sentAt = performance.now();
      const job = await claim(this.db, this.id, Object.keys(this.handlers), this.opts.leaseMs);
      if (!job) return;
      const ctl = new AbortController();
      // Nothing awaits `done` until stop(): a rejection here would be unhandled and end the process.
      const done = this.run(job, sentAt, ctl)
        .catch((err: unknown) => this.opts.log(`jobs: ${job.kind} ${job.id} could not be recorded: ${describeError(err)}`))
        .finally(() => this.active.delete(job.id));
      this.active.set(job.id, { ctl, done });
    }
  }

  private async releaseOrphans(which: 'others' | 'own'): Promise<void> {
    const gone = await releaseOrphans(this.db, this.id, which === 'own' ? [...this.held.keys()] : undefined);
    this.orphansToRelease = undefined;
    if (which === 'others') for (const j of gone) this.opts.log(`jobs: ${j.kind} ${j.id} was held by ${j.lockedBy ?? '?'}, gone: queued again`);
  }

  private async run(job: Job, claimSentAt: number, ctl = new AbortController()): Promise<void> {
    const handler = this.handlers[job.kind];
    if (!handler) return;
    if (job.attempts > job.maxAttempts) {
      // Its leases kept expiring (a runner crashing on it): stop trying.
      return fail(this.db, job, this.id, `gave up after ${job.maxAttempts} attempts`, 0);
    }
    const leaseMs = this.opts.leaseMs;
    this.hold(job.id, { ctl, claimSentAt });
    const ctx: JobContext = {
      signal: ctl.signal,
      progress: job.progress,
      report: async (progress) => {
        ctx.progress = progress;
        if (!(await saveProgress(this.db, job.id, this.id, progress, leaseMs))) {
          ctl.abort(new LeaseLost('cancelled or lease lost'));
        }
        ctl.signal.throwIfAborted();
      },
    };
    try {
      await handler(job, ctx);
      ctl.signal.throwIfAborted();
      await complete(this.db, job.id, this.id);
    } catch (err) {
      if (ctl.signal.aborted) {
        // Stopping, fenced, cancelled or taken over: hand it back for another runner if it is
        // still ours (cancelled or taken over, it is not, and this writes nothing).
        if (!(await this.handBack(job.id))) this.orphansToRelease ??= 'own';
        return;
      }
      const retryIn = Math.min(this.opts.retryBaseMs * 2 ** Math.max(0, job.attempts - 1), 3_600_000);
      this.opts.onAttemptFailed(job.kind);
      this.opts.log(`jobs: ${job.kind} ${job.id} attempt ${job.attempts} failed: ${describeError(err)}`);
      await fail(this.db, job, this.id, lastError(err), retryIn).catch(() => undefined);
    } finally {
      this.unhold(job.id);
    }
  }

  /** Hands a job back, uncounted; a failed statement (a refused connection, say) is tried twice more before the next round's orphan release takes over. */
  private async handBack(id: string): Promise<boolean> {
    for (const waitMs of [0, 200, 1_000]) {
      if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
      try {
        await release(this.db, id, this.id);
        return true;
      } catch (err) {
        this.opts.log(`jobs: handing back ${id} failed: ${describeError(err)}`);
      }
    }
    return false;
  }

  private hold(id: string, h: Held): void {
    this.held.set(id, h);
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(20, Math.floor(this.opts.leaseMs / 5)));
    this.heartbeatTimer.unref();
  }

  private unhold(id: string): void {
    this.held.delete(id);
    if (this.held.size > 0) return;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Renews every lease held here; aborts jobs no longer held, and fences those whose lease may have run out. */
  private async heartbeat(): Promise<void> {
    this.fence();
    if (this.beating) return; // the last one still waits on the database: the fence watches it
    this.beating = true;
    const sentAt = performance.now();
    try {
      const still = await renewAll(this.db, this.id, this.opts.leaseMs);
      this.lastBeatSentAt = sentAt;
      for (const [id, h] of this.held) {
        // A claim sent after this beat may not have been visible to it.
        if (!still.has(id) && h.claimSentAt < sentAt) h.ctl.abort(new LeaseLost('cancelled or lease lost'));
      }
    } catch {
      // A database hiccup: the next beat or the fence decides.
    } finally {
      this.beating = false;
    }
  }

  /**
   * Another runner may take a job over once its lease has run out by the database's clock. The
   * lease was renewed no earlier than the last successful heartbeat (or claim) was sent, so a
   * job whose renewal is older than 60 % of a lease by this clock is stopped here first.
   */
  private fence(): void {
    if (this.opts.sole) return; // nobody else can take it over
    const now = performance.now();
    for (const h of this.held.values()) {
      if (now - Math.max(this.lastBeatSentAt, h.claimSentAt) > this.opts.leaseMs * 0.6) h.ctl.abort(new LeaseLost('heartbeat lost: lease may have run out'));
    }
  }
}

/** What an admin sees of a failure (GET /admin/jobs): the message, without any SQL it carried. */
function lastError(err: unknown): string {
  const e = loggable(err);
  return e instanceof Error ? e.message : String(e);
}

/** Waits `ms`, or rejects as soon as `signal` aborts (for rate limits inside handlers). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
