/** Receiving one block from a sync client: bounded in memory, verified against its name, stored once. */
import type { Storage } from '../storage.js';
import { BadRequestError, PayloadTooLargeError } from '../http-errors.js';
import { requestBytes } from '../uploads/body.js';
import { MAX_BLOCK_BYTES, sha256Hex } from './hash.js';

export interface PutBlockResult {
  hash: string;
  size: number;
  /** False when the namespace had the block already (nothing new was written). */
  stored: boolean;
}

/** 413 'block_too_large'. */
export function tooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(`a block may be at most ${MAX_BLOCK_BYTES} bytes`, { code: 'block_too_large', details: { maxBytes: MAX_BLOCK_BYTES } });
}

export async function putBlock(
  storage: Storage,
  namespaceId: string,
  hash: string,
  body: ReadableStream<Uint8Array> | null,
  declaredLength: number | undefined,
): Promise<PutBlockResult> {
  if (declaredLength !== undefined && declaredLength > MAX_BLOCK_BYTES) throw tooLarge();
  // A block is at most a few MiB: held whole, as hashing must see all of it before anything is stored.
  const parts: Uint8Array[] = [];
  for await (const p of requestBytes(body, { limit: MAX_BLOCK_BYTES, tooLarge })) parts.push(p);
  const data = Buffer.concat(parts);
  checkBlockBytes(hash, data);
  // Checked before sealing: re-sending a block the namespace has costs no encryption or erasure coding.
  if (await storage.blocks.has(namespaceId, hash)) return { hash, size: data.byteLength, stored: false };
  const r = await storage.blocks.put(namespaceId, data);
  return { hash, size: r.size, stored: r.stored };
}

/** 400 'empty_block', or 'hash_mismatch' unless the bytes' SHA-256 is `hash`. */
export function checkBlockBytes(hash: string, data: Uint8Array): void {
  if (data.byteLength === 0) throw new BadRequestError('a block cannot be empty', { code: 'empty_block' });
  const actual = sha256Hex(data);
  if (actual !== hash) {
    throw new BadRequestError('the body’s SHA-256 is not the one in the URL; nothing was stored', {
      code: 'hash_mismatch',
      details: { expected: hash, actual },
    });
  }
}
