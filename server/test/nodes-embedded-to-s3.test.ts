/**
 * Leaving the embedded default: a server on PGlite and its three local-directory nodes gets two
 * S3 nodes from COFFER_NODES (a restart: the local nodes stay beside them) and a third through
 * the admin API; with six nodes new blocks take 4+2. The local nodes are drained — blocks too
 * wide for the three S3 nodes that stay are re-encoded for them — and retired, at run time; the
 * local directories end with no shard left, every file reads back, and a restart opens the API's
 * node from the database (the local ones stay retired) and reads every file again.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeAdmin, waitForJob } from './fixtures/node-admin.js';
import { useServerProcessBesideS3Cluster } from './fixtures/s3-server.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const LOCAL = ['local-0', 'local-1', 'local-2'];
const S3 = ['sa', 'sb', 'sc'];

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('moving the embedded local nodes onto S3 nodes', () => {
  const { srv, cluster } = useServerProcessBesideS3Cluster(3, () => ({ backend: 'pglite', role: 'admin' }));

  it('drains and retires local-0..2 onto S3 nodes at run time; everything reads back, also after a restart', async () => {
    const admin = nodeAdmin(srv);
    const files = new Map<string, Buffer>();
    for (const [i, size] of [3 * MiB, MiB + 3, 200 * KiB, 40 * KiB].entries()) await admin.put(files, `/local-${i}.bin`, randomBytes(size));
    expect(await shardFilesIn(srv.dataDir)).toBeGreaterThan(0);
    let nodes = await admin.nodes();
    expect([...nodes.values()].map((n) => [n.id, n.kind, n.origin, n.endpoint])).toEqual(LOCAL.map((id, i) => [id, 'local', 'embedded', `nodes/node-${i}`]));

    const configured = { COFFER_NODES: `sa=${cluster.nodes[0]!.url},sb=${cluster.nodes[1]!.url}` };
    await srv.restart(configured);
    nodes = await admin.nodes();
    expect([...nodes.values()].map((n) => [n.id, n.origin])).toEqual([...LOCAL.map((id) => [id, 'embedded']), ['sa', 'config'], ['sb', 'config']]);
    await admin.readsBack(files);
    const added = await admin.api('POST', '/admin/nodes', { name: 'sc', url: cluster.nodes[2]!.url, rebalance: false });
    expect(added.status, added.text).toBe(201);
    expect(added.body.job).toBeNull();
    await admin.put(files, '/on-six.bin', randomBytes(3 * MiB)); // 4+2 over the six

    // All three draining at once: from now on new blocks go to the S3 nodes only.
    const drains: string[] = [];
    for (const id of LOCAL) {
      const queued = await admin.api('POST', `/admin/nodes/${id}/drain`);
      expect(queued.status, queued.text).toBe(201);
      drains.push(queued.body.id);
    }
    await admin.put(files, '/while-draining.bin', randomBytes(MiB + 5));
    let reencoded = 0;
    for (const id of drains) {
      const job = await waitForJob(srv, id);
      expect(job).toMatchObject({ state: 'done', progress: { remainingBlocks: 0, stuck: 0, empty: true } });
      reencoded += job.progress.reencoded;
    }
    expect(reencoded).toBeGreaterThan(0); // the 4+2 blocks of /on-six.bin
    for (const id of LOCAL) {
      const retired = await admin.api('POST', `/admin/nodes/${id}/retire`);
      expect(retired.status, retired.text).toBe(200);
    }
    expect(await shardFilesIn(srv.dataDir)).toBe(0);
    nodes = await admin.nodes();
    expect([...nodes.values()].map((n) => [n.id, n.state])).toEqual([...S3.map((id) => [id, 'up']), ...LOCAL.map((id) => [id, 'retired'])]);
    await admin.readsBack(files);
    await admin.put(files, '/on-s3.bin', randomBytes(2 * MiB));

    // No configuration change: sc comes from the database, the local ones stay retired.
    await srv.restart(configured);
    nodes = await admin.nodes();
    expect([...nodes.values()].map((n) => [n.id, n.origin, n.state])).toEqual([
      ['sa', 'config', 'up'],
      ['sb', 'config', 'up'],
      ['sc', 'api', 'up'],
      ...LOCAL.map((id) => [id, 'embedded', 'retired']),
    ]);
    await admin.readsBack(files);
    expect(await shardFilesIn(srv.dataDir)).toBe(0);
  }, 240_000);
});

/** Files below the local nodes' directories (shards; a node directory holds nothing else). */
async function shardFilesIn(dataDir: string): Promise<number> {
  const entries = await readdir(join(dataDir, 'nodes'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}
