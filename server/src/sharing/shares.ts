/**
 * Shares: offer (owner, or an editor the owner allowed), list (shared with me / what I shared),
 * accept (a mount at the recipient's root, journaled there as a 'mkdir' so their devices sync it),
 * decline or leave, change, revoke (every mount goes, journaled as a 'delete' in each recipient's
 * namespace: that wakes their long polls and websockets at once). Each runs in one transaction
 * with its inbox entries.
 */
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import { rowsOf, type Db } from '../db/open.js';
import { files, groupMembers, groups, shareMounts, shares, users } from '../db/schema.js';
import { can, forgetGrants } from '../files/access.js';
import { ancestorsCte } from '../files/ancestors.js';
import { createEntry } from '../files/entries.js';
import { appendJournal, journalEntry, placeOf } from '../files/journal.js';
import { resolveLiveEntry, type EntryRef } from '../files/resolve.js';
import { findChild, pathOf } from '../files/tree.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../http-errors.js';
import { MAX_PATH_DEPTH, nameKey, uniqueName } from '../names.js';
import { addNotification } from '../notifications/store.js';
import { publish } from '../sync/hub.js';
import type { ServerMessage, Share, ShareRole } from '@coffer/protocol';

type ShareRow = typeof shares.$inferSelect;

export interface NewShare {
  ref: EntryRef;
  user?: string;
  group?: string;
  role: ShareRole;
  allowReshare?: boolean;
}

/** The users a share reaches now: its user, or its group's members. */
async function recipientsOf(db: Db, s: Pick<ShareRow, 'granteeUserId' | 'granteeGroupId'>): Promise<string[]> {
  if (s.granteeUserId) return [s.granteeUserId];
  const rows = await db.select({ id: groupMembers.userId }).from(groupMembers).where(eq(groupMembers.groupId, s.granteeGroupId!));
  return rows.map((r) => r.id);
}

export async function createShare(tx: Db, user: AuthUser, n: NewShare): Promise<Share> {
  const { row } = await resolveLiveEntry(tx, user, n.ref, 'share');
  if (!(await can(tx, user, 'share', row))) throw new ForbiddenError('only the owner, or an editor the owner allowed, can share this', { code: 'cannot_share' });
  if (row.mountShareId) throw new ConflictError('this is a mount of a share: share the folder itself (its owner can)', { code: 'share_in_share' });
  // Shares do not nest: one shared root per subtree keeps a file's grants and its journal mirror single.
  const nested = await tx.execute(sql`${ancestorsCte(row.id)}, down(id, depth) as (
      select id, 0 from files where id = ${row.id}
      union all select f.id, down.depth + 1 from files f join down on f.parent_id = down.id where down.depth <= ${MAX_PATH_DEPTH}
    )
    select 1 from shares where file_id <> ${row.id} and (file_id in (select id from up) or file_id in (select id from down)) limit 1`);
  if (rowsOf(nested).length > 0) {
    throw new ConflictError('a folder above or below this one is shared already: shares cannot nest', { code: 'share_in_share' });
  }
  const [ownerRow] = await tx.select({ id: users.id }).from(users).where(eq(users.namespaceId, row.namespaceId));
  const grantee = n.user !== undefined ? await userNamed(tx, n.user) : await groupNamed(tx, n.group!);
  if (n.user !== undefined && (grantee.id === user.id || grantee.id === ownerRow?.id)) throw new BadRequestError('you cannot share with yourself or the owner', { code: 'share_self' });
  const [created] = await tx
    .insert(shares)
    .values({
      fileId: row.id,
      namespaceId: row.namespaceId,
      ownerId: ownerRow!.id,
      granteeUserId: n.user !== undefined ? grantee.id : null,
      granteeGroupId: n.group !== undefined ? grantee.id : null,
      role: n.role,
      // Only the owner decides who may re-share.
      allowReshare: row.namespaceId === user.namespaceId ? (n.allowReshare ?? false) : false,
      createdBy: user.id,
    })
    .onConflictDoNothing()
    .returning();
  if (!created) throw new ConflictError('already shared with them: change that share instead', { code: 'already_shared' });
  for (const to of await recipientsOf(tx, created)) {
    if (to === user.id) continue;
    await addNotification(tx, { userId: to, kind: 'share_offered', fileId: null, payload: { shareId: created.id, name: row.name, role: n.role, by: user.username } });
  }
  return shareView(tx, created, user);
}

async function userNamed(db: Db, username: string): Promise<{ id: string }> {
  const [u] = await db.select({ id: users.id }).from(users).where(and(sql`lower(${users.username}) = lower(${username})`, eq(users.disabled, false)));
  if (!u) throw new NotFoundError(`no user named ${username}`, { code: 'no_such_grantee' });
  return u;
}

async function groupNamed(db: Db, name: string): Promise<{ id: string }> {
  const [g] = await db.select({ id: groups.id }).from(groups).where(sql`lower(${groups.name}) = lower(${name})`);
  if (!g) throw new NotFoundError(`no group named ${name}`, { code: 'no_such_grantee' });
  return g;
}

/** A share the caller is party to (owner, maker, or recipient), else 404 like a missing one. */
async function shareFor(db: Db, user: AuthUser, id: string, as: 'any' | 'owner' | 'recipient'): Promise<ShareRow> {
  const [s] = await db.select().from(shares).where(eq(shares.id, id));
  if (s) {
    const owns = s.ownerId === user.id || s.createdBy === user.id;
    const receives = (await recipientsOf(db, s)).includes(user.id);
    if ((as !== 'recipient' && owns) || (as !== 'owner' && receives)) return s;
    if (as === 'owner' && receives) throw new ForbiddenError('only the owner can change or revoke this share', { code: 'cannot_share' });
  }
  throw new NotFoundError('no such share');
}

export async function getShare(db: Db, user: AuthUser, id: string): Promise<Share> {
  return shareView(db, await shareFor(db, user, id, 'any'), user);
}

export async function listShares(db: Db, user: AuthUser, direction: 'incoming' | 'outgoing'): Promise<Share[]> {
  const rows =
    direction === 'outgoing'
      ? await db.select().from(shares).where(or(eq(shares.ownerId, user.id), eq(shares.createdBy, user.id)))
      : await db
          .select()
          .from(shares)
          .where(or(eq(shares.granteeUserId, user.id), inArray(shares.granteeGroupId, db.select({ g: groupMembers.groupId }).from(groupMembers).where(eq(groupMembers.userId, user.id)))));
  rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return Promise.all(rows.map((s) => shareView(db, s, user)));
}

export async function acceptShare(tx: Db, user: AuthUser, id: string, wanted: string | undefined): Promise<Share> {
  const s = await shareFor(tx, user, id, 'recipient');
  const [root] = await tx.select().from(files).where(and(eq(files.id, s.fileId), isNull(files.trashedAt)));
  if (!root) throw new NotFoundError('no such share');
  const [answer] = await tx.select().from(shareMounts).where(and(eq(shareMounts.shareId, s.id), eq(shareMounts.userId, user.id)));
  const [existing] = answer?.mountFileId ? await tx.select().from(files).where(and(eq(files.id, answer.mountFileId), isNull(files.trashedAt))) : [];
  if (existing && (wanted === undefined || nameKey(wanted) === existing.nameKey)) return shareView(tx, s, user);
  if (existing) await unmount(tx, existing.id, user.deviceId);
  // The name the recipient chose (409 when taken), or the root's own, made unique at their root.
  let name = wanted;
  if (name === undefined) {
    const taken = new Set<string>();
    for (;;) {
      name = uniqueName(root.name, (k) => taken.has(k));
      if (!(await findChild(tx, user.namespaceId, null, name))) break;
      taken.add(nameKey(name));
    }
  }
  const mount = await createEntry(tx, { namespaceId: user.namespaceId, parentId: null, name, isDir: true, deviceId: user.deviceId ?? null });
  // createEntry journaled it as a folder ('mkdir'); it is marked a mount, and a file share's mount is a file.
  await tx.update(files).set({ mountShareId: s.id, isDir: root.isDir }).where(eq(files.id, mount.id));
  if (!root.isDir) {
    await appendJournal(tx, journalEntry('create', { ...mount, rev: root.rev }, user.deviceId, { ...placeOf(mount), isDir: false, size: root.size, contentHash: root.contentHash ?? undefined }));
  }
  await tx
    .insert(shareMounts)
    .values({ shareId: s.id, userId: user.id, state: 'accepted', mountFileId: mount.id })
    .onConflictDoUpdate({ target: [shareMounts.shareId, shareMounts.userId], set: { state: 'accepted', mountFileId: mount.id, answeredAt: new Date() } });
  if (!answer || answer.state !== 'accepted') {
    await addNotification(tx, { userId: s.ownerId, kind: 'share_accepted', fileId: s.fileId, payload: { shareId: s.id, name: root.name, by: user.username } });
  }
  return shareView(tx, s, user);
}

export async function declineShare(tx: Db, user: AuthUser, id: string): Promise<Share> {
  const s = await shareFor(tx, user, id, 'recipient');
  const [answer] = await tx.select().from(shareMounts).where(and(eq(shareMounts.shareId, s.id), eq(shareMounts.userId, user.id)));
  if (answer?.mountFileId) await unmount(tx, answer.mountFileId, user.deviceId);
  await tx
    .insert(shareMounts)
    .values({ shareId: s.id, userId: user.id, state: 'declined', mountFileId: null })
    .onConflictDoUpdate({ target: [shareMounts.shareId, shareMounts.userId], set: { state: 'declined', mountFileId: null, answeredAt: new Date() } });
  if (answer?.state !== 'declined') {
    await addNotification(tx, { userId: s.ownerId, kind: 'share_declined', fileId: s.fileId, payload: { shareId: s.id, by: user.username } });
  }
  return shareView(tx, s, user);
}

export async function updateShare(tx: Db, user: AuthUser, id: string, patch: { role?: ShareRole; allowReshare?: boolean }): Promise<Share> {
  const s = await shareFor(tx, user, id, 'owner');
  const [updated] = await tx
    .update(shares)
    .set({ ...(patch.role ? { role: patch.role } : {}), ...(patch.allowReshare !== undefined && s.ownerId === user.id ? { allowReshare: patch.allowReshare } : {}) })
    .where(eq(shares.id, s.id))
    .returning();
  // Connected devices of the recipients re-read what they may do.
  for (const to of await recipientsOf(tx, s)) await publish(tx, to, { type: 'share_changed', shareId: s.id, role: updated!.role } satisfies ServerMessage);
  forgetGrants(user);
  return shareView(tx, updated!, user);
}

/** Revoke: mounts go (journaled in each recipient's namespace), recipients told, the row deleted. */
export async function revokeShare(tx: Db, user: AuthUser, id: string): Promise<void> {
  const s = await shareFor(tx, user, id, 'owner');
  await dropMounts(tx, s);
  const [root] = await tx.select({ name: files.name }).from(files).where(eq(files.id, s.fileId));
  for (const to of await recipientsOf(tx, s)) {
    await addNotification(tx, { userId: to, kind: 'share_revoked', fileId: null, payload: { shareId: s.id, name: root?.name ?? null, by: user.username } });
  }
  await tx.delete(shares).where(eq(shares.id, s.id));
}

/** Every mount of a share (or only `userIds`'), removed and journaled in the recipients' namespaces. */
export async function dropMounts(tx: Db, s: Pick<ShareRow, 'id'>, userIds?: readonly string[]): Promise<void> {
  const where = userIds ? and(eq(shareMounts.shareId, s.id), inArray(shareMounts.userId, [...userIds])) : eq(shareMounts.shareId, s.id);
  const mounts = await tx.select().from(shareMounts).where(where);
  for (const m of mounts) if (m.mountFileId) await unmount(tx, m.mountFileId, null);
  if (mounts.length > 0) await tx.delete(shareMounts).where(where);
}

/** A mount row goes for good (it holds nothing of its own): its namespace's devices see a 'delete'. */
async function unmount(tx: Db, mountFileId: string, deviceId: string | null | undefined): Promise<void> {
  const [mount] = await tx.delete(files).where(eq(files.id, mountFileId)).returning();
  if (!mount) return;
  await appendJournal(tx, journalEntry('delete', mount, deviceId, { ...placeOf(mount), path: `/${mount.name}`, isDir: mount.isDir, unmounted: true }));
}

async function shareView(db: Db, s: ShareRow, viewer: AuthUser): Promise<Share> {
  const [root] = await db.select().from(files).where(eq(files.id, s.fileId));
  const [owner] = await db.select({ id: users.id, username: users.username }).from(users).where(eq(users.id, s.ownerId));
  const grantee = s.granteeUserId
    ? { kind: 'user' as const, ...(await db.select({ id: users.id, name: users.username }).from(users).where(eq(users.id, s.granteeUserId)))[0]! }
    : { kind: 'group' as const, ...(await db.select({ id: groups.id, name: groups.name }).from(groups).where(eq(groups.id, s.granteeGroupId!)))[0]! };
  let state: Share['state'] = 'owner';
  let path: string | null = null;
  if (s.ownerId === viewer.id) {
    path = root ? await pathOf(db, root) : null;
  } else {
    const [answer] = await db.select().from(shareMounts).where(and(eq(shareMounts.shareId, s.id), eq(shareMounts.userId, viewer.id)));
    state = answer?.state ?? (s.createdBy === viewer.id ? 'owner' : 'pending');
    if (answer?.mountFileId) {
      const [m] = await db.select({ name: files.name }).from(files).where(eq(files.id, answer.mountFileId));
      path = m ? `/${m.name}` : null;
    }
  }
  return {
    id: s.id,
    fileId: s.fileId,
    name: root?.name ?? '',
    isDir: root?.isDir ?? true,
    owner: { id: owner!.id, username: owner!.username },
    grantee,
    role: s.role,
    allowReshare: s.allowReshare,
    path,
    state,
    createdAt: s.createdAt.toISOString(),
  };
}
