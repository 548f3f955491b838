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
import { nodeNameProblem, nodeUrlProblem } from '../nodes/entries.js';
import { nodeViews } from '../nodes/view.js';

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

/** A reason from a check, as a zod issue (the value itself is never quoted: a URL holds credentials). */
const checked = (problem: (s: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const why = problem(value);
  if (why) ctx.addIssue({ code: 'custom', message: why });
};

const NewNodeBody = z
  .object({
    name: text(100).superRefine(checked(nodeNameProblem)),
    /** http(s)://KEY:SECRET@host:port/bucket[/prefix][?region=…] */
    url: text(4096).superRefine(checked(nodeUrlProblem)),
    tier: z.enum(['hot', 'cold']).default('hot'),
    /** Queue a rebalance onto the new node (default true). */
    rebalance: z.boolean().default(true),
  })
  .strict();

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

  const { registry, monitor } = deps.storage;
  const viewOf = async (name: string) => nodeViews((await registry.rows()).filter((r) => r.name === name), await monitor.snapshot())[0]!;

  // 200 {nodes: [NodeView]}: live nodes with their health, then retired ones; endpoints carry no credentials.
  r.get('/nodes', async (c) => c.json({ nodes: nodeViews(await registry.rows(), await monitor.snapshot()) }));

  // 201 {node: NodeView, job: JobView|null}: an S3 node added now (it must store a test object), its URL
  // sealed in the database so the next boot opens it too; a rebalance onto it queued unless
  // rebalance: false. 400 invalid_request / node_unreachable; 409 node_exists / endpoint_in_use.
  r.post('/nodes', async (c) => {
    const body = await parseJsonBody(c, NewNodeBody);
    const row = await registry.add({ name: body.name, url: body.url, tier: body.tier });
    const job = body.rebalance ? await enqueue(db, { kind: 'rebalance', payload: { nodeId: row.name } }) : undefined;
    return c.json({ node: await viewOf(row.name), job: job ? jobView(job) : null }, 201);
  });

  // 201 JobView: drain the node (it turns 'draining' at once, persistently; the job moves every
  // shard off it; then retire it) or rebalance onto it (a newly added node takes its share; a
  // draining node takes shards again). 404 no_node (unknown or retired).
  for (const kind of ['drain', 'rebalance'] as const) {
    r.post(`/nodes/:id/${kind}`, async (c) => {
      const nodeId = c.req.param('id');
      await (kind === 'drain' ? registry.drain(nodeId) : registry.undrain(nodeId));
      const job = await enqueue(db, { kind, payload: { nodeId } });
      return c.json(jobView(job!), 201);
    });
  }

  // 200 {node: NodeView}: a drained node retired; it leaves the pool and may leave the configuration.
  // 404 no_node; 409 retired / not_draining / has_shards (details.shards) / last_hot_node.
  r.post('/nodes/:id/retire', async (c) => {
    const row = await registry.retire(c.req.param('id'));
    return c.json({ node: await viewOf(row.name) });
  });

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
