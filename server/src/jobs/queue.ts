/**
 * The job queue: rows of the `jobs` table, claimed with `FOR UPDATE SKIP LOCKED` under a lease.
 *
 * Why our own and not pg-boss: pg-boss needs a PostgreSQL server (it does not run on PGlite, the
 * embedded default), and its newest major does not install on Node 20. What we need is small —
 * claim, lease, retry with back-off, progress, idempotent schedules — and this gives the same
 * guarantees on both: a job is claimed by one runner at a time (the claiming UPDATE locks the row
 * and skips rows another claim holds); a runner that dies stops renewing its lease, and once it
 * expires the job is claimed again (handlers are idempotent and resume from their progress);
 * every state change by a runner is conditional on still holding the lease, so a runner that
 * lost it (or whose job was cancelled) can never overwrite what another did. Times come from the
 * database's clock, so instances need not agree on theirs.
 */
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { jobs, type JobState } from '../db/schema.js';

export type Job = typeof jobs.$inferSelect;
export type Json = Record<string, unknown>;

export interface NewJob {
  kind: string;
  payload?: Json;
  /** Not before this moment (default: now). */
  runAfter?: Date;
  /** Enqueue only if no job ever had this key (schedules: one job per kind and time slot). */
  uniqueKey?: string;
  maxAttempts?: number;
}

/** Adds a job; with a uniqueKey already used, adds nothing and answers undefined. */
export async function enqueue(db: Db, j: NewJob): Promise<Job | undefined> {
  const [row] = await db
    .insert(jobs)
    .values({
      kind: j.kind,
      payload: j.payload ?? {},
      ...(j.runAfter ? { runAfter: j.runAfter } : {}),
      uniqueKey: j.uniqueKey ?? null,
      ...(j.maxAttempts ? { maxAttempts: j.maxAttempts } : {}),
    })
    .onConflictDoNothing({ target: jobs.uniqueKey })
    .returning();
  return row;
}

const leaseEnd = (leaseMs: number): SQL => sql`now() + (${Math.ceil(leaseMs)}::integer * interval '1 millisecond')`;

/**
 * Claims the oldest due job of these kinds — queued and due, or running under an expired lease
 * (its runner died) — and leases it to `runner`. One statement: the row lock taken by the
 * sub-select's FOR UPDATE holds until it is marked running; SKIP LOCKED lets concurrent claims
 * pass over it instead of waiting, so two runners never get the same job. A kind with a job
 * running under a live lease is passed over too: one scrub (or GC …) at a time does the work
 * once — best effort (two claims racing may each start one), which is safe as handlers are idempotent.
 * A runner never takes back its own job under an expired lease: it may still be running it (the
 * runner hands back what it stopped: runner.ts).
 */
export async function claim(db: Db, runner: string, kinds: readonly string[], leaseMs: number): Promise<Job | undefined> {
  if (kinds.length === 0) return undefined;
  const [row] = await db
    .update(jobs)
    .set({ state: 'running', lockedBy: runner, lockedUntil: leaseEnd(leaseMs), attempts: sql`${jobs.attempts} + 1`, updatedAt: sql`now()` })
    .where(
      eq(
        jobs.id,
        sql`(select j.id from jobs j
             where j.kind in (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})
               and ((j.state = 'queued' and j.run_after <= now())
                    or (j.state = 'running' and j.locked_until < now() and j.locked_by is distinct from ${runner}))
               and not exists (select 1 from jobs r where r.kind = j.kind and r.state = 'running' and r.locked_until >= now())
             order by j.run_after, j.created_at limit 1
             for update of j skip locked)`,
      ),
    )
    .returning();
  return row;
}

/**
 * The runner's heartbeat: extends the lease of every job `runner` holds, in one statement; answers
 * the ids it still holds (one missing was cancelled or taken over).
 */
export async function renewAll(db: Db, runner: string, leaseMs: number): Promise<Set<string>> {
  const rows = await db
    .update(jobs)
    .set({ lockedUntil: leaseEnd(leaseMs), updatedAt: sql`now()` })
    .where(and(eq(jobs.lockedBy, runner), eq(jobs.state, 'running')))
    .returning({ id: jobs.id });
  return new Set(rows.map((r) => r.id));
}

/**
 * Queues again, due now, every running job held by a runner other than `runner` — or, with
 * `exceptIds`, the jobs `runner` holds but no longer runs. Only for when their holders are
 * provably gone: the embedded database is opened by one process at a time (its lockfile), so at
 * its start any claim not its own was left by a process that died. The attempt stays counted (a
 * job that keeps killing its server runs out of attempts).
 */
export async function releaseOrphans(db: Db, runner: string, exceptIds?: readonly string[]): Promise<Job[]> {
  const holder = exceptIds
    ? and(eq(jobs.lockedBy, runner), exceptIds.length ? sql`${jobs.id} not in (${sql.join(exceptIds.map((id) => sql`${id}`), sql`, `)})` : undefined)
    : sql`${jobs.lockedBy} is distinct from ${runner}`;
  return db
    .update(jobs)
    .set({ state: 'queued', lockedBy: null, lockedUntil: null, runAfter: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(jobs.state, 'running'), holder))
    .returning();
}

/** Records progress (and extends the lease); false when the runner no longer holds the job. */
export async function saveProgress(db: Db, id: string, runner: string, progress: Json, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ progress, lockedUntil: leaseEnd(leaseMs), updatedAt: sql`now()` })
    .where(held(id, runner))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

export async function complete(db: Db, id: string, runner: string): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ state: 'done', lockedUntil: null, finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(held(id, runner))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** After a failed attempt: queued again after `retryInMs`, or failed for good when attempts are used up. */
export async function fail(db: Db, job: Job, runner: string, error: string, retryInMs: number): Promise<void> {
  const final = job.attempts >= job.maxAttempts;
  await db
    .update(jobs)
    .set(
      final
        ? { state: 'failed', lastError: error.slice(0, 2000), lockedUntil: null, finishedAt: sql`now()`, updatedAt: sql`now()` }
        : {
            state: 'queued',
            lastError: error.slice(0, 2000),
            lockedBy: null,
            lockedUntil: null,
            runAfter: sql`now() + (${Math.ceil(retryInMs)}::integer * interval '1 millisecond')`,
            updatedAt: sql`now()`,
          },
    )
    .where(held(job.id, runner));
}

/** Hands a job back untouched (shutdown): queued at once, the attempt not counted. */
export async function release(db: Db, id: string, runner: string): Promise<void> {
  await db
    .update(jobs)
    .set({ state: 'queued', lockedBy: null, lockedUntil: null, attempts: sql`greatest(0, ${jobs.attempts} - 1)`, updatedAt: sql`now()` })
    .where(held(id, runner));
}

/** Cancels a queued or running job (a running one stops at its next lease renewal or progress save). */
export async function cancel(db: Db, id: string): Promise<Job | undefined> {
  const [row] = await db
    .update(jobs)
    .set({ state: 'cancelled', finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(jobs.id, id), inArray(jobs.state, ['queued', 'running'])))
    .returning();
  return row;
}

/** Queues a failed or cancelled job again, due now, with a fresh count of attempts; its progress stays (handlers resume from it). */
export async function retry(db: Db, id: string): Promise<Job | undefined> {
  const [row] = await db
    .update(jobs)
    .set({ state: 'queued', attempts: 0, runAfter: sql`now()`, lockedBy: null, lockedUntil: null, finishedAt: null, updatedAt: sql`now()` })
    .where(and(eq(jobs.id, id), inArray(jobs.state, ['failed', 'cancelled'])))
    .returning();
  return row;
}

export async function getJob(db: Db, id: string): Promise<Job | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row;
}

export async function listJobs(db: Db, f: { state?: JobState; kind?: string; limit: number }): Promise<Job[]> {
  const conds = [f.state ? eq(jobs.state, f.state) : undefined, f.kind ? eq(jobs.kind, f.kind) : undefined].filter((c) => c !== undefined);
  return db
    .select()
    .from(jobs)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(jobs.createdAt))
    .limit(f.limit);
}

/** Finished jobs older than `days` go (GC calls this): the table stays small. */
export async function pruneFinished(db: Db, days: number): Promise<void> {
  await db.execute(sql`delete from jobs where state in ('done', 'failed', 'cancelled')
    and finished_at < now() - (${days}::integer * interval '1 day')`);
}

function held(id: string, runner: string): SQL {
  return and(eq(jobs.id, id), eq(jobs.lockedBy, runner), eq(jobs.state, 'running'))!;
}
