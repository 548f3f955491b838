/** How a block is named over the API: the lowercase hex SHA-256 of its plaintext. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_CHUNKER_OPTIONS } from '../../../storage-engine/src/index.js';
import { BadRequestError } from '../http-errors.js';

/** Any case accepted, stored and compared lowercase (the engine's hashes are lowercase hex). */
export const Sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256 as 64 hex digits')
  .transform((h) => h.toLowerCase());

/** The chunker never cuts a block longer than this; a little slack lets a client whose chunker
 *  differs slightly still sync, while a PUT body stays a bounded few MiB in memory. */
export const MAX_BLOCK_BYTES = DEFAULT_CHUNKER_OPTIONS.maxSize + 64 * 1024;

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A hash from a URL path segment, or 400 'invalid_hash'. */
export function hashParam(value: string): string {
  const r = Sha256Hex.safeParse(value);
  if (!r.success) throw new BadRequestError(`'${value.slice(0, 80)}' is not a SHA-256 (64 hex digits)`, { code: 'invalid_hash' });
  return r.data;
}
