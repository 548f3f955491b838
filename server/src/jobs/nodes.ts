/**
 * Node jobs, on the engine's primitives: **drain** moves every shard off a node (the node is
 * 'draining' first — in the database, so a restart keeps it so — and nothing new lands there
 * while reads still use it; copy, record, then delete, so no read misses a shard) — once
 * `progress.remainingBlocks` is 0 the node can be retired (POST /admin/nodes/:id/retire);
 * **rebalance** gives a newly added node its share of the blocks. Both are idempotent (metadata
 * is the progress) and resumable (rebalance from its cursor).
 */
import type { RebalanceProgress } from '@coffer/storage-engine';
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

function countOf(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function nodeIdOf(payload: Record<string, unknown>): string {
  if (typeof payload.nodeId !== 'string') throw new Error('the job names no node (payload.nodeId)');
  return payload.nodeId;
}

export function drainHandler(deps: { storage: Storage }): JobHandler {
  return async (job, ctx) => {
    const nodeId = nodeIdOf(job.payload);
    const { pool } = deps.storage.blocks;
    if (!pool.get(nodeId) && (await deps.storage.registry.stateOf(nodeId)) === 'retired') {
      await ctx.report({ nodeId, retired: true }); // retired meanwhile: it held no shard any more
      return;
    }
    // Persisted before the work, also for a drain queued by an older version or on another instance.
    if (pool.get(nodeId)) await deps.storage.registry.drain(nodeId);
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
    // A retried attempt resumes from the cursor, so its counts add to what the earlier attempts reported.
    const earlier = after === undefined ? undefined : ctx.progress;
    const total = (p: RebalanceProgress) => ({
      nodeId,
      ...p,
      scanned: countOf(earlier?.scanned) + p.scanned,
      movedShards: countOf(earlier?.movedShards) + p.movedShards,
      movedBytes: countOf(earlier?.movedBytes) + p.movedBytes,
    });
    let latest: Record<string, unknown> = { nodeId, ...ctx.progress };
    const result = await withProgressReports(
      ctx,
      () => latest,
      deps.storage.blocks.rebalance(nodeId, { after, signal: ctx.signal, onProgress: (p) => void (latest = total(p)) }),
    );
    ctx.signal.throwIfAborted();
    await ctx.report({ ...total(result), finished: true });
  };
}
