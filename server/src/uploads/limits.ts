/** What one upload may be: refused before the bytes are stored whenever the size is known up front. */
import { MAX_FILE_BYTES } from '@coffer/protocol';
import { PayloadTooLargeError } from '../http-errors.js';
import type { Db } from '../db/open.js';
import { quotaError } from '../quota/quota-error.js';
import { usageOf } from '../quota/usage.js';

/** 10 GiB a file (DESIGN §1): the protocol's limit. */
export { MAX_FILE_BYTES };

export function fileTooLarge(size: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`a file may be at most ${MAX_FILE_BYTES} bytes (10 GiB); this one is ${size} bytes`, {
    code: 'file_too_large',
    details: { maxBytes: MAX_FILE_BYTES, size },
  });
}

export function checkFileSize(size: number | undefined): void {
  if (size !== undefined && size > MAX_FILE_BYTES) throw fileTooLarge(size);
}

/**
 * 507 early when a commit of `size` bytes, replacing a file of `replacing` bytes, cannot fit the
 * committed usage. Reservations are left out on purpose: the commit releases its own blocks'
 * before it checks (files/versions.ts), and it checks exactly, atomically, with the others.
 */
export async function checkQuota(db: Db, namespaceId: string, size: number | undefined, replacing = 0): Promise<void> {
  if (size === undefined || size - replacing <= 0) return;
  const u = await usageOf(db, namespaceId);
  if (u && u.used + size - replacing > u.quota) throw quotaError({ ...u, reserved: 0 }, size - replacing);
}
