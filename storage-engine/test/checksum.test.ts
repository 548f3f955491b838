import fc from 'fast-check';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, nativeCrc32 } from '../src/codec/checksum.js';

describe('shard checksum', () => {
  it('uses the SIMD binding on linux-x64 (a prebuilt optional package npm may leave out)', () => {
    if (process.platform === 'linux' && process.arch === 'x64') expect(nativeCrc32).toBe(true);
  });

  it('equals zlib CRC-32 on any bytes and any view into them, so the shard format does not depend on the binding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const from = bytes.length ? a % bytes.length : 0;
        const view = buf.subarray(from, from + (b % (bytes.length - from + 1)));
        expect(crc32(buf)).toBe(zlibCrc32(buf));
        expect(crc32(view)).toBe(zlibCrc32(view));
      }),
      { numRuns: 300 },
    );
  });
});
