/**
 * A local file as the server sees it: the blocks the shared FastCDC chunker cuts (one
 * implementation, @coffer/storage-engine/chunker, so client and server cut identically), their
 * SHA-256, and the content hash that names a version. Files are streamed, never read whole.
 */
import { createHash } from 'node:crypto';
import { contentHash, type BlockRef } from '@coffer/protocol';
import { Chunker } from '@coffer/storage-engine/chunker';
import { nodeReadable, type FileStat, type ReadableFile, type ReadHandle } from './file-handle.js';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The name of a version's content: @coffer/protocol's rule (SHA-256 over the raw block hashes in
 *  order), with node:crypto. Equal content hashes mean byte-identical files. */
export function contentHashOf(blocks: readonly BlockRef[]): string {
  return contentHash(blocks, sha256Hex);
}

const PIECE = 1 << 20;

/** Each chunk of an open file with its hash, in order, read from the start; one chunk (at most 4 MiB) in memory at a time. */
export async function* handleChunks(h: ReadHandle, onBytes?: (n: number) => void, sizeHint = PIECE): AsyncGenerator<{ hash: string; bytes: Buffer }> {
  const chunker = new Chunker();
  // One read buffer, reused: the chunker copies what it keeps and every chunk it yields. Small
  // files get a small one (the hint is the file's size; a file that grew meanwhile takes more reads).
  const piece = new Uint8Array(Math.max(64, Math.min(PIECE, sizeHint + 1)));
  try {
    let position = 0;
    for (;;) {
      const n = await h.read(piece, 0, piece.byteLength, position);
      if (n === 0) break;
      position += n;
      for (const bytes of chunker.cuts(piece.subarray(0, n))) {
        onBytes?.(bytes.byteLength);
        yield { hash: sha256Hex(bytes), bytes };
      }
    }
    for (const bytes of chunker.finish()) {
      onBytes?.(bytes.byteLength);
      yield { hash: sha256Hex(bytes), bytes };
    }
  } finally {
    chunker.dispose();
  }
}

/** Each chunk of a file with its hash, in order (the file is opened and closed around the walk). */
export async function* fileChunks(file: string | ReadableFile, onBytes?: (n: number) => void): AsyncGenerator<{ hash: string; bytes: Buffer }> {
  const h = await (typeof file === 'string' ? nodeReadable(file) : file).open();
  try {
    yield* handleChunks(h, onBytes);
  } finally {
    await h.close();
  }
}

/** The block list of a file (hashes and sizes only). */
export async function blockListOf(file: string | ReadableFile, onProgress?: (done: number, total: number) => void): Promise<BlockRef[]> {
  return (await scanBlocks(file, onProgress)).blocks;
}

/**
 * The block list of a file and what the file was while it was read: the open file's stat before
 * and after the read. `stable` is false when they differ (written to while being read), so the
 * list may describe bytes the file never held as a whole.
 */
export async function scanBlocks(
  file: string | ReadableFile,
  onProgress?: (done: number, total: number) => void,
  /** Each block as it is cut (the upload keeps them as the bases of later deltas). */
  onBlock?: (hash: string, bytes: Buffer) => Promise<void>,
): Promise<{ blocks: BlockRef[]; stat: FileStat; stable: boolean }> {
  const h = await (typeof file === 'string' ? nodeReadable(file) : file).open();
  try {
    const before = await h.stat();
    const blocks: BlockRef[] = [];
    let done = 0;
    const onBytes = onProgress && ((n: number) => onProgress((done += n), before.size));
    for await (const c of handleChunks(h, onBytes, before.size)) {
      blocks.push({ hash: c.hash, size: c.bytes.byteLength });
      await onBlock?.(c.hash, c.bytes);
    }
    const after = await h.stat();
    const stable = before.size === after.size && before.mtimeMs === after.mtimeMs && before.ino === after.ino;
    return { blocks, stat: before, stable: stable && blocks.reduce((n, b) => n + b.size, 0) === before.size };
  } finally {
    await h.close();
  }
}
