/** The server's background jobs: their kinds, handlers and schedules, wired into one runner. */
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import { SettingsStore } from '../settings/store.js';
import type { Storage } from '../storage.js';
import { usageSampler } from '../usage/sampler.js';
import type { TrafficCounter } from '../usage/traffic.js';
import { gcHandler } from './gc.js';
import { departedHandler } from './departed.js';
import { drainHandler, rebalanceHandler } from './nodes.js';
import { orphanHandler } from './orphans.js';
import { reconcileHandler } from './reconcile.js';
import { repairHandler } from './repair.js';
import { retentionHandler } from './retention.js';
import { JobRunner, type JobHandler, type RunnerOptions, type Schedule } from './runner.js';
import { scrubHandler } from './scrub.js';
import { tieringHandler } from './tiering.js';

export const JOB_KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering', 'drain', 'rebalance', 'usage', 'orphans', 'reconcile', 'departed'] as const;
/** Kinds an admin queues through POST /admin/jobs (drain and rebalance name a node: /admin/nodes/:id/…). */
export const PLAIN_JOB_KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering', 'orphans', 'reconcile', 'departed'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const MINUTE = 60_000;
export const SCHEDULES: Schedule[] = [
  { kind: 'repair', everyMs: 10 * MINUTE },
  { kind: 'gc', everyMs: 60 * MINUTE },
  { kind: 'scrub', everyMs: 24 * 60 * MINUTE },
  { kind: 'retention', everyMs: 24 * 60 * MINUTE },
  { kind: 'tiering', everyMs: 24 * 60 * MINUTE },
  { kind: 'orphans', everyMs: 24 * 60 * MINUTE },
  { kind: 'reconcile', everyMs: 24 * 60 * MINUTE },
  { kind: 'departed', everyMs: 24 * 60 * MINUTE },
];

/** An object unnamed by metadata is deleted only this long after the sweep first saw it (jobs/orphans.ts). */
const ORPHAN_SAFETY_MS = 24 * 60 * MINUTE;

/** Every schedule of this server: the fixed ones and the usage sampler at its configured pace. */
export function schedulesOf(config: Config): Schedule[] {
  return [...SCHEDULES, { kind: 'usage', everyMs: config.usage.sampleMs }];
}

type JobDeps = { db: Db; storage: Storage; config: Config; settings?: SettingsStore; traffic?: TrafficCounter };

export function jobHandlers(deps: JobDeps, now?: () => number): Record<JobKind, JobHandler> {
  const settings = deps.settings ?? new SettingsStore(deps.db, deps.config.pinnedSettings);
  const policy = async () => ({ ...(await settings.values()), usageRetentionDays: deps.config.usage.retentionDays });
  return {
    repair: repairHandler(deps),
    scrub: scrubHandler(deps, { blocksPerSecond: deps.config.jobs.scrubBlocksPerSecond }),
    gc: gcHandler(deps, { graceMs: deps.config.jobs.gcGraceMs }),
    retention: retentionHandler(deps, { maxVersions: deps.config.jobs.maxVersions, trashDays: deps.config.jobs.trashDays, policy, now }),
    tiering: tieringHandler(deps, { afterMs: deps.config.jobs.tierAfterMs, now }),
    drain: drainHandler(deps),
    rebalance: rebalanceHandler(deps),
    usage: usageSampler(deps, { now }),
    orphans: orphanHandler(deps, { objectsPerSecond: deps.config.jobs.scrubBlocksPerSecond * 10, safetyMs: ORPHAN_SAFETY_MS }),
    reconcile: reconcileHandler(deps),
    departed: departedHandler(deps, { graceDays: async () => (await settings.values()).trashDays, now }),
  };
}

export function createJobRunner(deps: JobDeps, opts: RunnerOptions = {}): JobRunner {
  return new JobRunner(deps.db, jobHandlers(deps), { schedules: schedulesOf(deps.config), ...opts });
}
