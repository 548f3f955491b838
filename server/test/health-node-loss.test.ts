/**
 * Node loss on six S3 node processes (4+2), through the server: with two nodes killed the monitor
 * shows them down, reads stay correct, writes go on at quorum and their blocks are listed as
 * degraded (in the database); repair cannot finish while the nodes are gone, and once one comes
 * back empty and the other intact it restores full redundancy (every shard on a node of its own) and the
 * degraded list is empty — after which the data survives the loss of two *other* nodes.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/open.js';
import { loadConfig } from '../src/config.js';
import { jobHandlers } from '../src/jobs/index.js';
import { getJob } from '../src/jobs/queue.js';
import { JobRunner } from '../src/jobs/runner.js';
import { apiAs } from './fixtures/seed.js';
import { useServerOnS3Cluster } from './fixtures/s3-server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

const MiB = 1024 * 1024;

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('node loss on six S3 node processes', () => {
  const { srv, cluster } = useServerOnS3Cluster(6);

  /** Queue a job through the admin API and run it here; the finished job. */
  async function runViaApi(admin: ReturnType<typeof apiAs>, kind: 'repair' | 'scrub') {
    const queued = await admin.post('/admin/jobs', { kind });
    expect(queued.status).toBe(201);
    const db = srv.database.db;
    const runner = new JobRunner(db, jobHandlers({ db, storage: srv.storage, config: loadConfig({ COFFER_DATA_DIR: srv.dataDir }) }), { log: () => {} });
    await runner.drain();
    return (await getJob(db, queued.body.id))!;
  }

  async function readsBack(user: { auth: Record<string, string> }, path: string, data: Buffer) {
    const res = await download(srv.url, user.auth, path);
    expect(res.status, path).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer())), path).toBe(sha256(data));
  }

  it('marks blocks degraded while two nodes are down and repairs them to full redundancy after', async () => {
    const user = await srv.user();
    const admin = apiAs(srv, await srv.user({ role: 'admin' }));
    const before = randomBytes(3 * MiB);
    expect((await upload(srv.url, user.auth, '/before.bin', before)).status).toBe(201);

    await cluster.kill(0);
    await cluster.kill(1);
    await srv.storage.monitor.probeAll();
    const nodes = await admin.get('/admin/nodes');
    expect(nodes.status).toBe(200);
    const state = Object.fromEntries((nodes.body.nodes as { id: string; state: string }[]).map((n) => [n.id, n.state]));
    expect(state).toEqual({ 's3-0': 'down', 's3-1': 'down', 's3-2': 'up', 's3-3': 'up', 's3-4': 'up', 's3-5': 'up' });

    await readsBack(user, '/before.bin', before);
    const during = randomBytes(3 * MiB);
    expect((await upload(srv.url, user.auth, '/during.bin', during)).status).toBe(201);
    await readsBack(user, '/during.bin', during);
    const listed = await admin.get('/admin/blocks/degraded');
    expect(listed.body.total).toBeGreaterThan(0);

    // Nowhere to put the missing shards while the nodes are gone: the list stays.
    const stuck = await runViaApi(admin, 'repair');
    expect(stuck.state).toBe('done');
    expect(stuck.progress.pending).toBeGreaterThan(0);
    expect((await admin.get('/admin/blocks/degraded')).body.total).toBeGreaterThan(0);

    await cluster.start(0, { wipe: true }); // a replaced, empty disk
    await cluster.start(1); // a node that was only down
    await srv.storage.monitor.probeAll();
    const repaired = await runViaApi(admin, 'repair');
    expect(repaired.progress.pending).toBe(0);
    expect((await admin.get('/admin/blocks/degraded')).body.total).toBe(0);

    // Full redundancy: every block has all its shards (6 for 4+2, 3 for small replicated blocks),
    // each on a node of its own, and the emptied node 0 holds shards again.
    const spread = rowsOf<{ key: string; want: number; shards: number; nodes: number; on0: number }>(
      await srv.database.db.execute(sql`
        select b.key, case when b.layout->>'kind' = 'rs' then 6 else (b.layout->>'copies')::int end as want,
               count(s.index)::int as shards, count(distinct s.node_id)::int as nodes,
               count(*) filter (where s.node_id = 's3-0')::int as on0
        from blocks b join block_shards s on s.block_key = b.key group by b.key, b.layout`),
    );
    expect(spread.some((b) => b.want === 6)).toBe(true);
    for (const b of spread) expect([b.shards, b.nodes], b.key).toEqual([b.want, b.want]);
    expect(spread.filter((b) => b.want === 6).every((b) => b.on0 === 1)).toBe(true);

    await cluster.kill(2);
    await cluster.kill(3);
    await readsBack(user, '/before.bin', before);
    await readsBack(user, '/during.bin', during);
  }, 120_000);
});
