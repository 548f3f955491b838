/**
 * Runs jobs from the queue in this server instance: polls for due jobs, runs their handlers
 * (a few at once), renews each lease while it runs, records progress, retries failures with
 * exponential back-off, and enqueues periodic jobs. Any number of instances may run one.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/open.js';
import { describeError, loggable } from '../error-log.js';
import { componentLogger } from '../observability/log.js';
import { claim, complete, enqueue, fail, release, renew, saveProgress, type Job, type Json } from './queue.js';

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
  leaseMs?: number;
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

export class JobRunner {
  readonly id: string;
  private readonly opts: Required<Omit<RunnerOptions, 'id'>>;
  private readonly active = new Map<string, { ctl: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;
  private schedulesCheckedAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly handlers: Record<string, JobHandler>,
    opts: RunnerOptions = {},
  ) {
    this.id = opts.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.opts = {
      pollMs: opts.pollMs ?? 1_000,
      leaseMs: opts.leaseMs ?? 60_000,
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
      const job = await claim(this.db, this.id, Object.keys(this.handlers), this.opts.leaseMs);
      if (!job) return ran;
      await this.run(job);
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
    // Slots are minutes apart at the least: looking once a minute is enough.
    if (this.opts.now() - this.schedulesCheckedAt >= 60_000) {
      await this.enqueueSchedules();
      this.schedulesCheckedAt = this.opts.now();
    }
    while (!this.stopping && this.active.size < this.opts.concurrency) {
      const job = await claim(this.db, this.id, Object.keys(this.handlers), this.opts.leaseMs);
      if (!job) return;
      const ctl = new AbortController();
      // Nothing awaits `done` until stop(): a rejection here would be unhandled and end the process.
      const done = this.run(job, ctl)
        .catch((err: unknown) => this.opts.log(`jobs: ${job.kind} ${job.id} could not be recorded: ${describeError(err)}`))
        .finally(() => this.active.delete(job.id));
      this.active.set(job.id, { ctl, done });
    }
  }

  private async run(job: Job, ctl = new AbortController()): Promise<void> {
    const handler = this.handlers[job.kind];
    if (!handler) return;
    if (job.attempts > job.maxAttempts) {
      // Its leases kept expiring (a runner crashing on it): stop trying.
      return fail(this.db, job, this.id, `gave up after ${job.maxAttempts} attempts`, 0);
    }
    const leaseMs = this.opts.leaseMs;
    const renewal = setInterval(() => {
      renew(this.db, job.id, this.id, leaseMs).then(
        (held) => held || ctl.abort(new LeaseLost('cancelled or lease lost')),
        () => undefined, // a database hiccup: the next renewal or the lease decides
      );
    }, Math.max(50, Math.floor(leaseMs / 3)));
    renewal.unref();
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
        // Cancelled or taken over: nothing to write. Stopping: hand it back for another runner.
        if (this.stopping && !(ctl.signal.reason instanceof LeaseLost)) await release(this.db, job.id, this.id).catch(() => undefined);
        return;
      }
      const retryIn = Math.min(this.opts.retryBaseMs * 2 ** Math.max(0, job.attempts - 1), 3_600_000);
      this.opts.onAttemptFailed(job.kind);
      this.opts.log(`jobs: ${job.kind} ${job.id} attempt ${job.attempts} failed: ${describeError(err)}`);
      await fail(this.db, job, this.id, lastError(err), retryIn).catch(() => undefined);
    } finally {
      clearInterval(renewal);
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
