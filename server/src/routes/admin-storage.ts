/** Storage operations for administrators (mounted at /api/v1/admin): nodes, jobs, degraded blocks. */
import { Hono } from 'hono';
import { z } from 'zod';
import { isId, optionalParam, queryInt, text } from '../wire/fields.js';
import type { AppEnv } from '../auth/context.js';
import { requireAdmin } from '../auth/middleware.js';
import { JOB_STATES } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { countDegraded, listDegraded } from '../health/degraded.js';
import { ConflictError, NotFoundError, parse, parseJsonBody } from '../http-errors.js';
import { JOB_KINDS, PLAIN_JOB_KINDS } from '../jobs/index.js';
import { cancel, enqueue, getJob, listJobs, type Job } from '../jobs/queue.js';

const Limit = queryInt(1, 1000).default(100);

const JobsQuery = z.object({
  state: z.enum(JOB_STATES).optional(),
  kind: z.enum(JOB_KINDS).optional(),
  limit: Limit,
});

const NewJobBody = z
  .object({
    kind: z.enum(PLAIN_JOB_KINDS),
    /** scrub only: its pace (default from COFFER_SCRUB_BLOCKS_PER_SECOND). */
    blocksPerSecond: z.number().positive().max(1_000_000).optional(),
  })
  .strict()
  .refine((b) => b.blocksPerSecond === undefined || b.kind === 'scrub', 'blocksPerSecond applies to scrub only');

const DegradedQuery = z.object({ after: optionalParam(text(200)), limit: Limit });

export function jobView(j: Job) {
  return {
    id: j.id,
    kind: j.kind,
    state: j.state,
    payload: j.payload,
    progress: j.progress,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    lastError: j.lastError,
    runAfter: j.runAfter.toISOString(),
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

export function adminStorageRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);

  // 200 {nodes: [{id, tier, state, lastSeenAt, usedBytes, capacityBytes}]}
  r.get('/nodes', async (c) => c.json({ nodes: await deps.storage.monitor.snapshot() }));

  // 201 JobView: drain the node (move every shard off it; once the job's progress says empty, it
  // can leave COFFER_NODES) or rebalance onto it (a newly added node takes its share). 404 unknown node.
  for (const kind of ['drain', 'rebalance'] as const) {
    r.post(`/nodes/:id/${kind}`, async (c) => {
      const nodeId = c.req.param('id');
      if (!deps.storage.blocks.pool.get(nodeId)) throw new NotFoundError(`no storage node ${nodeId}`, { code: 'no_node' });
      const job = await enqueue(db, { kind, payload: { nodeId } });
      return c.json(jobView(job!), 201);
    });
  }

  // 200 {jobs: [JobView]}, newest first.
  r.get('/jobs', async (c) => {
    const q = parse(JobsQuery, c.req.query());
    return c.json({ jobs: (await listJobs(db, q)).map(jobView) });
  });

  // 201 JobView: queued now; a runner of any instance picks it up.
  r.post('/jobs', async (c) => {
    const body = await parseJsonBody(c, NewJobBody);
    const job = await enqueue(db, { kind: body.kind, payload: body.blocksPerSecond ? { blocksPerSecond: body.blocksPerSecond } : {} });
    return c.json(jobView(job!), 201);
  });

  // 200 JobView (cancelled); 404; 409 not_active when it already finished.
  r.post('/jobs/:id/cancel', async (c) => {
    const id = c.req.param('id');
    if (!isId(id)) throw new NotFoundError('no such job');
    const job = await cancel(db, id);
    if (job) return c.json(jobView(job));
    const existing = await getJob(db, id);
    if (!existing) throw new NotFoundError('no such job');
    throw new ConflictError(`the job has already ${existing.state === 'done' ? 'finished' : existing.state}`, { code: 'not_active', details: { state: existing.state } });
  });

  // 200 {total, blocks: [{key, reason, firstSeenAt, lastSeenAt, repairAttempts, lastError}]} in key order.
  r.get('/blocks/degraded', async (c) => {
    const q = parse(DegradedQuery, c.req.query());
    const rows = await listDegraded(db, { afterKey: q.after, limit: q.limit });
    return c.json({
      total: await countDegraded(db),
      blocks: rows.map((b) => ({
        key: b.blockKey,
        reason: b.reason,
        firstSeenAt: b.firstSeenAt.toISOString(),
        lastSeenAt: b.lastSeenAt.toISOString(),
        repairAttempts: b.repairAttempts,
        lastError: b.lastError,
      })),
    });
  });

  return r;
}
