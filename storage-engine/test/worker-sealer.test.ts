import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockIds } from '../src/keys/block-id.js';
import { IntegrityError } from '../src/errors.js';
import { newDataKey } from '../src/keys/keys.js';
import { FsNode } from '../src/nodes/fs.js';
import { InlineSealer } from '../src/seal/sealer.js';
import { WorkerSealer } from '../src/seal/worker-sealer.js';
import { collect, pieces, randomData, sha256, textBytes } from './fixtures/data.js';
import { engineForTest } from './fixtures/engine.js';
import { withTempDir } from '@coffer/test-support/temp-dir';

const erasure = { k: 4, m: 2, replicaThreshold: 128 * 1024 };

describe('WorkerSealer (hash, compress, encrypt and erasure-code on worker threads)', () => {
  const secret = randomBytes(32);
  let sealer: WorkerSealer;
  beforeAll(() => {
    sealer = new WorkerSealer(secret, 2);
  });
  afterAll(async () => {
    await sealer.close();
  });

  it('produces the same identity and layout as sealing inline, and unseals', async () => {
    const dataKey = newDataKey();
    const inline = new InlineSealer(new BlockIds(secret));
    for (const chunk of [randomData(1_000_000), textBytes(700_000), randomData(5_000)]) {
      const copy = Buffer.from(chunk); // the worker takes the chunk's memory
      const a = await inline.seal({ namespace: 'ns', chunk, dataKey, compress: true, erasure });
      const b = await sealer.seal({ namespace: 'ns', chunk: copy, dataKey, compress: true, erasure });
      expect(b.key).toBe(a.key);
      expect(b.hash.equals(a.hash)).toBe(true);
      expect(b.layout).toEqual(a.layout);
      expect(b.shards).toHaveLength(a.shards.length);
    }
  });

  it('seals views of a larger buffer (the entries of a pack) as their own bytes, leaving the buffer whole', async () => {
    const dataKey = newDataKey();
    const inline = new InlineSealer(new BlockIds(secret));
    const pack = randomData(4_000_000);
    const before = sha256(pack);
    const entries = [pack.subarray(10, 300_010), pack.subarray(1_000_000, 1_004_000), pack.subarray(2_000_000, 3_500_000)];
    const sealed = await Promise.all(entries.map((chunk) => sealer.seal({ namespace: 'ns', chunk, dataKey, compress: true, erasure })));
    for (const [i, chunk] of entries.entries()) {
      const a = await inline.seal({ namespace: 'ns', chunk, dataKey, compress: true, erasure });
      expect(sealed[i]!.key).toBe(a.key);
      expect(sealed[i]!.size).toBe(chunk.byteLength);
      sealed[i]!.release?.();
    }
    // Neither moved to a worker nor written: the caller's buffer is as it was.
    expect(pack.byteLength).toBe(4_000_000);
    expect(sha256(pack)).toBe(before);
  });

  it('takes a SHA-256 the caller verified instead of hashing again, inline and on a worker', async () => {
    const dataKey = newDataKey();
    const inline = new InlineSealer(new BlockIds(secret));
    const chunk = randomData(50_000);
    const given = Buffer.from(sha256(chunk), 'hex');
    const plain = await inline.seal({ namespace: 'ns', chunk, dataKey, compress: true, erasure });
    const a = await inline.seal({ namespace: 'ns', chunk, dataKey, compress: true, erasure, sha256: given });
    const b = await sealer.seal({ namespace: 'ns', chunk: Buffer.from(chunk), dataKey, compress: true, erasure, sha256: given });
    expect(a.key).toBe(plain.key);
    expect(b.key).toBe(plain.key);
    // Used as given, not recomputed: the key follows the hash handed in (the caller vouches for it).
    const other = Buffer.alloc(32, 9);
    const c = await inline.seal({ namespace: 'ns', chunk, dataKey, compress: true, erasure, sha256: other });
    const d = await sealer.seal({ namespace: 'ns', chunk: Buffer.from(chunk), dataKey, compress: true, erasure, sha256: other });
    expect(c.hash.equals(other)).toBe(true);
    expect(d.hash.equals(other)).toBe(true);
    expect(d.key).toBe(c.key);
    expect(c.key).not.toBe(plain.key);
  });

  it('keeps error types across the thread boundary', async () => {
    const dataKey = newDataKey();
    const frame = Buffer.from(
      (await import('../src/codec/codec.js')).encodeFrame(randomData(10_000), dataKey, { aad: Buffer.from('k') }),
    );
    frame[frame.length - 1]! ^= 1;
    await expect(sealer.unseal({ frame, dataKey, key: 'k', hash: '00'.repeat(32) })).rejects.toBeInstanceOf(IntegrityError);
  });

  it('runs the whole engine: files written and read back byte-identical', async () => {
    await withTempDir('coffer-ws-', async (root) => {
      const nodes = [0, 1, 2, 3, 4, 5].map((i) => new FsNode(`fs-${i}`, join(root, `n${i}`)));
      const engine = engineForTest(nodes, { sealer: new WorkerSealer(Buffer.alloc(32, 7), 2), ids: new BlockIds(Buffer.alloc(32, 7)) }, { concurrency: 6 });
      const data = Buffer.concat([randomData(6_000_000), textBytes(3_000_000)]);
      const written = await engine.files.write('ns', pieces(Buffer.from(data)));
      expect(sha256(await collect(engine.files.read(written.blocks)))).toBe(sha256(data));
      await engine.blocks.close();
    });
  });
});
