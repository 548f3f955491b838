/** Creating folders: one (its parent must exist), or a whole missing chain like `mkdir -p`. */
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { ConflictError } from '../http-errors.js';
import { joinPath, parsePath } from '../names.js';
import { createEntry } from './entries.js';
import { lockTree } from './subtree.js';
import { findChild, parentFolder, pathOf, type FolderId } from './tree.js';
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
  const row = await createEntry(tx, {
    namespaceId: user.namespaceId,
    parentId,
    name: segments[segments.length - 1]!,
    isDir: true,
    deviceId: user.deviceId ?? null,
  });
  return fileView(row, await pathOf(tx, row)); // the stored spelling of every folder on the way
}

/** The folder at `segments`, creating each missing one; a file on the way is 409 'parent_not_folder'. */
async function ensureFolders(tx: Db, user: AuthUser, segments: readonly string[]): Promise<FolderId> {
  let parentId: FolderId = null;
  for (const [i, name] of segments.entries()) {
    const existing = await findChild(tx, user.namespaceId, parentId, name);
    if (existing && !existing.isDir) {
      throw new ConflictError(`${joinPath(segments.slice(0, i + 1))} is a file, not a folder`, { code: 'parent_not_folder' });
    }
    const folder: FileRow =
      existing ?? (await createEntry(tx, { namespaceId: user.namespaceId, parentId, name, isDir: true, deviceId: user.deviceId ?? null }));
    parentId = folder.id;
  }
  return parentId;
}
