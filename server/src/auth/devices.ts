import { and, asc, eq, ne } from 'drizzle-orm';
import type { Device } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { authTokens, devices } from '../db/schema.js';

export type DeviceKind = (typeof devices.kind.enumValues)[number];
export const DEVICE_KINDS = devices.kind.enumValues;

export async function createDevice(db: Db, userId: string, d: { name: string; kind: DeviceKind }): Promise<string> {
  const [row] = await db.insert(devices).values({ userId, name: d.name, kind: d.kind }).returning({ id: devices.id });
  return row!.id;
}

/** The user's devices, oldest first; `current` marks the one making the request. */
export async function listDevices(db: Db, userId: string, currentDeviceId?: string): Promise<Device[]> {
  const rows = await db
    .select({ id: devices.id, name: devices.name, kind: devices.kind, lastSeenAt: devices.lastSeenAt, createdAt: devices.createdAt })
    .from(devices)
    .where(eq(devices.userId, userId))
    .orderBy(asc(devices.createdAt), asc(devices.id));
  return rows.map((d) => ({ ...d, lastSeenAt: d.lastSeenAt.toISOString(), createdAt: d.createdAt.toISOString(), current: d.id === currentDeviceId }));
}

/** Forget a device of this user; its tokens go with it (ON DELETE CASCADE). False when it is not theirs. */
export async function deleteDevice(db: Db, userId: string, deviceId: string): Promise<boolean> {
  const gone = await db
    .delete(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.userId, userId)))
    .returning({ id: devices.id });
  return gone.length > 0;
}

/**
 * Sign a user out everywhere except (optionally) the calling token: every other token and every
 * other device (a device without a token can never connect again, so it is not kept as clutter).
 * App passwords go too: whoever knew the old password may have made some.
 */
export async function revokeSessions(db: Db, userId: string, keep?: { tokenId: string; deviceId?: string }): Promise<void> {
  await db.delete(devices).where(keep?.deviceId ? and(eq(devices.userId, userId), ne(devices.id, keep.deviceId)) : eq(devices.userId, userId));
  await db.delete(authTokens).where(keep ? and(eq(authTokens.userId, userId), ne(authTokens.id, keep.tokenId)) : eq(authTokens.userId, userId));
}
