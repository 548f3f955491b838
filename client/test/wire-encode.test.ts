/**
 * Deltas against a base longer than zstd's default reach into a dictionary (wire-encode.ts,
 * LARGE_DICTIONARY_SEARCH): a 1-byte edit of a block of up to 4 MiB comes out at a few hundred
 * bytes, and the server decodes it back (server/src/blocks/decode.ts bounds the window).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededBytes } from '@coffer/server/testing/data';
import { decodeBlock } from '@coffer/server/testing/block-codec';
import { encodeBlock } from '../src/transfer/wire-encode.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('deltas of large blocks', () => {
  it.each([1.5, 2.6, 3.9])('sends a 1-byte edit of a %s MiB block as a small delta that decodes back', async (mib) => {
    const old = seededBytes(`wire-encode-${mib}`, Math.floor(mib * 1024 * 1024));
    const edited = Buffer.from(old);
    edited[Math.floor(old.length * 0.3)]! ^= 0x01;
    const enc = await encodeBlock(edited, { hashes: [sha256(old)], bytes: old });
    expect(enc?.encoding).toBe('zstd-delta');
    expect(enc!.body.byteLength).toBeLessThan(4096);
    const back = await decodeBlock(enc!.body, { encoding: 'zstd-delta', size: edited.length, base: [sha256(old)] }, old);
    expect(sha256(back)).toBe(sha256(edited));
  });
});
