/**
 * Node identity across run-time changes and restarts, on S3 node processes and the real server
 * process: files stored on five named nodes; one drained and retired at run time (its process
 * then killed), a sixth added at run time; restarts with the retired node gone from the list and
 * the added one only in the database, then with the list naming it and a node moved to a new
 * port — every file reads back each time. A list that would strand shards refuses to start and
 * says what to do. No credential ever appears in an answer or in the server's output.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3_SECRET_KEY, type LocalS3Cluster } from '@coffer/test-support/s3-nodes';
import { nodeAdmin, refusalOf, waitForJob } from './fixtures/node-admin.js';
import { useServerProcessBesideS3Cluster } from './fixtures/s3-server.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('named storage nodes, added and retired at run time', () => {
  const list = (c: LocalS3Cluster, ...ids: number[]) => ({ COFFER_NODES: ids.map((i) => `n${i}=${c.nodes[i]!.url}`).join(',') });
  const { srv, cluster } = useServerProcessBesideS3Cluster(6, (c) => ({ backend: 'postgres', role: 'admin', env: list(c, 0, 1, 2, 3, 4) }));

  it('drains, retires and adds nodes at run time; restarts with the changed list read every file', async () => {
    const admin = nodeAdmin(srv);
    const answers: string[] = [];
    const files = new Map<string, Buffer>();
    for (const [i, size] of [3 * MiB, 2 * MiB + 777, 700 * KiB, 50 * KiB, 1].entries()) await admin.put(files, `/before-${i}.bin`, randomBytes(size));

    let nodes = await admin.nodes();
    expect([...nodes.keys()]).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    expect(nodes.get('n2')).toMatchObject({ tier: 'hot', kind: 's3', origin: 'config', state: 'up', endpoint: `http://127.0.0.1:${cluster.nodes[2]!.port}/coffer` });

    // Retiring needs a drained node.
    const early = await admin.api('POST', '/admin/nodes/n2/retire');
    expect([early.status, early.body.error.code]).toEqual([409, 'not_draining']);
    const drained = await admin.runNodeJob('n2', 'drain');
    expect(drained).toMatchObject({ state: 'done', progress: { nodeId: 'n2', remainingBlocks: 0, stuck: 0, empty: true } });
    expect(drained.progress.movedShards).toBeGreaterThan(0);
    const retired = await admin.api('POST', '/admin/nodes/n2/retire');
    expect(retired.status, retired.text).toBe(200);
    expect(retired.body.node).toMatchObject({ id: 'n2', state: 'retired' });
    answers.push(retired.text);
    await cluster.kill(2); // nothing may read from it any more
    await admin.readsBack(files);

    // A sixth node, added at run time; a rebalance gives it its share. Rendezvous placement ranks
    // it among a block's three of five nodes with odds 3/5, so with a handful of blocks none might
    // move (a CI flake): a dozen more 1 MiB files make that chance ~1e-6.
    for (let i = 0; i < 12; i++) await admin.put(files, `/more-${i}.bin`, randomBytes(MiB));
    const added = await admin.api('POST', '/admin/nodes', { name: 'n5', url: cluster.nodes[5]!.url });
    expect(added.status, added.text).toBe(201);
    expect(added.body.node).toMatchObject({ id: 'n5', origin: 'api', state: 'up', endpoint: `http://127.0.0.1:${cluster.nodes[5]!.port}/coffer` });
    answers.push(added.text);
    const rebalanced = await waitForJob(srv, added.body.job.id);
    expect(rebalanced).toMatchObject({ state: 'done', kind: 'rebalance' });
    expect(rebalanced.progress.movedShards).toBeGreaterThan(0);
    await admin.put(files, '/after-add.bin', randomBytes(2 * MiB));
    nodes = await admin.nodes();
    expect([...nodes.values()].map((n) => [n.id, n.state])).toEqual([
      ['n0', 'up'],
      ['n1', 'up'],
      ['n3', 'up'],
      ['n4', 'up'],
      ['n5', 'up'],
      ['n2', 'retired'],
    ]);
    answers.push(JSON.stringify([...nodes.values()]));

    // Restart without n2 in the list; n5 is not in it either: the database holds its (sealed) URL.
    await srv.restart(list(cluster, 0, 1, 3, 4));
    expect([...(await admin.nodes()).values()].filter((n) => n.state !== 'retired').map((n) => n.id)).toEqual(['n0', 'n1', 'n3', 'n4', 'n5']);
    await admin.readsBack(files);

    // A list without n4, which holds shards: refused, with what to do.
    const refusal = await refusalOf(srv, list(cluster, 0, 1, 3));
    expect(refusal).toContain('Coffer cannot start');
    expect(refusal).toMatch(/node "n4" \(hot, http:\/\/127\.0\.0\.1:\d+\/coffer, active\) holds \d+ shards? and is not in COFFER_NODES/);
    expect(refusal).toContain('Put it back (n4=http://KEY:SECRET@host:port/bucket)');
    expect(refusal).toContain('POST /api/v1/admin/nodes/n4/drain');
    expect(refusal).toMatch(/n2 {2}hot {2}s3 {2}retired/);
    expect(refusal).toMatch(/n5 {2}hot {2}s3 {2}active {2}\S+ {2}\(added through the admin API\)/);

    // The changed list, naming n5 too, with n4 moved to another port (same data): accepted.
    await cluster.kill(4);
    cluster.nodes[4]!.port = 0;
    await cluster.start(4);
    await srv.restart(list(cluster, 0, 1, 3, 4, 5));
    // The JSON log escapes the quotes of the message.
    expect(srv.output()).toContain(`node \\"n4\\" moved from http://127.0.0.1:`);
    nodes = await admin.nodes();
    expect(nodes.get('n4')).toMatchObject({ state: 'up', endpoint: `http://127.0.0.1:${cluster.nodes[4]!.port}/coffer` });
    expect(nodes.get('n5')).toMatchObject({ origin: 'config' });
    await admin.readsBack(files);
    // With n0 gone too, 2+1 needs both other shards: those on the moved n4 are read at its new place.
    await cluster.kill(0);
    await admin.readsBack(files);

    for (const text of [...answers, refusal, srv.output()]) expect(text).not.toContain(S3_SECRET_KEY);
  }, 240_000);
});
