/**
 * Node jobs, on the engine's primitives: **drain** moves every shard off a node (the engine marks
 * it 'draining' first, so nothing new lands there while reads still use it; copy, record, then
 * delete, so no read misses a shard) — once `progress.empty` is true the node can be removed from
 * COFFER_NODES; **rebalance** gives a newly added node its share of the blocks. Both are
 * idempotent (metadata is the progress) and resumable (rebalance from its cursor).
 */
import { sql } from 'drizzle-orm';
import type { NodePool } from '../../../storage-engine/src/index.js';
import { rowsOf, type Db } from '../db/open.js';
import type { Storage } from '../storage.js';
import type { JobContext, JobHandler } from './runner.js';

/** Reports the latest progress every couple of seconds while `work` runs (engine callbacks are sync). */
async function withProgressReports<T>(ctx: JobContext, latest: () => Record<string, unknown>, work: Promise<T>): Promise<T> {
  const timer = setInterval(() => void ctx.report(latest()).catch(() => undefined), 2_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

function nodeIdOf(payload: Record<string, unknown>): string {
  if (typeof payload.nodeId !== 'string') throw new Error('the job names no node (payload.nodeId)');
  return payload.nodeId;
}

export function drainHandler(deps: { storage: Storage }): JobHandler {
  return async (job, ctx) => {
    const nodeId = nodeIdOf(job.payload);
    let latest: Record<string, unknown> = { nodeId };
    const result = await withProgressReports(
      ctx,
      () => latest,
      deps.storage.blocks.drainNode(nodeId, {
        signal: ctx.signal,
        onProgress: (p) => void (latest = { nodeId, ...p, stuck: p.stuck.length }),
      }),
    );
    ctx.signal.throwIfAborted();
    const { stuck, ...rest } = result;
    await ctx.report({ nodeId, ...rest, stuck: stuck.length, stuckKeys: stuck.slice(0, 20) });
    // Retried with back-off (a free node may come back); fails for good after maxAttempts.
    if (result.remainingBlocks > 0) throw new Error(`${result.remainingBlocks} blocks still have a shard on ${nodeId}: no other node could take it`);
  };
}

export function rebalanceHandler(deps: { storage: Storage }): JobHandler {
  return async (job, ctx) => {
    const nodeId = nodeIdOf(job.payload);
    const after = typeof ctx.progress.cursor === 'string' ? ctx.progress.cursor : undefined;
    let latest: Record<string, unknown> = { nodeId, ...ctx.progress };
    const result = await withProgressReports(
      ctx,
      () => latest,
      deps.storage.blocks.rebalance(nodeId, { after, signal: ctx.signal, onProgress: (p) => void (latest = { nodeId, ...p }) }),
    );
    ctx.signal.throwIfAborted();
    await ctx.report({ nodeId, ...result, finished: true });
  };
}

/**
 * A node's 'draining' state lives in the engine's pool, in memory: at boot, nodes with a drain
 * queued, running or done (and no rebalance since) are set draining again, so a restart does
 * not let new shards land on a node being retired.
 */
export async function restoreDraining(db: Db, pool: NodePool): Promise<string[]> {
  const latest = rowsOf<{ node_id: string; kind: string }>(
    await db.execute(sql`
      select distinct on (payload->>'nodeId') payload->>'nodeId' as node_id, kind from jobs
      where kind in ('drain', 'rebalance') and state in ('queued', 'running', 'done')
      order by payload->>'nodeId', created_at desc`),
  );
  const draining = latest.filter((r) => r.kind === 'drain' && pool.get(r.node_id)).map((r) => r.node_id);
  for (const id of draining) pool.setState(id, 'draining');
  return draining;
}
