/**
 * Server-side copy: new entries whose first revision is the source's head content, made of the
 * very same blocks (one more reference each), so no byte is read, re-encrypted or stored again.
 * The copy is new content for its owner, though: its size is charged to the quota like an upload.
 */
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { checkRoom } from '../quota/usage.js';
import { ConflictError } from '../http-errors.js';
import { createEntry } from './entries.js';
import { resolveDestination, resolveLiveEntry, type EntryRef } from './resolve.js';
import { liveDescendants, lockTree } from './subtree.js';
import { isWithin, pathOf, type FolderId } from './tree.js';
import { blocksOfVersion, commitVersion } from './versions.js';
import { destinationNamespace } from '../sharing/boundary.js';
import { fileView, type FileView } from './view.js';

/** What a file copy needs of its source. */
interface SourceFile {
  name: string;
  headVersionId: string | null;
  rev: number;
  size: number;
  contentHash: string | null;
}

/**
 * Must run inside a transaction. A file, or a folder with everything live in it (a file whose
 * first upload has not committed has no content to copy and is left out). 409 'name_taken' when
 * the destination exists, 'into_itself' for a folder copied into itself, 'not_ready' for a file
 * with no content yet; 507 'quota_exceeded' when the copy does not fit (nothing is copied then).
 */
export async function copyEntry(tx: Db, user: AuthUser, from: EntryRef, to: string): Promise<FileView> {
  await lockTree(tx, user.namespaceId);
  const { row, path: fromPath } = await resolveLiveEntry(tx, user, from, 'read');
  // Copies may cross a share's edge (the way across it): the destination as the caller sees their
  // tree, its owner's namespace and quota; the bytes' blocks are shared, not rewritten.
  const dest = await resolveDestination(tx, user.namespaceId, to);
  const ns = await destinationNamespace(tx, user, dest.parentId);
  if (ns !== user.namespaceId) await lockTree(tx, ns);

  if (!row.isDir) {
    if (!hasContent(row)) {
      throw new ConflictError(`${fromPath} has no content yet (its upload has not finished)`, { code: 'not_ready' });
    }
    await checkRoom(tx, ns, row.size);
    const copied = await copyFile(tx, user, ns, row, dest.parentId, dest.name);
    return fileView(copied, ns === user.namespaceId ? await pathOf(tx, copied) : dest.path);
  }

  if (dest.parentId !== null && (await isWithin(tx, dest.parentId, row.id))) {
    throw new ConflictError(`${fromPath} cannot be copied into itself (${dest.path})`, { code: 'into_itself' });
  }
  const below = await liveDescendants(tx, row.id);
  await checkRoom(
    tx,
    ns,
    below.reduce((n, d) => n + (!d.isDir && hasContent(d) ? d.size : 0), 0),
  );
  const root = await createEntry(tx, { namespaceId: ns, parentId: dest.parentId, name: dest.name, isDir: true, deviceId: user.deviceId ?? null });
  const copyOf = new Map<string, string>([[row.id, root.id]]); // source folder id → its copy's id
  for (const d of below) {
    const parentId = copyOf.get(d.parentId);
    if (parentId === undefined) continue; // cannot happen: parents come first and folders are always copied
    if (d.isDir) {
      const f = await createEntry(tx, { namespaceId: ns, parentId, name: d.name, isDir: true, deviceId: user.deviceId ?? null });
      copyOf.set(d.id, f.id);
    } else if (hasContent(d)) {
      await copyFile(tx, user, ns, d, parentId, d.name);
    }
  }
  return fileView(root, ns === user.namespaceId ? await pathOf(tx, root) : dest.path);
}

export function hasContent(f: Pick<SourceFile, 'headVersionId' | 'rev' | 'contentHash'>): boolean {
  return f.headVersionId !== null && f.rev > 0 && f.contentHash !== null;
}

/** A new file at parentId/name whose revision 1 is the source's head, on the same blocks ('create' journaled by commitVersion). */
export async function copyFile(tx: Db, user: AuthUser, ns: string, src: SourceFile, parentId: FolderId, name: string) {
  const entry = await createEntry(tx, { namespaceId: ns, parentId, name, isDir: false, deviceId: user.deviceId ?? null });
  const blocks = await blocksOfVersion(tx, src.headVersionId!);
  return commitVersion(tx, {
    fileId: entry.id,
    blocks,
    size: src.size,
    contentHash: src.contentHash!,
    authorId: user.id,
    deviceId: user.deviceId ?? null,
    baseRev: null,
    overwrite: false,
  });
}
