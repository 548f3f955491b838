/** A job as the admin API shows it (@coffer/protocol `JobView`). */
import type { JobKind, JobView } from '@coffer/protocol';
import type { Job } from './queue.js';

export function jobView(j: Job): JobView {
  return {
    id: j.id,
    // Only the protocol's kinds are ever queued (schedules, POST /admin/jobs, per-node jobs).
    kind: j.kind as JobKind,
    state: j.state,
    payload: j.payload,
    progress: j.progress,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    lastError: j.lastError,
    runAfter: j.runAfter.toISOString(),
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}
