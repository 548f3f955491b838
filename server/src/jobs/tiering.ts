/**
 * Tiering: hot blocks not read for COFFER_TIER_AFTER_DAYS move to the cold tier (the engine
 * re-places them there and records where; reads stay transparent, and a read refreshes the
 * block's last access). Least recently read first; moved blocks leave the engine's query, so a
 * rerun resumes by itself. Without cold nodes it does nothing.
 */
import type { Storage } from '../storage.js';
import type { JobHandler } from './runner.js';

export function tieringHandler(deps: { storage: Storage }, opts: { afterMs: number; now?: () => number }): JobHandler {
  return async (_job, ctx) => {
    const before = new Date((opts.now ?? Date.now)() - opts.afterMs);
    // Reads' last-access times are batched in memory: write them first, so a block just read stays hot.
    await deps.storage.blocks.flushAccess();
    let latest: Record<string, unknown> = {};
    const timer = setInterval(() => void ctx.report(latest).catch(() => undefined), 2_000);
    try {
      const p = await deps.storage.blocks.moveColdBlocks(before, {
        signal: ctx.signal,
        onProgress: (x) => void (latest = { ...x, failed: x.failed.length }),
      });
      ctx.signal.throwIfAborted();
      await ctx.report({ moved: p.moved, bytesFreed: p.bytesFreed, bytesWritten: p.bytesWritten, failed: p.failed.length, before: before.toISOString() });
    } finally {
      clearInterval(timer);
    }
  };
}
