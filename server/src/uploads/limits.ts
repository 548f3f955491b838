/** What one upload may be: refused before the bytes are stored whenever the size is known up front. */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import { PayloadTooLargeError } from '../http-errors.js';
import { quotaError } from '../files/versions.js';

/** 10 GiB a file (DESIGN §1). */
export const MAX_FILE_BYTES = 10 * 1024 ** 3;

export function fileTooLarge(size: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`a file may be at most ${MAX_FILE_BYTES} bytes (10 GiB); this one is ${size} bytes`, {
    code: 'file_too_large',
    details: { maxBytes: MAX_FILE_BYTES, size },
  });
}

export function checkFileSize(size: number | undefined): void {
  if (size !== undefined && size > MAX_FILE_BYTES) throw fileTooLarge(size);
}

/** 507 early when a declared size cannot fit the owner's quota (the commit checks again, exactly). */
export async function checkQuota(db: Db, namespaceId: string, size: number | undefined, replacing = 0): Promise<void> {
  if (size === undefined || size - replacing <= 0) return;
  const [u] = await db.select({ used: users.usedBytes, quota: users.quotaBytes }).from(users).where(eq(users.namespaceId, namespaceId));
  if (u && u.used + size - replacing > u.quota) throw quotaError(u.used, u.quota, size - replacing);
}
