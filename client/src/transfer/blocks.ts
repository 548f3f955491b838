/**
 * A local file as the server sees it: the blocks the shared FastCDC chunker cuts (one
 * implementation, storage-engine/src/chunker.ts, so client and server cut identically), their
 * SHA-256, and the content hash that names a version. Files are streamed, never read whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chunkStream } from '../../../storage-engine/src/chunker.js';
import type { BlockRef } from '../api/types.js';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The server's name for a version's content: SHA-256 over the raw block hashes in order
 * (server/src/uploads/content-hash.ts; part of the protocol, restated here since the client
 * must not import the server). Equal content hashes mean byte-identical files.
 */
export function contentHashOf(blocks: readonly BlockRef[]): string {
  const h = createHash('sha256');
  for (const b of blocks) h.update(Buffer.from(b.hash, 'hex'));
  return h.digest('hex');
}

/** Each chunk of a file with its hash, in order; one chunk (at most 4 MiB) in memory at a time. */
export async function* fileChunks(path: string, onBytes?: (n: number) => void): AsyncGenerator<{ hash: string; bytes: Buffer }> {
  for await (const bytes of chunkStream(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    onBytes?.(bytes.byteLength);
    yield { hash: sha256Hex(bytes), bytes };
  }
}

/** The block list of a local file (hashes and sizes only). */
export async function blockListOf(path: string, onBytes?: (n: number) => void): Promise<BlockRef[]> {
  const blocks: BlockRef[] = [];
  for await (const c of fileChunks(path, onBytes)) blocks.push({ hash: c.hash, size: c.bytes.byteLength });
  return blocks;
}
