/**
 * "Someone else changed your file": the inbox entry for the owner of a namespace when another
 * user (through a share) edits, deletes or shares something in it. Sharing calls this too.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import { addNotification, type NotificationRow } from './store.js';

export interface OwnerEvent {
  /** The namespace the changed file lives in; its owner is told. */
  namespaceId: string;
  /** Who made the change; the owner is not told of their own changes. */
  actorId: string;
  kind: 'edit' | 'delete' | 'share';
  fileId: string | null;
  /** What the inbox shows (path, name, rev, …); `by` is added. */
  payload?: Record<string, unknown>;
}

/** The user owns the namespace (their own files): notifyOwner would tell no one, so callers may skip it. */
export function ownsNamespace(user: { namespaceId: string }, namespaceId: string): boolean {
  return user.namespaceId === namespaceId;
}

/** Must run in the change's transaction. Returns the new entry (push it after commit), or undefined when the actor is the owner. */
export async function notifyOwner(tx: Db, e: OwnerEvent): Promise<NotificationRow | undefined> {
  const [owner] = await tx.select({ id: users.id }).from(users).where(eq(users.namespaceId, e.namespaceId));
  if (!owner || owner.id === e.actorId) return undefined;
  const [actor] = await tx.select({ username: users.username, displayName: users.displayName }).from(users).where(eq(users.id, e.actorId));
  return addNotification(tx, {
    userId: owner.id,
    kind: e.kind,
    fileId: e.fileId,
    payload: { ...e.payload, by: { id: e.actorId, username: actor?.username ?? null, displayName: actor?.displayName ?? null } },
  });
}
