import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StorageNode } from '../src/nodes/node.js';
import { FsNode } from '../src/nodes/fs.js';
import { collect, pieces, randomData, sha256, textBytes } from './fixtures/data.js';
import { engineForTest } from './fixtures/engine.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

async function objectNames(nodes: StorageNode[]): Promise<string[]> {
  const names: string[] = [];
  for (const n of nodes) for await (const k of n.list('')) names.push(`${n.id}:${k}`);
  return names;
}

describe('dedup is per namespace', () => {
  const root = useTempDir('coffer-dedup-', { each: true });
  let nodes: FsNode[];
  const data = Buffer.concat([randomData(30 * 1024 * 1024), textBytes(20 * 1024 * 1024, 5)]); // 50 MiB

  beforeEach(async () => {
    nodes = [0, 1, 2, 3, 4, 5].map((i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));
  });

  it('stores the same 50 MiB once within one namespace', async () => {
    const engine = engineForTest(nodes);
    const first = await engine.files.write('alice', pieces(data, 1 << 20));
    const objectsAfterFirst = (await objectNames(nodes)).length;
    const blocksAfterFirst = engine.metadata.size;
    expect(first.newBytes).toBe(data.length);

    const second = await engine.files.write('alice', pieces(data, 100_000)); // other read sizes, same cuts
    expect(second.newBytes).toBe(0);
    expect(second.blocks.map((b) => b.key)).toEqual(first.blocks.map((b) => b.key));
    expect((await objectNames(nodes)).length).toBe(objectsAfterFirst);
    expect(engine.metadata.size).toBe(blocksAfterFirst);
    expect(sha256(await collect(engine.files.read(second.blocks)))).toBe(sha256(data));
  }, 120_000);

  it('stores it twice, under unrelated names, in two namespaces', async () => {
    // Counts and names shard objects: the unpacked layout (a pack mixes both namespaces' tails).
    const engine = engineForTest(nodes, { packs: false });
    const a = await engine.files.write('alice', pieces(data, 1 << 20));
    const namesA = new Set(await objectNames(nodes));
    const b = await engine.files.write('bob', pieces(data, 1 << 20));
    expect(b.newBytes).toBe(data.length);
    const namesAll = await objectNames(nodes);
    expect(namesAll.length).toBe(namesA.size * 2);

    // Same content hashes, different stored keys, and no key or object name shared or derived.
    expect(b.blocks.map((x) => x.hash)).toEqual(a.blocks.map((x) => x.hash));
    const keysA = new Set(a.blocks.map((x) => x.key));
    for (const blk of b.blocks) {
      expect(keysA.has(blk.key)).toBe(false);
      expect(blk.key).not.toContain(blk.hash.slice(0, 16));
    }
    const strip = (n: string) => n.split(':')[1]!.split('/')[1]!.split('.')[0]!;
    const stemsA = new Set([...namesA].map(strip));
    for (const n of namesAll.filter((x) => !namesA.has(x))) expect(stemsA.has(strip(n))).toBe(false);
    expect(sha256(await collect(engine.files.read(b.blocks)))).toBe(sha256(data));
  }, 120_000);
});
