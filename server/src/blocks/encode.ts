/**
 * A block encoded for a download (issue 21, GET /blocks/{sha256}/encoded): a zstd delta against
 * blocks the client says it holds, else zstd alone, else the plaintext when encoding saves less
 * than 5% (decoding would cost more than the bytes saved). Runs on libuv's threads.
 */
import zlib from 'node:zlib';
import { DELTA_DICTIONARY_BYTES, LARGE_DICTIONARY_SEARCH, usableDeltaBase, type BlockEncoding } from '@coffer/protocol';
import { zstdCompress } from '../zstd.js';

/** The client's levels (client/src/transfer/wire-encode.ts): 3 alone, 7 against a dictionary (level 3 barely uses a 1 MiB one). */
const LEVEL = 3;
const DELTA_LEVEL = 7;
const MIN_GAIN = 0.05;
/** Large blocks are probed on a sample first (as the client does, wire-encode.ts): incompressible
 *  data (media, archives, .debs) costs ~5% of a full try, and most large blocks are such. */
const PROBE_MIN = 256 * 1024;
const PROBE_SIZE = 32 * 1024;

export interface DownloadEncoding {
  encoding: BlockEncoding | 'identity';
  body: Uint8Array;
}

const compress = (data: Uint8Array, dictionary?: Uint8Array) =>
  zstdCompress(data, {
    params: {
      [zlib.constants.ZSTD_c_compressionLevel]: dictionary ? DELTA_LEVEL : LEVEL,
      [zlib.constants.ZSTD_c_contentSizeFlag]: 1,
      // A base past DELTA_DICTIONARY_BYTES is searched whole (LARGE_DICTIONARY_SEARCH).
      ...(dictionary && dictionary.byteLength > DELTA_DICTIONARY_BYTES
        ? {
            [zlib.constants.ZSTD_c_windowLog]: LARGE_DICTIONARY_SEARCH.windowLog,
            [zlib.constants.ZSTD_c_hashLog]: LARGE_DICTIONARY_SEARCH.hashLog,
            [zlib.constants.ZSTD_c_chainLog]: LARGE_DICTIONARY_SEARCH.chainLog,
          }
        : {}),
    },
    ...(dictionary ? { dictionary } : {}),
  });

/** The smallest worthwhile form of `block`; `dictionary` is the joined plaintexts of the bases the client holds. */
export async function encodeForDownload(block: Uint8Array, dictionary?: Uint8Array): Promise<DownloadEncoding> {
  const worth = (n: number) => n <= block.byteLength * (1 - MIN_GAIN);
  if (block.byteLength < 64) return { encoding: 'identity', body: block };
  if (dictionary && usableDeltaBase(dictionary)) {
    const delta = await compress(block, dictionary);
    if (worth(delta.byteLength)) return { encoding: 'zstd-delta', body: delta };
  }
  if (block.byteLength >= PROBE_MIN) {
    // The middle: headers at the start of a file are often more compressible than its body.
    const mid = Math.floor((block.byteLength - PROBE_SIZE) / 2);
    const probe = await compress(block.subarray(mid, mid + PROBE_SIZE));
    if (probe.byteLength > PROBE_SIZE * (1 - MIN_GAIN / 2)) return { encoding: 'identity', body: block };
  }
  const alone = await compress(block);
  return worth(alone.byteLength) ? { encoding: 'zstd', body: alone } : { encoding: 'identity', body: block };
}
