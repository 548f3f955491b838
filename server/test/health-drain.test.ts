/**
 * Drain on seven S3 node processes (4+2), through the admin API: while downloads and an upload go
 * on, every shard moves off the drained node; no read fails, the node ends empty and 'draining'
 * (so nothing new lands on it), and every block keeps all its shards on distinct nodes.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { NodePool } from '@coffer/storage-engine';
import { loadConfig } from '../src/config.js';
import { rowsOf } from '../src/db/open.js';
import { jobHandlers } from '../src/jobs/index.js';
import { DbKeyProvider } from '../src/db/key-provider.js';
import { NodeRegistry } from '../src/nodes/registry.js';
import { getJob } from '../src/jobs/queue.js';
import { JobRunner } from '../src/jobs/runner.js';
import { apiAs } from './fixtures/seed.js';
import { useServerOnS3Cluster } from './fixtures/s3-server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

const MiB = 1024 * 1024;

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('drain on seven S3 node processes', () => {
  const { srv, cluster } = useServerOnS3Cluster(7);

  const shardsOn = async (nodeId: string) =>
    rowsOf<{ n: number }>(await srv.database.db.execute(sql`select count(*)::int as n from block_shards where node_id = ${nodeId}`))[0]!.n;

  it('moves every shard off a node while reads and writes go on, with no failed read', async () => {
    const user = await srv.user();
    const admin = apiAs(srv, await srv.user({ role: 'admin' }));
    const files = [randomBytes(3 * MiB), randomBytes(2 * MiB + 777)];
    for (const [i, data] of files.entries()) expect((await upload(srv.url, user.auth, `/f${i}.bin`, data)).status).toBe(201);
    expect(await shardsOn('s3-6')).toBeGreaterThan(0);

    expect((await admin.post('/admin/nodes/nope/drain')).status).toBe(404);
    const queued = await admin.post('/admin/nodes/s3-6/drain');
    expect(queued.status).toBe(201);
    expect(queued.body).toMatchObject({ kind: 'drain', state: 'queued', payload: { nodeId: 's3-6' } });

    const db = srv.database.db;
    const runner = new JobRunner(db, jobHandlers({ db, storage: srv.storage, config: loadConfig({ COFFER_DATA_DIR: srv.dataDir }) }), { log: () => {} });
    let draining = true;
    const drained = runner.drain().finally(() => (draining = false));
    const readFailures: string[] = [];
    let reads = 0;
    const late = randomBytes(MiB + 5);
    const traffic = (async () => {
      expect((await upload(srv.url, user.auth, '/late.bin', late)).status).toBe(201);
      do {
        for (const [i, data] of files.entries()) {
          const res = await download(srv.url, user.auth, `/f${i}.bin`);
          const body = Buffer.from(await res.arrayBuffer());
          reads++;
          if (res.status !== 200 || sha256(body) !== sha256(data)) readFailures.push(`f${i}: ${res.status}`);
        }
      } while (draining);
    })();
    await Promise.all([drained, traffic]);
    expect(readFailures).toEqual([]);
    expect(reads).toBeGreaterThan(0);

    const job = (await getJob(db, queued.body.id))!;
    expect(job.state).toBe('done');
    expect(job.progress).toMatchObject({ nodeId: 's3-6', remainingBlocks: 0, stuck: 0, empty: true });
    expect(Number(job.progress.movedShards)).toBeGreaterThan(0);
    expect(await shardsOn('s3-6')).toBe(0);
    const nodes = (await admin.get('/admin/nodes')).body.nodes as { id: string; state: string }[];
    expect(nodes.find((n) => n.id === 's3-6')?.state).toBe('draining');

    const spread = rowsOf<{ key: string; want: number; shards: number; nodes: number }>(
      await db.execute(sql`
        select b.key, case when b.layout->>'kind' = 'rs' then 6 else (b.layout->>'copies')::int end as want,
               count(s.index)::int as shards, count(distinct s.node_id)::int as nodes
        from blocks b join block_shards s on s.block_key = b.key group by b.key, b.layout`),
    );
    for (const b of spread) expect([b.shards, b.nodes], b.key).toEqual([b.want, b.want]);

    // Nothing new lands on a draining node.
    const after = randomBytes(2 * MiB);
    expect((await upload(srv.url, user.auth, '/after.bin', after)).status).toBe(201);
    expect(await shardsOn('s3-6')).toBe(0);
    const res = await download(srv.url, user.auth, '/late.bin');
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(late));

    // The state is in the database: a restart (a pool booted afresh from it) finds the node draining — until a rebalance onto it.
    const rebooted = async () => {
      const pool = new NodePool([]);
      const config = loadConfig({ COFFER_DATA_DIR: srv.dataDir, COFFER_NODES: cluster.nodes.map((n) => n.url).join(',') });
      await new NodeRegistry(db, pool, new DbKeyProvider(db, srv.storage.master), srv.dataDir, () => {}).boot(config.nodes);
      return pool;
    };
    expect((await rebooted()).state('s3-6')).toBe('draining');
    expect((await admin.post('/admin/nodes/s3-6/rebalance')).status).toBe(201);
    expect(srv.storage.blocks.pool.state('s3-6')).toBe('up');
    expect((await rebooted()).state('s3-6')).toBe('up');
  }, 120_000);
});
