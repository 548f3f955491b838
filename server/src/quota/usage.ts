/** A user's quota figures, and the early check that spares sending bytes that cannot fit. */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import { quotaError, type Usage } from './quota-error.js';

export async function usageOf(db: Db, namespaceId: string): Promise<Usage | undefined> {
  const [u] = await db
    .select({ used: users.usedBytes, reserved: users.reservedBytes, quota: users.quotaBytes })
    .from(users)
    .where(eq(users.namespaceId, namespaceId));
  return u;
}

/** 507 when `bytes` more would not fit beside the committed usage and what uploads hold reserved.
 *  Not binding (the reservation or the commit checks again, atomically): an early answer only. */
export async function checkRoom(db: Db, namespaceId: string, bytes: number): Promise<void> {
  if (bytes <= 0) return;
  const u = await usageOf(db, namespaceId);
  if (u && u.used + u.reserved + bytes > u.quota) throw quotaError(u, bytes);
}
