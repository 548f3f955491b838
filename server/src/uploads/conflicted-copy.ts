/**
 * When a sync commit loses (its base revision is stale, or another device created the name
 * first), its content is not dropped: it becomes `name (conflicted copy from DEVICE DAY).ext`
 * next to the file (DESIGN §5), and the author's inbox says so.
 */
import { eq } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { devices } from '../db/schema.js';
import { createEntry } from '../files/entries.js';
import { findChild, type FolderId } from '../files/tree.js';
import type { FileRow } from '../files/view.js';
import { HttpError } from '../http-errors.js';
import { conflictedCopyName, nameKey, personConflictedCopyName, uniqueName } from '../names.js';
import { lockUploadFolder } from './target.js';

/** The calling device's name, as the copy's name shows it. */
export async function deviceName(tx: Db, user: AuthUser): Promise<string> {
  if (!user.deviceId) return 'unknown device';
  const [d] = await tx.select({ name: devices.name, userId: devices.userId }).from(devices).where(eq(devices.id, user.deviceId));
  return d && d.userId === user.id ? d.name : 'unknown device';
}

/** A free name for the copy: the conflicted-copy name, numbered ' (1)', ' (2)', … when taken. */
async function freeName(tx: Db, namespaceId: string, parentId: FolderId, wanted: string): Promise<string> {
  const taken = new Set<string>();
  for (;;) {
    // uniqueName asks synchronously; taken names are learned one query at a time (few copies share a name).
    const candidate = uniqueName(wanted, (k) => taken.has(k));
    if (!(await findChild(tx, namespaceId, parentId, candidate))) return candidate;
    taken.add(nameKey(candidate));
  }
}

/** A new, empty entry for the loser's content, beside `name` in `parentId`. */
export async function conflictedCopyEntry(
  tx: Db,
  user: AuthUser,
  target: { namespaceId: string; parentId: FolderId; name: string },
  now: Date,
  /** The copy is named after its author, not their device (another person's commit won). */
  byPerson = false,
): Promise<{ entry: FileRow; device: string }> {
  await lockUploadFolder(tx, target.parentId);
  const device = await deviceName(tx, user);
  const wanted = byPerson ? personConflictedCopyName(target.name, user.username, now) : conflictedCopyName(target.name, device, now);
  for (let attempt = 0; ; attempt++) {
    const name = await freeName(tx, target.namespaceId, target.parentId, wanted);
    try {
      const entry = await createEntry(tx, { namespaceId: target.namespaceId, parentId: target.parentId, name, isDir: false, deviceId: user.deviceId });
      return { entry, device };
    } catch (err) {
      // Another commit took the name between the check and the insert: look again.
      if (!(err instanceof HttpError) || err.code !== 'name_taken' || attempt >= 5) throw err;
    }
  }
}
