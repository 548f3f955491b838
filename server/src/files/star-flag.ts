/** Whether the caller starred an entry (stars.ts): as a column of a select over `files`, or for one entry. */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { files, stars } from '../db/schema.js';

/**
 * `files.id` is starred by the user: a column for a select over `files`, one primary-key probe
 * per row answered. A scalar subquery, not EXISTS: the planner may turn an EXISTS into a hash of
 * all the user's stars, read whole for every page.
 */
export function starredFlag(userId: string): SQL<boolean> {
  return sql<boolean>`coalesce((select true from ${stars} where ${stars.userId} = ${userId} and ${stars.fileId} = ${files.id}), false)`;
}

export async function isStarred(db: Db, userId: string, fileId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql`1` })
    .from(stars)
    .where(and(eq(stars.userId, userId), eq(stars.fileId, fileId)));
  return row !== undefined;
}

