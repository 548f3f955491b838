/**
 * The engine's promise, end to end on real S3 node processes: 200 MiB of mixed files on six nodes
 * (4+2) survive the loss of two nodes, a node replaced empty is repaired, and the repaired
 * blocks then survive the loss of two *other* nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockStore } from '../src/store/block-store.js';
import type { FileBlock } from '../src/store/file-store.js';
import { collect, pieces, randomData, sha256, textBytes } from './fixtures/data.js';
import { engineForTest, type TestEngine } from './fixtures/engine.js';
import { s3NodesForTest } from './fixtures/s3.js';

const MiB = 1024 * 1024;

interface Stored {
  name: string;
  size: number;
  sha: string;
  blocks: FileBlock[];
}

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('durability on six S3 node processes (4+2)', () => {
  let env: Awaited<ReturnType<typeof s3NodesForTest>>;
  let engine: TestEngine;
  const stored: Stored[] = [];

  beforeAll(async () => {
    env = await s3NodesForTest(6);
    engine = engineForTest(env.nodes, { hedgeDelayMs: 150 }, { concurrency: 6 });
  }, 120_000);

  afterAll(async () => {
    await engine?.blocks.close();
    await env?.cleanup();
  });

  async function writeFile(name: string, data: Buffer): Promise<void> {
    const written = await engine.files.write('ns-a', pieces(data, 256 * 1024));
    expect(written.size).toBe(data.length);
    stored.push({ name, size: data.length, sha: sha256(data), blocks: written.blocks });
  }

  async function readAllBack(): Promise<void> {
    for (const f of stored) {
      const back = await collect(engine.files.read(f.blocks));
      expect(back.length, f.name).toBe(f.size);
      expect(sha256(back), f.name).toBe(f.sha);
    }
  }

  it('stores 200 MiB of mixed files', async () => {
    // Mixed: large random files, text that compresses, and small files stored as replicas.
    const sizes = [40, 30, 25, 20, 15, 10, 8, 5, 3, 2, 1].map((n) => n * MiB);
    let total = 0;
    for (const [i, size] of sizes.entries()) {
      const data = i % 2 === 0 ? randomData(size) : textBytes(size, i + 1);
      await writeFile(`big-${i}`, data);
      total += size;
    }
    for (let i = 0; total < 200 * MiB; i++) {
      const size = 1024 + ((i * 7919) % (96 * 1024));
      await writeFile(`small-${i}`, i % 3 === 0 ? textBytes(size, 100 + i) : randomData(size));
      total += size;
    }
    expect(total).toBeGreaterThanOrEqual(200 * MiB);
    const records = engine.metadata.all();
    expect(records.some((r) => r.layout.kind === 'rs' && r.layout.k === 4 && r.layout.m === 2)).toBe(true);
    expect(records.some((r) => r.layout.kind === 'replica')).toBe(true);
    expect(records.filter((r) => BlockStore.isDegraded(r))).toHaveLength(0);
    await readAllBack();
  }, 600_000);

  it('reads everything back after two nodes are killed, and keeps writing', async () => {
    await env.cluster!.kill(0);
    await env.cluster!.kill(1);
    await readAllBack();
    // Writes go on at quorum while two nodes are down; such blocks are reported degraded.
    await writeFile('during-outage', randomData(12 * MiB));
    await writeFile('during-outage-text', textBytes(6 * MiB, 77));
    const last = stored.at(-1)!;
    expect(last.blocks.some((b) => engine.degraded.has(b.key))).toBe(true);
    await readAllBack();
  }, 600_000);

  it('repairs after one node returns empty and the other returns intact', async () => {
    await env.cluster!.start(0, { wipe: true }); // a replaced disk
    await env.cluster!.start(1); // a node that was only down
    engine.pool.reportSuccess(env.nodes[0]!.id);
    engine.pool.reportSuccess(env.nodes[1]!.id);
    let rebuilt = 0;
    for (const record of engine.metadata.all()) {
      const result = await engine.blocks.repair(record.key);
      expect(result.remaining, record.key).toEqual([]);
      rebuilt += result.rebuilt.length;
    }
    expect(rebuilt).toBeGreaterThan(0);
    const after = engine.metadata.all();
    expect(after.filter((r) => BlockStore.isDegraded(r))).toHaveLength(0);
    // Node 0 came back empty, so repair must have put shards back onto it.
    expect(after.some((r) => r.shards.some((s) => s.nodeId === env.nodes[0]!.id))).toBe(true);
  }, 600_000);

  it('then survives the loss of two other nodes', async () => {
    await env.cluster!.kill(2);
    await env.cluster!.kill(3);
    await readAllBack();
  }, 600_000);
});
