/**
 * Orphan sweep (issue 23): shard objects a crash left on a node between the node write and the
 * metadata write (or a delete that lost its node) are named by no metadata row and counted by
 * no one. The sweep lists each node's objects (the drivers page: S3 by 1,000), checks them against
 * `block_shards` a page at a time, and records the unnamed ones as candidates (`orphan_candidates`).
 * A candidate is deleted only when a later sweep finds it still unnamed and first seen longer ago
 * than the safety window (default a day): a block being written has its shards on the nodes before
 * its row, and no write takes that long. Object names carry a fresh generation per write, so an
 * object unnamed past the window is never named later. Names the engine did not write (the
 * health probe, anything else) are left alone. Rate-limited like scrub (objects per second).
 * With `dryRun` nothing is deleted: the report says what would go now and what waits.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import { parseShardObjectKey, type StorageNode } from '@coffer/storage-engine';
import { rowsOf, type Db } from '../db/open.js';
import { orphanCandidates } from '../db/schema.js';
import type { Storage } from '../storage.js';
import { sleep, type JobContext, type JobHandler } from './runner.js';

export interface OrphanOptions {
  objectsPerSecond: number;
  safetyMs: number;
}

interface NodeReport {
  listed: number;
  orphans: number;
  deleted: number;
  waiting: number;
  sample: string[];
}

const PAGE = 500;

export function orphanHandler(deps: { db: Db; storage: Storage }, opts: OrphanOptions): JobHandler {
  return async (job, ctx) => {
    const dryRun = job.payload.dryRun === true;
    const rate = Number(job.payload.objectsPerSecond ?? opts.objectsPerSecond);
    const safetyMs = job.payload.safetySeconds !== undefined ? Number(job.payload.safetySeconds) * 1000 : opts.safetyMs;
    const nodes: Record<string, NodeReport> = {};
    for (const node of deps.storage.nodes) {
      ctx.signal.throwIfAborted();
      nodes[node.id] = await sweepNode(deps.db, node, { dryRun, gapMs: rate > 0 ? 1000 / rate : 0, safetyMs }, ctx);
      await ctx.report({ dryRun, nodes });
    }
    const total = (k: keyof Omit<NodeReport, 'sample'>) => Object.values(nodes).reduce((n, r) => n + r[k], 0);
    await ctx.report({ dryRun, nodes, orphans: total('orphans'), deleted: total('deleted'), waiting: total('waiting'), finished: true });
  };
}

async function sweepNode(db: Db, node: StorageNode, o: { dryRun: boolean; gapMs: number; safetyMs: number }, ctx: JobContext): Promise<NodeReport> {
  const report: NodeReport = { listed: 0, orphans: 0, deleted: 0, waiting: 0, sample: [] };
  const started = new Date();
  let page: string[] = [];
  const flush = async () => {
    const names = page;
    page = [];
    for (const name of await unnamed(db, node.id, names)) {
      report.orphans++;
      if (report.sample.length < 20) report.sample.push(name);
      const due = await markSeen(db, node.id, name, o.safetyMs);
      if (!due) report.waiting++;
      else if (!o.dryRun && (await unnamed(db, node.id, [name])).length === 1) {
        await node.delete(name);
        await db.delete(orphanCandidates).where(and(eq(orphanCandidates.nodeId, node.id), eq(orphanCandidates.objectKey, name)));
        report.deleted++;
      }
    }
  };
  for await (const name of node.list('')) {
    ctx.signal.throwIfAborted();
    report.listed++;
    if (parseShardObjectKey(name)) page.push(name);
    if (page.length >= PAGE) await flush();
    if (o.gapMs > 0) await sleep(o.gapMs, ctx.signal);
  }
  await flush();
  // Candidates not seen this time were deleted or got named meanwhile: forget them.
  await db.delete(orphanCandidates).where(and(eq(orphanCandidates.nodeId, node.id), lt(orphanCandidates.lastSeenAt, started)));
  return report;
}

/** The names among `names` (shard objects on `nodeId`) that no block_shards row of the block's current generation names. */
async function unnamed(db: Db, nodeId: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const parsed = names.map((n) => ({ name: n, ...parseShardObjectKey(n)! }));
  const rows = rowsOf<{ key: string; generation: string; idx: number }>(
    await db.execute(sql`
      select s.block_key as key, b.generation, s.index as idx from block_shards s join blocks b on b.key = s.block_key
      where s.node_id = ${nodeId} and s.block_key in (${sql.join([...new Set(parsed.map((p) => p.key))].map((k) => sql`${k}`), sql`, `)})`),
  );
  const named = new Set(rows.map((r) => `${r.key}.${r.generation}.${r.idx}`));
  return parsed.filter((p) => !named.has(`${p.key}.${p.generation}.${p.index}`)).map((p) => p.name);
}

/** Records the candidate as seen now; whether it was first seen longer ago than the safety window. */
async function markSeen(db: Db, nodeId: string, name: string, safetyMs: number): Promise<boolean> {
  const [row] = await db
    .insert(orphanCandidates)
    .values({ nodeId, objectKey: name })
    .onConflictDoUpdate({ target: [orphanCandidates.nodeId, orphanCandidates.objectKey], set: { lastSeenAt: sql`now()` } })
    .returning({ firstSeenAt: orphanCandidates.firstSeenAt });
  return Date.now() - row!.firstSeenAt.getTime() >= safetyMs;
}
