/**
 * Scrub: walks every block in key order, reads and verifies every shard (the engine's verify:
 * header and payload CRCs, checksums recorded in metadata), and rebuilds what is damaged,
 * missing or doubled up at once. Rate-limited (blocks per second) so it never starves user traffic;
 * resumable: progress records the last key done, and a retried or restarted job goes on from
 * there. What cannot be fixed now goes on the degraded list for the repair job.
 */
import { asc, count, gt } from 'drizzle-orm';
import { NotFoundError as EngineNotFound } from '@coffer/storage-engine';
import type { Db } from '../db/open.js';
import { blocks } from '../db/schema.js';
import { recordDegraded } from '../health/degraded.js';
import type { Storage } from '../storage.js';
import { sleep, type JobHandler } from './runner.js';

export interface ScrubProgress {
  [k: string]: unknown;
  scanned: number;
  total: number;
  damaged: number;
  repaired: number;
  unrepaired: number;
  bytes: number;
  lastKey: string | null;
}

export function scrubHandler(deps: { db: Db; storage: Storage }, opts: { blocksPerSecond: number }): JobHandler {
  return async (job, ctx) => {
    const { db, storage } = deps;
    const rate = Number(job.payload.blocksPerSecond ?? opts.blocksPerSecond);
    const gapMs = rate > 0 ? 1000 / rate : 0;
    const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(blocks);
    const p: ScrubProgress = {
      scanned: 0,
      damaged: 0,
      repaired: 0,
      unrepaired: 0,
      bytes: 0,
      lastKey: null,
      ...(ctx.progress as Partial<ScrubProgress>),
      total: Number(n),
    };
    let lastSave = Date.now();
    for (;;) {
      const q = db.select({ key: blocks.key, frameSize: blocks.frameSize }).from(blocks);
      const page = await (p.lastKey ? q.where(gt(blocks.key, p.lastKey)) : q).orderBy(asc(blocks.key)).limit(100);
      if (page.length === 0) break;
      for (const b of page) {
        ctx.signal.throwIfAborted();
        const started = Date.now();
        await scrubOne(db, storage, b.key, p);
        p.scanned++;
        p.bytes += b.frameSize;
        p.lastKey = b.key;
        if (Date.now() - lastSave > 2_000) {
          await ctx.report({ ...p });
          lastSave = Date.now();
        }
        const wait = gapMs - (Date.now() - started);
        if (wait > 0) await sleep(wait, ctx.signal);
      }
      await ctx.report({ ...p });
      lastSave = Date.now();
    }
    await ctx.report({ ...p, finished: true });
  };
}

async function scrubOne(db: Db, storage: Storage, key: string, p: ScrubProgress): Promise<void> {
  try {
    // The engine's scrub of one block: every shard read and checked, what is bad rebuilt from the bytes just read.
    const r = await storage.blocks.verify(key, { repair: true });
    if (r.ok) return;
    p.damaged++;
    if (r.remaining.length === 0) p.repaired++;
    else {
      p.unrepaired++;
      await recordDegraded(db, key, `scrub: shards ${r.remaining.join(',')} not repaired`);
    }
  } catch (err) {
    if (err instanceof EngineNotFound) return; // deleted by GC meanwhile
    p.damaged++;
    p.unrepaired++;
    await recordDegraded(db, key, `scrub: ${err instanceof Error ? err.message : String(err)}`);
  }
}
