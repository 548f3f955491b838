/**
 * Small files dropped or picked together go as batches (issue 20), the way the CLI and the sync
 * agent send them (client/src/transfer/batch-upload.ts): each file is read whole (they are small),
 * cut and hashed as the upload engine does, then a batch costs three requests whatever its size:
 * which blocks are missing (one POST /blocks/missing), the missing ones in packs (POST
 * /blocks/pack, @coffer/protocol's `encodePack`), and one commit of all its files (POST
 * /files/commit/batch: one transaction, an answer per file). A folder of 200 notes is then a
 * handful of requests instead of 400.
 */
import { contentHashWebCrypto, encodePack, MAX_MISSING_HASHES, packsOf, type BatchCommitItem, type WholeBatchCommitResult, type PackBlock } from '@coffer/protocol';
import { fileBlocks } from './file-blocks';
import { sha256Hex, type SentFile } from './upload-engine';

/** Files up to this size go in batches (the CLI's threshold); larger ones upload on their own. */
export const SMALL_FILE_BYTES = 1024 * 1024;
/** A batch is sealed at this many files or bytes: small enough that progress moves often. */
export const BATCH_FILES = 100;
export const BATCH_BYTES = 8 * 1024 * 1024;
/** Batches under way at once: one being sent while the next is read and hashed. */
export const BATCHES_IN_FLIGHT = 2;

/** The three calls a batch makes (transfer-api.ts: the real ones over HTTP). */
export interface BatchApi {
  missing(hashes: string[], signal?: AbortSignal): Promise<Set<string>>;
  putPack(pack: Uint8Array<ArrayBuffer>, signal?: AbortSignal): Promise<void>;
  commitBatch(files: BatchCommitItem[], signal?: AbortSignal): Promise<WholeBatchCommitResult[]>;
}

export interface SmallFile {
  blob: Blob;
  path: string;
  mtime?: number;
}

/** What a batch came to: per file its blocks (as the single path's SentFile, for a later keep-both or replace) and its result, in order. */
export interface SentBatch {
  files: SentFile[];
  results: WholeBatchCommitResult[];
  /** Block bytes that went on the wire (the rest the server had). */
  sentBytes: number;
}

/** A small file read whole: its block list and the blocks' bytes. */
async function readSmall(blob: Blob, signal?: AbortSignal): Promise<{ sent: SentFile; bytes: Uint8Array[] }> {
  const bytes: Uint8Array[] = [];
  for await (const b of fileBlocks(blob, signal)) bytes.push(b);
  const hashes = await Promise.all(bytes.map((b) => sha256Hex(b as Uint8Array<ArrayBuffer>)));
  const blocks = hashes.map((hash, i) => ({ hash, size: bytes[i]!.byteLength }));
  const progress = { done: blob.size, sent: 0, blocks: blocks.length, blocksSent: 0 };
  return { sent: { blocks, size: blob.size, contentHash: await contentHashWebCrypto(blocks), progress }, bytes };
}

/** Send one batch: its missing blocks in packs, then one commit of every file. A failed request throws (nothing known of its files). */
export async function sendSmallBatch(api: BatchApi, files: readonly SmallFile[], signal?: AbortSignal): Promise<SentBatch> {
  const read = await Promise.all(files.map((f) => readSmall(f.blob, signal)));
  const all = new Map<string, Uint8Array>();
  for (const r of read) r.sent.blocks.forEach((b, i) => all.set(b.hash, r.bytes[i]!));
  const hashes = [...all.keys()];
  const missing = new Set<string>();
  for (let i = 0; i < hashes.length; i += MAX_MISSING_HASHES) {
    for (const h of await api.missing(hashes.slice(i, i + MAX_MISSING_HASHES), signal)) missing.add(h);
  }
  const send: PackBlock[] = [...missing].flatMap((hash) => (all.has(hash) ? [{ hash, bytes: all.get(hash)! }] : []));
  await Promise.all(packsOf(send).map((p) => api.putPack(encodePack(p), signal)));
  const results = await api.commitBatch(
    files.map((f, i) => ({
      path: f.path,
      size: read[i]!.sent.size,
      blocks: read[i]!.sent.blocks,
      baseRev: null,
      ...(f.mtime !== undefined ? { mtime: f.mtime } : {}),
    })),
    signal,
  );
  if (results.length !== files.length) throw new Error(`the server answered ${results.length} results for ${files.length} files`);
  return { files: read.map((r) => r.sent), results, sentBytes: send.reduce((n, b) => n + b.bytes.byteLength, 0) };
}
