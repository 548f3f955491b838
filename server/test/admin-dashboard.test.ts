/**
 * The operator's dashboard (issue 18): the overview (is the data safe, storage at each stage),
 * the usage sampler and its series, the storage report, job schedules and retry; none of it for
 * anyone but an admin.
 */
import { randomBytes } from 'node:crypto';
import { ALL_OPERATIONS, pathOf } from '@coffer/protocol';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { degradedBlocks, jobs, usageSamples } from '../src/db/schema.js';
import { enqueue } from '../src/jobs/queue.js';
import { caller } from './fixtures/admin-calls.js';
import { runJob } from './fixtures/jobs.js';
import { trafficNow } from '../src/usage/traffic.js';
import { useTestServer } from './fixtures/server.js';

const NEW_OPS = [
  'adminOverview',
  'adminUsageSeries',
  'adminStorageReport',
  'adminRetryJob',
  'adminJobSchedules',
  'adminUserDeletePreview',
  'adminUserAccess',
  'adminRevokeUserToken',
  'adminRevokeUserDevice',
  'adminRevokeUserSessions',
  'adminAuditLog',
  'adminGetSettings',
  'adminPutSettings',
];

describe('admin dashboard: overview, usage, storage, jobs (postgres)', () => {
  const srv = useTestServer('postgres');
  const call = caller(srv);

  it('refuses every dashboard operation to a non-admin with 403 and no data', async () => {
    const u = await srv.user();
    const target = await srv.user();
    const ops = ALL_OPERATIONS.filter((o) => NEW_OPS.includes(o.id));
    expect(ops.map((o) => o.id).sort()).toEqual([...NEW_OPS].sort());
    for (const op of ops) {
      const path = pathOf(op, { id: target.id, tokenId: target.id, deviceId: target.id });
      const res = await call(op.method, path, u.token, op.body ? { openSignup: true } : undefined);
      expect(res.status, `${op.id}`).toBe(403);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(res.body.error.code).toBe('admin_only');
    }
    // The refused PUT changed nothing.
    const admin = await srv.user({ role: 'admin' });
    expect((await call('GET', '/admin/settings/values', admin.token)).body.openSignup.source).toBe('default');
  });

  it('overview: nodes, blocks, scrub, jobs, users, storage at each stage with its saving', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    // Two files with the same content: dedup stores it once.
    const body = 'the same compressible line\n'.repeat(4000);
    for (const p of ['/a.txt', '/b.txt']) {
      expect((await fetch(`${srv.url}/api/v1/upload?uploadType=media&path=${p}`, { method: 'POST', headers: u.auth, body })).status).toBe(201);
    }
    const before = await call('GET', '/admin/overview', admin.token);
    expect(before.status).toBe(200);
    const o = before.body;
    expect(o.safety).toBe('safe');
    expect(o.nodes).toEqual({ up: 3, down: 0, draining: 0, total: 3 });
    expect(o.blocks.degraded).toBe(0);
    expect(o.blocks.redundant).toBe(o.blocks.total);
    expect(o.users.total).toBeGreaterThanOrEqual(2);
    const s = o.storage;
    expect(s.logicalBytes).toBeGreaterThanOrEqual(2 * body.length);
    expect(s.dedupBytes).toBeLessThanOrEqual(s.logicalBytes - body.length);
    expect(s.compressedBytes).toBeLessThan(s.dedupBytes / 4);
    expect(s.storedBytes).toBeGreaterThan(s.compressedBytes);
    expect(s.savings).toEqual({ dedupBytes: s.logicalBytes - s.dedupBytes, compressionBytes: s.dedupBytes - s.compressedBytes, redundancyBytes: s.compressedBytes - s.storedBytes });
    expect(s.tiers.map((t: { tier: string }) => t.tier)).toEqual(['hot']);

    // A scrub run shows as the last scrub; a degraded block turns the overview.
    const scrub = await runJob(srv, 'scrub');
    expect(scrub.state).toBe('done');
    const [block] = await srv.database.db.execute(sql`select key from blocks limit 1`).then((r: any) => (Array.isArray(r) ? r : r.rows));
    await srv.database.db.insert(degradedBlocks).values({ blockKey: block.key, reason: 'test: a shard went missing' });
    const after = (await call('GET', '/admin/overview', admin.token)).body;
    expect(after.lastScrub).toMatchObject({ jobId: scrub.id, state: 'done', damaged: 0 });
    expect(after.lastScrub.scanned).toBeGreaterThan(0);
    expect(after.blocks.degraded).toBe(1);
    expect(after.blocks.redundant).toBe(after.blocks.total - 1);
    expect(after.safety).toBe('degraded');
    await srv.database.db.update(degradedBlocks).set({ repairAttempts: 1 }).where(eq(degradedBlocks.blockKey, block.key));
    expect((await call('GET', '/admin/overview', admin.token)).body).toMatchObject({ safety: 'repairing', blocks: { repairing: 1 } });
    await srv.database.db.delete(degradedBlocks);
  });

  it('usage: the sampler records stages and traffic; the series answers points per range with traffic between them', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    const db = srv.database.db;
    await db.delete(usageSamples);
    const t0 = Date.now() - 30 * 60_000;
    expect((await runJob(srv, 'usage', { now: () => t0 })).state).toBe('done');
    const payload = 'x'.repeat(50_000);
    expect((await fetch(`${srv.url}/api/v1/upload?uploadType=media&path=/traffic.bin`, { method: 'POST', headers: u.auth, body: payload })).status).toBe(201);
    const download = await fetch(`${srv.url}/api/v1/download?path=/traffic.bin`, { headers: u.auth });
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(payload.length);
    // Counted when the answer's last byte has left (the access log's socket count), then flushed.
    await expect
      .poll(async () => {
        await srv.deps.traffic.flush();
        return (await trafficNow(db)).bytesOut;
      })
      .toBeGreaterThanOrEqual(payload.length);
    expect((await runJob(srv, 'usage', { now: () => t0 + 15 * 60_000 })).state).toBe('done');

    const series = await call('GET', '/admin/usage?range=1h', admin.token);
    expect(series.status).toBe(200);
    expect(series.body.range).toBe('1h');
    expect(series.body.sampleSeconds).toBe(15 * 60);
    const [p0, p1] = series.body.points;
    expect(series.body.points).toHaveLength(2);
    expect(p1.logicalBytes - p0.logicalBytes).toBe(payload.length);
    expect(p1.bytesIn).toBeGreaterThanOrEqual(payload.length);
    expect(p1.bytesOut).toBeGreaterThanOrEqual(payload.length);
    expect(new Date(p1.at).getTime()).toBe(t0 + 15 * 60_000);
    expect((await call('GET', '/admin/usage', admin.token)).body.range).toBe('24h');
    expect((await call('GET', '/admin/usage?range=2h', admin.token)).status).toBe(400);

    // Retention drops samples past COFFER_USAGE_RETENTION_DAYS.
    await db.insert(usageSamples).values({ at: new Date(Date.now() - 500 * 86_400_000), logicalBytes: 0, dedupBytes: 0, compressedBytes: 0, storedBytes: 0, bytesInTotal: 0, bytesOutTotal: 0 });
    const retention = await runJob(srv, 'retention');
    expect(retention.progress.samplesTrimmed).toBe(1);
    expect((await db.select().from(usageSamples)).length).toBe(2);
  });

  it('storage report: nodes with shards and latency, drain progress, scrub and tiering', async () => {
    const admin = await srv.user({ role: 'admin' });
    const u = await srv.user();
    // Random, so not compressed to a few bytes: a small block is kept as copies on some nodes only,
    // a big one is erasure-coded across every node.
    const up = await fetch(`${srv.url}/api/v1/upload?uploadType=media&path=/report.bin`, { method: 'POST', headers: u.auth, body: new Uint8Array(randomBytes(1024 * 1024)) });
    expect(up.status).toBe(201);
    const scrub = await runJob(srv, 'scrub');
    const res = await call('GET', '/admin/storage', admin.token);
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.nodes).toHaveLength(3);
    for (const n of r.nodes) {
      expect(n.state).toBe('up');
      expect(n.shards).toBeGreaterThan(0);
      expect(n.shardBytes).toBeGreaterThan(0);
      expect(n.latencyMs).toEqual(expect.any(Number));
    }
    expect(r.scrub.history[0]).toMatchObject({ jobId: scrub.id, state: 'done' });
    expect(r.scrub.everySeconds).toBe(86_400);
    expect(new Date(r.scrub.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(r.tiering).toMatchObject({ enabled: false, afterDays: 30, coldBlocks: 0 });
    expect(r.repair).toMatchObject({ degraded: 0, running: false });

    // A drain in progress shows what its node still holds.
    const node = r.nodes[0].id;
    const drain = (await enqueue(srv.database.db, { kind: 'drain', payload: { nodeId: node } }))!;
    await srv.database.db.update(jobs).set({ state: 'running', progress: { movedShards: 2, movedBytes: 1000 } }).where(eq(jobs.id, drain.id));
    const during = (await call('GET', '/admin/storage', admin.token)).body;
    const t = during.tasks.find((x: { jobId: string }) => x.jobId === drain.id);
    expect(t).toMatchObject({ kind: 'drain', nodeId: node, state: 'running', shardsLeft: r.nodes[0].shards, bytesLeft: r.nodes[0].shardBytes, movedShards: 2, movedBytes: 1000 });
    expect(t.bytesPerSecond).toBeGreaterThan(0);
    expect(t.secondsLeft).toEqual(expect.any(Number));
    await srv.database.db.delete(jobs).where(eq(jobs.id, drain.id));
  });

  it('jobs: schedules with their next run; a failed job is retried, others are not (409)', async () => {
    const admin = await srv.user({ role: 'admin' });
    const sched = await call('GET', '/admin/jobs/schedules', admin.token);
    expect(sched.status).toBe(200);
    const kinds = sched.body.schedules.map((s: { kind: string }) => s.kind);
    expect(kinds).toEqual(expect.arrayContaining(['repair', 'gc', 'scrub', 'retention', 'tiering', 'usage']));
    const usage = sched.body.schedules.find((s: { kind: string }) => s.kind === 'usage');
    expect(usage.everySeconds).toBe(900);
    expect(new Date(usage.nextRunAt).getTime() - Date.now()).toBeLessThanOrEqual(900_000);

    const db = srv.database.db;
    const job = (await enqueue(db, { kind: 'gc' }))!;
    expect((await call('POST', `/admin/jobs/${job.id}/retry`, admin.token)).body.error.code).toBe('not_retryable');
    await db.update(jobs).set({ state: 'failed', attempts: 5, lastError: 'boom', finishedAt: new Date() }).where(eq(jobs.id, job.id));
    const failed = await call('GET', '/admin/jobs?state=failed', admin.token);
    expect(failed.body.jobs.find((j: { id: string }) => j.id === job.id)).toMatchObject({ lastError: 'boom' });
    const retried = await call('POST', `/admin/jobs/${job.id}/retry`, admin.token);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: job.id, state: 'queued', attempts: 0, finishedAt: null });
    expect((await call('POST', '/admin/jobs/00000000-0000-4000-8000-000000000000/retry', admin.token)).status).toBe(404);
    const audit = await call('GET', `/admin/audit?kind=job_retried&actor=${admin.username}`, admin.token);
    expect(audit.body.events).toHaveLength(1);
    expect(audit.body.events[0].details.jobId).toBe(job.id);
    await db.delete(jobs).where(eq(jobs.id, job.id));
  });
});
