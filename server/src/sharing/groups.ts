/** Groups (admin-managed): a share to a group reaches its present and future members. */
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { isUniqueViolation } from '../db/errors.js';
import { groupMembers, groups, shares, users } from '../db/schema.js';
import { ConflictError, NotFoundError } from '../http-errors.js';
import type { Group } from '@coffer/protocol';
import { dropMounts } from './shares.js';

async function groupView(db: Db, id: string): Promise<Group> {
  const [g] = await db.select().from(groups).where(eq(groups.id, id));
  if (!g) throw new NotFoundError('no such group');
  const members = await db
    .select({ id: users.id, username: users.username })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(eq(groupMembers.groupId, id))
    .orderBy(asc(users.username));
  return { id: g.id, name: g.name, members, createdAt: g.createdAt.toISOString() };
}

export async function listGroups(db: Db): Promise<Group[]> {
  const rows = await db.select({ id: groups.id }).from(groups).orderBy(asc(groups.name));
  return Promise.all(rows.map((r) => groupView(db, r.id)));
}

export async function createGroup(db: Db, name: string): Promise<Group> {
  try {
    const [g] = await db.insert(groups).values({ name }).returning();
    return groupView(db, g!.id);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`a group named ${name} exists`, { code: 'group_name_taken' });
    throw err;
  }
}

export async function deleteGroup(tx: Db, id: string): Promise<void> {
  await groupView(tx, id);
  for (const s of await tx.select().from(shares).where(eq(shares.granteeGroupId, id))) await dropMounts(tx, s);
  await tx.delete(groups).where(eq(groups.id, id));
}

export async function addMember(tx: Db, id: string, username: string): Promise<Group> {
  await groupView(tx, id);
  const [u] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = lower(${username})`);
  if (!u) throw new NotFoundError(`no user named ${username}`, { code: 'no_such_grantee' });
  await tx.insert(groupMembers).values({ groupId: id, userId: u.id }).onConflictDoNothing();
  return groupView(tx, id);
}

/** The member's mounts of the group's shares go with their membership. */
export async function removeMember(tx: Db, id: string, userId: string): Promise<Group> {
  await groupView(tx, id);
  for (const s of await tx.select().from(shares).where(eq(shares.granteeGroupId, id))) await dropMounts(tx, s, [userId]);
  await tx.delete(groupMembers).where(sql`${groupMembers.groupId} = ${id} and ${groupMembers.userId} = ${userId}`);
  return groupView(tx, id);
}
