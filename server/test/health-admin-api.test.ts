/** The storage admin API: admins only; node health with capacity; jobs queued, listed, cancelled; input checked. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiAs } from './fixtures/seed.js';
import { useTestServer } from './fixtures/server.js';

describe('storage admin API', () => {
  const srv = useTestServer('pglite');

  it('answers 403 to non-admins and 401 without credentials', async () => {
    const user = apiAs(srv, await srv.user());
    const id = randomUUID();
    for (const [method, path] of [
      ['GET', '/admin/nodes'],
      ['GET', '/admin/jobs'],
      ['POST', '/admin/jobs'],
      ['POST', `/admin/jobs/${id}/cancel`],
      ['GET', '/admin/blocks/degraded'],
    ] as const) {
      const res = method === 'GET' ? await user.get(path) : await user.post(path, { kind: 'scrub' });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('admin_only');
      expect((await fetch(`${srv.url}/api/v1${path}`, { method })).status, `${method} ${path} anonymous`).toBe(401);
    }
    const jobs = await apiAs(srv, await srv.user({ role: 'admin' })).get('/admin/jobs');
    expect(jobs.body.jobs).toEqual([]); // the refused POST queued nothing
  });

  it('lists the local nodes as up, with their file system’s capacity', async () => {
    const admin = apiAs(srv, await srv.user({ role: 'admin' }));
    const res = await admin.get('/admin/nodes');
    expect(res.status).toBe(200);
    expect(res.body.nodes.map((n: { id: string }) => n.id)).toEqual(['local-0', 'local-1', 'local-2']);
    for (const n of res.body.nodes) {
      expect(n).toMatchObject({ tier: 'hot', state: 'up' });
      expect(Date.parse(n.lastSeenAt)).not.toBeNaN();
      expect(n.capacityBytes).toBeGreaterThan(0);
      expect(n.usedBytes).toBeGreaterThan(0);
      expect(n.usedBytes).toBeLessThanOrEqual(n.capacityBytes);
    }
  });

  it('queues, lists and cancels jobs; rejects bad input', async () => {
    const admin = apiAs(srv, await srv.user({ role: 'admin' }));
    expect((await admin.post('/admin/jobs', { kind: 'defrag' })).status).toBe(400);
    expect((await admin.post('/admin/jobs', { kind: 'gc', blocksPerSecond: 5 })).status).toBe(400);
    expect((await admin.post('/admin/jobs', { kind: 'scrub', extra: 1 })).status).toBe(400);
    expect((await admin.post('/admin/jobs', '{not json')).body.error.code).toBe('invalid_json');

    const queued = await admin.post('/admin/jobs', { kind: 'scrub', blocksPerSecond: 5 });
    expect(queued.status).toBe(201);
    expect(queued.body).toMatchObject({ kind: 'scrub', state: 'queued', payload: { blocksPerSecond: 5 }, progress: {}, attempts: 0, finishedAt: null });
    expect((await admin.post('/admin/jobs', { kind: 'gc' })).status).toBe(201);

    const scrubs = await admin.get('/admin/jobs?kind=scrub&state=queued');
    expect(scrubs.body.jobs.map((j: { id: string }) => j.id)).toEqual([queued.body.id]);
    expect((await admin.get('/admin/jobs')).body.jobs).toHaveLength(2);
    expect((await admin.get('/admin/jobs?state=stuck')).status).toBe(400);

    const cancelled = await admin.post(`/admin/jobs/${queued.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    const again = await admin.post(`/admin/jobs/${queued.body.id}/cancel`);
    expect([again.status, again.body.error.code]).toEqual([409, 'not_active']);
    expect((await admin.post(`/admin/jobs/${randomUUID()}/cancel`)).status).toBe(404);
    expect((await admin.post('/admin/jobs/not-a-uuid/cancel')).status).toBe(404);
  });

  it('lists degraded blocks (none on a healthy store)', async () => {
    const admin = apiAs(srv, await srv.user({ role: 'admin' }));
    const res = await admin.get('/admin/blocks/degraded?limit=10');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ total: 0, blocks: [] });
    expect((await admin.get('/admin/blocks/degraded?limit=0')).status).toBe(400);
  });
});
