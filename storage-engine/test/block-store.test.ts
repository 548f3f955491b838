import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { BlockStore } from '../src/store/block-store.js';
import { recycleBlock } from '../src/store/block-reader.js';
import { QuorumError } from '../src/errors.js';
import { FsNode } from '../src/nodes/fs.js';
import { shardObjectKey } from '../src/shards/shard-key.js';
import { collect, pieces, randomData, sha256, textBytes } from './fixtures/data.js';
import { engineForTest } from './fixtures/engine.js';
import { s3NodesForTest } from './fixtures/s3.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

describe('BlockStore on local-directory nodes', () => {
  const root = useTempDir('coffer-bs-', { each: true });
  let nodes: FsNode[];
  beforeEach(async () => {
    nodes = [0, 1, 2, 3, 4, 5].map((i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));
  });

  const shardPath = (nodeId: string, objectKey: string) => join(root(), `n${nodeId.split('-')[1]}`, objectKey);

  it('round-trips blocks and deduplicates a second put', async () => {
    const { blocks } = engineForTest(nodes);
    const big = randomData(1_500_000);
    const small = textBytes(10_000);
    const a = await blocks.put('ns', big);
    const b = await blocks.put('ns', small);
    expect(a.stored && b.stored).toBe(true);
    expect((await blocks.get(a.key)).equals(big)).toBe(true);
    expect((await blocks.get(b.key)).equals(small)).toBe(true);
    expect(await blocks.has('ns', a.hash)).toBe(true);
    expect(await blocks.has('other', a.hash)).toBe(false);
    expect((await blocks.put('ns', big)).stored).toBe(false);
  });

  it('putMany stores many blocks and asks for their rows in one turn; one that fails leaves the others stored', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    // Which turn of the event loop each row's insert was asked in (a coalescing port makes a turn's one statement).
    const turns: number[] = [];
    let turn = 0;
    let open = false;
    const insert = metadata.insertBlock.bind(metadata);
    metadata.insertBlock = (record) => {
      if (!open) {
        open = true;
        turn++;
        setImmediate(() => (open = false));
      }
      turns.push(turn);
      return insert(record);
    };
    const had = randomData(300_000);
    await blocks.put('ns', had);
    turns.length = 0;
    const chunks = [randomData(1_200_000), randomData(900_000), textBytes(5_000), had, randomData(2_000_000)];
    const results = await blocks.putMany('ns', chunks.map((chunk, i) => (i === 1 ? { chunk, sha256: Buffer.from(sha256(chunk), 'hex') } : { chunk })));
    expect(results.map((r) => r.stored)).toEqual([true, true, true, false, true]);
    expect(turns).toHaveLength(4);
    expect(new Set(turns).size).toBe(1);
    for (const [i, r] of results.entries()) {
      expect(r.hash).toBe(sha256(chunks[i]!));
      expect((await blocks.get(r.key)).equals(chunks[i]!)).toBe(true);
    }
    const good = randomData(600_000);
    await expect(blocks.putMany('ns', [{ chunk: good }, { chunk: new Uint8Array(0) }])).rejects.toThrow(/cannot be empty/);
    expect((await blocks.get(blocks.keyFor('ns', sha256(good)))).equals(good)).toBe(true);
  });

  it('a block given back (recycleBlock) serves the next read, which is still exact', async () => {
    const { blocks } = engineForTest(nodes);
    const one = randomData(1_000_000);
    const two = randomData(900_000);
    const a = await blocks.put('ns', one);
    const b = await blocks.put('ns', two);
    const first = await blocks.get(a.key);
    expect(first.equals(one)).toBe(true);
    expect(recycleBlock(first)).toBe(true);
    const second = await blocks.get(b.key);
    expect(second.buffer).toBe(first.buffer);
    expect(second.equals(two)).toBe(true);
    expect(recycleBlock(Buffer.alloc(10))).toBe(false); // not the engine's read memory
  });

  it('a compressed block is decompressed into read memory too: given back, it serves the next read', async () => {
    const { blocks } = engineForTest(nodes);
    const one = textBytes(1_000_000, 1);
    const two = textBytes(900_000, 2);
    const a = await blocks.put('ns', one);
    const b = await blocks.put('ns', two);
    const first = await blocks.get(a.key);
    expect(first.equals(one)).toBe(true);
    expect(recycleBlock(first)).toBe(true); // fresh memory before: not the engine's
    const second = await blocks.get(b.key);
    expect(second.equals(two)).toBe(true);
    expect(recycleBlock(second)).toBe(true);
  });

  it('proves a read by its GCM tag (raw) or zstd’s checksum (compressed), not the record’s hash; the tag binds the frame to its key', async () => {
    const { blocks } = engineForTest(nodes);
    const text = Buffer.from('all work and no play makes a dull block. '.repeat(20_000));
    const noise = randomData(700_000);
    const packed = await blocks.put('ns', text);
    const raw = await blocks.put('ns', noise);
    const records = await blocks.records([packed.key, raw.key]);
    // A record naming another hash: the frames prove their plaintext themselves (older compressed
    // frames, without zstd's checksum, are hashed: codec-frame.test).
    const wrong = (key: string) => ({ ...records.get(key)!, hash: sha256(randomData(10)) });
    expect((await blocks.get(packed.key, wrong(packed.key))).equals(text)).toBe(true);
    expect((await blocks.get(raw.key, wrong(raw.key))).equals(noise)).toBe(true);
    expect((await blocks.get(packed.key, records.get(packed.key)!, { receiverChecksHash: true })).equals(text)).toBe(true);
    // A frame is never read under another key.
    const other = blocks.keyFor('ns', sha256(randomData(10)));
    await expect(blocks.get(other, records.get(raw.key)!)).rejects.toThrow(/authenticat|tag|decrypt/i);
    await expect(blocks.get(other, records.get(packed.key)!, { receiverChecksHash: true })).rejects.toThrow(/authenticat|tag|decrypt/i);
  });

  it('answers a block as stored: a compressed one as its zstd payload, an incompressible one as plaintext', async () => {
    const { blocks } = engineForTest(nodes);
    const text = textBytes(300_000);
    const noise = randomData(300_000);
    const a = await blocks.put('ns', text);
    const b = await blocks.put('ns', noise);
    const sa = await blocks.getStored(a.key);
    if (!('zstd' in sa)) throw new Error('text was not stored compressed');
    expect(sa.plainSize).toBe(text.byteLength);
    expect(sa.zstd.byteLength).toBeLessThan(text.byteLength / 2);
    expect(zstdDecompressSync(sa.zstd).equals(text)).toBe(true);
    const sb = await blocks.getStored(b.key);
    if (!('plain' in sb)) throw new Error('random bytes came back compressed');
    expect(sb.plain.equals(noise)).toBe(true);
  });

  it('never returns a corrupted shard: reads around it, reports it, and deep repair rewrites it', async () => {
    const { blocks, metadata, degraded } = engineForTest(nodes);
    const data = randomData(2_000_000);
    const put = await blocks.put('ns', data);
    const record = (await metadata.getBlock(put.key))!;
    const victim = record.shards[0]!; // a data shard: it is read first
    const path = shardPath(victim.nodeId, shardObjectKey(record, victim.index));
    const bytes = await readFile(path);
    bytes[bytes.length - 100]! ^= 0x10;
    await writeFile(path, bytes);

    expect((await blocks.get(put.key)).equals(data)).toBe(true);
    expect(degraded.has(put.key)).toBe(true);

    const shallow = await blocks.repair(put.key); // the object exists, so a shallow check passes it
    expect(shallow.rebuilt).toEqual([]);
    const deep = await blocks.repair(put.key, { deep: true });
    expect(deep.damaged).toEqual([victim.index]);
    expect(deep.rebuilt).toEqual([victim.index]);
    expect((await readFile(path)).equals(bytes)).toBe(false);
    expect((await blocks.repair(put.key, { deep: true })).damaged).toEqual([]);
  });

  it('rebuilds shards lost with a wiped node onto that node', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    const keys: string[] = [];
    for (let i = 0; i < 8; i++) keys.push((await blocks.put('ns', randomData(600_000 + i))).key);
    // A replaced, empty disk: the node's directory is there, its objects are not.
    for (const e of await readdir(join(root(), 'n2'))) await rm(join(root(), 'n2', e), { recursive: true, force: true });
    let rebuilt = 0;
    for (const key of keys) {
      const r = await blocks.repair(key);
      expect(r.remaining).toEqual([]);
      rebuilt += r.rebuilt.length;
    }
    expect(rebuilt).toBeGreaterThan(0);
    for (const r of metadata.all()) expect(BlockStore.isDegraded(r)).toBe(false);
    for (const key of keys) await blocks.get(key);
  });

  it('refuses a write that cannot reach quorum, and leaves nothing behind', async () => {
    // A node whose directory is a plain file fails every write, as a broken disk would.
    await writeFile(join(root(), 'broken-a'), 'x');
    await writeFile(join(root(), 'broken-b'), 'x');
    const three = [new FsNode('ok', join(root(), 'ok')), new FsNode('bad-a', join(root(), 'broken-a')), new FsNode('bad-b', join(root(), 'broken-b'))];
    const { blocks, metadata } = engineForTest(three, { erasure: { k: 2, m: 1 } });
    await expect(blocks.put('ns', randomData(500_000))).rejects.toBeInstanceOf(QuorumError);
    expect(metadata.size).toBe(0);
    const left: string[] = [];
    for await (const k of three[0]!.list('')) left.push(k);
    expect(left).toEqual([]);
  });

  it('two writers of the same block race: one record wins, the other\'s shards are removed', async () => {
    const { blocks, metadata } = engineForTest(nodes);
    const data = randomData(700_000);
    const [a, b] = await Promise.all([blocks.put('ns', data), blocks.put('ns', data)]);
    expect([a.stored, b.stored].filter(Boolean)).toHaveLength(1);
    expect(metadata.size).toBe(1);
    let objects = 0;
    for (const n of nodes) for await (const _ of n.list('')) objects++;
    expect(objects).toBe(6);
    expect((await blocks.get(a.key)).equals(data)).toBe(true);
  });

  it('reads any range of a file from only the blocks that cover it', async () => {
    const { files, blocks } = engineForTest(nodes, {}, {});
    const data = Buffer.concat([randomData(3_000_000), textBytes(2_000_000)]);
    const written = await files.write('ns', pieces(data), {});
    expect(written.blocks.length).toBeGreaterThan(1);
    let gets = 0;
    const orig = blocks.get.bind(blocks);
    blocks.get = (key: string) => {
      gets++;
      return orig(key);
    };
    for (const [start, end] of [[0, 1], [1_000_000, 1_000_100], [data.length - 10, data.length], [0, data.length], [5, 5]] as const) {
      gets = 0;
      const got = await collect(files.read(written.blocks, { start, end }));
      expect(got.equals(data.subarray(start, end))).toBe(true);
      const covering = written.blocks.filter((b) => b.offset + b.size > start && b.offset < end).length;
      expect(gets).toBe(covering);
    }
    await expect(collect(files.read(written.blocks, { start: 0, end: data.length + 1 }))).rejects.toThrow(/outside/);
    expect(sha256(await collect(files.read(written.blocks)))).toBe(sha256(data));
  });
});

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('BlockStore on S3 node processes', () => {
  it('hedges around a hung node: a read does not wait for it', async () => {
    const env = await s3NodesForTest(3);
    try {
      const { blocks, metadata } = engineForTest(env.nodes, { hedgeDelayMs: 100 });
      const data = randomData(1_000_000);
      const { key } = await blocks.put('ns', data);
      const record = (await metadata.getBlock(key))!;
      const first = env.nodes.findIndex((n) => n.id === record.shards[0]!.nodeId);
      env.cluster!.pause(first);
      try {
        const t0 = Date.now();
        expect((await blocks.get(key)).equals(data)).toBe(true);
        expect(Date.now() - t0).toBeLessThan(2_000); // well under the node timeout
      } finally {
        env.cluster!.resume(first);
      }
    } finally {
      await env.cleanup();
    }
  }, 60_000);
});
