/**
 * Batches on the wire (issue 20): many small blocks in one request (a pack), many files committed
 * in one request and one transaction, each file answered on its own.
 */
import { z } from 'zod';
import { MAX_BLOCK_BYTES, Sha256Hex } from '../blocks.js';
import { count, id, int4, path } from '../fields.js';
import { MAX_BATCH_BLOCKS, MAX_BATCH_FILES, MAX_INLINE_PACK_BYTES } from '../limits.js';
import { FileView } from './files.js';
import { CommitResult, wholeCommit, type CommitAnswer } from './sync.js';

/**
 * A pack's body: `PACK_MAGIC`, then entries back to back, each the block's SHA-256 (32 raw
 * bytes), its length (4 bytes, big-endian, 1..MAX_BLOCK_BYTES) and its bytes. No padding, no
 * trailer: the body ends after the last entry.
 */
export const PACK_MAGIC = Uint8Array.from([0x43, 0x46, 0x50, 0x31]); // 'CFP1'
/** Bytes of an entry before its block: the hash and the length. */
export const PACK_ENTRY_HEADER_BYTES = 36;

export const PackStored = z
  .object({
    blocks: count().register(z.globalRegistry, { description: 'Entries in the pack' }),
    stored: count().register(z.globalRegistry, { description: 'Of them, blocks the namespace did not have (written now)' }),
    bytes: count().register(z.globalRegistry, { description: 'Block bytes in the pack' }),
  })
  .register(z.globalRegistry, { id: 'PackStored' });
export type PackStored = z.infer<typeof PackStored>;

/** One file of a batch: what `POST /files/commit` takes. Its path is checked per file (a bad name fails that file only). */
export const BatchCommitItem = z
  .strictObject({
    path: z.string().min(1).max(16 * 1024),
    size: count(),
    blocks: z.array(z.strictObject({ hash: Sha256Hex, size: int4(1).max(MAX_BLOCK_BYTES) })),
    baseRev: int4().nullable(),
    fileId: id().optional(),
    overwrite: z.boolean().optional(),
    onConflict: z.enum(['fail', 'copy']).optional(),
    mtime: z.union([z.iso.datetime({ offset: true }), z.number().int().min(0).max(8.64e15)]).optional(),
  })
  .refine((b) => b.fileId === undefined || b.baseRev !== null, { message: 'fileId names the entry baseRev belongs to: give baseRev with it', path: ['fileId'] })
  .register(z.globalRegistry, { id: 'BatchCommitItem' });
export type BatchCommitItem = z.input<typeof BatchCommitItem>;

export const BatchCommitRequest = z
  .strictObject({
    files: z.array(BatchCommitItem).min(1).max(MAX_BATCH_FILES),
    pack: z
      .base64()
      .max(Math.ceil(MAX_INLINE_PACK_BYTES / 3) * 4)
      .optional()
      .register(z.globalRegistry, {
        description: `Optional (issue 21): a pack (the body of POST /blocks/pack, at most MAX_INLINE_PACK_BYTES (${MAX_INLINE_PACK_BYTES}) bytes), base64; its blocks are verified and stored before the files commit, as POST /blocks/pack would`,
      }),
  })
  .refine((b) => b.files.reduce((n, f) => n + f.blocks.length, 0) <= MAX_BATCH_BLOCKS, {
    message: `at most ${MAX_BATCH_BLOCKS} block references in a batch: commit large files on their own`,
    path: ['files'],
  })
  .register(z.globalRegistry, { id: 'BatchCommitRequest' });
export type BatchCommitRequest = z.input<typeof BatchCommitRequest>;

export const BatchFileError = z
  .object({ status: z.number().int().min(400).max(599), code: z.string(), message: z.string(), details: z.unknown().optional() })
  .register(z.globalRegistry, { id: 'BatchFileError', description: 'What `POST /files/commit` would have answered for this file alone' });

export const BatchCommitResult = z
  .union([z.object({ ok: z.literal(true), file: CommitResult }), z.object({ ok: z.literal(false), error: BatchFileError })])
  .register(z.globalRegistry, { id: 'BatchCommitResult' });
export type BatchCommitResult = z.infer<typeof BatchCommitResult>;
/** A result with its file whole: what a client that never asks in brief (the web app) works with. */
export type WholeBatchCommitResult = Exclude<BatchCommitResult, { ok: true }> | { ok: true; file: CommitAnswer };

/** A batch's results with each committed file whole (wholeCommit). */
export function wholeResults(results: readonly BatchCommitResult[]): WholeBatchCommitResult[] {
  return results.map((r) => (r.ok ? { ok: true as const, file: wholeCommit(r.file) } : r));
}

export const BatchCommitAnswer = z
  .object({ results: z.array(BatchCommitResult).register(z.globalRegistry, { description: 'One per file, in the order sent' }) })
  .register(z.globalRegistry, { id: 'BatchCommitAnswer' });
export type BatchCommitAnswer = z.infer<typeof BatchCommitAnswer>;

/** Many folders in one request (the sync agent's new tree): each made as `POST /mkdir` would make it. */
export const MkdirBatchRequest = z
  .strictObject({
    paths: z.array(path()).min(1).max(MAX_BATCH_FILES),
    parents: z.boolean().optional().register(z.globalRegistry, { description: 'Create missing parent folders too' }),
  })
  .register(z.globalRegistry, { id: 'MkdirBatchRequest' });
export type MkdirBatchRequest = z.input<typeof MkdirBatchRequest>;

export const MkdirBatchResult = z
  .union([z.object({ ok: z.literal(true), folder: FileView }), z.object({ ok: z.literal(false), error: BatchFileError })])
  .register(z.globalRegistry, { id: 'MkdirBatchResult' });
export type MkdirBatchResult = z.infer<typeof MkdirBatchResult>;

export const MkdirBatchAnswer = z
  .object({ results: z.array(MkdirBatchResult).register(z.globalRegistry, { description: 'One per path, in the order sent' }) })
  .register(z.globalRegistry, { id: 'MkdirBatchAnswer' });
export type MkdirBatchAnswer = z.infer<typeof MkdirBatchAnswer>;
