/**
 * Leaving the embedded default: a server on PGlite and its three local-directory nodes gets
 * three S3 nodes through the admin API, drains the local nodes onto them and retires them, all
 * at run time; the local directories end with no shard left, every file reads back, and a
 * restart with no configuration change opens the S3 nodes from the database (the local ones stay
 * retired) and reads every file again.
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

  it('drains and retires local-0..2 at run time; everything reads back, also after a restart', async () => {
    const admin = nodeAdmin(srv);
    const files = new Map<string, Buffer>();
    for (const [i, size] of [3 * MiB, MiB + 3, 200 * KiB, 40 * KiB].entries()) await admin.put(files, `/local-${i}.bin`, randomBytes(size));
    expect(await shardFilesIn(srv.dataDir)).toBeGreaterThan(0);
    let nodes = await admin.nodes();
    expect([...nodes.values()].map((n) => [n.id, n.kind, n.origin, n.endpoint])).toEqual(LOCAL.map((id, i) => [id, 'local', 'embedded', `nodes/node-${i}`]));

    for (const [i, name] of S3.entries()) {
      const added = await admin.api('POST', '/admin/nodes', { name, url: cluster.nodes[i]!.url, rebalance: false });
      expect(added.status, added.text).toBe(201);
      expect(added.body.job).toBeNull();
    }
    // All three draining at once: from now on new blocks go to the S3 nodes only.
    const drains: string[] = [];
    for (const id of LOCAL) {
      const queued = await admin.api('POST', `/admin/nodes/${id}/drain`);
      expect(queued.status, queued.text).toBe(201);
      drains.push(queued.body.id);
    }
    await admin.put(files, '/while-draining.bin', randomBytes(MiB + 5));
    for (const id of drains) {
      expect(await waitForJob(srv, id)).toMatchObject({ state: 'done', progress: { remainingBlocks: 0, stuck: 0, empty: true } });
    }
    for (const id of LOCAL) {
      const retired = await admin.api('POST', `/admin/nodes/${id}/retire`);
      expect(retired.status, retired.text).toBe(200);
    }
    expect(await shardFilesIn(srv.dataDir)).toBe(0);
    nodes = await admin.nodes();
    expect([...nodes.values()].map((n) => [n.id, n.state])).toEqual([...S3.map((id) => [id, 'up']), ...LOCAL.map((id) => [id, 'retired'])]);
    await admin.readsBack(files);
    await admin.put(files, '/on-s3.bin', randomBytes(2 * MiB));

    // No configuration change: the S3 nodes come from the database, the local ones stay retired.
    await srv.restart();
    nodes = await admin.nodes();
    expect([...nodes.values()].map((n) => [n.id, n.origin, n.state])).toEqual([...S3.map((id) => [id, 'api', 'up']), ...LOCAL.map((id) => [id, 'embedded', 'retired'])]);
    await admin.readsBack(files);
    expect(await shardFilesIn(srv.dataDir)).toBe(0);
  }, 240_000);
});

/** Files below the local nodes' directories (shards; a node directory holds nothing else). */
async function shardFilesIn(dataDir: string): Promise<number> {
  const entries = await readdir(join(dataDir, 'nodes'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}
