/**
 * Tiering on six hot and two cold S3 node processes: with the clock advanced past the tiering
 * age, the job moves every block to the cold nodes; reads return identical bytes, and the hot
 * nodes' disk usage drops by at least the bytes the job says it freed. Before that age, nothing moves.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Cluster, type LocalS3Cluster } from '@coffer/test-support/s3-nodes';
import { rowsOf } from '../src/db/open.js';
import { filesUnder, runJob } from './fixtures/jobs.js';
import { startTestServer, type TestServer } from './fixtures/server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

const MiB = 1024 * 1024;
const DAY = 86_400_000;

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('tiering on six hot and two cold S3 node processes', () => {
  let cluster: LocalS3Cluster;
  let srv: TestServer;

  beforeAll(async () => {
    cluster = await startS3Cluster({ count: 8 });
    const urls = cluster.nodes.map((n) => n.url);
    srv = await startTestServer('pglite', { COFFER_NODES: urls.slice(0, 6).join(','), COFFER_COLD_NODES: urls.slice(6).join(',') });
  }, 90_000);
  afterAll(async () => {
    await srv?.close();
    await cluster?.stopAll();
  });

  const hotBytes = async () => {
    let total = 0;
    for (const n of cluster.nodes.slice(0, 6)) for (const f of await filesUnder(n.dir)) total += (await stat(f)).size;
    return total;
  };
  const byTier = async () =>
    Object.fromEntries(
      rowsOf<{ tier: string; n: number }>(await srv.database.db.execute(sql`select tier, count(*)::int as n from blocks group by tier`)).map((r) => [r.tier, r.n]),
    );

  it('moves blocks not read for the tiering age to the cold nodes; reads stay identical', async () => {
    const user = await srv.user();
    const files = [randomBytes(3 * MiB), randomBytes(60_000)];
    for (const [i, data] of files.entries()) expect((await upload(srv.url, user.auth, `/t${i}.bin`, data)).status).toBe(201);
    const blockCount = (await byTier()).hot;
    expect(blockCount).toBeGreaterThan(1);

    const early = await runJob(srv, 'tiering', { now: () => Date.now() + 29 * DAY });
    expect(early.progress.moved).toBe(0);
    expect(await byTier()).toEqual({ hot: blockCount });

    const before = await hotBytes();
    const job = await runJob(srv, 'tiering', { now: () => Date.now() + 31 * DAY });
    expect(job.state).toBe('done');
    expect(job.progress).toMatchObject({ moved: blockCount, failed: 0 });
    expect(await byTier()).toEqual({ cold: blockCount });
    const onHot = rowsOf<{ n: number }>(await srv.database.db.execute(sql`select count(*)::int as n from block_shards where node_id like 's3-%'`))[0]!.n;
    expect(onHot).toBe(0);
    const freed = Number(job.progress.bytesFreed);
    expect(freed).toBeGreaterThan(3 * MiB);
    expect(before - (await hotBytes())).toBeGreaterThanOrEqual(freed);

    for (const [i, data] of files.entries()) {
      const res = await download(srv.url, user.auth, `/t${i}.bin`);
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(data));
    }
  }, 120_000);
});
