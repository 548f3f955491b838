/**
 * What deleting an account does, told before it is done: its tree (files, folders, the bytes of
 * their kept versions) goes, the shares it offered or received end (ON DELETE CASCADE), its links
 * stop, its devices and credentials are revoked.
 */
import { count, eq, or, sql } from 'drizzle-orm';
import type { UserDeletePreview } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { authTokens, devices, files, links, shares, users } from '../db/schema.js';
import { NotFoundError } from '../http-errors.js';
import { adminUserView } from './users.js';

export async function userDeletePreview(db: Db, userId: string): Promise<UserDeletePreview> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new NotFoundError('no such user');
  const [tree] = await db
    .select({ files: sql<number>`count(*) filter (where not ${files.isDir})::int`, folders: sql<number>`count(*) filter (where ${files.isDir})::int` })
    .from(files)
    .where(eq(files.namespaceId, user.namespaceId));
  const n = async (q: Promise<{ n: number }[]>) => (await q)[0]?.n ?? 0;
  return {
    user: adminUserView(user),
    files: tree?.files ?? 0,
    folders: tree?.folders ?? 0,
    bytes: user.usedBytes,
    sharesEnding: await n(db.select({ n: count() }).from(shares).where(or(eq(shares.ownerId, userId), eq(shares.granteeUserId, userId)))),
    linksEnding: await n(db.select({ n: count() }).from(links).where(eq(links.ownerId, userId))),
    devices: await n(db.select({ n: count() }).from(devices).where(eq(devices.userId, userId))),
    tokens: await n(db.select({ n: count() }).from(authTokens).where(eq(authTokens.userId, userId))),
  };
}
