/**
 * Delta upload of one local file: chunk it, ask the server which blocks it lacks, PUT only
 * those, commit the block list. Two passes over the file (hash, then send) so memory stays one
 * chunk whatever the file size. Resumable by construction: blocks are content-addressed, so a
 * re-run after a crash or network loss sends only the blocks the server still lacks.
 */
import { ApiError } from '../api/errors.js';
import type { BlockRef, CommitAnswer } from '@coffer/protocol';
import type { CommitRequest, SyncApi } from '../sync/sync-api.js';
import { contentHashOf, fileChunks, scanBlocks } from './blocks.js';
import { nodeReadable, type FileStat, type ReadableFile } from './file-handle.js';
import { TransferStats, type Progress } from './stats.js';
import { BlockSender, PACK_PLAIN_BYTES, type BlockSendApi, type WireOptions } from './wire-send.js';
import { trace } from '../sync/trace.js';

const IN_FLIGHT = 3;

/** The file changed while it was being read or sent: nothing was committed; try again later. */
export class FileChangedError extends Error {
  constructor(what: string) {
    super(`${what} changed while it was being uploaded; try again`);
  }
}

export interface UploadOptions {
  /** The head revision this upload replaces; null creates a new file (409 when one exists). */
  baseRev: number | null;
  /** With baseRev: the entry that revision belongs to (see CommitRequest.fileId). */
  fileId?: string;
  /** 'copy': a stale baseRev (or an existing file) makes the server keep this as a conflicted copy. */
  onConflict?: 'fail' | 'copy';
  /** Defaults to the file's own mtime when it was read. */
  mtime?: number;
  /** Called with what is about to be committed, before the commit request is sent. */
  beforeCommit?: (contentHash: string, stat: FileStat) => Promise<void>;
  stats?: TransferStats;
  onProgress?: Progress;
  /** How blocks travel (issue 21): compressed by default; deltas with a cache and the replaced version's block list. */
  wire?: WireOptions;
}

export interface Uploaded {
  answer: CommitAnswer;
  /** The file as it was read (the bytes committed are exactly this file's then). */
  stat: FileStat;
  contentHash: string;
}

type UploadApi = Pick<SyncApi, 'missingBlocks' | 'commit'> & BlockSendApi;

export async function uploadFile(api: UploadApi, source: string | ReadableFile, remotePath: string, o: UploadOptions): Promise<Uploaded> {
  const file = typeof source === 'string' ? nodeReadable(source) : source;
  const name = typeof source === 'string' ? source : remotePath;
  const stats = o.stats ?? new TransferStats();
  const sender = new BlockSender(api, o.wire ?? {}, stats);
  // Every block of the file is kept as a base for its next edit, sent or not (the server may have had it from another file).
  trace('up-scan');
  const scan = await scanBlocks(file, o.onProgress && ((done, total) => o.onProgress?.('hashing', done, total)), (hash, bytes) => sender.remember(hash, bytes));
  if (scan.stat.kind !== 'file') throw new Error(`${name} is not a regular file`);
  if (!scan.stable) throw new FileChangedError(name);
  const { blocks, stat } = scan;
  trace(`up-scanned ${blocks.length}`);
  // Shown progress moves a pack at a time: about sixteen steps a file (within 1 and 8 MiB a pack).
  if (o.onProgress) sender.packBytes = Math.min(PACK_PLAIN_BYTES, Math.max(1024 * 1024, Math.ceil(stat.size / 16)));
  const missing = await api.missingBlocks([...new Set(blocks.map((b) => b.hash))]);
  await sendBlocks(sender, file, name, blocks, missing, stats, o.onProgress);
  trace('up-sent');

  const commit: CommitRequest = {
    path: remotePath,
    size: stat.size,
    blocks,
    baseRev: o.baseRev,
    ...(o.fileId !== undefined && o.baseRev !== null ? { fileId: o.fileId } : {}),
    mtime: o.mtime ?? stat.mtimeMs,
    ...(o.onConflict ? { onConflict: o.onConflict } : {}),
  };
  const done = (answer: CommitAnswer): Uploaded => ({ answer, stat, contentHash: contentHashOf(blocks) });
  await o.beforeCommit?.(contentHashOf(blocks), stat);
  try {
    return done(await api.commit(commit));
  } catch (err) {
    // Blocks can vanish between asking and committing (GC of uncommitted blocks): send them, retry once.
    if (!(err instanceof ApiError && err.code === 'missing_blocks')) throw err;
    const again = new Set((err.details as { missing?: string[] } | undefined)?.missing ?? blocks.map((b) => b.hash));
    await sendBlocks(sender, file, name, blocks, again, stats, o.onProgress);
    return done(await api.commit(commit));
  }
}

/** Second pass: re-read the file and send the chunks in `missing` (each once; in entry packs where the server takes them). */
async function sendBlocks(sender: BlockSender, file: ReadableFile, name: string, blocks: BlockRef[], missing: Set<string>, stats: TransferStats, onProgress?: Progress): Promise<void> {
  const todo = new Set(missing);
  const counted = new Set<string>();
  let total = 0;
  for (const b of blocks) {
    if (!todo.has(b.hash) || counted.has(b.hash)) continue;
    counted.add(b.hash);
    total += b.size;
  }
  stats.blocksReused += blocks.length - todo.size;
  if (todo.size === 0) return;
  let sent = 0;
  let i = 0;
  // Progress counts blocks on the server (a queued block is not sent yet).
  sender.onSent = onProgress && ((n) => onProgress('uploading', (sent += n), total));
  // A few PUTs in flight hide the round trips; memory stays IN_FLIGHT chunks (≤ 4 MiB each).
  const inFlight = new Set<Promise<void>>();
  let failed: unknown;
  let offset = 0;
  for await (const chunk of fileChunks(file)) {
    if (failed) break;
    const expected = blocks[i++];
    const at = offset;
    offset += chunk.bytes.byteLength;
    // The file must not change between the passes, or the committed list would not match the bytes.
    if (!expected || expected.hash !== chunk.hash) throw new FileChangedError(name);
    if (!todo.delete(chunk.hash)) continue;
    const p: Promise<void> = sender.add(chunk.hash, chunk.bytes, at).then(
      () => {
        stats.blocksSent++;
        stats.blockBytesSent += chunk.bytes.byteLength;
      },
      (err: unknown) => void (failed ??= err),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    if (todo.size === 0) break;
  }
  await Promise.all(inFlight);
  if (failed) throw failed;
  await sender.finish();
  if (todo.size > 0) throw new FileChangedError(name);
}
