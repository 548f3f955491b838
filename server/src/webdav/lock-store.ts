/**
 * Locks in the database (webdav_locks), so every server instance enforces the same ones. A lock
 * names a path key (paths.ts lockKeyOf); a depth-infinity lock covers everything below it.
 * Expired locks are ignored by every query and swept when a lock is taken.
 */
import { and, eq, gt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { webdavLocks } from '../db/schema.js';

export type LockRow = typeof webdavLocks.$inferSelect;

/** `key` itself or below it (prefix on whole segments). */
function atOrBelow(key: string) {
  return key === '/' ? sql`true` : or(eq(webdavLocks.pathKey, key), sql`left(${webdavLocks.pathKey}, ${key.length + 1}) = ${`${key}/`}`);
}

/** Live locks of the namespace on `key` itself (or below it, with `below`) or depth-infinity on an ancestor. */
async function liveLocks(db: Db, namespaceId: string, key: string, below: boolean): Promise<LockRow[]> {
  const ancestors = `{${ancestorKeys(key).map(quoteArray).join(',')}}`;
  return db
    .select()
    .from(webdavLocks)
    .where(
      and(
        eq(webdavLocks.namespaceId, namespaceId),
        gt(webdavLocks.expiresAt, sql`now()`),
        or(below ? atOrBelow(key) : eq(webdavLocks.pathKey, key), and(eq(webdavLocks.depthInfinity, true), sql`${webdavLocks.pathKey} = any(${ancestors}::text[])`)),
      ),
    );
}

/** Live locks that cover `key`: on it, or depth-infinity on an ancestor. */
export function locksCovering(db: Db, namespaceId: string, key: string): Promise<LockRow[]> {
  return liveLocks(db, namespaceId, key, false);
}

/** Live locks covering `key` or anything below it (a DELETE or MOVE of a folder needs all their tokens). */
export function locksNear(db: Db, namespaceId: string, key: string): Promise<LockRow[]> {
  return liveLocks(db, namespaceId, key, true);
}

export async function insertLock(db: Db, lock: Omit<LockRow, 'expiresAt'> & { expiresAt: Date }): Promise<void> {
  await db.delete(webdavLocks).where(and(eq(webdavLocks.namespaceId, lock.namespaceId), lte(webdavLocks.expiresAt, sql`now()`)));
  await db.insert(webdavLocks).values(lock);
}

export async function refreshLock(db: Db, token: string, seconds: number): Promise<LockRow | undefined> {
  const [row] = await db
    .update(webdavLocks)
    .set({ timeoutSeconds: seconds, expiresAt: new Date(Date.now() + seconds * 1000) })
    .where(eq(webdavLocks.token, token))
    .returning();
  return row;
}

export async function deleteLock(db: Db, token: string): Promise<void> {
  await db.delete(webdavLocks).where(eq(webdavLocks.token, token));
}

/** A resource went away (deleted, or moved off its path): the locks on it and below go with it. */
export async function dropLocksAtOrBelow(db: Db, namespaceId: string, key: string): Promise<void> {
  await db.delete(webdavLocks).where(and(eq(webdavLocks.namespaceId, namespaceId), atOrBelow(key)));
}

/** '/a/b/c' → ['/', '/a', '/a/b'] (strict ancestors). */
export function ancestorKeys(key: string): string[] {
  if (key === '/') return [];
  const parts = key.split('/').slice(1);
  const out = ['/'];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

function quoteArray(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Does lock `l` cover `key`? */
export function covers(l: Pick<LockRow, 'pathKey' | 'depthInfinity'>, key: string): boolean {
  if (l.pathKey === key) return true;
  if (!l.depthInfinity) return false;
  return l.pathKey === '/' || key.startsWith(`${l.pathKey}/`);
}
