/** How a block is named over the API (@coffer/protocol: the lowercase hex SHA-256 of its plaintext), hashed with node:crypto. */
import { createHash } from 'node:crypto';
import { Sha256Hex } from '@coffer/protocol';
import { BadRequestError } from '../http-errors.js';

export { MAX_BLOCK_BYTES, Sha256Hex } from '@coffer/protocol';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A hash from a URL path segment, or 400 'invalid_hash'. */
export function hashParam(value: string): string {
  const r = Sha256Hex.safeParse(value);
  if (!r.success) throw new BadRequestError(`'${value.slice(0, 80)}' is not a SHA-256 (64 hex digits)`, { code: 'invalid_hash' });
  return r.data;
}
