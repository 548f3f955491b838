/**
 * A version's block list as the block cache keeps it (block-cache.ts): named `l-` and its content
 * hash; per block its SHA-256 (32 bytes) and size (u32 BE). A file whose hashes do not make the
 * content hash of its name, or whose length is not whole entries, is no list (the cache drops it).
 */
import type { BlockRef } from '@coffer/protocol';
import { contentHashOf } from './blocks.js';

export const LIST_PREFIX = 'l-';
const ENTRY = 36;

export function listToFile(blocks: readonly BlockRef[]): { contentHash: string; bytes: Buffer } {
  const bytes = Buffer.alloc(blocks.length * ENTRY);
  for (const [i, b] of blocks.entries()) {
    bytes.write(b.hash, i * ENTRY, 32, 'hex');
    bytes.writeUInt32BE(b.size, i * ENTRY + 32);
  }
  return { contentHash: contentHashOf(blocks), bytes };
}

export function listFromFile(bytes: Buffer, contentHash: string): BlockRef[] | undefined {
  if (bytes.byteLength === 0 || bytes.byteLength % ENTRY !== 0) return undefined;
  const blocks: BlockRef[] = [];
  for (let at = 0; at < bytes.byteLength; at += ENTRY) {
    const size = bytes.readUInt32BE(at + 32);
    if (size === 0) return undefined;
    blocks.push({ hash: bytes.toString('hex', at, at + 32), size });
  }
  return contentHashOf(blocks) === contentHash ? blocks : undefined;
}
