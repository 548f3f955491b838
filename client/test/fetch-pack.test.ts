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

  it("frees each piece once read when they are the reader's (an HTTP answer's), the blocks intact", async () => {
    // Pieces of their own (as Node's HTTP parser hands them out), cut anywhere.
    const own: Buffer[] = [];
    for (let i = 0; i < whole.byteLength; i += 5000) {
      const piece = whole.subarray(i, i + 5000);
      own.push(Buffer.allocUnsafeSlow(piece.byteLength).fill(piece));
    }
    own.forEach((p) => expect(p.byteOffset === 0 && p.buffer.byteLength === p.byteLength).toBe(true));
    const got: { hash: string; bytes: Buffer }[] = [];
    for await (const b of readFetchedPack((async function* () { yield* own; })(), true)) got.push(b);
    expect(got.every((b, i) => b.bytes.equals(blocks[i]!) && b.hash === sha(blocks[i]!))).toBe(true);
    expect(own.every((p) => p.byteLength === 0)).toBe(true);
    // Not the reader's (the default): left alone.
    const kept = [Buffer.from(whole)];
    for await (const _ of readFetchedPack((async function* () { yield* kept; })())) void _;
    expect(kept[0]!.equals(whole)).toBe(true);
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
