/**
 * A fetched pack is read as it streams, in pieces cut anywhere: every block checked against its
 * SHA-256, and an answer without PACK_END (cut short at an entry boundary or inside one) refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PACK_END, PACK_MAGIC } from '@coffer/protocol';
import { DamagedPackError, readFetchedPack } from '../src/transfer/fetch-pack.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function entry(bytes: Buffer, hash = sha(bytes)): Buffer {
  const h = Buffer.alloc(36);
  h.write(hash, 0, 'hex');
  h.writeUInt32BE(bytes.byteLength, 32);
  return Buffer.concat([h, bytes]);
}

async function* pieces(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.byteLength; i += size) yield body.subarray(i, i + size);
}

async function read(body: Buffer, size = 7): Promise<{ hash: string; bytes: Buffer }[]> {
  const out = [];
  for await (const b of readFetchedPack(pieces(body, size))) out.push(b);
  return out;
}

describe('fetched packs', () => {
  const blocks = [randomBytes(1), randomBytes(700), randomBytes(70_000)];
  const whole = Buffer.concat([Buffer.from(PACK_MAGIC), ...blocks.map((b) => entry(b)), Buffer.from(PACK_END)]);

  it('reads every block, whatever the pieces', async () => {
    for (const size of [1, 5, 36, 4096, whole.byteLength]) {
      const got = await read(whole, size);
      expect(got.map((b) => b.hash)).toEqual(blocks.map(sha));
      expect(got.every((b, i) => b.bytes.equals(blocks[i]!))).toBe(true);
    }
    expect(await read(Buffer.concat([Buffer.from(PACK_MAGIC), Buffer.from(PACK_END)]))).toEqual([]);
  });

  it('refuses a cut answer, a damaged block, a bad start and bytes after the end', async () => {
    const cuts = [whole.byteLength - 36, whole.byteLength - 1, 4 + 37 + 10, 2, 0];
    for (const cut of cuts) await expect(read(whole.subarray(0, cut)), `cut at ${cut}`).rejects.toThrow(DamagedPackError);
    const damaged = Buffer.concat([Buffer.from(PACK_MAGIC), entry(blocks[1]!, sha(blocks[0]!)), Buffer.from(PACK_END)]);
    await expect(read(damaged)).rejects.toThrow(/arrived damaged/);
    await expect(read(Buffer.concat([Buffer.from('CFP2'), Buffer.from(PACK_END)]))).rejects.toThrow(/CFP1/);
    await expect(read(Buffer.concat([whole, Buffer.from([1])]))).rejects.toThrow(/after the end/);
  });
});
