/**
 * Reading a version's blocks back from the file that holds them, for the block cache
 * (block-cache.ts `fill`): once a big file's download is placed, rather than while it is written.
 * Kept as they arrived, a 100 MiB file's blocks were 100 MiB more written inside the time its
 * sender waits for it to arrive (on this VM page cache touched for the first time costs ~2.3 ms
 * of CPU per MiB). Not hashed again here: the cache checks every entry against its hash when it
 * is read, so a file changed since leaves entries that are misses (and dropped), never a wrong base.
 */
import { MAX_BLOCK_BYTES, type BlockRef } from '@coffer/protocol';
import { releaseMemory } from '@coffer/storage-engine/memory';
import type { ReadableFile } from './file-handle.js';

/** Call `each` with the bytes at the place of every distinct block of `blocks` in `file`, read into
 *  one reused buffer (`each` must be done with them when it resolves). `skip`: blocks not to read. */
export async function readBackBlocks(
  file: ReadableFile,
  blocks: readonly BlockRef[],
  skip: (hash: string) => boolean,
  each: (hash: string, bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  const h = await file.open();
  const buf = Buffer.allocUnsafeSlow(Math.min(MAX_BLOCK_BYTES, blocks.reduce((n, b) => Math.max(n, b.size), 0)));
  try {
    const seen = new Set<string>();
    let offset = 0;
    for (const b of blocks) {
      const at = offset;
      offset += b.size;
      if (seen.has(b.hash) || b.size > buf.byteLength || skip(b.hash)) continue;
      seen.add(b.hash);
      const bytes = buf.subarray(0, b.size);
      if ((await h.read(bytes, 0, b.size, at)) !== b.size) break; // shorter now: nothing further is there
      await each(b.hash, bytes);
    }
  } finally {
    await h.close();
    releaseMemory(buf); // as the upload frees its chunks: now, not at V8's next collection
  }
}
