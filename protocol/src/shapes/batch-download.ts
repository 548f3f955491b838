/**
 * Restore in batches (issue 20): many files' block lists in one request, and many blocks in one
 * streamed answer (a pack, the same entries as `POST /blocks/pack` takes, ended by PACK_END).
 */
import { z } from 'zod';
import { Sha256Hex } from '../blocks.js';
import { id, int4, path } from '../fields.js';
import { MAX_BATCH_FILES, MAX_FETCH_BLOCKS, MAX_LIST_BATCH_ENTRIES, MAX_LIST_BATCH_FOLDERS } from '../limits.js';
import { BatchFileError } from './batch.js';
import { FileView } from './files.js';
import { headModifiedAt, RevisionBlocks } from './sync.js';

/**
 * The last entry of a fetched pack: 32 zero bytes and a length of 0. A body without it was cut
 * short (an entry boundary is otherwise indistinguishable from the end of the answer).
 */
export const PACK_END: Uint8Array = new Uint8Array(36);

export const FetchBlocksRequest = z
  .strictObject({
    hashes: z
      .array(Sha256Hex)
      .min(1)
      .max(MAX_FETCH_BLOCKS)
      .register(z.globalRegistry, { description: 'Blocks wanted, by the SHA-256 of their plaintext; a hash may repeat (sent once)' }),
  })
  .register(z.globalRegistry, { id: 'FetchBlocksRequest' });
export type FetchBlocksRequest = z.input<typeof FetchBlocksRequest>;

export const BlockListsRequest = z
  .strictObject({
    files: z
      .array(z.strictObject({ id: id(), rev: int4(1).optional() }))
      .min(1)
      .max(MAX_BATCH_FILES)
      .register(z.globalRegistry, { description: 'Files by id, each at a revision (the head when omitted)' }),
  })
  .register(z.globalRegistry, { id: 'BlockListsRequest' });
export type BlockListsRequest = z.input<typeof BlockListsRequest>;

export const BlockListResult = z
  .union([
    z.object({
      ok: z.literal(true),
      blocks: RevisionBlocks,
      modifiedAt: headModifiedAt(),
    }),
    z.object({ ok: z.literal(false), error: BatchFileError }),
  ])
  .register(z.globalRegistry, { id: 'BlockListResult' });
export type BlockListResult = z.infer<typeof BlockListResult>;

export const BlockListsAnswer = z
  .object({ results: z.array(BlockListResult).register(z.globalRegistry, { description: 'One per file, in the order asked' }) })
  .register(z.globalRegistry, { id: 'BlockListsAnswer' });
export type BlockListsAnswer = z.infer<typeof BlockListsAnswer>;

export const ListBatchRequest = z
  .strictObject({
    paths: z
      .array(path())
      .min(1)
      .max(MAX_LIST_BATCH_FOLDERS)
      .register(z.globalRegistry, { description: 'Folders by path (`/` is the root)' }),
    limit: int4(1)
      .max(1000)
      .optional()
      .register(z.globalRegistry, {
        description: `Entries of each folder's first page (default 200); at most MAX_LIST_BATCH_ENTRIES (${MAX_LIST_BATCH_ENTRIES}) divided by the number of folders`,
      }),
  })
  .register(z.globalRegistry, { id: 'ListBatchRequest' });
export type ListBatchRequest = z.input<typeof ListBatchRequest>;

export const ListBatchResult = z
  .union([
    z.object({
      ok: z.literal(true),
      entries: z.array(FileView),
      cursor: z.string().optional().register(z.globalRegistry, { description: 'Present when more entries follow: GET /list with this path and cursor' }),
    }),
    z.object({ ok: z.literal(false), error: BatchFileError }),
  ])
  .register(z.globalRegistry, { id: 'ListBatchResult' });
export type ListBatchResult = z.infer<typeof ListBatchResult>;

export const ListBatchAnswer = z
  .object({ results: z.array(ListBatchResult).register(z.globalRegistry, { description: 'One per folder, in the order asked' }) })
  .register(z.globalRegistry, { id: 'ListBatchAnswer' });
export type ListBatchAnswer = z.infer<typeof ListBatchAnswer>;
