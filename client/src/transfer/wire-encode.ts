/**
 * A block as it goes on the wire (issue 21, @coffer/protocol `putBlockEncoded`): a zstd delta
 * against a base block the server has (`zstd --patch-from`'s method: the base's plaintext as a
 * raw-content dictionary), else zstd alone, else nothing (send it raw) when neither saves at
 * least 5%. Compression of all but small blocks runs on libuv's threads, not the event loop (zstd.ts).
 */
import zlib from 'node:zlib';
import { DELTA_DICTIONARY_BYTES, LARGE_DICTIONARY_SEARCH, usableDeltaBase, type BlockEncoding } from '@coffer/protocol';
import { zstdCompress } from '../zstd.js';

/** Level 3 for blocks alone (~300 MB/s on text here). Not 1: its small match tables barely use a
 *  1 MiB dictionary (a 1-byte edit of random data came out at the block's size). */
const LEVEL = 3;
/** Level 7 for deltas: typescript.js 5.7.3 → 5.8.3, block by block against the old blocks, came
 *  to 145 KB at level 3 and 12.5 KB at 7 (~45 ms a block); levels 5 and 6 missed a 4 KiB insert
 *  at a block's start (128 KiB for 4 KiB). Deltas are few (changed blocks only), and a base that
 *  shares nothing with the block is found out by a probe before the costly try (`related`). */
const DELTA_LEVEL = 7;
/** The probe: this many pieces of the block looked for in the dictionary; one found is enough. */
const PROBES = 16;
const PROBE_BYTES = 32;
/** Less saved than this and the block goes raw: decoding would cost more than the bytes saved. */
const MIN_GAIN = 0.05;
/** Large blocks without a base are probed on a sample first: incompressible data (most media) costs ~5% of a full try. */
const PROBE_MIN = 256 * 1024;
const PROBE_SIZE = 32 * 1024;

export interface EncodedBlock {
  encoding: BlockEncoding;
  /** With 'zstd-delta': the base blocks' hashes, in dictionary order. */
  bases?: string[];
  body: Buffer;
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

const worthIt = (encoded: number, plain: number) => encoded <= plain * (1 - MIN_GAIN);

/** The smallest worthwhile encoding of `block`, or undefined: send it raw. */
export async function encodeBlock(block: Uint8Array, base?: { hashes: string[]; bytes: Uint8Array }): Promise<EncodedBlock | undefined> {
  if (block.byteLength < 64) return undefined;
  if (base && usableDeltaBase(base.bytes) && related(block, base.bytes)) {
    const delta = await compress(block, base.bytes);
    if (worthIt(delta.byteLength, block.byteLength)) return { encoding: 'zstd-delta', bases: base.hashes, body: delta };
  }
  return compressed(block);
}

/** Whether any of a few pieces of `block`, evenly spread, occurs in `dictionary` (memmem-fast: a few ms for 2 MiB). */
export function related(block: Uint8Array, dictionary: Uint8Array): boolean {
  const dict = Buffer.from(dictionary.buffer, dictionary.byteOffset, dictionary.byteLength);
  const step = Math.max(PROBE_BYTES, Math.floor(block.byteLength / PROBES));
  for (let at = 0; at + PROBE_BYTES <= block.byteLength; at += step) {
    if (dict.indexOf(block.subarray(at, at + PROBE_BYTES)) >= 0) return true;
  }
  return false;
}

/** zstd alone, or undefined when it does not pay. */
export async function compressed(block: Uint8Array): Promise<EncodedBlock | undefined> {
  if (block.byteLength < 64) return undefined;
  if (block.byteLength >= PROBE_MIN) {
    // The middle: headers at the start of a file are often more compressible than its body.
    const mid = Math.floor((block.byteLength - PROBE_SIZE) / 2);
    const probe = await compress(block.subarray(mid, mid + PROBE_SIZE));
    if (probe.byteLength > PROBE_SIZE * (1 - MIN_GAIN / 2)) return undefined;
  }
  const body = await compress(block);
  return worthIt(body.byteLength, block.byteLength) ? { encoding: 'zstd', body } : undefined;
}
