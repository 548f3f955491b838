/**
 * Tiering on six hot and two cold S3 node processes: with the clock advanced, blocks not read
 * for 30 days move to the cold nodes, reads return identical bytes (also while blocks move),
 * and hot usage drops by exactly the moved bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTracker } from '../src/store/access-tracker.js';
import type { FileBlock } from '../src/store/file-store.js';
import { MemoryBlockMetadata } from '../src/metadata/metadata-memory.js';
import { collect, pieces, randomData, sha256, textBytes } from './fixtures/data.js';
import { engineForTest, type TestEngine } from './fixtures/engine.js';
import { s3NodesForTest, type S3TestNodes } from './fixtures/s3.js';
import { listAll, usedBytes } from './fixtures/usage.js';

const DAY = 24 * 60 * 60 * 1000;

interface Stored {
  sha: string;
  blocks: FileBlock[];
}

describe('last access is batched', () => {
  it('many reads make one metadata write, which never moves a time back', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const metadata = new MemoryBlockMetadata(() => now);
    let calls = 0;
    const touch = metadata.touchBlocks.bind(metadata);
    metadata.touchBlocks = (keys, at) => (calls++, touch(keys, at));
    const rec = (key: string) => ({ key, namespace: 'ns', hash: key, size: 1, frameSize: 1, generation: 'g', layout: { kind: 'replica' as const, copies: 1 }, tier: 'hot' as const, shards: [] });
    await metadata.insertBlock(rec('a'));
    await metadata.insertBlock(rec('b'));
    const tracker = new AccessTracker(metadata, { now: () => now, flushMs: 60_000 });
    now += 5 * DAY;
    for (let i = 0; i < 100; i++) tracker.touch(i % 2 ? 'a' : 'b');
    expect(calls).toBe(0); // nothing written per read
    await tracker.flush();
    expect(calls).toBe(1);
    expect(metadata.lastRead('a')).toBe(now);
    await metadata.touchBlocks(['a'], new Date(now - DAY));
    expect(metadata.lastRead('a')).toBe(now);
    expect(await metadata.blocksNotReadSince(new Date(now))).toEqual([]);
    expect(await metadata.blocksNotReadSince(new Date(now + 1), { limit: 1 })).toHaveLength(1);
  });
});

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('tiering on six hot and two cold S3 node processes', () => {
  let env: S3TestNodes;
  let engine: TestEngine;
  let now = Date.parse('2026-01-01T00:00:00Z');

  beforeAll(async () => {
    env = await s3NodesForTest(8);
    engine = engineForTest(env.nodes.slice(0, 6), { cold: env.nodes.slice(6), now: () => now, hedgeDelayMs: 150, packs: false }); // compares bytes on nodes with bytes moved: packed shards free nothing until compaction
  }, 60_000);
  afterAll(async () => {
    await engine?.blocks.close();
    await env?.cleanup();
  });

  const hot = () => env.nodes.slice(0, 6);
  const cold = () => env.nodes.slice(6);
  const usage = async (nodes: typeof env.nodes) => (await Promise.all(nodes.map((n) => usedBytes(n)))).reduce((a, b) => a + b, 0);
  const upload = async (data: Buffer): Promise<Stored> => ({ sha: sha256(data), blocks: (await engine.files.write('ns', pieces(data))).blocks });
  const readBack = async (f: Stored) => expect(sha256(await collect(engine.files.read(f.blocks)))).toBe(f.sha);

  it('moves blocks not read for 30 days to the cold nodes; reads stay transparent', async () => {
    const old = [await upload(randomData(2_500_000)), await upload(textBytes(900_000, 3)), await upload(randomData(50_000))];
    const warm = await upload(randomData(700_000));
    now += 20 * DAY;
    const recent = await upload(randomData(600_000));
    await readBack(warm); // read on day 20: stays hot
    await engine.blocks.flushAccess();
    now += 15 * DAY; // day 35: "not read for 30 days" means before day 5

    const oldKeys = new Set(old.flatMap((f) => f.blocks.map((b) => b.key)));
    const keepKeys = [...warm.blocks, ...recent.blocks].map((b) => b.key);
    const due = await engine.metadata.blocksNotReadSince(new Date(now - 30 * DAY), { tier: 'hot' });
    expect(new Set(due)).toEqual(oldKeys);

    // What the moved blocks occupy on the hot nodes, measured on the nodes themselves.
    let movedHotBytes = 0;
    for (const key of oldKeys) {
      const r = (await engine.metadata.getBlock(key))!;
      for (const n of hot()) for (const k of await listAll(n, `${key.slice(0, 2)}/${key}.`)) movedHotBytes += (await n.head(k))!.size;
      expect(r.tier).toBe('hot');
    }
    const hotBefore = await usage(hot());
    expect(await usage(cold())).toBe(0);

    // Reads of the old files go on while they move.
    let moving = true;
    let reads = 0;
    const reader = (async () => {
      while (moving) for (const f of old) await readBack(f).then(() => reads++);
    })();
    const progress = await engine.blocks.moveColdBlocks(new Date(now - 30 * DAY));
    moving = false;
    await reader;
    expect(reads).toBeGreaterThan(0);

    expect(progress.failed).toEqual([]);
    expect(progress.moved).toBe(oldKeys.size);
    expect(progress.bytesFreed).toBe(movedHotBytes);
    expect(hotBefore - (await usage(hot()))).toBe(movedHotBytes);
    expect(await usage(cold())).toBe(progress.bytesWritten);
    const coldIds = new Set(cold().map((n) => n.id));
    for (const key of oldKeys) {
      const r = (await engine.metadata.getBlock(key))!;
      expect(r.tier).toBe('cold');
      // Two cold nodes: whole copies on each, so either may be lost.
      expect(r.layout).toEqual({ kind: 'replica', copies: 2 });
      expect(new Set(r.shards.map((s) => s.nodeId))).toEqual(coldIds);
    }
    for (const key of keepKeys) expect((await engine.metadata.getBlock(key))!.tier).toBe('hot');
    for (const f of [...old, warm, recent]) await readBack(f);

    // Losing a cold node loses nothing; a second run has nothing left to move.
    await env.cluster!.kill(7);
    for (const f of old) await readBack(f);
    expect((await engine.blocks.moveColdBlocks(new Date(now - 30 * DAY))).moved).toBe(0);

    // Promotion back to hot is the same move the other way.
    const back = await engine.blocks.moveToTier(old[0]!.blocks[0]!.key, 'hot');
    expect(back).toMatchObject({ moved: true, from: 'cold', to: 'hot' });
    await readBack(old[0]!);
  }, 90_000);
});
