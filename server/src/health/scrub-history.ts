/** Finished runs of scrub and tiering, newest first, as their progress recorded them. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { ScrubSummary } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { jobs } from '../db/schema.js';
import type { Job } from '../jobs/queue.js';

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);

export async function lastRuns(db: Db, kind: string, limit: number): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.kind, kind), inArray(jobs.state, ['done', 'failed'])))
    .orderBy(desc(jobs.finishedAt))
    .limit(limit);
}

export function scrubSummary(j: Job): ScrubSummary {
  const p = j.progress;
  return { jobId: j.id, state: j.state, finishedAt: j.finishedAt?.toISOString() ?? null, scanned: num(p.scanned), damaged: num(p.damaged), repaired: num(p.repaired), unrepaired: num(p.unrepaired) };
}

export function tieringRun(j: Job) {
  const p = j.progress;
  return { jobId: j.id, state: j.state, finishedAt: j.finishedAt?.toISOString() ?? null, moved: num(p.moved), bytesFreed: num(p.bytesFreed), bytesWritten: num(p.bytesWritten), failed: num(p.failed) };
}

export { num as progressCount };
