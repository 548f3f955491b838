/**
 * The answer to "is my data safe": nodes up, blocks fully redundant / degraded / being repaired,
 * the last scrub and what it found, jobs failing; and what storing the data takes at each stage.
 */
import { and, count, eq, gt, gte, sql } from 'drizzle-orm';
import type { AdminOverview } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { blocks, degradedBlocks, jobs, users } from '../db/schema.js';
import type { NodeView } from '@coffer/protocol';
import { storageStages } from '../usage/stages.js';
import { lastRuns, scrubSummary } from './scrub-history.js';

const n = async (q: Promise<{ n: number }[]>) => Number((await q)[0]?.n ?? 0);

export async function overview(db: Db, nodes: readonly NodeView[]): Promise<AdminOverview> {
  const live = nodes.filter((x) => x.state !== 'retired');
  const up = live.filter((x) => x.state === 'up' || x.state === 'draining').length;
  const draining = live.filter((x) => x.state === 'draining').length;
  const total = await n(db.select({ n: count() }).from(blocks));
  const degraded = await n(db.select({ n: count() }).from(degradedBlocks));
  const repairRunning = (await n(db.select({ n: count() }).from(jobs).where(and(eq(jobs.kind, 'repair'), eq(jobs.state, 'running'))))) > 0;
  // While a repair runs every degraded block is being worked on; otherwise the ones it has tried.
  const repairing = repairRunning ? degraded : await n(db.select({ n: count() }).from(degradedBlocks).where(gt(degradedBlocks.repairAttempts, 0)));
  const [scrub] = await lastRuns(db, 'scrub', 1);
  const lastScrub = scrub ? scrubSummary(scrub) : null;
  const stages = await storageStages(db);
  const weekAgo = sql`now() - interval '7 days'`;
  const byState = async (state: 'queued' | 'running') => n(db.select({ n: count() }).from(jobs).where(eq(jobs.state, state)));
  const down = live.length - up;
  const safety: AdminOverview['safety'] =
    up === 0 || (lastScrub?.unrepaired ?? 0) > 0 ? 'at_risk' : degraded > 0 || down > 0 ? (repairing > 0 && down === 0 ? 'repairing' : 'degraded') : 'safe';
  return {
    safety,
    nodes: { up, down, draining, total: live.length },
    blocks: { total, redundant: Math.max(0, total - degraded), degraded, repairing },
    lastScrub,
    jobs: {
      queued: await byState('queued'),
      running: await byState('running'),
      failedRecently: await n(db.select({ n: count() }).from(jobs).where(and(eq(jobs.state, 'failed'), gte(jobs.updatedAt, weekAgo)))),
    },
    users: {
      total: await n(db.select({ n: count() }).from(users)),
      disabled: await n(db.select({ n: count() }).from(users).where(eq(users.disabled, true))),
    },
    storage: {
      logicalBytes: stages.logicalBytes,
      dedupBytes: stages.dedupBytes,
      compressedBytes: stages.compressedBytes,
      storedBytes: stages.storedBytes,
      savings: {
        dedupBytes: stages.logicalBytes - stages.dedupBytes,
        compressionBytes: stages.dedupBytes - stages.compressedBytes,
        redundancyBytes: stages.compressedBytes - stages.storedBytes,
      },
      tiers: stages.tiers,
    },
    at: new Date().toISOString(),
  };
}
