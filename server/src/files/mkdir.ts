/** Creating folders: one (its parent must exist), or a whole missing chain like `mkdir -p`. */
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { ConflictError } from '../http-errors.js';
import { joinPath, parsePath } from '../names.js';
import { createEntry } from './entries.js';
import { lockTree } from './subtree.js';
import { parentFolder, pathOf, walkPath, type FolderId } from './tree.js';
import { destinationNamespace } from '../sharing/boundary.js';
import { viewerPath } from '../sharing/mounts.js';
import { fileView, type FileRow, type FileView } from './view.js';

/**
 * Must run inside a transaction. The last segment must be new (409 'name_taken', also with
 * `parents`); with `parents`, missing folders on the way are created, each journaled 'mkdir'.
 */
export async function makeFolder(tx: Db, user: AuthUser, path: string, parents: boolean): Promise<FileView> {
  const segments = parsePath(path);
  if (segments.length === 0) throw new ConflictError('the root folder always exists', { code: 'root' });
  await lockTree(tx, user.namespaceId);
  const parentId = parents ? await ensureFolders(tx, user, segments.slice(0, -1)) : await parentFolder(tx, user.namespaceId, segments);
  // Inside a mounted share: the owner's namespace, if the caller may write there.
  const namespaceId = await destinationNamespace(tx, user, parentId);
  const row = await createEntry(tx, {
    namespaceId,
    parentId,
    name: segments[segments.length - 1]!,
    isDir: true,
    deviceId: user.deviceId ?? null,
  });
  // The stored spelling of every folder on the way (under the mount's name inside a share).
  return fileView(row, (await viewerPath(tx, user.namespaceId, row)) ?? (await pathOf(tx, row)));
}

/** The folder at `segments`, creating each missing one; a file on the way is 409 'parent_not_folder'.
 *  The existing part is walked as the caller sees it (through a mount), the rest made where it ends. */
async function ensureFolders(tx: Db, user: AuthUser, segments: readonly string[]): Promise<FolderId> {
  const walked = await walkPath(tx, user.namespaceId, segments);
  for (const [i, row] of walked.entries()) {
    if (!row.isDir) throw new ConflictError(`${joinPath(segments.slice(0, i + 1))} is a file, not a folder`, { code: 'parent_not_folder' });
  }
  let parentId: FolderId = walked.at(-1)?.id ?? null;
  if (walked.length === segments.length) return parentId;
  const namespaceId = await destinationNamespace(tx, user, parentId);
  for (const name of segments.slice(walked.length)) {
    const folder: FileRow = await createEntry(tx, { namespaceId, parentId, name, isDir: true, deviceId: user.deviceId ?? null });
    parentId = folder.id;
  }
  return parentId;
}
