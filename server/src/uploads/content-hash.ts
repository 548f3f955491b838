import { createHash } from 'node:crypto';

/** A file's content hash from its block hashes, as the engine's FileStore computes it (sha256 over the blocks' sha256s). */
export function contentHashOf(blocks: readonly { hash: string }[]): string {
  const h = createHash('sha256');
  for (const b of blocks) h.update(Buffer.from(b.hash, 'hex'));
  return h.digest('hex');
}
