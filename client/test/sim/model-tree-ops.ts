/**
 * Folders, moves, deletes, listings and lookups, each applied atomically with the server's
 * checks in the server's order (files/mkdir.ts, move.ts, trash.ts, listing.ts, routes/files.ts):
 * a refused call changes nothing, an accepted one appends the journal rows the server appends.
 */
import { ConflictError, fileView, folderOf, joinPath, nameTaken, parsePath, type FileRow, type FileView } from '@coffer/server/rules';
import type { DeleteCondition } from '../../src/sync/sync-api.js';
import { folderAt, resolveDestination, resolveEntry, resolveLiveEntry, type EntryRef } from './model-resolve.js';
import type { Caller, ModelState } from './model-state.js';

/** POST /mkdir: the last segment must be new; with `parents`, missing folders on the way are made (each journaled). */
export function makeFolder(s: ModelState, who: Caller, path: string, parents: boolean): FileView {
  const segments = parsePath(path);
  if (segments.length === 0) throw new ConflictError('the root folder always exists', { code: 'root' });
  const name = segments.at(-1)!;
  let parentId: string | null;
  let missing: string[] = [];
  if (parents) {
    ({ parentId, missing } = existingFolders(s, segments.slice(0, -1)));
  } else {
    parentId = folderOf(segments, s.tree.walk(segments.slice(0, -1)));
  }
  // Checked before anything is made: the server's transaction undoes the folders on the way when the last name is taken.
  const taken = missing.length === 0 ? s.tree.child(parentId, name) : undefined;
  if (taken) throw nameTaken(taken.name, taken);
  let row: FileRow | undefined;
  for (const folder of [...missing, name]) {
    row = newFolder(s, who, parentId, folder);
    parentId = row.id;
  }
  return fileView(row!, s.tree.pathOf(row!));
}

/** The deepest existing folder along `segments` and the names still to make below it; a file on the way is 409. */
function existingFolders(s: ModelState, segments: readonly string[]): { parentId: string | null; missing: string[] } {
  let parentId: string | null = null;
  for (const [i, name] of segments.entries()) {
    const existing = s.tree.child(parentId, name);
    if (!existing) return { parentId, missing: segments.slice(i) };
    if (!existing.isDir) throw new ConflictError(`${joinPath(segments.slice(0, i + 1))} is a file, not a folder`, { code: 'parent_not_folder' });
    parentId = existing.id;
  }
  return { parentId, missing: [] };
}

function newFolder(s: ModelState, who: Caller, parentId: string | null, name: string): FileRow {
  const at = s.at();
  const row = s.tree.create(parentId, name, true, at);
  s.journal.append({ fileId: row.id, op: 'mkdir', rev: 0, deviceId: who.deviceId, payload: { name: row.name, parentId: row.parentId } }, at);
  return row;
}

/** POST /move: 409 'name_taken' (the entry itself may hold the name), 'into_itself', 'in_trash'; onto itself changes nothing. */
export function moveEntry(s: ModelState, who: Caller, from: EntryRef, to: string): FileView {
  const { row, path: fromPath } = resolveLiveEntry(s.tree, from);
  const dest = resolveDestination(s.tree, to);
  if (dest.parentId !== null && s.tree.isWithin(dest.parentId, row.id)) {
    throw new ConflictError(`${fromPath} cannot be moved into itself (${dest.path})`, { code: 'into_itself' });
  }
  const existing = s.tree.child(dest.parentId, dest.name);
  if (existing && existing.id !== row.id) throw nameTaken(existing.name, existing);
  if (dest.parentId === row.parentId && dest.name === row.name) return fileView(row, fromPath);

  const at = s.at();
  const oldParentId = row.parentId;
  s.tree.rename(row, dest.parentId, dest.name, at);
  const toPath = s.tree.pathOf(row);
  s.journal.append(
    {
      fileId: row.id,
      op: 'move',
      rev: row.rev,
      deviceId: who.deviceId,
      payload: { from: fromPath, to: toPath, name: row.name, parentId: row.parentId, oldParentId, isDir: row.isDir },
    },
    at,
  );
  return fileView(row, toPath);
}

/** POST /delete: to the trash with everything live below it; the conditions of a sync client first. */
export function trashEntry(s: ModelState, who: Caller, ref: EntryRef, cond: DeleteCondition = {}): FileView {
  const { row, path } = resolveLiveEntry(s.tree, ref);
  if (cond.rev !== undefined && cond.rev !== row.rev) {
    throw new ConflictError(`${path} is at revision ${row.rev}, not ${cond.rev}: it changed since, so it was not deleted`, {
      code: 'stale_revision',
      current: { id: row.id, rev: row.rev, size: row.size, contentHash: row.contentHash },
    });
  }
  if (cond.recursive === false && row.isDir && s.tree.children(row.id).length > 0) {
    throw new ConflictError(`${path} is not empty, so it was not deleted`, { code: 'not_empty' });
  }
  const at = s.at();
  s.tree.trash(row, at);
  s.journal.append(
    { fileId: row.id, op: 'delete', rev: row.rev, deviceId: who.deviceId, payload: { path, name: row.name, parentId: row.parentId, isDir: row.isDir } },
    at,
  );
  return fileView(row, path);
}

/** GET /list, every page: folders first, then by case-folded name in byte order (collate "C"), then id.
 *  Listings and metadata carry the caller's star; a sync client never stars, so it is always false here. */
export function listFolder(s: ModelState, path: string): FileView[] {
  const folder = folderAt(s.tree, path);
  const base = folder.path === '/' ? '' : folder.path;
  return s.tree
    .children(folder.id)
    .sort((a, b) => Number(b.isDir) - Number(a.isDir) || Buffer.compare(Buffer.from(a.nameKey), Buffer.from(b.nameKey)) || (a.id < b.id ? -1 : 1))
    .map((row) => ({ ...fileView(row, `${base}/${row.name}`), starred: false }));
}

/** GET /metadata: a live entry by path, with its path as stored. */
export function metadata(s: ModelState, path: string): FileView {
  const { row, path: stored } = resolveEntry(s.tree, { path });
  return { ...fileView(row, stored), starred: false };
}
