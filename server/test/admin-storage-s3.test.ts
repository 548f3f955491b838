/**
 * The dashboard's storage view with a real S3 node process (issue 18): an admin adds it, drains
 * and retires it; the storage report and overview follow each step, and the audit log records
 * each change without the node's credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3_SECRET_KEY, startS3Cluster, type LocalS3Cluster } from '@coffer/test-support/s3-nodes';
import { caller } from './fixtures/admin-calls.js';
import { useTestServer } from './fixtures/server.js';

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('admin storage with an S3 node (postgres)', () => {
  const srv = useTestServer('postgres');
  const call = caller(srv);
  let cluster: LocalS3Cluster;
  beforeAll(async () => {
    cluster = await startS3Cluster({ count: 1 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stopAll();
  });

  it('add, drain, retire: the report, the overview and the audit log follow', async () => {
    const admin = await srv.user({ role: 'admin' });
    const added = await call('POST', '/admin/nodes', admin.token, { name: 's3-dash', url: cluster.nodes[0]!.url, rebalance: false });
    expect(added.status).toBe(201);
    await srv.storage.monitor.probeAll();

    const report = (await call('GET', '/admin/storage', admin.token)).body;
    const node = report.nodes.find((n: { id: string }) => n.id === 's3-dash');
    expect(node).toMatchObject({ kind: 's3', tier: 'hot', state: 'up', shards: 0, shardBytes: 0 });
    expect(node.latencyMs).toEqual(expect.any(Number));
    expect((await call('GET', '/admin/overview', admin.token)).body.nodes).toMatchObject({ up: 4, total: 4 });

    const drain = await call('POST', '/admin/nodes/s3-dash/drain', admin.token);
    expect(drain.status).toBe(201);
    const during = (await call('GET', '/admin/storage', admin.token)).body;
    expect(during.nodes.find((n: { id: string }) => n.id === 's3-dash').state).toBe('draining');
    expect(during.tasks[0]).toMatchObject({ jobId: drain.body.id, kind: 'drain', nodeId: 's3-dash', state: 'queued', shardsLeft: 0, bytesLeft: 0, secondsLeft: 0 });
    expect((await call('GET', '/admin/overview', admin.token)).body.nodes).toMatchObject({ draining: 1 });

    expect((await call('POST', '/admin/nodes/s3-dash/retire', admin.token)).status).toBe(200);
    const after = (await call('GET', '/admin/overview', admin.token)).body;
    expect(after.nodes).toMatchObject({ up: 3, total: 3, draining: 0 });

    const audit = await call('GET', `/admin/audit?q=s3-dash&actor=${admin.username}`, admin.token);
    expect(audit.body.events.map((e: { kind: string }) => e.kind)).toEqual(['node_retired', 'node_drain', 'node_added']);
    expect(audit.body.events[2].details).toMatchObject({ tier: 'hot', rebalance: false });
    expect(JSON.stringify(audit.body)).not.toContain(S3_SECRET_KEY);
  });
});
