/**
 * Blocks encoded on the wire (issue 21): a new block travels zstd-compressed, a changed one as a
 * zstd delta against a block the server already has (`zstd --patch-from`'s method: the base
 * block's whole plaintext is the compressor's raw-content dictionary). The receiver decodes with
 * the declared size as its bound, checks the SHA-256, and stores the whole block as always.
 */
import { z } from 'zod';
import { MAX_BLOCK_BYTES, Sha256Hex } from '../blocks.js';
import { path, queryInt } from '../fields.js';

/** `zstd`: one or more zstd frames of the block. `zstd-delta`: the same, compressed with the base blocks' plaintext as dictionary. */
export const BLOCK_ENCODINGS = ['zstd', 'zstd-delta'] as const;
export type BlockEncoding = (typeof BLOCK_ENCODINGS)[number];

/**
 * The first four bytes of a zstd dictionary: zstd takes a dictionary that starts with them as a
 * trained one, not as raw content, so a dictionary never starts with a block that starts with them.
 */
export const ZSTD_DICT_MAGIC: readonly number[] = Object.freeze([0x37, 0xa4, 0x30, 0xec]);

/** Whether `block` can start a delta's dictionary (it does not start with the dictionary magic). */
export function usableDeltaBase(block: Uint8Array): boolean {
  return !(block.byteLength >= 4 && ZSTD_DICT_MAGIC.every((b, i) => block[i] === b));
}

/**
 * A delta's dictionary may join a few blocks: where content moved, the new block's bytes come
 * from the end of one old block and the start of the next.
 */
export const MAX_DELTA_BASES = 3;

/** The largest zstd window a receiver decodes (8 MiB: a block is at most 4 MiB); a frame asking for more memory is refused. */
export const MAX_DELTA_WINDOW_LOG = 23;

/**
 * How much of a dictionary zstd uses at level 3: only its last 2 MiB (measured: a base block
 * further from the end than that gives no matches), so a sender keeps dictionaries within it,
 * the most useful base last.
 */
export const DELTA_DICTIONARY_BYTES = 2 * 1024 * 1024;

/**
 * zstd's match search for a delta against one base longer than DELTA_DICTIONARY_BYTES (a block
 * can be 4 MiB): with level 7's own tables only its last 2 MiB were found, and a 1-byte edit of a
 * 2.6 MiB block came out at 1.2 MiB (655 KB with the window alone); with these tables, 266 bytes
 * (~170 ms instead of ~70; a 3.9 MiB block 397 bytes in ~260 ms). The window stays within what a
 * receiver decodes (MAX_DELTA_WINDOW_LOG).
 */
export const LARGE_DICTIONARY_SEARCH = Object.freeze({ windowLog: MAX_DELTA_WINDOW_LOG, hashLog: 22, chainLog: 22 });

/** A delta's bases in a query: SHA-256s separated by commas, in dictionary order. */
const baseList = (description: string) =>
  z
    .string()
    .max(MAX_DELTA_BASES * 65)
    .transform((v) => v.split(','))
    .pipe(z.array(Sha256Hex).min(1).max(MAX_DELTA_BASES))
    .optional()
    .register(z.globalRegistry, { description });

export const EncodedBlockQuery = z
  .object({
    encoding: z.enum(BLOCK_ENCODINGS).register(z.globalRegistry, { description: 'How the body encodes the block' }),
    // The block's plaintext length: the decoder's bound (described in the operation: queryInt registers its own metadata).
    size: queryInt(1, MAX_BLOCK_BYTES),
    base: baseList(
      `With \`zstd-delta\` (required there, refused otherwise): the blocks whose plaintexts, concatenated in this order, are the dictionary; 1 to ${MAX_DELTA_BASES} SHA-256s separated by commas, each a block of a file the caller may read`,
    ),
  })
  .refine((q) => (q.encoding === 'zstd-delta') === (q.base !== undefined), { message: 'base is given with zstd-delta, and only with it', path: ['base'] });
export type EncodedBlockQuery = z.infer<typeof EncodedBlockQuery>;

/**
 * `POST /blocks/pack/entries` of a big new file while it uploads (issue 21): its path, and where in
 * it the pack's blocks start (its entries follow each other there). The server then tells the
 * user's other devices (the `uploading` event), which may fetch those blocks before the commit.
 */
export const PackEntriesQuery = z.object({
  file: path().optional().register(z.globalRegistry, { description: "The path of the new file the pack's blocks are of, while it uploads (with `offset`)" }),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).optional().register(z.globalRegistry, { description: "Where in `file` the pack's first block starts; the others follow it" }),
  size: queryInt(0, Number.MAX_SAFE_INTEGER).optional().register(z.globalRegistry, { description: "`file`'s whole size" }),
});

/** `POST /blocks/pack/encoded`: the whole pack (CFP1…) as zstd frames. */
export const EncodedPackQuery = z.object({ encoding: z.enum(['zstd']).register(z.globalRegistry, { description: 'How the body encodes the pack' }) });

/**
 * `GET /blocks/{sha256}/encoded`: the blocks the caller already holds, which the server may use
 * as a delta's dictionary (joined in the order named). Without them the server may still compress.
 */
export const EncodedFetchQuery = z.object({
  base: baseList(
    `Blocks the caller holds whose plaintexts, concatenated in this order, may be the delta's dictionary; 1 to ${MAX_DELTA_BASES} SHA-256s separated by commas, each a block of a file the caller may read`,
  ),
});
export type EncodedFetchQuery = z.infer<typeof EncodedFetchQuery>;

/** The headers of an encoded block answer: how the body encodes it (`identity` = raw), and its plaintext length. */
export const BLOCK_ENCODING_HEADER = 'X-Coffer-Encoding';
export const BLOCK_SIZE_HEADER = 'X-Coffer-Block-Size';
