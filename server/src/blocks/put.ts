/** Receiving one block from a sync client: bounded in memory, verified against its name, counted against the quota, stored once. */
import { eq } from 'drizzle-orm';
import { releaseMemory } from '@coffer/storage-engine';
import type { Db } from '../db/open.js';
import { blocks } from '../db/schema.js';
import { BadRequestError, PayloadTooLargeError } from '../http-errors.js';
import { reserve } from '../quota/reservations.js';
import type { Storage } from '../storage.js';
import type { RequestBody } from '../uploads/body.js';
import { readWholeBody } from '../uploads/whole-body.js';
import { MAX_BLOCK_BYTES, sha256Hex } from './hash.js';

export interface PutBlockResult {
  hash: string;
  size: number;
  /** False when the namespace had the block already (nothing new was written). */
  stored: boolean;
}

export interface BlockPutDeps {
  db: Db;
  storage: Storage;
  /** How long a block stored for a later commit holds its reservation (GC's grace period). */
  reservationMs: number;
}

/** 413 'block_too_large'. */
export function tooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(`a block may be at most ${MAX_BLOCK_BYTES} bytes`, { code: 'block_too_large', details: { maxBytes: MAX_BLOCK_BYTES } });
}

export async function putBlock(
  deps: BlockPutDeps,
  namespaceId: string,
  hash: string,
  body: RequestBody,
  declaredLength: number | undefined,
): Promise<PutBlockResult> {
  // A block is at most a few MiB: held whole, as hashing must see all of it before anything is stored.
  const data = await readBlockBody(body, declaredLength);
  const result = await storeBlock(deps, namespaceId, hash, data);
  // Stored (the engine keeps copies): freed now, not at V8's next collection for external memory.
  releaseMemory(data);
  return result;
}

/** A block-sized request body, held whole (413 'block_too_large' past MAX_BLOCK_BYTES). */
export function readBlockBody(body: RequestBody, declaredLength: number | undefined): Promise<Buffer> {
  return readWholeBody(body, declaredLength, MAX_BLOCK_BYTES, tooLarge);
}

/** A block's plaintext, checked against its name, reserved against the quota and stored once. */
export async function storeBlock(deps: BlockPutDeps, namespaceId: string, hash: string, data: Buffer): Promise<PutBlockResult> {
  checkBlockBytes(hash, data);
  const key = deps.storage.blocks.keyFor(namespaceId, hash);
  const [held] = await deps.db.select({ refcount: blocks.refcount }).from(blocks).where(eq(blocks.key, key));
  // Part of a committed version: its bytes count in the usage already, and the commit that uses
  // it again charges that file's size. Nothing to reserve, nothing to store.
  if (held && held.refcount > 0) return { hash, size: data.byteLength, stored: false };
  // New, or stored but in no file yet (uploaded earlier, or left by a purge): it counts against the
  // quota until a commit uses it or the reservation expires, and is reserved before it is stored,
  // so a refused PUT stores nothing. A block reserved already is not counted twice (its expiry
  // moves on: the client is still working towards its commit).
  await reserve(deps.db, {
    kind: 'block',
    ref: key,
    namespaceId,
    bytes: data.byteLength,
    expiresAt: new Date(Date.now() + deps.reservationMs),
  });
  // Checked before sealing: re-sending a block the namespace has costs no encryption or erasure coding.
  if (held) return { hash, size: data.byteLength, stored: false };
  // A failure here leaves the reservation for the client's retry (which then counts nothing twice); it expires otherwise.
  // checkBlockBytes verified the hash above: the engine need not hash it again.
  const r = await deps.storage.blocks.put(namespaceId, data, { sha256: Buffer.from(hash, 'hex') });
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
