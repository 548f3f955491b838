/**
 * The orphan sweep (issue 23) on three S3 node processes and PostgreSQL: planted shard objects no
 * metadata row names are reported by a dry run (nothing deleted), kept while within the safety
 * window, and deleted after it; objects the engine did not write are never touched, and no
 * referenced shard is ever deleted, including those of blocks committed while the sweep runs.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { shardObjectKey } from '@coffer/storage-engine';
import { rowsOf } from '../src/db/open.js';
import { orphanCandidates } from '../src/db/schema.js';
import { runJob } from './fixtures/jobs.js';
import { useServerOnS3Cluster } from './fixtures/s3-server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

const hex = (n: number) => randomBytes(n).toString('hex');

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('orphan sweep on three S3 node processes', () => {
  const { srv } = useServerOnS3Cluster(3, { backend: 'postgres' });
  const db = () => srv.database.db;

  /** Every shard metadata names is on its node (a packed one: inside its pack). */
  async function everyNamedShardThere(): Promise<number> {
    const rows = rowsOf<{ key: string; generation: string; idx: number; node_id: string; pack_object: string | null; pack_end: string | null }>(
      await db().execute(
        sql`select s.block_key as key, b.generation, s.index as idx, s.node_id, s.pack_object, s.pack_offset + s.pack_length as pack_end from block_shards s join blocks b on b.key = s.block_key`,
      ),
    );
    for (const r of rows) {
      const node = srv.storage.nodes.find((n) => n.id === r.node_id)!;
      const head = await node.head(r.pack_object ?? shardObjectKey({ key: r.key, generation: r.generation }, r.idx));
      expect(head, `${r.node_id} ${r.key}`).toBeDefined();
      if (r.pack_end !== null) expect(head!.size).toBeGreaterThanOrEqual(Number(r.pack_end));
    }
    return rows.length;
  }

  it('reports, waits out the safety window, then deletes planted orphans and nothing else', async () => {
    const user = await srv.user();
    const files = [randomBytes(700_000), randomBytes(1_300_000)];
    for (const [i, data] of files.entries()) expect((await upload(srv.url, user.auth, `/f${i}.bin`, data)).status).toBe(201);
    const named = await everyNamedShardThere();
    expect(named).toBeGreaterThan(0);
    const [real] = rowsOf<{ key: string }>(await db().execute(sql`select key from blocks limit 1`));

    // Per node: a shard of a block nobody knows, a stale generation of a real block, and a name the engine never writes.
    const planted = new Map<string, string[]>();
    for (const node of srv.storage.nodes) {
      const k = hex(32);
      const names = [shardObjectKey({ key: k, generation: hex(8) }, 0), shardObjectKey({ key: real!.key, generation: 'dead' + hex(4) }, 1)];
      for (const n of names) await node.put(n, randomBytes(1000));
      await node.put('misc/not-ours', randomBytes(10));
      planted.set(node.id, names);
    }
    const present = async () => {
      let n = 0;
      for (const node of srv.storage.nodes) for (const name of planted.get(node.id)!) if (await node.head(name)) n++;
      return n;
    };

    const dry = await runJob(srv, 'orphans', { payload: { dryRun: true, safetySeconds: 0 } });
    expect(dry.state).toBe('done');
    expect(dry.progress).toMatchObject({ dryRun: true, orphans: 6, deleted: 0 });
    const nodeReport = (dry.progress.nodes as Record<string, { sample: string[]; listed: number }>)[srv.storage.nodes[0]!.id]!;
    expect([...nodeReport.sample].sort()).toEqual([...planted.get(srv.storage.nodes[0]!.id)!].sort());
    expect(await present()).toBe(6);

    // First seen a moment ago: within the (default, one day) window.
    const early = await runJob(srv, 'orphans');
    expect(early.progress).toMatchObject({ orphans: 6, deleted: 0, waiting: 6 });
    expect(await present()).toBe(6);

    // A day later, while new files are committed: the planted ones go, every named shard stays.
    await db().update(orphanCandidates).set({ firstSeenAt: sql`now() - interval '2 days'` });
    const during = [randomBytes(900_000), randomBytes(400_000), randomBytes(1_100_000)];
    const [sweep] = await Promise.all([
      runJob(srv, 'orphans', { payload: { objectsPerSecond: 40 } }),
      (async () => {
        for (const [i, data] of during.entries()) expect((await upload(srv.url, user.auth, `/during${i}.bin`, data)).status).toBe(201);
      })(),
    ]);
    expect(sweep.state).toBe('done');
    expect(sweep.progress.deleted).toBe(6);
    expect(await present()).toBe(0);
    for (const node of srv.storage.nodes) expect(await node.head('misc/not-ours')).toBeDefined();
    expect(await everyNamedShardThere()).toBeGreaterThan(named);
    for (const [i, data] of [...files.map((d, i) => [`/f${i}.bin`, d] as const), ...during.map((d, i) => [`/during${i}.bin`, d] as const)].entries()) {
      const res = await download(srv.url, user.auth, data[0]);
      expect(res.status, String(i)).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(data[1]));
    }
    // Nothing left to wait for: the candidates went with their objects.
    expect(rowsOf<{ n: number }>(await db().execute(sql`select count(*)::int as n from orphan_candidates`))[0]!.n).toBe(0);
  });
});
