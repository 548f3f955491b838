/**
 * Small blocks packed on the nodes: many concurrent puts share few pack writes (group commit),
 * read back byte-identical through ranged reads, survive a torn pack tail, a lost node (repair)
 * and bitrot (verify), and deleting one only marks its entries dead.
 */
import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlockStore } from '../src/store/block-store.js';
import { FsNode } from '../src/nodes/fs.js';
import type { StorageNode } from '../src/nodes/node.js';
import type { BlockRecord } from '../src/metadata/metadata-port.js';
import { readPackIndex } from '../src/packs/pack-scan.js';
import { packLiveness } from '../src/packs/pack-live.js';
import { scanPack } from '../src/packs/pack-format.js';
import { textBytes } from './fixtures/data.js';
import { engineForTest } from './fixtures/engine.js';
import { s3NodesForTest } from './fixtures/s3.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

/** A real node that counts the objects written to it (how many durable writes the puts cost). */
class CountingNode implements StorageNode {
  puts = 0;
  constructor(readonly inner: StorageNode) {}
  get id(): string {
    return this.inner.id;
  }
  put(key: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    this.puts++;
    return this.inner.put(key, data);
  }
  get(key: string, range?: { start: number; end: number }): Promise<Buffer> {
    return this.inner.get(key, range);
  }
  head(key: string): Promise<{ size: number } | undefined> {
    return this.inner.head(key);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }
}

/** Distinct small files, about the size of a source tree's median file (~700 B). */
const smallFiles = (n: number, seed = 1) => Array.from({ length: n }, (_, i) => textBytes(500 + ((i * 37) % 400), seed * 100_000 + i + 1));

async function putAll(blocks: BlockStore, files: Buffer[]): Promise<string[]> {
  return Promise.all(files.map(async (f) => (await blocks.put('ns', f)).key));
}

describe('packed small blocks on local-directory nodes', () => {
  const root = useTempDir('coffer-packs-', { each: true });
  let nodes: CountingNode[];
  const dirOf = (nodeId: string) => join(root(), nodeId);
  beforeEach(() => {
    nodes = [0, 1, 2].map((i) => new CountingNode(new FsNode(`fs-${i}`, dirOf(`fs-${i}`))));
  });

  it('stores 300 concurrent small puts in a few pack writes, and reads each back byte-identical', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    const files = smallFiles(300);
    const keys = await putAll(blocks, files);
    const writes = nodes.reduce((n, x) => n + x.puts, 0);
    const shards = metadata.all().reduce((n, r) => n + r.shards.length, 0);
    expect(shards).toBe(600); // 2+1 on three nodes: small frames are 2 whole replicas
    expect(writes).toBeLessThan(shards / 10); // unpacked, every shard was a durable write of its own
    for (const r of metadata.all()) for (const s of r.shards) expect(s.pack?.object).toMatch(/^packs\/[0-9a-f]{12}-[0-9a-f]{16}\.pack$/);
    for (const [i, key] of keys.entries()) expect((await blocks.get(key)).equals(files[i]!)).toBe(true);
    // Without packing the same puts cost one object per shard.
    const plainNodes = [0, 1, 2].map((i) => new CountingNode(new FsNode(`fs-${i}`, dirOf(`plain-${i}`))));
    await putAll(engineForTest(plainNodes, { packs: false }).blocks, files);
    expect(plainNodes.reduce((n, x) => n + x.puts, 0)).toBe(600);
  });

  it('ignores a torn pack tail when the index is rebuilt, and still reads every block', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    const files = smallFiles(120, 2);
    const keys = await putAll(blocks, files);
    const node = nodes[0]!;
    const packs = (await readdir(join(dirOf(node.id), 'packs'))).filter((n) => n.endsWith('.pack'));
    const before = await readPackIndex(node);
    expect(before.tornPacks).toEqual([]);
    // A crash mid-append: the largest pack loses the second half of its last entry.
    const sizes = await Promise.all(packs.map(async (p) => ({ p, bytes: await readFile(join(dirOf(node.id), 'packs', p)) })));
    const victim = sizes.sort((a, b) => b.bytes.length - a.bytes.length)[0]!;
    const entries = scanPack(victim.bytes).entries;
    expect(entries.length).toBeGreaterThan(1);
    const last = entries.at(-1)!;
    await truncate(join(dirOf(node.id), 'packs', victim.p), last.offset + Math.floor(last.length / 2));

    const after = await readPackIndex(node);
    expect(after.tornPacks).toEqual([`packs/${victim.p}`]);
    expect(after.shards.length).toBe(before.shards.length - 1);
    // Every entry the rebuilt index keeps is exactly where metadata says, and intact.
    for (const s of after.shards) {
      const loc = (await metadata.getBlock(s.key))!.shards.find((x) => x.index === s.index)!;
      expect(loc.pack).toEqual(s.pack);
      expect(s.intact).toBe(true);
    }
    // The torn entry's block reads from its other copy; verify finds the torn one and repairs it.
    const tornKey = before.shards.find((s) => s.pack.object === `packs/${victim.p}` && s.pack.offset === last.offset)!.key;
    for (const [i, key] of keys.entries()) expect((await blocks.get(key)).equals(files[i]!)).toBe(true);
    const v = await blocks.verify(tornKey, { repair: true });
    expect(v.ok).toBe(false);
    expect(v.damaged.length + v.missing.length).toBe(1);
    expect((await blocks.verify(tornKey)).ok).toBe(true);
  });

  it('verify finds a corrupted packed entry and repairs it', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    const files = smallFiles(40, 3);
    const keys = await putAll(blocks, files);
    const record = (await metadata.getBlock(keys[7]!))!;
    const loc = record.shards[1]!;
    const path = join(dirOf(loc.nodeId), loc.pack!.object);
    const bytes = await readFile(path);
    bytes[loc.pack!.offset + loc.pack!.length - 3]! ^= 0x20; // one bit of the shard's payload
    await writeFile(path, bytes);

    const found = await blocks.verify(record.key, { repair: false });
    expect(found.ok).toBe(false);
    expect(found.damaged).toEqual([1]);
    // Its neighbours in the same pack are untouched.
    for (const key of keys.filter((k) => k !== record.key)) expect((await blocks.verify(key)).ok).toBe(true);
    const fixed = await blocks.verify(record.key, { repair: true });
    expect(fixed.repaired).toEqual([1]);
    expect((await blocks.verify(record.key)).ok).toBe(true);
    expect((await blocks.get(record.key)).equals(files[7]!)).toBe(true);
  });

  it('deleting a packed block marks its entries dead; the pack stays for its live neighbours', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    const files = smallFiles(20, 4);
    const keys = await putAll(blocks, files);
    const loc = (await metadata.getBlock(keys[0]!))!.shards[0]!;
    const node = nodes.find((n) => n.id === loc.nodeId)!;
    const before = await packLiveness(node, loc.pack!.object, metadata);
    await blocks.delete(keys[0]!);
    const after = await packLiveness(node, loc.pack!.object, metadata);
    expect(after).toEqual({ live: before.live - 1, total: before.total });
    for (const [i, key] of keys.slice(1).entries()) expect((await blocks.get(key)).equals(files[i + 1]!)).toBe(true);
  });

  it('compaction deletes dead packs and rewrites sparse ones while reads go on', async () => {
    const { blocks, metadata, degraded } = engineForTest(nodes);
    const files = smallFiles(80, 7);
    const keys = await putAll(blocks, files);
    const packBytes = async () => {
      let total = 0;
      for (const n of nodes) for await (const name of n.list('packs/')) total += (await n.head(name))!.size;
      return total;
    };
    // Young packs are left alone: their entries may still be on their way into metadata.
    expect((await blocks.compactPacks(nodes[0]!.id)).scanned).toBe(0);

    for (const key of keys.slice(20)) await blocks.delete(key);
    const before = await packBytes();
    let stop = false;
    let reads = 0;
    const failures: unknown[] = [];
    const reader = (async () => {
      while (!stop) {
        const i = reads++ % 20;
        try {
          if (!(await blocks.get(keys[i]!)).equals(files[i]!)) failures.push(`block ${i} differs`);
        } catch (err) {
          failures.push(err);
        }
      }
    })();
    const results = [];
    for (const n of nodes) results.push(await blocks.compactPacks(n.id, { minAgeMs: 0 }));
    stop = true;
    await reader;
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(degraded.size).toBe(0);
    expect(results.reduce((n, r) => n + r.deleted, 0)).toBeGreaterThan(0);
    expect(results.reduce((n, r) => n + r.movedEntries, 0)).toBe(40); // 20 blocks × 2 replicas, all in sparse packs
    const after = await packBytes();
    expect(after).toBeLessThan(before / 2);
    expect(before - after).toBe(results.reduce((n, r) => n + r.bytesFreed, 0));
    for (const [i, key] of keys.slice(0, 20).entries()) {
      expect((await blocks.get(key)).equals(files[i]!)).toBe(true);
      expect((await blocks.verify(key)).ok).toBe(true);
    }
    // Nothing live left: every pack goes.
    for (const key of keys.slice(0, 20)) await blocks.delete(key);
    for (const n of nodes) await blocks.compactPacks(n.id, { minAgeMs: 0 });
    expect(await packBytes()).toBe(0);
    expect(metadata.size).toBe(0);
  });

  it('moves packed blocks to the cold tier and back into its packs', async () => {
    const cold = [0, 1].map((i) => new FsNode(`cold-${i}`, dirOf(`cold-${i}`)));
    const { blocks, metadata } = engineForTest(nodes, { cold });
    const files = smallFiles(10, 5);
    const keys = await putAll(blocks, files);
    for (const key of keys) expect((await blocks.moveToTier(key, 'cold')).moved).toBe(true);
    for (const key of keys) {
      const r = (await metadata.getBlock(key)) as BlockRecord;
      expect(r.tier).toBe('cold');
      expect(r.shards.every((s) => s.nodeId.startsWith('cold-') && s.pack !== undefined)).toBe(true);
    }
    for (const [i, key] of keys.entries()) expect((await blocks.get(key)).equals(files[i]!)).toBe(true);
  });
});

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('packed small blocks on six S3 node processes (4+2)', () => {
  let env: Awaited<ReturnType<typeof s3NodesForTest>>;
  let nodes: CountingNode[];
  beforeAll(async () => {
    env = await s3NodesForTest(6);
    nodes = env.nodes.map((n) => new CountingNode(n));
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  it('group-commits concurrent puts into few PUTs, reads by Range GET, and survives a lost node after repair', async () => {
    const { blocks, metadata } = engineForTest(nodes, { hedgeDelayMs: 150 });
    const files = smallFiles(300, 6);
    const keys = await putAll(blocks, files);
    const writes = nodes.reduce((n, x) => n + x.puts, 0);
    const shards = metadata.all().reduce((n, r) => n + r.shards.length, 0);
    expect(shards).toBe(900); // small frames on 4+2: three whole replicas
    expect(writes).toBeLessThan(shards / 10);
    for (const [i, key] of keys.entries()) expect((await blocks.get(key)).equals(files[i]!)).toBe(true);

    // Node 0 is replaced by an empty one: repair rebuilds its shards; then two others are lost.
    await env.cluster!.kill(0);
    await env.cluster!.start(0, { wipe: true });
    const lost = await metadata.blocksOnNode(nodes[0]!.id);
    expect(lost.length).toBeGreaterThan(0);
    for (const key of lost) expect((await blocks.repair(key)).rebuilt.length).toBeGreaterThan(0);
    for (const key of keys) expect((await blocks.verify(key)).ok).toBe(true);
    await env.cluster!.kill(1);
    await env.cluster!.kill(2);
    for (const [i, key] of keys.entries()) expect((await blocks.get(key)).equals(files[i]!)).toBe(true);
  }, 120_000);
});
