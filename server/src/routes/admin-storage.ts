/** Storage operations for administrators: nodes, jobs, degraded blocks. */
import type { Context, Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { actorOf } from '../audit/actor.js';
import { recordAudit, type AuditEntry } from '../audit/record.js';
import type { AppEnv, AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { countDegraded, degradedView, listDegraded } from '../health/degraded.js';
import { operationRouter } from '../http/operation.js';
import { ConflictError, NotFoundError } from '../http-errors.js';
import type { Db } from '../db/open.js';
import { cancel, enqueue, getJob, listJobs, retry, type Job } from '../jobs/queue.js';
import { jobView } from '../jobs/view.js';
import { nodeViewOf, nodeViews } from '../nodes/view.js';

export function adminStorageRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const { registry, monitor } = deps.storage;
  const r = operationRouter(deps);
  // Node changes happen in the registry and on the nodes, not in one database transaction: recorded once done.
  const audit = (c: Context<AppEnv>, user: AuthUser, e: AuditEntry) => recordAudit(db, actorOf(c, user, config.trustProxy), e);

  // Live nodes with their health, then retired ones; endpoints carry no credentials.
  r.mount(ops.adminListNodes, async () => ({ status: 200, body: { nodes: nodeViews(await registry.rows(), await monitor.snapshot()) } }));

  // Added now (it must store a test object), its URL sealed in the database so the next boot
  // opens it too; a rebalance onto it queued unless rebalance: false.
  r.mount(ops.adminAddNode, async ({ body, user }, c) => {
    const row = await registry.add({ name: body.name, url: body.url, tier: body.tier });
    const job = body.rebalance ? await enqueue(db, { kind: 'rebalance', payload: { nodeId: row.name } }) : undefined;
    // Never the URL: it holds the node's credentials.
    await audit(c, user, { kind: 'node_added', target: row.name, details: { tier: row.tier, endpoint: row.endpoint, rebalance: body.rebalance } });
    return { status: 201, body: { node: await nodeViewOf(registry, monitor, row.name), job: job ? jobView(job) : null } };
  });

  // Drain: the node turns 'draining' at once, persistently; the job moves every shard off it.
  // Rebalance: a newly added node takes its share; a draining node takes shards again.
  r.mount(ops.adminDrainNode, async ({ params, user }, c) => {
    await registry.drain(params.id);
    const job = (await enqueue(db, { kind: 'drain', payload: { nodeId: params.id } }))!;
    await audit(c, user, { kind: 'node_drain', target: params.id, details: { jobId: job.id } });
    return { status: 201, body: jobView(job) };
  });
  r.mount(ops.adminRebalanceNode, async ({ params, user }, c) => {
    await registry.undrain(params.id);
    const job = (await enqueue(db, { kind: 'rebalance', payload: { nodeId: params.id } }))!;
    await audit(c, user, { kind: 'node_rebalance', target: params.id, details: { jobId: job.id } });
    return { status: 201, body: jobView(job) };
  });

  r.mount(ops.adminRetireNode, async ({ params, user }, c) => {
    const row = await registry.retire(params.id);
    await audit(c, user, { kind: 'node_retired', target: row.name });
    return { status: 200, body: { node: await nodeViewOf(registry, monitor, row.name) } };
  });

  r.mount(ops.adminListJobs, async ({ query }) => ({ status: 200, body: { jobs: (await listJobs(db, query)).map(jobView) } }));

  r.mount(ops.adminStartJob, async ({ body, user }, c) => {
    const payload = { ...(body.blocksPerSecond ? { blocksPerSecond: body.blocksPerSecond } : {}), ...(body.dryRun !== undefined ? { dryRun: body.dryRun } : {}) };
    const job = await enqueue(db, { kind: body.kind, payload });
    await audit(c, user, { kind: 'job_started', target: body.kind, details: { jobId: job!.id } });
    return { status: 201, body: jobView(job!) };
  });

  /** A job changed by `change` (cancel, retry), audited; else 404 for no such job or 409 for one in the wrong state. */
  const jobChange = async (
    c: Context<AppEnv>,
    user: AuthUser,
    id: string,
    change: (db: Db, id: string) => Promise<Job | undefined>,
    kind: 'job_cancelled' | 'job_retried',
    refusal: (state: string) => { message: string; code: 'not_active' | 'not_retryable' },
  ) => {
    const job = await change(db, id);
    if (job) {
      await audit(c, user, { kind, target: job.kind, details: { jobId: job.id } });
      return { status: 200 as const, body: jobView(job) };
    }
    const existing = await getJob(db, id);
    if (!existing) throw new NotFoundError('no such job');
    const { message, code } = refusal(existing.state);
    throw new ConflictError(message, { code, details: { state: existing.state } });
  };

  r.mount(ops.adminCancelJob, ({ params, user }, c) =>
    jobChange(c, user, params.id, cancel, 'job_cancelled', (state) => ({ message: `the job has already ${state === 'done' ? 'finished' : state}`, code: 'not_active' })),
  );

  r.mount(ops.adminRetryJob, ({ params, user }, c) =>
    jobChange(c, user, params.id, retry, 'job_retried', (state) => ({ message: `only a failed or cancelled job can be retried; this one is ${state}`, code: 'not_retryable' })),
  );

  // In key order, with how many there are in all.
  r.mount(ops.adminListDegradedBlocks, async ({ query }) => {
    const rows = await listDegraded(db, { afterKey: query.after, limit: query.limit });
    return { status: 200, body: { total: await countDegraded(db), blocks: rows.map(degradedView) } };
  });

  return r.router;
}
