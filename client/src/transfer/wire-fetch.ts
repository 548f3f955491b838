/**
 * A block fetched encoded (issue 21, @coffer/protocol `getBlockEncoded`): the client names blocks
 * it holds as the delta's bases, the server answers a zstd delta against them, zstd alone, or the
 * plaintext. Decoding is bounded by the expected size (a bomb stops there) and the result must
 * hash to the name asked for; anything else is an error, never a wrong block. A server without
 * the route (404 not_found) or refusing a base (404 base_not_found) gets a plain GET instead.
 */
import zlib from 'node:zlib';
import { MAX_BLOCK_BYTES, MAX_DELTA_WINDOW_LOG, usableDeltaBase } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import type { SyncApi } from '../sync/sync-api.js';
import { zstdDecompress } from '../zstd.js';
import { sha256Hex } from './blocks.js';

export type BlockFetchApi = Pick<SyncApi, 'getBlock' | 'getBlockEncoded'>;

export class EncodedBlockError extends Error {}

/** The bases the client holds: their hashes (in dictionary order) and their plaintexts joined. */
export interface FetchBases {
  hashes: string[];
  bytes: Uint8Array;
}

/** Decodes an encoded answer into exactly the block named `hash` of `size` bytes, or throws. */
export async function decodeFetched(hash: string, size: number, got: { encoding: string; size: number; body: Uint8Array }, bases?: FetchBases): Promise<Buffer> {
  if (got.size !== size || size > MAX_BLOCK_BYTES) throw new EncodedBlockError(`block ${hash}: the server says ${got.size} bytes, expected ${size}`);
  let out: Buffer;
  if (got.encoding === 'identity') out = Buffer.from(got.body.buffer, got.body.byteOffset, got.body.byteLength);
  else if (got.encoding === 'zstd' || got.encoding === 'zstd-delta') {
    if (got.encoding === 'zstd-delta' && !bases) throw new EncodedBlockError(`block ${hash}: a delta came without bases asked for`);
    try {
      out = await zstdDecompress(
        got.body,
        {
          maxOutputLength: size,
          params: { [zlib.constants.ZSTD_d_windowLogMax]: MAX_DELTA_WINDOW_LOG },
          ...(got.encoding === 'zstd-delta' ? { dictionary: bases!.bytes } : {}),
        },
        size,
      );
    } catch (err) {
      throw new EncodedBlockError(`block ${hash} does not decode: ${(err as Error).message}`);
    }
  } else throw new EncodedBlockError(`block ${hash}: unknown encoding ${JSON.stringify(got.encoding)}`);
  if (out.byteLength !== size) throw new EncodedBlockError(`block ${hash} decodes to ${out.byteLength} bytes, not ${size}`);
  if (sha256Hex(out) !== hash) throw new EncodedBlockError(`block ${hash} does not match its hash after decoding`);
  return out;
}

/** Fetches encoded blocks while the server has the route; after one 404 not_found, raw ones. */
export class BlockFetcher {
  #encoded: boolean;

  constructor(readonly api: BlockFetchApi) {
    this.#encoded = api.getBlockEncoded !== undefined;
  }

  async fetch(hash: string, size: number, bases?: FetchBases): Promise<Uint8Array> {
    if (this.#encoded) {
      const usable = bases && usableDeltaBase(bases.bytes) ? bases : undefined;
      try {
        return await decodeFetched(hash, size, await this.api.getBlockEncoded!(hash, usable?.hashes), usable);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 404) throw err;
        if (err.code === 'base_not_found') return this.fetch(hash, size);
        if (err.code !== 'block_not_found') this.#encoded = false; // an older server: no such route
        else throw err;
      }
    }
    return this.api.getBlock(hash);
  }
}
