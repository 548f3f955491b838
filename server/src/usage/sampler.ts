/** The usage sampler job: records the storage stages and the traffic totals as one point of the series. */
import type { Db } from '../db/open.js';
import type { JobHandler } from '../jobs/runner.js';
import { recordSample } from './samples.js';
import { storageStages } from './stages.js';
import { trafficNow, type TrafficCounter } from './traffic.js';

export function usageSampler(deps: { db: Db; traffic?: TrafficCounter }, opts: { now?: () => number } = {}): JobHandler {
  return async (_job, ctx) => {
    const { db } = deps;
    // This instance's counts so far; other instances add theirs every few seconds.
    await deps.traffic?.flush().catch(() => undefined);
    const at = new Date((opts.now ?? Date.now)());
    await recordSample(db, at, await storageStages(db), await trafficNow(db));
    await ctx.report({ at: at.toISOString() });
  };
}
