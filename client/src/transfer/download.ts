/**
 * Download of one remote file to a local path, written atomically (temp file in the same
 * folder, fsync, rename) with the remote modification time kept, and checked end to end: the
 * bytes are chunked as they arrive and must hash to the version's content hash.
 *
 * Delta: a local file whose blocks hash to the remote content hash is already up to date and
 * nothing is fetched. A partial delta (fetch only the changed blocks with GET /blocks/:sha256)
 * needs the version's block list, which the API does not expose yet: a caller that knows it
 * passes `blocks` (assemble.ts); otherwise a changed file is fetched whole with GET /download.
 */
import { stat, utimes, type FileHandle } from 'node:fs/promises';
import { Chunker } from '@coffer/storage-engine/chunker';
import type { CofferApi } from '../api/client.js';
import { assembleFile } from './assemble.js';
import { blockListOf, contentHashOf, sha256Hex } from './blocks.js';
import { TransferStats, type Progress } from './stats.js';
import { replaceFile } from './atomic-write.js';
import type { BlockRef } from '@coffer/protocol';

export interface DownloadOptions {
  rev?: number;
  /** The version's block list when the caller knows it (a sync agent that uploaded it): then only
   *  blocks the local file lacks are fetched. Ignored unless it hashes to the version's content hash. */
  blocks?: BlockRef[];
  stats?: TransferStats;
  onProgress?: Progress;
}

export interface DownloadResult {
  size: number;
  rev: number;
  /** True when the local file already had this content and nothing was fetched. */
  upToDate: boolean;
}

export async function downloadFile(api: CofferApi, remotePath: string, localPath: string, o: DownloadOptions = {}): Promise<DownloadResult> {
  const stats = o.stats ?? new TransferStats();
  const head = await api.metadata(remotePath);
  if (head.isDir) throw new Error(`${remotePath} is a folder`);
  if (head.rev === 0) throw new Error(`${remotePath} has no content yet (its first upload is in progress)`);
  let want = { rev: head.rev, size: head.size, contentHash: head.contentHash, mtime: new Date(head.modifiedAt) };
  if (o.rev !== undefined && o.rev !== head.rev) {
    const r = (await api.revisions(remotePath, 1000)).revisions.find((x) => x.rev === o.rev);
    if (!r) throw new Error(`${remotePath} has no revision ${o.rev}`);
    want = { rev: r.rev, size: r.size, contentHash: r.contentHash, mtime: new Date(r.createdAt) };
  }

  const local = await stat(localPath).catch(() => undefined);
  if (local && !local.isFile()) throw new Error(`${localPath} exists and is not a regular file`);
  if (local && local.size === want.size && want.contentHash) {
    const blocks = await blockListOf(localPath, o.onProgress && ((done, total) => o.onProgress?.('checking', done, total)));
    if (contentHashOf(blocks) === want.contentHash) {
      stats.blocksReused += blocks.length;
      await utimes(localPath, new Date(), want.mtime);
      return { size: want.size, rev: want.rev, upToDate: true };
    }
  }

  if (o.blocks && contentHashOf(o.blocks) === want.contentHash) {
    await assembleFile(api, o.blocks, localPath, { reuseFrom: local ? localPath : undefined, mtime: want.mtime, stats, onProgress: o.onProgress });
    return { size: want.size, rev: want.rev, upToDate: false };
  }

  const fill = async (fh: FileHandle) => {
    // The revision chosen above, not "the head": a commit meanwhile must not swap the bytes under us.
    const res = await api.download(remotePath, { rev: want.rev });
    const chunker = new Chunker();
    const blocks: BlockRef[] = [];
    const note = (cs: Buffer[]) => cs.forEach((c) => blocks.push({ hash: sha256Hex(c), size: c.byteLength }));
    let got = 0;
    for await (const piece of res as AsyncIterable<Buffer>) {
      await fh.write(piece);
      note(chunker.push(piece));
      got += piece.byteLength;
      stats.bytesDownloaded += piece.byteLength;
      o.onProgress?.('downloading', got, want.size);
    }
    note(chunker.finish());
    if (got !== want.size) throw new Error(`download of ${remotePath} ended after ${got} of ${want.size} bytes; try again`);
    if (want.contentHash && contentHashOf(blocks) !== want.contentHash) throw new Error(`download of ${remotePath} does not match its content hash; try again`);
  };
  await replaceFile(localPath, fill, { mode: local ? local.mode & 0o777 : 0o666, mtime: want.mtime });
  return { size: want.size, rev: want.rev, upToDate: false };
}
