/** The server's background jobs: their kinds, handlers and schedules, wired into one runner. */
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import type { Storage } from '../storage.js';
import { gcHandler } from './gc.js';
import { drainHandler, rebalanceHandler } from './nodes.js';
import { repairHandler } from './repair.js';
import { retentionHandler } from './retention.js';
import { JobRunner, type JobHandler, type RunnerOptions, type Schedule } from './runner.js';
import { scrubHandler } from './scrub.js';
import { tieringHandler } from './tiering.js';

export const JOB_KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering', 'drain', 'rebalance'] as const;
/** Kinds an admin queues through POST /admin/jobs (drain and rebalance name a node: /admin/nodes/:id/…). */
export const PLAIN_JOB_KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const MINUTE = 60_000;
export const SCHEDULES: Schedule[] = [
  { kind: 'repair', everyMs: 10 * MINUTE },
  { kind: 'gc', everyMs: 60 * MINUTE },
  { kind: 'scrub', everyMs: 24 * 60 * MINUTE },
  { kind: 'retention', everyMs: 24 * 60 * MINUTE },
  { kind: 'tiering', everyMs: 24 * 60 * MINUTE },
];

export function jobHandlers(deps: { db: Db; storage: Storage; config: Config }, now?: () => number): Record<JobKind, JobHandler> {
  return {
    repair: repairHandler(deps),
    scrub: scrubHandler(deps, { blocksPerSecond: deps.config.jobs.scrubBlocksPerSecond }),
    gc: gcHandler(deps, { graceMs: deps.config.jobs.gcGraceMs }),
    retention: retentionHandler(deps, { maxVersions: deps.config.jobs.maxVersions, trashDays: deps.config.jobs.trashDays, now }),
    tiering: tieringHandler(deps, { afterMs: deps.config.jobs.tierAfterMs, now }),
    drain: drainHandler(deps),
    rebalance: rebalanceHandler(deps),
  };
}

export function createJobRunner(deps: { db: Db; storage: Storage; config: Config }, opts: RunnerOptions = {}): JobRunner {
  return new JobRunner(deps.db, jobHandlers(deps), { schedules: SCHEDULES, ...opts });
}
