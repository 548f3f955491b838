/**
 * Delta upload of one local file: chunk it, ask the server which blocks it lacks, PUT only
 * those, commit the block list. Two passes over the file (hash, then send) so memory stays one
 * chunk whatever the file size. Resumable by construction: blocks are content-addressed, so a
 * re-run after a crash or network loss sends only the blocks the server still lacks.
 */
import { stat } from 'node:fs/promises';
import type { CofferApi } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { BlockRef, CommitAnswer } from '../api/types.js';
import { blockListOf, fileChunks } from './blocks.js';
import { TransferStats, type Progress } from './stats.js';

const IN_FLIGHT = 3;

export interface UploadOptions {
  /** The head revision this upload replaces; null creates a new file (409 when one exists). */
  baseRev: number | null;
  /** 'copy': a stale baseRev (or an existing file) makes the server keep this as a conflicted copy. */
  onConflict?: 'fail' | 'copy';
  stats?: TransferStats;
  onProgress?: Progress;
}

export async function uploadFile(api: CofferApi, localPath: string, remotePath: string, o: UploadOptions): Promise<CommitAnswer> {
  const stats = o.stats ?? new TransferStats();
  const info = await stat(localPath);
  if (!info.isFile()) throw new Error(`${localPath} is not a regular file`);

  let hashed = 0;
  const blocks = await blockListOf(localPath, (n) => o.onProgress?.('hashing', (hashed += n), info.size));
  const size = blocks.reduce((n, b) => n + b.size, 0);
  const missing = await api.missingBlocks([...new Set(blocks.map((b) => b.hash))]);
  await sendBlocks(api, localPath, blocks, missing, stats, o.onProgress);

  const commit = { path: remotePath, size, blocks, baseRev: o.baseRev, mtime: Math.round(info.mtimeMs), ...(o.onConflict ? { onConflict: o.onConflict } : {}) };
  try {
    return await api.commit(commit);
  } catch (err) {
    // Blocks can vanish between asking and committing (GC of uncommitted blocks): send them, retry once.
    if (!(err instanceof ApiError && err.code === 'missing_blocks')) throw err;
    const again = new Set((err.details as { missing?: string[] } | undefined)?.missing ?? blocks.map((b) => b.hash));
    await sendBlocks(api, localPath, blocks, again, stats, o.onProgress);
    return await api.commit(commit);
  }
}

/** Second pass: re-read the file and PUT the chunks in `missing` (each once). */
async function sendBlocks(api: CofferApi, localPath: string, blocks: BlockRef[], missing: Set<string>, stats: TransferStats, onProgress?: Progress): Promise<void> {
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
  // A few PUTs in flight hide the round trips; memory stays IN_FLIGHT chunks (≤ 4 MiB each).
  const inFlight = new Set<Promise<void>>();
  let failed: unknown;
  for await (const chunk of fileChunks(localPath)) {
    if (failed) break;
    const expected = blocks[i++];
    // The file must not change between the passes, or the committed list would not match the bytes.
    if (!expected || expected.hash !== chunk.hash) throw new Error(`${localPath} changed while it was being uploaded; try again`);
    if (!todo.delete(chunk.hash)) continue;
    const p: Promise<void> = api.putBlock(chunk.hash, chunk.bytes).then(
      () => {
        stats.blocksSent++;
        stats.blockBytesSent += chunk.bytes.byteLength;
        onProgress?.('uploading', (sent += chunk.bytes.byteLength), total);
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
  if (todo.size > 0) throw new Error(`${localPath} changed while it was being uploaded; try again`);
}
