/**
 * The job queue and runner: one claim per job even with two runners racing, a dead runner's job
 * is retried once its lease expires (and the dead runner cannot overwrite the outcome), failures
 * retry with back-off until attempts run out, cancel stops a running job, schedules enqueue once.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rowsOf, type Database, type Db } from '../src/db/open.js';
import { claim, complete, enqueue, getJob, cancel } from '../src/jobs/queue.js';
import { JobRunner, sleep, type JobHandler } from '../src/jobs/runner.js';
import { BACKENDS } from './fixtures/server.js';
import { openTestDatabase } from './fixtures/database.js';

const quiet = { log: () => {} };

describe.each(BACKENDS)('job queue on %s', (backend) => {
  let env: Awaited<ReturnType<typeof openTestDatabase>>;
  let db: Db;
  beforeAll(async () => {
    env = await openTestDatabase(backend);
    db = env.database.db;
  }, 60_000);
  afterAll(async () => env?.close());

  it('retries a job whose runner died once its lease expires; the dead runner cannot finish it', async () => {
    const job = (await enqueue(db, { kind: 'lease-test' }))!;
    const taken = await claim(db, 'dead-runner', ['lease-test'], 60_000);
    expect(taken?.id).toBe(job.id);
    const ran: string[] = [];
    const live = new JobRunner(db, { 'lease-test': async (j) => void ran.push(j.id) }, { id: 'live', ...quiet });
    expect(await live.drain()).toBe(0); // the lease still holds
    await db.execute(sql`update jobs set locked_until = now() - interval '1 second' where id = ${job.id}`);
    expect(await live.drain()).toBe(1);
    expect(ran).toEqual([job.id]);
    const after = (await getJob(db, job.id))!;
    expect(after.state).toBe('done');
    expect(after.attempts).toBe(2);
    expect(await complete(db, job.id, 'dead-runner')).toBe(false);
    expect((await getJob(db, job.id))!.lockedBy).toBe('live');
  });

  it('retries a failing job with back-off, then gives up after maxAttempts', async () => {
    const job = (await enqueue(db, { kind: 'flaky', maxAttempts: 2 }))!;
    let calls = 0;
    const flaky: JobHandler = async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    };
    const runner = new JobRunner(db, { flaky }, { retryBaseMs: 3_600_000, ...quiet });
    await runner.drain();
    let row = (await getJob(db, job.id))!;
    expect(row.state).toBe('queued');
    expect(row.lastError).toBe('boom 1');
    expect(row.runAfter.getTime()).toBeGreaterThan(Date.now() + 60_000); // backed off, not due
    expect(await runner.drain()).toBe(0);
    await db.execute(sql`update jobs set run_after = now() where id = ${job.id}`);
    await runner.drain();
    row = (await getJob(db, job.id))!;
    expect(row.state).toBe('failed');
    expect(row.lastError).toBe('boom 2');
    expect(calls).toBe(2);
  });

  it('cancels a running job: its handler is aborted and the job stays cancelled', async () => {
    const job = (await enqueue(db, { kind: 'long' }))!;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let abortedWith: unknown;
    const handler: JobHandler = async (_j, ctx) => {
      started();
      try {
        for (;;) await sleep(20, ctx.signal);
      } catch (err) {
        abortedWith = err;
        throw err;
      }
    };
    const runner = new JobRunner(db, { long: handler }, { leaseMs: 300, ...quiet });
    const done = runner.drain();
    await running;
    expect((await cancel(db, job.id))?.state).toBe('cancelled');
    await done;
    expect(abortedWith).toBeDefined();
    const row = (await getJob(db, job.id))!;
    expect(row.state).toBe('cancelled');
    expect(row.finishedAt).not.toBeNull();
    expect(await cancel(db, job.id)).toBeUndefined(); // finished: nothing to cancel
  });

  it('runs one job of a kind at a time: another waits while one holds a live lease', async () => {
    const first = (await enqueue(db, { kind: 'solo' }))!;
    const second = (await enqueue(db, { kind: 'solo' }))!;
    expect((await claim(db, 'other-instance', ['solo'], 60_000))?.id).toBe(first.id);
    const runner = new JobRunner(db, { solo: async () => {} }, quiet);
    expect(await runner.drain()).toBe(0);
    expect(await complete(db, first.id, 'other-instance')).toBe(true);
    expect(await runner.drain()).toBe(1);
    expect((await getJob(db, second.id))!.state).toBe('done');
  });

  it('polls when started, and on stop hands a running job back to the queue uncounted', async () => {
    const quick = (await enqueue(db, { kind: 'polled' }))!;
    let started!: () => void;
    const blocking = new Promise<void>((r) => (started = r));
    const handlers: Record<string, JobHandler> = {
      polled: async () => {},
      stuck: async (_j, ctx) => {
        started();
        for (;;) await sleep(20, ctx.signal);
      },
    };
    const runner = new JobRunner(db, handlers, { pollMs: 20, ...quiet });
    runner.start();
    await expect.poll(async () => (await getJob(db, quick.id))!.state).toBe('done');
    const stuck = (await enqueue(db, { kind: 'stuck' }))!;
    await blocking;
    await runner.stop();
    const back = (await getJob(db, stuck.id))!;
    expect([back.state, back.attempts, back.lockedBy]).toEqual(['queued', 0, null]);
  });

  it('enqueues each schedule slot once, whichever runner gets there first', async () => {
    const now = () => Date.UTC(2030, 0, 1, 12, 30);
    const schedules = [{ kind: 'sched-gc', everyMs: 3_600_000 }];
    const a = new JobRunner(db, {}, { schedules, now, ...quiet });
    const b = new JobRunner(db, {}, { schedules, now, ...quiet });
    await Promise.all([a.enqueueSchedules(), b.enqueueSchedules(), a.enqueueSchedules()]);
    const count = async () => rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from jobs where kind = 'sched-gc'`))[0]!.n;
    expect(await count()).toBe(1);
    const later = new JobRunner(db, {}, { schedules, now: () => now() + 3_600_000, ...quiet });
    await later.enqueueSchedules();
    expect(await count()).toBe(2);
  });

  it('heartbeats keep a job running past its lease: no other runner takes it', async () => {
    const job = (await enqueue(db, { kind: 'slow-beat' }))!;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const slow: JobHandler = async (_j, ctx) => {
      started();
      await sleep(3_000, ctx.signal);
    };
    // A lease of 1 s: heartbeats every 200 ms, and the runner gives the job up itself after 600 ms
    // without one — 400 ms (240 ms) failed on a loaded CI machine, a heartbeat to PGlite stalled past it.
    const a = new JobRunner(db, { 'slow-beat': slow }, { id: 'beating', leaseMs: 1_000, ...quiet });
    const done = a.drain();
    await running;
    await new Promise((r) => setTimeout(r, 2_200)); // over two leases
    const b = new JobRunner(db, { 'slow-beat': slow }, { id: 'other', ...quiet });
    expect(await b.drain()).toBe(0);
    expect(await done).toBe(1);
    const row = (await getJob(db, job.id))!;
    expect([row.state, row.attempts, row.lockedBy]).toEqual(['done', 1, 'beating']);
  });

  it('a runner never claims back its own job under an expired lease (it may still run it)', async () => {
    const job = (await enqueue(db, { kind: 'own-expired' }))!;
    expect((await claim(db, 'r1', ['own-expired'], 60_000))?.id).toBe(job.id);
    await db.execute(sql`update jobs set locked_until = now() - interval '1 second' where id = ${job.id}`);
    expect(await claim(db, 'r1', ['own-expired'], 60_000)).toBeUndefined();
    expect((await claim(db, 'r2', ['own-expired'], 60_000))?.id).toBe(job.id);
    expect(await complete(db, job.id, 'r2')).toBe(true);
  });

  // Last in this block: it hands back every claim other runners left in this database.
  it('a sole runner (embedded database) hands back at start what an earlier process held, without waiting for its lease', async () => {
    const job = (await enqueue(db, { kind: 'left-behind' }))!;
    expect((await claim(db, 'killed-process', ['left-behind'], 60_000))?.id).toBe(job.id);
    const handlers = { 'left-behind': async () => {} };
    expect(await new JobRunner(db, handlers, quiet).drain()).toBe(0); // its lease still holds
    const sole = new JobRunner(db, handlers, { sole: true, pollMs: 20, ...quiet });
    sole.start();
    try {
      await expect.poll(async () => (await getJob(db, job.id))!.state, { timeout: 5_000 }).toBe('done');
    } finally {
      await sole.stop();
    }
    const row = (await getJob(db, job.id))!;
    expect([row.attempts, row.lockedBy]).toEqual([2, sole.id]);
    expect(await complete(db, job.id, 'killed-process')).toBe(false);
  });
});

describe('job queue with two runners on PostgreSQL', () => {
  let env: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    env = await openTestDatabase('postgres');
  }, 60_000);
  afterAll(async () => env?.close());

  it('never runs one job twice', async () => {
    const db = env.database.db;
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) ids.add((await enqueue(db, { kind: 'once', payload: { i } }))!.id);
    const runs = new Map<string, string[]>();
    const handler =
      (who: string): JobHandler =>
      async (job) => {
        runs.set(job.id, [...(runs.get(job.id) ?? []), who]);
        await new Promise((r) => setImmediate(r));
      };
    const a = new JobRunner(db, { once: handler('a') }, { id: 'a', ...quiet });
    const b = new JobRunner(db, { once: handler('b') }, { id: 'b', ...quiet });
    const [ranA, ranB] = await Promise.all([a.drain(), b.drain()]);
    expect(ranA + ranB).toBe(40);
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    for (const [id, who] of runs) expect(who, id).toHaveLength(1);
    const [done] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from jobs where kind = 'once' and state = 'done'`));
    expect(done!.n).toBe(40);
  });

  it('a runner that cannot renew its leases stops its job before another may take it (fencing), and hands it back', async () => {
    const db = env.database.db;
    const job = (await enqueue(db, { kind: 'fenced' }))!;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let abortedAfter: number | undefined;
    const t0 = Date.now();
    let runs = 0;
    const handler: JobHandler = async (_j, ctx) => {
      if (runs++ > 0) return; // handed back and claimed again: done at once
      started();
      try {
        await sleep(10_000, ctx.signal);
      } finally {
        abortedAfter = Date.now() - t0;
      }
    };
    const runner = new JobRunner(db, { fenced: handler }, { id: 'fenced-runner', leaseMs: 500, ...quiet });
    const done = runner.drain();
    await running;
    // Another session locks the table: the runner's heartbeats wait (as on a network partition).
    // The fence acts 300 ms after the last renewal; the lock is held far longer, so that a loaded
    // machine's timer lag (CI runs this beside the crash tests) cannot outlast it.
    const blockedMs = 4_000;
    await db.transaction(async (tx) => {
      await tx.execute(sql`lock table jobs in access exclusive mode`);
      await new Promise((r) => setTimeout(r, blockedMs));
      // Stopped while the lock still held, well before the lease (500 ms after the last renewal) could be taken over.
      expect(abortedAfter).toBeDefined();
    });
    expect(abortedAfter!).toBeLessThan(blockedMs);
    // Handed back once the database answered again (uncounted), and so claimed again by the drain.
    expect(await done).toBe(2);
    expect(runs).toBe(2);
    const row = (await getJob(db, job.id))!;
    expect([row.state, row.attempts]).toEqual(['done', 1]);
  });
});
