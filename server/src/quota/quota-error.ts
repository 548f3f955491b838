/** The 507 every quota refusal answers, with the figures that explain it. */
import { InsufficientStorageError } from '../http-errors.js';

export interface Usage {
  /** Bytes of committed files (head revisions, trash included). */
  used: number;
  /** Bytes held by uploads not committed yet (quota/reservations.ts). */
  reserved: number;
  quota: number;
}

export function quotaError(u: Usage, needed: number): InsufficientStorageError {
  const held = u.reserved > 0 ? ` (${u.reserved} of them held by uploads in progress)` : '';
  return new InsufficientStorageError(
    `over quota: ${needed} more bytes would bring usage to ${u.used + u.reserved + needed}${held} of ${u.quota} bytes; delete files or empty the trash`,
    { code: 'quota_exceeded', details: { usedBytes: u.used, reservedBytes: u.reserved, quotaBytes: u.quota, neededBytes: needed } },
  );
}
