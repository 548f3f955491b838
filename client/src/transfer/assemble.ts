/**
 * Block-level download: build a file from its version's block list, taking every block the
 * local copy already has from disk and fetching only the others with GET /blocks/:sha256.
 * Written atomically (temp file, fsync, rename) with the mtime given; every block is checked
 * against its hash, so a local file that changed meanwhile cannot corrupt the result.
 *
 * `coffer get` cannot use this yet: the API has no way to read a version's block list. A sync
 * agent knows the lists of versions it uploaded, and once the server exposes them, get will too.
 */
import { open, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises';
import type { CofferApi } from '../api/client.js';
import type { BlockRef } from '../api/types.js';
import { fileChunks, sha256Hex } from './blocks.js';
import { TransferStats, type Progress } from './stats.js';
import { releaseTempPath, tempPathFor } from './temp-files.js';

export interface AssembleOptions {
  /** A local file whose blocks may be reused (often the destination itself: an older version). */
  reuseFrom?: string;
  mtime?: Date;
  stats?: TransferStats;
  onProgress?: Progress;
}

export async function assembleFile(api: CofferApi, blocks: readonly BlockRef[], localPath: string, o: AssembleOptions = {}): Promise<void> {
  const stats = o.stats ?? new TransferStats();
  const total = blocks.reduce((n, b) => n + b.size, 0);
  const wanted = new Set(blocks.map((b) => b.hash));
  // Where each wanted block sits in the reusable file (offsets only; bytes are read again later).
  const have = new Map<string, number>();
  const source = o.reuseFrom && (await stat(o.reuseFrom).catch(() => undefined))?.isFile() ? o.reuseFrom : undefined;
  if (source) {
    let offset = 0;
    for await (const c of fileChunks(source)) {
      if (wanted.has(c.hash) && !have.has(c.hash)) have.set(c.hash, offset);
      offset += c.bytes.byteLength;
    }
  }

  const temp = tempPathFor(localPath);
  const out = await open(temp, 'wx', 0o666);
  const src = source ? await open(source, 'r') : undefined;
  try {
    let done = 0;
    for (const b of blocks) {
      const bytes = (await reuse(src, have.get(b.hash), b)) ?? (await fetchBlock(api, b, stats));
      await out.write(bytes);
      o.onProgress?.('assembling', (done += b.size), total);
    }
    await out.sync();
    await out.close();
    if (o.mtime) await utimes(temp, new Date(), o.mtime);
    await rename(temp, localPath);
    releaseTempPath(temp);
  } catch (err) {
    await out.close().catch(() => undefined);
    await rm(temp, { force: true });
    releaseTempPath(temp);
    throw err;
  } finally {
    await src?.close();
  }

  async function reuse(fh: FileHandle | undefined, offset: number | undefined, b: BlockRef): Promise<Buffer | undefined> {
    if (!fh || offset === undefined) return undefined;
    const buf = Buffer.allocUnsafe(b.size);
    const { bytesRead } = await fh.read(buf, 0, b.size, offset);
    if (bytesRead !== b.size || sha256Hex(buf) !== b.hash) return undefined; // changed on disk: fetch it
    stats.blocksReused++;
    return buf;
  }
}

async function fetchBlock(api: CofferApi, b: BlockRef, stats: TransferStats): Promise<Buffer> {
  const bytes = await api.getBlock(b.hash);
  if (bytes.byteLength !== b.size || sha256Hex(bytes) !== b.hash) throw new Error(`block ${b.hash} arrived damaged; try again`);
  stats.bytesDownloaded += bytes.byteLength;
  return bytes;
}
