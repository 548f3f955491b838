/**
 * Many small files uploaded as batches (issue 20): each file is read once, its blocks kept in
 * memory (small files only, so a batch stays a few MiB), then a batch costs three requests
 * whatever its size — which blocks are missing (one POST /blocks/missing for all its files), the
 * missing ones in packs (POST /blocks/pack), and one commit of all its files (POST
 * /files/commit/batch, one transaction, an answer per file); a tiny batch (INLINE_BATCH_BYTES) one
 * request, its blocks inline in the commit (issue 21). Callers keep several batches in flight.
 */
import { encodePack, packsOf, type BatchCommitItem, type BatchCommitResult, type BlockRef, type PackBlock } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import type { SyncApi } from '../sync/sync-api.js';
import { contentHashOf, handleChunks } from './blocks.js';
import type { FileStat, ReadableFile } from './file-handle.js';
import type { TransferStats } from './stats.js';
import { compressed } from './wire-encode.js';
import { rememberBatch, sendDeltas } from './batch-deltas.js';
import type { BlockCache } from './block-cache.js';

/** Files up to this size go in batches; larger ones upload on their own (transfer/upload.ts). */
export const BATCH_FILE_BYTES = 1024 * 1024;
/** A batch is sealed at this many files or bytes (a pack's worth). */
export const BATCH_FILES = 500;
export const BATCH_BYTES = 8 * 1024 * 1024;

export type BatchApi = Pick<SyncApi, 'missingBlocks' | 'putPackEncoded' | 'putPackEntries' | 'blockLists'> & Required<Pick<SyncApi, 'putPack' | 'commitBatch'>>;

export function batchApi(api: SyncApi): BatchApi | undefined {
  return api.putPack && api.commitBatch ? (api as BatchApi) : undefined;
}

/** A small file read whole: its block list, the blocks' bytes and what it was while read. */
export interface ReadSmall {
  blocks: BlockRef[];
  bytes: Uint8Array[];
  stat: FileStat;
  /** False when the file changed while it was read (then nothing of it may be committed). */
  stable: boolean;
  contentHash: string;
}

export async function readSmall(file: ReadableFile): Promise<ReadSmall> {
  const h = await file.open();
  try {
    const before = await h.stat();
    const blocks: BlockRef[] = [];
    const bytes: Uint8Array[] = [];
    for await (const c of handleChunks(h, undefined, before.size)) {
      blocks.push({ hash: c.hash, size: c.bytes.byteLength });
      bytes.push(c.bytes);
    }
    const after = await h.stat();
    const read = bytes.reduce((n, b) => n + b.byteLength, 0);
    const stable = before.size === after.size && before.mtimeMs === after.mtimeMs && before.ino === after.ino && read === before.size;
    return { blocks, bytes, stat: before, stable, contentHash: contentHashOf(blocks) };
  } finally {
    await h.close();
  }
}

export interface BatchItem {
  read: ReadSmall;
  commit: BatchCommitItem;
  /** The content hash of the version the commit replaces: its block list may be in the block cache (batch-deltas.ts). */
  baseContentHash?: string;
}

/** What a batch came to: one result per item, in order, and the hashes of the blocks sent (the rest the server had). */
export interface SentBatch {
  results: BatchCommitResult[];
  sent: ReadonlySet<string>;
}

/**
 * Block bytes up to which a batch's blocks travel inline with its commit (issue 21): one request
 * instead of three (missing, pack, commit). Sent whether or not the server has them, uncompressed:
 * kept well under the protocol's MAX_INLINE_PACK_BYTES so that what that may cost on the wire stays small.
 */
export const INLINE_BATCH_BYTES = 16 * 1024;

/** APIs whose server refused an inline pack (older than issue 21): the three requests from then on. */
const noInline = new WeakSet<object>();

/**
 * Send one batch: a tiny one all in its commit; else the missing blocks in packs — edits of files
 * whose previous version `cache` holds as deltas (batch-deltas.ts) — then one commit. A failed
 * request throws.
 */
export async function sendBatch(api: BatchApi, items: readonly BatchItem[], stats?: TransferStats, cache?: BlockCache): Promise<SentBatch> {
  const all = new Map<string, Uint8Array>();
  for (const it of items) it.read.blocks.forEach((b, i) => all.set(b.hash, it.read.bytes[i]!));
  const commits = items.map((it) => it.commit);
  const count = (send: readonly PackBlock[]) => {
    if (!stats) return;
    stats.blocksSent += send.length;
    stats.blockBytesSent += send.reduce((n, b) => n + b.bytes.byteLength, 0);
    stats.blocksReused += items.reduce((n, it) => n + it.read.blocks.length, 0) - send.length;
  };
  const inline = await sendInline(api, [...all].map(([hash, bytes]) => ({ hash, bytes })), commits);
  if (inline) {
    count(inline.sent);
    if (stats) stats.blockWireBytesSent += inline.wire;
    if (cache) await rememberBatch(cache, items).catch(() => undefined);
    return { results: inline.results, sent: new Set(all.keys()) };
  }
  const missing = await api.missingBlocks([...all.keys()]);
  const deltas = cache ? await sendDeltas(api, cache, items, missing, stats) : new Set<string>();
  const rest = [...missing].filter((hash) => !deltas.has(hash));
  await Promise.all(packsOf(rest.flatMap((hash) => (all.has(hash) ? [{ hash, bytes: all.get(hash)! }] : []))).map((p) => sendPack(api, encodePack(p), stats)));
  const send: PackBlock[] = [...missing].flatMap((hash) => (all.has(hash) ? [{ hash, bytes: all.get(hash)! }] : []));
  count(send);
  const results = await api.commitBatch(commits);
  // After the commit (it is what the caller waits for); a cache that fails only costs later deltas.
  if (cache) await rememberBatch(cache, items).catch(() => undefined);
  return { results, sent: new Set(send.map((b) => b.hash)) };
}

/** APIs whose server answered 404 to a compressed pack (older than issue 21): raw packs from then on. */
const rawOnly = new WeakSet<object>();

/** A tiny batch's blocks inline with its commit; undefined: not tiny, or the server is older (then never again). */
async function sendInline(api: BatchApi, blocks: PackBlock[], commits: BatchCommitItem[]): Promise<{ results: BatchCommitResult[]; sent: PackBlock[]; wire: number } | undefined> {
  const bytes = blocks.reduce((n, b) => n + b.bytes.byteLength, 0);
  if (blocks.length === 0 || bytes > INLINE_BATCH_BYTES || noInline.has(api)) return undefined;
  const pack = encodePack(blocks);
  try {
    return { results: await api.commitBatch(commits, pack), sent: blocks, wire: pack.byteLength };
  } catch (err) {
    // An older server's request schema has no `pack`: 400 invalid_request, nothing committed.
    if (!(err instanceof ApiError && err.status === 400 && err.code === 'invalid_request')) throw err;
    noInline.add(api);
    return undefined;
  }
}

/** One pack, zstd-compressed when that saves 5% and the server takes it, else raw (its bytes on the wire counted in `stats`). */
async function sendPack(api: BatchApi, pack: Uint8Array, stats?: TransferStats): Promise<void> {
  const zipped = api.putPackEncoded && !rawOnly.has(api) ? await compressed(pack) : undefined;
  if (zipped) {
    try {
      await api.putPackEncoded!(zipped.body);
      if (stats) stats.blockWireBytesSent += zipped.body.byteLength;
      return;
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 405 || err.code === 'invalid_encoding'))) throw err;
      if (err.status !== 400) rawOnly.add(api);
    }
  }
  await api.putPack(pack);
  if (stats) stats.blockWireBytesSent += pack.byteLength;
}

/** A batch result's error as the single-file path would have thrown it. */
export function resultError(r: BatchCommitResult): ApiError | undefined {
  return r.ok ? undefined : new ApiError(r.error.status, r.error.code, r.error.message, r.error.details);
}
