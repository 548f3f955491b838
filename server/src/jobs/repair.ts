/**
 * Repair: brings every block on the degraded list back to full redundancy (each shard intact on
 * a node of its own) and clears it from the list. Blocks that cannot be completed yet (a node
 * still down and no other free) stay listed for the next run. Idempotent: repairing a whole
 * block changes nothing.
 */
import { and, eq, sql } from 'drizzle-orm';
import { NotFoundError as EngineNotFound } from '@coffer/storage-engine';
import type { Db } from '../db/open.js';
import { degradedBlocks } from '../db/schema.js';
import { listDegraded, noteRepairFailed, sweepMetadataDegraded, type DegradedRow } from '../health/degraded.js';
import type { Storage } from '../storage.js';
import type { JobHandler } from './runner.js';

const CONCURRENCY = 4;

export function repairHandler(deps: { db: Db; storage: Storage }): JobHandler {
  return async (_job, ctx) => {
    const { db } = deps;
    await sweepMetadataDegraded(db);
    let repaired = 0;
    let pending = 0;
    let after: string | undefined;
    for (;;) {
      const page = await listDegraded(db, { afterKey: after, limit: 100 });
      if (page.length === 0) break;
      // A few blocks at once: each repair waits on several nodes in turn, so one at a time leaves them idle.
      let next = 0;
      const worker = async () => {
        for (let row = page[next++]; row; row = page[next++]) {
          ctx.signal.throwIfAborted();
          if (await repairOne(deps, row)) repaired++;
          else pending++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      after = page.at(-1)!.blockKey;
      await ctx.report({ repaired, pending, lastKey: after });
    }
    await ctx.report({ repaired, pending, finished: true });
  };
}

/** True when the block is whole (and off the list) afterwards. */
async function repairOne(deps: { db: Db; storage: Storage }, row: DegradedRow): Promise<boolean> {
  const key = row.blockKey;
  try {
    // A damaged shard may still exist (bitrot): only a deep check reads and verifies each one.
    const result = await deps.storage.blocks.repair(key, { deep: /damaged|scrub/.test(row.reason) });
    if (result.remaining.length > 0) {
      await noteRepairFailed(deps.db, key, `shards ${result.remaining.join(',')} not yet on a distinct healthy node`);
      return false;
    }
  } catch (err) {
    if (!(err instanceof EngineNotFound)) {
      await noteRepairFailed(deps.db, key, err instanceof Error ? err.message : String(err));
      return false;
    }
    // The block is gone (GC): nothing to repair.
  }
  // Cleared only if not reported again while we worked (a newer report is repaired next run).
  await deps.db
    .delete(degradedBlocks)
    .where(and(eq(degradedBlocks.blockKey, key), sql`date_trunc('milliseconds', ${degradedBlocks.lastSeenAt}) <= ${row.lastSeenAt.toISOString()}::timestamptz`));
  return true;
}
