/**
 * Many small files downloaded as batches (issue 20), the counterpart of batch-upload.ts: a batch
 * of files costs two requests whatever its size — their block lists (POST /revisions/blocks/batch)
 * and their blocks, each distinct one once, streamed back as a pack (POST /blocks/fetch; more
 * than one when the blocks pass MAX_FETCH_BLOCKS or MAX_FETCH_BYTES) — with several batches in
 * flight. Each block is checked against its SHA-256 as it arrives, and each file's block list
 * against the content hash the caller expects, before the caller writes the file. A file the
 * batch cannot serve (gone, replaced, a block missing meanwhile) is handed back unserved, with the
 * reason: the caller takes its per-file path, which answers for it as before.
 */
import { MAX_FETCH_BLOCKS, MAX_FETCH_BYTES, type BlockListResult, type RevisionBlocks } from '@coffer/protocol';
import { atMost, eachAtMost } from '../at-most.js';
import type { SyncApi } from '../sync/sync-api.js';
import { contentHashOf } from './blocks.js';
import type { TransferStats } from './stats.js';

/** Files up to this size are fetched in batches; larger ones take the per-file path. */
export const BATCH_DOWNLOAD_FILE_BYTES = 1024 * 1024;
/** A batch holds at most this many files or bytes (held in memory until written). */
export const DOWNLOAD_BATCH_FILES = 500;
export const DOWNLOAD_BATCH_BYTES = 8 * 1024 * 1024;
/** Batches under way at once: one's blocks stream while another's files are written. */
export const DOWNLOAD_BATCHES_IN_FLIGHT = 3;

export type BatchDownloadApi = Required<Pick<SyncApi, 'blockLists' | 'fetchBlocks'>>;

export function batchDownloadApi(api: Partial<Pick<SyncApi, 'blockLists' | 'fetchBlocks'>>): BatchDownloadApi | undefined {
  return api.blockLists && api.fetchBlocks ? (api as BatchDownloadApi) : undefined;
}

export interface WantedFile {
  id: string;
  rev: number;
  size: number;
  /** The content the caller expects (from its listing or journal); a file now holding another is not served. */
  contentHash: string | null;
  /** Its block list and modification time, when the journal gave them (issue 21): not asked for again. */
  listed?: { blocks: { hash: string; size: number }[]; modifiedAt: string };
}

/** A file's content, verified: its block list and the blocks' bytes in file order. */
export interface Served {
  blocks: RevisionBlocks;
  data: Uint8Array[];
  /** The file's modification time, when the revision is its head. */
  modifiedAt?: string;
}

export type Outcome = { ok: true; content: Served } | { ok: false; reason: string };

export interface BatchDownloadOptions {
  stats?: TransferStats;
  inFlight?: number;
  /** Files settled at once (default 1: `settle` never runs concurrently with itself). */
  settleConcurrency?: number;
}

/** Files in batches of at most DOWNLOAD_BATCH_FILES files and DOWNLOAD_BATCH_BYTES bytes, in order. */
export function downloadBatchesOf<F extends WantedFile>(files: readonly F[]): F[][] {
  const out: F[][] = [];
  let current: F[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length > 0 && (current.length >= DOWNLOAD_BATCH_FILES || bytes + f.size > DOWNLOAD_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Fetch `files` in batches, up to `inFlight` at once, and hand each file's outcome to `settle`
 * (which writes it), at most `settleConcurrency` at a time, in no particular order across batches.
 * A failure of `settle` or of a request stops what is left; it is thrown once nothing is under way.
 */
export async function downloadInBatches<F extends WantedFile>(
  api: BatchDownloadApi,
  files: readonly F[],
  settle: (file: F, outcome: Outcome) => Promise<void>,
  o: BatchDownloadOptions = {},
): Promise<void> {
  const batches = downloadBatchesOf(files);
  let failed: { err: unknown } | undefined;
  const settling = atMost(Math.max(1, o.settleConcurrency ?? 1));
  const settleOne = (f: F, outcome: Outcome) =>
    settling(async () => {
      try {
        if (!failed) await settle(f, outcome);
      } catch (err) {
        failed ??= { err };
      }
    });
  await eachAtMost(batches, o.inFlight ?? DOWNLOAD_BATCHES_IN_FLIGHT, async (batch) => {
    if (failed) return;
    try {
      const outcomes = await fetchBatch(api, batch, o.stats);
      await Promise.all(batch.map((f, i) => settleOne(f, outcomes[i]!)));
    } catch (err) {
      failed ??= { err };
    }
  });
  if (failed) throw failed.err;
}

/** One batch: the block lists, then every distinct block in as few fetches as the limits allow. */
export async function fetchBatch(api: BatchDownloadApi, files: readonly WantedFile[], stats?: TransferStats): Promise<Outcome[]> {
  // A list the journal gave (and that matches the content hash) is taken as the server's answer:
  // one request (the blocks) instead of two. Its blocks are checked as they arrive all the same.
  const known = files.map((f): BlockListResult | undefined =>
    f.listed && f.contentHash !== null && contentHashOf(f.listed.blocks) === f.contentHash
      ? { ok: true, blocks: { rev: f.rev, size: f.size, contentHash: f.contentHash, blocks: f.listed.blocks }, modifiedAt: f.listed.modifiedAt }
      : undefined,
  );
  const ask = files.filter((_, i) => !known[i]);
  const asked: BlockListResult[] = ask.length > 0 ? await api.blockLists(ask.map((f) => ({ id: f.id, rev: f.rev }))) : [];
  if (asked.length !== ask.length) throw new Error(`the server answered ${asked.length} block lists for ${ask.length} files`);
  let next = 0;
  const lists: BlockListResult[] = known.map((k) => k ?? asked[next++]!);
  const outcomes: (Outcome | undefined)[] = files.map(() => undefined);
  const sizes = new Map<string, number>();
  for (const [i, r] of lists.entries()) {
    const f = files[i]!;
    if (!r.ok) outcomes[i] = { ok: false, reason: `${r.error.status} ${r.error.code}` };
    else if (r.blocks.rev !== f.rev || (f.contentHash !== null && r.blocks.contentHash !== f.contentHash)) outcomes[i] = { ok: false, reason: 'replaced meanwhile' };
    else if (contentHashOf(r.blocks.blocks) !== r.blocks.contentHash) throw new Error(`the block list of ${f.id} does not match its content hash`);
    else for (const b of r.blocks.blocks) sizes.set(b.hash, b.size);
  }
  const got = new Map<string, Uint8Array>();
  for (const group of fetchGroups(sizes)) {
    for await (const b of api.fetchBlocks(group)) {
      // Checked against its hash by the reader; its size against the list's here.
      if (b.bytes.byteLength !== sizes.get(b.hash)) throw new Error(`block ${b.hash} arrived with the wrong size; try again`);
      got.set(b.hash, b.bytes);
      if (stats) stats.bytesDownloaded += b.bytes.byteLength;
    }
  }
  return lists.map((r, i) => {
    if (outcomes[i]) return outcomes[i];
    const { blocks, modifiedAt } = r as Extract<BlockListResult, { ok: true }>;
    const data = blocks.blocks.map((b) => got.get(b.hash));
    if (data.some((d) => d === undefined)) return { ok: false, reason: 'a block is no longer readable' };
    return { ok: true, content: { blocks, data: data as Uint8Array[], ...(modifiedAt !== undefined ? { modifiedAt } : {}) } };
  });
}

/** Hashes grouped under the fetch limits (count and bytes), in order. */
function fetchGroups(sizes: ReadonlyMap<string, number>): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const [hash, size] of sizes) {
    if (current.length > 0 && (current.length >= MAX_FETCH_BLOCKS || bytes + size > MAX_FETCH_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(hash);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
