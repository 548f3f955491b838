/** The recurring jobs as the operator sees them: how often, when next, how the last run went. */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { jobs } from '../db/schema.js';
import type { Schedule } from './runner.js';

/** A schedule's next slot: schedules enqueue once per `everyMs` slot (runner.ts). */
export function nextRunAt(s: Pick<Schedule, 'everyMs'>, now = Date.now()): string {
  return new Date((Math.floor(now / s.everyMs) + 1) * s.everyMs).toISOString();
}

export async function scheduleViews(db: Db, schedules: readonly Schedule[], now = Date.now()) {
  return Promise.all(
    schedules.map(async (s) => {
      const [last] = await db.select({ id: jobs.id, state: jobs.state, createdAt: jobs.createdAt }).from(jobs).where(eq(jobs.kind, s.kind)).orderBy(desc(jobs.createdAt)).limit(1);
      return {
        kind: s.kind,
        everySeconds: Math.round(s.everyMs / 1000),
        nextRunAt: nextRunAt(s, now),
        lastRun: last ? { jobId: last.id, state: last.state, at: last.createdAt.toISOString() } : null,
      };
    }),
  );
}
