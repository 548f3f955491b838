import { contentHash } from '@coffer/protocol';
import { sha256Hex } from '../blocks/hash.js';

/** A version's content hash from its block hashes: @coffer/protocol's rule, with node:crypto. */
export function contentHashOf(blocks: readonly { hash: string }[]): string {
  return contentHash(blocks, sha256Hex);
}
