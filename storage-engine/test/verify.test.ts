/** Scrub's primitive: BlockStore.verify finds bad shards by reading every one, and repairs them. */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BlockStore } from '../src/store/block-store.js';
import type { BlockRecord } from '../src/metadata/metadata-port.js';
import { FsNode } from '../src/nodes/fs.js';
import { shardObjectKey } from '../src/shards/shard-key.js';
import { randomData, textBytes } from './fixtures/data.js';
import { engineForTest } from './fixtures/engine.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

describe('BlockStore.verify on local-directory nodes', () => {
  const root = useTempDir('coffer-verify-', { each: true });
  let nodes: FsNode[];
  beforeEach(async () => {
    nodes = [0, 1, 2, 3, 4, 5].map((i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));
  });

  const pathOf = (record: BlockRecord, index: number) => {
    const loc = record.shards.find((s) => s.index === index)!;
    return join(root(), `n${loc.nodeId.split('-')[1]}`, shardObjectKey(record, index));
  };

  it('passes an intact block without writing anything', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    const { key } = await blocks.put('ns', randomData(900_000));
    const before = await metadata.getBlock(key);
    const r = await blocks.verify(key, { repair: true });
    expect(r).toEqual({ ok: true, damaged: [], missing: [], unavailable: [], repaired: [], remaining: [] });
    expect(await metadata.getBlock(key)).toEqual(before);
  });

  it('finds a shard with a flipped byte on disk, reports it, and repairs it only when asked', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    const data = randomData(1_200_000);
    const { key } = await blocks.put('ns', data);
    const record = (await metadata.getBlock(key))!;
    const victim = 4; // a parity shard: a normal read never touches it, only scrub finds it
    const path = pathOf(record, victim);
    const bytes = await readFile(path);
    bytes[bytes.length - 7]! ^= 0x01;
    await writeFile(path, bytes);

    const found = await blocks.verify(key, { repair: false });
    expect(found.ok).toBe(false);
    expect(found.damaged).toEqual([victim]);
    expect(found.missing).toEqual([]);
    expect(found.repaired).toEqual([]);
    expect((await readFile(path)).equals(bytes)).toBe(true); // untouched without repair

    const fixed = await blocks.verify(key, { repair: true });
    expect(fixed.damaged).toEqual([victim]);
    expect(fixed.repaired).toEqual([victim]);
    expect(fixed.remaining).toEqual([]);
    const after = (await metadata.getBlock(key))!;
    expect((await readFile(pathOf(after, victim))).equals(bytes)).toBe(false);
    expect((await blocks.verify(key, { repair: false })).ok).toBe(true);
    expect(BlockStore.isDegraded(after)).toBe(false);
    expect((await blocks.get(key)).equals(data)).toBe(true);
  });

  it('tells a missing shard from a damaged one, for replicas too', async () => {
    const { blocks, metadata } = engineForTest(nodes, { packs: false }); // shard objects of their own (packs.test.ts has the packed case)
    const small = textBytes(20_000); // stored as whole replicas
    const { key } = await blocks.put('ns', small);
    const record = (await metadata.getBlock(key))!;
    expect(record.layout.kind).toBe('replica');
    await unlink(pathOf(record, 1));
    const corrupt = await readFile(pathOf(record, 2));
    corrupt[3]! ^= 0xff; // the header magic: a format error, still "damaged"
    await writeFile(pathOf(record, 2), corrupt);

    const r = await blocks.verify(key, { repair: true });
    expect(r.missing).toEqual([1]);
    expect(r.damaged).toEqual([2]);
    expect(r.repaired.sort()).toEqual([1, 2]);
    expect((await blocks.verify(key)).ok).toBe(true);
    expect((await blocks.get(key)).equals(small)).toBe(true);
  });
});
