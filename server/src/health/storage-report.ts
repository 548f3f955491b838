/**
 * Storage as the operator watches it: each node with its shards and latency; drains and
 * rebalances with what is left and at what pace; repair, scrub and tiering with their history.
 */
import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { NodeStats, NodeTask, NodeView, StorageReport } from '@coffer/protocol';
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import { rowsOf } from '../db/open.js';
import { degradedBlocks, jobs } from '../db/schema.js';
import type { NodeHealth } from './monitor.js';
import type { Job } from '../jobs/queue.js';
import type { Schedule } from '../jobs/runner.js';
import { nextRunAt } from '../jobs/schedules.js';
import { storageStages } from '../usage/stages.js';
import { lastRuns, progressCount as num, scrubSummary, tieringRun } from './scrub-history.js';

/** Bytes of one shard of a block: a k-th of the frame padded to 8 bytes, or a whole copy. */
const SHARD_BYTES = sql`case when b.layout->>'kind' = 'rs'
  then ceil(ceil(b.frame_size::numeric / (b.layout->>'k')::int) / 8) * 8 else b.frame_size end`;

async function shardsByNode(db: Db): Promise<Map<string, { shards: number; bytes: number }>> {
  const rows = rowsOf<{ node_id: string; shards: string; bytes: string }>(
    await db.execute(sql`select s.node_id, count(*) as shards, coalesce(sum(${SHARD_BYTES}), 0) as bytes
      from block_shards s join blocks b on b.key = s.block_key group by s.node_id`),
  );
  return new Map(rows.map((r) => [r.node_id, { shards: Number(r.shards), bytes: Number(r.bytes) }]));
}

function task(j: Job, onNode: { shards: number; bytes: number } | undefined, now: number): NodeTask {
  const p = j.progress;
  const active = j.state === 'queued' || j.state === 'running';
  const movedBytes = num(p.movedBytes);
  const end = j.finishedAt?.getTime() ?? now;
  const seconds = Math.max(1, (end - j.createdAt.getTime()) / 1000);
  const rate = movedBytes > 0 ? movedBytes / seconds : null;
  // What is left of a drain is what its node still holds; a rebalance has no fixed end.
  const left = j.kind === 'drain' ? (active ? (onNode ?? { shards: 0, bytes: 0 }) : { shards: 0, bytes: 0 }) : null;
  return {
    jobId: j.id,
    kind: j.kind as 'drain' | 'rebalance',
    nodeId: typeof j.payload.nodeId === 'string' ? j.payload.nodeId : '',
    state: j.state,
    shardsLeft: left?.shards ?? null,
    bytesLeft: left?.bytes ?? null,
    movedShards: num(p.movedShards),
    movedBytes,
    bytesPerSecond: rate,
    secondsLeft: left && rate ? Math.round(left.bytes / rate) : left && left.bytes === 0 ? 0 : null,
    startedAt: j.createdAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
    lastError: j.lastError,
  };
}

export async function storageReport(
  db: Db,
  nodes: readonly NodeView[],
  health: readonly NodeHealth[],
  opts: { config: Config; schedules: readonly Schedule[] },
): Promise<StorageReport> {
  const now = Date.now();
  const shards = await shardsByNode(db);
  const latency = new Map(health.map((h) => [h.id, h.latencyMs]));
  const nodeStats: NodeStats[] = nodes.map((v) => ({ ...v, shards: shards.get(v.id)?.shards ?? 0, shardBytes: shards.get(v.id)?.bytes ?? 0, latencyMs: latency.get(v.id) ?? null }));

  const moves = await db
    .select()
    .from(jobs)
    .where(inArray(jobs.kind, ['drain', 'rebalance']))
    .orderBy(sql`case when ${jobs.state} in ('queued', 'running') then 0 else 1 end`, desc(jobs.createdAt))
    .limit(20);

  const degraded = Number((await db.select({ n: count() }).from(degradedBlocks))[0]?.n ?? 0);
  const [repairJob] = await db.select().from(jobs).where(and(eq(jobs.kind, 'repair'), eq(jobs.state, 'running'))).limit(1);
  const [lastRepair] = await lastRuns(db, 'repair', 1);
  const tried = Number((await db.select({ n: count() }).from(degradedBlocks).where(sql`${degradedBlocks.repairAttempts} > 0`))[0]?.n ?? 0);

  const every = (kind: string) => opts.schedules.find((s) => s.kind === kind)?.everyMs ?? 24 * 3_600_000;
  const tieringRuns = (await lastRuns(db, 'tiering', 10)).map(tieringRun);
  const cold = (await storageStages(db)).tiers.find((t) => t.tier === 'cold');

  return {
    nodes: nodeStats,
    tasks: moves.map((j) => task(j, shards.get(String(j.payload.nodeId)), now)),
    repair: {
      degraded,
      repairing: repairJob ? degraded : tried,
      running: !!repairJob,
      lastRunAt: lastRepair?.finishedAt?.toISOString() ?? null,
      lastRepaired: lastRepair ? num(lastRepair.progress.repaired) : null,
    },
    scrub: {
      everySeconds: Math.round(every('scrub') / 1000),
      nextRunAt: nextRunAt({ everyMs: every('scrub') }, now),
      blocksPerSecond: opts.config.jobs.scrubBlocksPerSecond,
      history: (await lastRuns(db, 'scrub', 10)).map(scrubSummary),
    },
    tiering: {
      enabled: nodes.some((v) => v.tier === 'cold' && v.state !== 'retired'),
      afterDays: opts.config.jobs.tierAfterMs / 86_400_000,
      everySeconds: Math.round(every('tiering') / 1000),
      nextRunAt: nextRunAt({ everyMs: every('tiering') }, now),
      coldBlocks: cold?.blocks ?? 0,
      coldBytes: cold?.dedupBytes ?? 0,
      movedTotal: tieringRuns.reduce((s, r) => s + r.moved, 0),
      history: tieringRuns,
    },
  };
}
