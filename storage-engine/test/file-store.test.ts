import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { contentHashWebCrypto } from '@coffer/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FileBlock } from '../src/store/file-store.js';
import { FsNode } from '../src/nodes/fs.js';
import { fills } from './fixtures/chunk-input.js';
import { pieces, randomData, textBytes } from './fixtures/data.js';
import { engineForTest, type TestEngine } from './fixtures/engine.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

describe('FileStore writes in pieces (resumable uploads)', () => {
  const dir = useTempDir('coffer-fs-');
  let engine: TestEngine;
  beforeAll(async () => {
    engine = engineForTest([0, 1, 2].map((i) => new FsNode(`n${i}`, join(dir(), `n${i}`))));
  });
  afterAll(async () => {
    await engine.blocks.close();
  });

  it('gives the same blocks whether the file comes at once or in pieces carried over with holdLast', async () => {
    const data = Buffer.concat([randomData(5 << 20), textBytes(4 << 20, 7), randomData(3 << 20)]);
    const whole = await engine.files.write('ns', pieces(data));
    // Pieces of awkward sizes, each continuing from the previous piece's unstored rest.
    const cuts = [0, 300_000, 333_333, 4_000_001, 9_500_000, data.length];
    const blocks: FileBlock[] = [];
    let rest: Uint8Array = new Uint8Array(0);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const last = i + 2 === cuts.length;
      const piece = Buffer.concat([rest, data.subarray(cuts[i], cuts[i + 1])]);
      const w = await engine.files.write('ns', pieces(piece, 65_536), { holdLast: !last });
      blocks.push(...w.blocks);
      rest = w.rest ?? new Uint8Array(0);
      if (!last) expect(w.size + rest.byteLength).toBe(piece.length);
    }
    expect(blocks.map((b) => [b.hash, b.size])).toEqual(whole.blocks.map((b) => [b.hash, b.size]));
  });

  it('names the file by the protocol’s content hash: SHA-256 over the raw block hashes in order', async () => {
    const w = await engine.files.write('ns', pieces(randomData(6 << 20)));
    expect(w.blocks.length).toBeGreaterThan(1);
    const raw = Buffer.concat(w.blocks.map((b) => Buffer.from(b.hash, 'hex')));
    expect(w.contentHash).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(w.contentHash).toBe(await contentHashWebCrypto(w.blocks));
  });

  it('chunks a fill source (a file read into block memory) into the same blocks as the stream of its bytes', async () => {
    const data = Buffer.concat([randomData(3 << 20), textBytes(2 << 20, 9)]);
    const viaStream = await engine.files.write('ns', pieces(data));
    const viaFill = await engine.files.write('ns', fills(data, [100_000]));
    expect(viaFill.blocks.map((b) => [b.hash, b.size])).toEqual(viaStream.blocks.map((b) => [b.hash, b.size]));
    expect(viaFill.contentHash).toBe(viaStream.contentHash);
    const back: Buffer[] = [];
    for await (const p of engine.files.read(viaFill.blocks)) back.push(p);
    expect(Buffer.concat(back).equals(data)).toBe(true);
  });

  it('reports a durable prefix at checkpoints and when the source fails midway', async () => {
    const data = randomData(12 << 20);
    const seen: number[] = [];
    async function* failing() {
      yield* pieces(data.subarray(0, 9 << 20), 1 << 20);
      throw new Error('client went away');
    }
    await expect(
      engine.files.write('ns', failing(), {
        checkpointBytes: 2 << 20,
        onCheckpoint: async (prefix, bytes) => {
          expect(prefix.every((b) => b.key !== '')).toBe(true);
          expect(prefix.reduce((n, b) => n + b.size, 0)).toBe(bytes);
          seen.push(bytes);
        },
      }),
    ).rejects.toThrow(/went away/);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)!).toBeLessThanOrEqual(9 << 20);
    expect(seen.at(-1)!).toBeGreaterThan(4 << 20);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe('FileStore reads', () => {
  const dir = useTempDir('coffer-fs-read-');

  it('looks the records of a many-block file up a window at a time, not a block at a time', async () => {
    const engine = engineForTest(
      [0, 1, 2].map((i) => new FsNode(`n${i}`, join(dir(), `n${i}`))),
      {},
      { chunker: { minSize: 4096, avgSize: 16_384, maxSize: 65_536 } },
    );
    try {
      const data = randomData(3 << 20);
      const w = await engine.files.write('ns', pieces(data));
      expect(w.blocks.length).toBeGreaterThan(128);
      const one = vi.spyOn(engine.metadata, 'getBlock');
      const many = vi.spyOn(engine.metadata, 'getBlocks');
      const back: Buffer[] = [];
      for await (const p of engine.files.read(w.blocks)) back.push(Buffer.from(p));
      expect(Buffer.concat(back).equals(data)).toBe(true);
      expect(one).not.toHaveBeenCalled();
      expect(many).toHaveBeenCalledTimes(Math.ceil(w.blocks.length / 64));
      // A range: only its blocks' records.
      many.mockClear();
      const range = { start: 1_000_000, end: 1_200_000 };
      const part: Buffer[] = [];
      for await (const p of engine.files.read(w.blocks, range)) part.push(Buffer.from(p));
      expect(Buffer.concat(part).equals(data.subarray(range.start, range.end))).toBe(true);
      const asked = many.mock.calls.flatMap(([keys]) => keys);
      expect(asked.length).toBeLessThan(w.blocks.length / 4);
      // A block whose record is gone fails the read where it comes, as a lookup of its own would.
      await engine.metadata.deleteBlock(w.blocks[100]!.key);
      const gone = (async () => {
        let n = 0;
        for await (const _ of engine.files.read(w.blocks)) n++;
        return n;
      })();
      await expect(gone).rejects.toThrow(/not found|no such|metadata/i);
    } finally {
      await engine.blocks.close();
    }
  });
});
