/**
 * What the tree operations act on: an entry named by path or by id (through tree.ts, so through
 * `can`), and a destination path split into its folder and the new name.
 */
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { ConflictError } from '../http-errors.js';
import { joinPath, parsePath } from '../names.js';
import { viewerPath } from '../sharing/mounts.js';
import type { FileAction } from './access.js';
import { entryById, entryByPath, parentFolder, pathOf, type FolderId } from './tree.js';
import type { FileRow } from './view.js';

/** Exactly one of path and id (the routes' schemas make sure). */
export interface EntryRef {
  path?: string;
  id?: string;
}

/**
 * The entry and its path as stored (the caller may have typed another case); by id it may be
 * trashed, and the path is then where it was.
 */
export async function resolveEntry(db: Db, user: AuthUser, ref: EntryRef, action: FileAction): Promise<{ row: FileRow; path: string }> {
  const row = ref.id !== undefined ? await entryById(db, user, ref.id, action) : (await entryByPath(db, user, ref.path ?? '', action)).row;
  return { row, path: (await viewerPath(db, user.namespaceId, row)) ?? (await pathOf(db, row)) };
}

/** Like resolveEntry, but the entry must be live: a trashed one must be restored first. */
export async function resolveLiveEntry(db: Db, user: AuthUser, ref: EntryRef, action: FileAction): Promise<{ row: FileRow; path: string }> {
  const found = await resolveEntry(db, user, ref, action);
  if (found.row.trashedAt) {
    throw new ConflictError(`${found.path} is in the trash; restore it first`, { code: 'in_trash' });
  }
  return found;
}

export interface Destination {
  /** The folder the entry goes in (null: the root). */
  parentId: FolderId;
  /** The new name, NFC. */
  name: string;
  /** Canonical path of the destination. */
  path: string;
  segments: string[];
}

/** A destination path: never the root; its folder must exist (404 'parent_not_found') and be a folder. */
export async function resolveDestination(db: Db, namespaceId: string, to: string): Promise<Destination> {
  const segments = parsePath(to);
  if (segments.length === 0) {
    throw new ConflictError('the root folder cannot be a destination: give the full new path, name included', { code: 'root' });
  }
  const parentId = await parentFolder(db, namespaceId, segments);
  return { parentId, name: segments[segments.length - 1]!, path: joinPath(segments), segments };
}
