import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockIds, contentHash } from '../src/keys/block-id.js';
import { decodeFrame, encodeFrame, FRAME_OVERHEAD, readFrameHeader } from '../src/codec/codec.js';
import { carriesChecksum, compress, decompress } from '../src/codec/compression.js';
import { FormatError, IntegrityError, KeyError } from '../src/errors.js';
import { newDataKey } from '../src/keys/keys.js';
import { randomData, textBytes } from './fixtures/data.js';
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Zstd from 'zstd-napi/binding.js';
import { unsealFrame } from '../src/seal/sealer.js';

const MiB = 1024 * 1024;
const key = newDataKey();
const aad = Buffer.from('block-key');

/** Inputs from 0 B to 10 MiB: mostly small, some large; random (incompressible) or text-like. */
const inputs = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 4096 }).map((a) => Buffer.from(a)) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 * MiB }), fc.boolean()).map(([n, text]) => (text ? textBytes(n, n + 1) : randomData(n))) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2 * MiB, max: 10 * MiB }), fc.boolean()).map(([n, text]) => (text ? textBytes(n, n) : randomData(n))) },
);

describe('block frame codec', () => {
  it('zstd-napi (a native addon npm may silently leave unbuilt) loads and round-trips', () => {
    const text = textBytes(200_000);
    const packed = compress(text)!;
    expect(packed.length).toBeLessThan(text.length / 2);
    expect(decompress(packed, text.length).equals(text)).toBe(true);
    expect(() => decompress(packed, text.length + 1)).toThrow(FormatError);
  });

  it('round-trips any input from 0 B to 10 MiB, compressed or not', () => {
    fc.assert(
      fc.property(inputs, fc.boolean(), (plain, tryCompress) => {
        const frame = encodeFrame(plain, key, { compress: tryCompress, aad });
        const header = readFrameHeader(frame);
        expect(header.plainSize).toBe(plain.length);
        if (!tryCompress) expect(header.compressed).toBe(false);
        if (header.compressed) expect(frame.length).toBeLessThan(plain.length * 0.95 + FRAME_OVERHEAD);
        expect(decodeFrame(frame, key, aad).equals(plain)).toBe(true);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('compresses text and stores random data raw (gain under 5% is not worth it)', () => {
    const text = encodeFrame(textBytes(3 * MiB), key);
    expect(readFrameHeader(text).compressed).toBe(true);
    expect(text.length).toBeLessThan(1.5 * MiB);
    const rnd = encodeFrame(randomData(3 * MiB), key);
    expect(readFrameHeader(rnd).compressed).toBe(false);
    expect(rnd.length).toBe(3 * MiB + FRAME_OVERHEAD);
  });

  it('detects a flipped bit anywhere in a frame and never returns data', () => {
    const frames = [
      encodeFrame(textBytes(300_000), key, { aad }),
      encodeFrame(randomData(200_000), key, { aad }),
      encodeFrame(Buffer.from('tiny'), key, { aad }),
      encodeFrame(Buffer.alloc(0), key, { aad }),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.nat(), fc.integer({ min: 0, max: 7 }), (frame, pos, bit) => {
        const bad = Buffer.from(frame);
        bad[pos % bad.length]! ^= 1 << bit;
        let returned: Buffer | undefined;
        try {
          returned = decodeFrame(bad, key, aad);
        } catch (err) {
          expect(err instanceof IntegrityError || err instanceof FormatError || err instanceof KeyError).toBe(true);
        }
        expect(returned).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses truncated frames, the wrong AAD, and the wrong key', () => {
    const frame = encodeFrame(textBytes(10_000), key, { aad });
    for (const n of [0, 3, 20, FRAME_OVERHEAD - 1]) expect(() => decodeFrame(frame.subarray(0, n), key, aad)).toThrow(FormatError);
    expect(() => decodeFrame(frame.subarray(0, frame.length - 1), key, aad)).toThrow(IntegrityError);
    expect(() => decodeFrame(frame, key, Buffer.from('another-block'))).toThrow(IntegrityError);
    expect(() => decodeFrame(frame, key)).toThrow(IntegrityError);
    expect(() => decodeFrame(frame, newDataKey(), aad)).toThrow(KeyError);
    expect(() => decodeFrame(frame, { id: key.id, key: randomBytes(32) }, aad)).toThrow(IntegrityError);
  });

  it('encrypts: the same plaintext gives different frames, none containing the plaintext', () => {
    const plain = textBytes(50_000);
    const a = encodeFrame(plain, key, { compress: false });
    const b = encodeFrame(plain, key, { compress: false });
    expect(a.equals(b)).toBe(false);
    expect(a.includes(plain.subarray(1000, 1064))).toBe(false);
  });
});

describe('block ids', () => {
  const ids = new BlockIds(Buffer.alloc(32, 1));
  const hash = contentHash(Buffer.from('hello'));

  it('contentHash is SHA-256', () => {
    expect(hash.toString('hex')).toBe(createHash('sha256').update('hello').digest('hex'));
  });

  it('stored keys are stable, 64 hex chars, and differ by namespace and secret', () => {
    const k = ids.storedKey('alice', hash);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(ids.storedKey('alice', hash)).toBe(k);
    expect(ids.storedKey('bob', hash)).not.toBe(k);
    expect(new BlockIds(Buffer.alloc(32, 2)).storedKey('alice', hash)).not.toBe(k);
    expect(k).not.toContain(hash.toString('hex').slice(0, 12));
  });

  it('stored keys are HMAC-SHA256(secret, length ‖ namespace ‖ hash), whatever namespaces came before (existing blocks keep their names)', () => {
    const want = (ns: string) => {
      const n = Buffer.from(ns, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(n.byteLength);
      return createHmac('sha256', Buffer.alloc(32, 1)).update(len).update(n).update(hash).digest('hex');
    };
    for (const ns of ['alice', 'bob', 'ålice', 'alice']) expect(ids.storedKey(ns, hash)).toBe(want(ns));
  });

  it('refuses a short secret', () => {
    expect(() => new BlockIds(Buffer.alloc(16))).toThrow(KeyError);
  });
});

describe('unsealFrame: what proves a plaintext is the block', () => {
  const zstd = createRequire(import.meta.url)('zstd-napi/binding') as typeof Zstd;
  const text = textBytes(300_000, 3);
  const stored = new BlockIds(randomBytes(32)).storedKey('ns', contentHash(text));
  const right = contentHash(text).toString('hex');
  const wrong = contentHash(randomData(10)).toString('hex');

  /** zstd as frames were compressed before they carried a checksum (libzstd's default). */
  function zstdWithoutChecksum(plain: Buffer): Buffer {
    const cctx = new zstd.CCtx();
    cctx.setParameter(zstd.CParameter.compressionLevel, 3);
    const room = Buffer.alloc(zstd.compressBound(plain.length));
    return room.subarray(0, cctx.compress2(room, plain));
  }
  /** A compressed frame around `payload`, sealed as prepareFrame seals (codec.ts's layout). */
  function frameAround(payload: Buffer, plainSize: number): Buffer {
    const header = Buffer.alloc(40);
    header.write('CFB1', 'latin1');
    header[4] = 1;
    header[5] = 1; // zstd
    header.writeUInt32BE(plainSize, 8);
    key.id.copy(header, 12);
    const nonce = randomBytes(12);
    nonce.copy(header, 28);
    const c = createCipheriv('aes-256-gcm', key.key, nonce);
    c.setAAD(header);
    c.setAAD(Buffer.from(stored, 'latin1'));
    return Buffer.concat([header, c.update(payload), c.final(), c.getAuthTag()]);
  }
  const unseal = (frame: Buffer, hash?: string) => unsealFrame({ frame: Buffer.from(frame), dataKey: key, key: stored, ...(hash ? { hash } : {}) });

  it('trusts a raw payload to its GCM tag and a compressed one to zstd’s checksum; hashes only older compressed frames', () => {
    const fresh = encodeFrame(text, key, { aad: Buffer.from(stored, 'latin1') });
    expect(readFrameHeader(fresh).compressed).toBe(true);
    expect(carriesChecksum(compress(text)!)).toBe(true);
    // A record naming another hash is not consulted where the frame proves itself.
    expect(unseal(fresh, wrong).equals(text)).toBe(true);
    const noise = randomData(200_000);
    expect(unseal(encodeFrame(noise, key, { aad: Buffer.from(stored, 'latin1') }), wrong).equals(noise)).toBe(true);
    // Written before the checksum: the plaintext's SHA-256 is the proof.
    const legacy = zstdWithoutChecksum(text);
    expect(carriesChecksum(legacy)).toBe(false);
    expect(unseal(frameAround(legacy, text.length), right).equals(text)).toBe(true);
    expect(() => unseal(frameAround(legacy, text.length), wrong)).toThrow(/does not match its SHA-256/);
  });

  it('refuses zstd output whose checksum does not match, though the tag holds', () => {
    const packed = Buffer.from(compress(text)!);
    packed[packed.length - 1]! ^= 0x01; // the content checksum is the frame's last 4 bytes
    expect(() => unseal(frameAround(packed, text.length))).toThrow(FormatError);
    expect(() => unseal(frameAround(packed, text.length), right)).toThrow(FormatError);
  });
});
