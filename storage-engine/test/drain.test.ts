/**
 * Drain on S3 node processes: a node is emptied while uploads and downloads go on, no read
 * fails, and every file still reads back once the node is gone from the pool.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockStore } from '../src/store/block-store.js';
import { FsNode } from '../src/nodes/fs.js';
import { shardObjectKey } from '../src/shards/shard-key.js';
import type { FileBlock } from '../src/store/file-store.js';
import { collect, pieces, randomData, sha256, textBytes } from './fixtures/data.js';
import { engineForTest, type TestEngine } from './fixtures/engine.js';
import { s3NodesForTest, type S3TestNodes } from './fixtures/s3.js';
import { listAll } from './fixtures/usage.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

interface Stored {
  sha: string;
  blocks: FileBlock[];
}

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('drain a node on seven S3 node processes (4+2)', () => {
  let env: S3TestNodes;
  let engine: TestEngine;
  const stored: Stored[] = [];

  beforeAll(async () => {
    env = await s3NodesForTest(7);
    engine = engineForTest(env.nodes, { hedgeDelayMs: 150 }, { concurrency: 4 });
  }, 60_000);
  afterAll(async () => {
    await engine?.blocks.close();
    await env?.cleanup();
  });

  async function upload(i: number): Promise<void> {
    // Mixed sizes: several 4+2 blocks per file, and small files stored as replicas.
    const data = i % 4 === 3 ? textBytes(30_000 + i, i) : randomData(200_000 + ((i * 104_729) % 1_200_000));
    const written = await engine.files.write('ns', pieces(data));
    stored.push({ sha: sha256(data), blocks: written.blocks });
  }

  it('empties the node while reads and writes go on, resumably, with no failed read', async () => {
    for (let i = 0; i < 32; i++) await upload(i);
    const victim = env.nodes[3]!;
    expect((await listAll(victim)).length).toBeGreaterThan(0);

    let stop = false;
    let reads = 0;
    const failures: unknown[] = [];
    const reader = (async () => {
      for (let i = 0; !stop; i++) {
        const f = stored[i % stored.length]!;
        try {
          expect(sha256(await collect(engine.files.read(f.blocks)))).toBe(f.sha);
          reads++;
        } catch (err) {
          failures.push(err);
        }
      }
    })();
    const writer = (async () => {
      for (let i = 100; !stop; i++) await upload(i);
    })();

    // First run: stopped after a few blocks, as a job stopped by an admin or a crash would be.
    const abort = new AbortController();
    const first = await engine.blocks.drainNode(victim.id, {
      concurrency: 2,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.done >= 3) abort.abort();
      },
    });
    expect(first.empty).toBe(false);
    expect(first.movedShards).toBeGreaterThan(0);
    expect(engine.pool.state(victim.id)).toBe('draining');
    expect(engine.pool.writable('hot').map((n) => n.id)).not.toContain(victim.id);

    // A move that crashed after recording the new location left its old copy behind: swept.
    const some = engine.metadata.all()[0]!;
    await victim.put(shardObjectKey({ key: some.key, generation: 'dead00beef00' }, 0), Buffer.from('stale'));

    const seen: number[] = [];
    const second = await engine.blocks.drainNode(victim.id, { onProgress: (p) => seen.push(p.done) });
    stop = true;
    await Promise.all([reader, writer]);

    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(second.stuck).toEqual([]);
    expect(second.empty).toBe(true);
    expect(second.sweptObjects).toBe(1);
    expect(seen.length).toBeGreaterThan(0); // progress was reported
    expect(await listAll(victim)).toEqual([]);
    expect(await engine.metadata.blocksOnNode(victim.id)).toEqual([]);
    // Nothing was left doubled up or short of shards by the moves.
    for (const r of engine.metadata.all()) expect(BlockStore.isDegraded(r), r.key).toBe(false);

    // Retire the node: everything still reads back, byte for byte.
    engine.pool.remove(victim.id);
    for (const f of stored) expect(sha256(await collect(engine.files.read(f.blocks)))).toBe(f.sha);
  }, 90_000);
});

describe('drain edge cases (local-directory nodes)', () => {
  const root = useTempDir('coffer-drain-', { each: true });

  it('drains a dead node by rebuilding its shards elsewhere; emptiness stays unproven', async () => {
    const nodes = [0, 1, 2, 3].map((i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));
    const { blocks, metadata } = engineForTest(nodes, { erasure: { k: 2, m: 1 } });
    const data = [randomData(400_000), randomData(500_000), textBytes(20_000)];
    const keys = [];
    for (const d of data) keys.push((await blocks.put('ns', d)).key);
    const dead = nodes.find((n) => metadata.all().every((r) => r.shards.some((s) => s.nodeId === n.id))) ?? nodes[0]!;
    const onDead = (await metadata.blocksOnNode(dead.id)).length;
    expect(onDead).toBeGreaterThan(0);
    await rm(join(root(), `n${dead.id.split('-')[1]}`), { recursive: true }); // the disk is gone

    const r = await blocks.drainNode(dead.id);
    expect(r.movedShards).toBeGreaterThanOrEqual(onDead);
    expect(r.remainingBlocks).toBe(0);
    expect(r.empty).toBe(false);
    for (const rec of metadata.all()) expect(BlockStore.isDegraded(rec)).toBe(false);
    for (const [i, key] of keys.entries()) expect((await blocks.get(key)).equals(data[i]!)).toBe(true);
  });

  it('leaves a shard in place, reported stuck, when no other node of the tier is free', async () => {
    const nodes = [0, 1, 2].map((i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));
    const { blocks, metadata } = engineForTest(nodes, { erasure: { k: 2, m: 1 } });
    const data = randomData(300_000);
    const { key } = await blocks.put('ns', data);
    const before = await listAll(nodes[1]!);
    const r = await blocks.drainNode(nodes[1]!.id);
    expect(r.stuck).toEqual([key]);
    expect(r.remainingBlocks).toBe(1);
    expect(r.empty).toBe(false);
    expect(await listAll(nodes[1]!)).toEqual(before); // never doubled up, never deleted
    expect(BlockStore.isDegraded((await metadata.getBlock(key))!)).toBe(false);
    expect((await blocks.get(key)).equals(data)).toBe(true);
  });

  it('re-encodes blocks wider than the nodes that stay (six nodes, 4+2, drained to three); new writes take 2+1', async () => {
    const nodes = [0, 1, 2, 3, 4, 5].map((i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));
    const { blocks, metadata, pool } = engineForTest(nodes); // the code follows the number of nodes
    const data = [randomData(600_000), randomData(300_000), textBytes(20_000)];
    const keys: string[] = [];
    for (const d of data) keys.push((await blocks.put('ns', d)).key);
    expect((await metadata.getBlock(keys[0]!))?.layout).toEqual({ kind: 'rs', k: 4, m: 2 });

    const [leaving, staying] = [nodes.slice(0, 3), nodes.slice(3)];
    for (const n of leaving) pool.setState(n.id, 'draining');
    const later = randomData(400_000);
    const { key: laterKey } = await blocks.put('ns', later);
    expect((await metadata.getBlock(laterKey))?.layout).toEqual({ kind: 'rs', k: 2, m: 1 });

    let reencoded = 0;
    for (const n of leaving) {
      const r = await blocks.drainNode(n.id);
      expect([r.remainingBlocks, r.stuck, r.empty]).toEqual([0, [], true]);
      reencoded += r.reencoded;
    }
    expect(reencoded).toBeGreaterThanOrEqual(2);
    for (const rec of metadata.all()) {
      expect(BlockStore.isDegraded(rec), rec.key).toBe(false);
      expect(rec.shards.every((s) => staying.some((n) => n.id === s.nodeId))).toBe(true);
    }
    for (const n of leaving) expect(await listAll(n)).toEqual([]);
    for (const [i, key] of keys.entries()) expect((await blocks.get(key)).equals(data[i]!)).toBe(true);
    expect((await blocks.get(laterKey)).equals(later)).toBe(true);
  });
});
