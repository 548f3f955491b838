/** A node added to a tier takes its rendezvous share of shards; reads stay byte-identical. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockStore } from '../src/store/block-store.js';
import { shardCount } from '../src/erasure/layout.js';
import { FsNode } from '../src/nodes/fs.js';
import { rankNodes } from '../src/nodes/placement.js';
import { randomData, sha256 } from './fixtures/data.js';
import { engineForTest } from './fixtures/engine.js';
import { listAll } from './fixtures/usage.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

describe('rebalance onto a new node (local-directory nodes)', () => {
  const root = useTempDir('coffer-rebal-', { each: true });

  it('moves one shard of each block whose placement now ranks the new node, and nothing else', async () => {
    const nodes = [0, 1, 2, 3, 4, 5].map((i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));
    const { blocks, metadata, pool } = engineForTest(nodes, { packs: false }); // counts shard objects: the unpacked layout
    const written = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const data = randomData(i % 5 === 0 ? 40_000 : 300_000 + i); // some replicas, mostly 4+2
      written.set((await blocks.put('ns', data)).key, sha256(data));
    }
    const before = new Map(metadata.all().map((r) => [r.key, r]));

    const fresh = new FsNode('fs-new', join(root(), 'new'));
    pool.add({ node: fresh, tier: 'hot' });
    // Rendezvous: the new node belongs to a block's placement iff it ranks within its shard count.
    const expected = [...before.values()].filter((r) =>
      rankNodes(pool.writable('hot'), r.key).slice(0, shardCount(r.layout)).some((n) => n.id === fresh.id),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(before.size);

    const reads: Promise<void>[] = [];
    const progress = await blocks.rebalance(fresh.id, {
      pageSize: 7, // several pages, so the cursor is exercised
      onProgress: () => {
        // Reads go on while shards move; each must return the same bytes.
        for (const [key, sha] of written) reads.push(blocks.get(key).then((b) => expect(sha256(b)).toBe(sha)));
      },
    });
    await Promise.all(reads);
    expect(reads.length).toBeGreaterThan(0);
    expect(progress.scanned).toBe(before.size);
    expect(progress.movedShards).toBe(expected.length);

    const onNew = await listAll(fresh);
    expect(onNew).toHaveLength(expected.length);
    for (const r of metadata.all()) {
      const old = before.get(r.key)!;
      const wasExpected = expected.some((e) => e.key === r.key);
      expect(r.shards.some((s) => s.nodeId === fresh.id), r.key).toBe(wasExpected);
      // Exactly one shard changed node for a moved block, none otherwise; checksums unchanged.
      const changed = r.shards.filter((s, i) => s.nodeId !== old.shards[i]!.nodeId);
      expect(changed).toHaveLength(wasExpected ? 1 : 0);
      expect(r.shards.map((s) => s.checksum)).toEqual(old.shards.map((s) => s.checksum));
      expect(BlockStore.isDegraded(r)).toBe(false);
    }
    // The old copies are gone: every node holds exactly the shards metadata says it does.
    const objects = (await Promise.all([...nodes, fresh].map((n) => listAll(n)))).flat().length;
    expect(objects).toBe(metadata.all().reduce((n, r) => n + r.shards.length, 0));
    for (const [key, sha] of written) expect(sha256(await blocks.get(key))).toBe(sha);

    // Idempotent: a second run finds nothing to move.
    expect((await blocks.rebalance(fresh.id)).movedShards).toBe(0);
  });
});
