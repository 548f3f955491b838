/**
 * Blocks encoded on the wire (issue 21): a new block travels zstd-compressed, a changed one as a
 * zstd delta against a block the server already has (`zstd --patch-from`'s method: the base
 * block's whole plaintext is the compressor's raw-content dictionary). The receiver decodes with
 * the declared size as its bound, checks the SHA-256, and stores the whole block as always.
 */
import { z } from 'zod';
import { MAX_BLOCK_BYTES, Sha256Hex } from '../blocks.js';
import { queryInt } from '../fields.js';

/** `zstd`: one or more zstd frames of the block. `zstd-delta`: the same, compressed with the base block's plaintext as dictionary. */
export const BLOCK_ENCODINGS = ['zstd', 'zstd-delta'] as const;
export type BlockEncoding = (typeof BLOCK_ENCODINGS)[number];

/**
 * The first four bytes of a zstd dictionary: zstd takes a dictionary that starts with them as a
 * trained one, not as raw content, so a base block starting with them is never used as a base.
 */
export const ZSTD_DICT_MAGIC: readonly number[] = Object.freeze([0x37, 0xa4, 0x30, 0xec]);

/** Whether `block` can be the base of a delta (it does not start with the dictionary magic). */
export function usableDeltaBase(block: Uint8Array): boolean {
  return !(block.byteLength >= 4 && ZSTD_DICT_MAGIC.every((b, i) => block[i] === b));
}

export const EncodedBlockQuery = z
  .object({
    encoding: z.enum(BLOCK_ENCODINGS).register(z.globalRegistry, { description: 'How the body encodes the block' }),
    // The block's plaintext length: the decoder's bound (described in the operation: queryInt registers its own metadata).
    size: queryInt(1, MAX_BLOCK_BYTES),
    base: Sha256Hex.optional().register(z.globalRegistry, {
      description: 'With `zstd-delta` (required there, refused otherwise): the block whose plaintext is the dictionary; one the caller may read',
    }),
  })
  .refine((q) => (q.encoding === 'zstd-delta') === (q.base !== undefined), { message: 'base is given with zstd-delta, and only with it', path: ['base'] });
export type EncodedBlockQuery = z.infer<typeof EncodedBlockQuery>;
