/**
 * Decoding a compressed request body read whole (json-body.ts): zstd or gzip, bounded — the
 * decoder stops at `limit` output bytes (zlib's maxOutputLength), so a few KiB that would inflate
 * to gigabytes cost `limit` at most. Runs on libuv's threads, not the event loop.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { JsonBodyEncoding } from '@coffer/protocol';

const zstdDecompress = promisify(zlib.zstdDecompress);
const gunzip = promisify(zlib.gunzip);

export async function decodeBody(encoding: JsonBodyEncoding, bytes: Uint8Array, limit: number): Promise<Uint8Array | 'too_large' | 'corrupt'> {
  try {
    // maxOutputLength throws once the output would pass it: one byte over the cap is too large.
    const o = { maxOutputLength: limit + 1 };
    const out = encoding === 'zstd' ? await zstdDecompress(bytes, o) : await gunzip(bytes, o);
    return out.byteLength > limit ? 'too_large' : out;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'corrupt';
  }
}
