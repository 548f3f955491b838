/**
 * What the model's operations act on, found as the server finds it (files/resolve.ts, tree.ts,
 * listing.ts folderAt, uploads/target.ts resolveTarget): the same checks in the same order, the
 * same errors. Paths are parsed by the server's own names.ts.
 */
import { ConflictError, NotFoundError, folderOf, joinPath, parsePath, type FileRow } from '@coffer/server/rules';
import type { Tree } from './model-tree.js';

export type EntryRef = { path: string } | { id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The live entry at a path, or 404 (409 'root' for the root). */
export function entryByPath(tree: Tree, path: string): FileRow {
  const segments = parsePath(path);
  if (segments.length === 0) throw new ConflictError('the root folder cannot be used here', { code: 'root' });
  const row = tree.entryAt(segments);
  if (!row) throw new NotFoundError(`nothing at ${joinPath(segments)}`);
  return row;
}

/** An entry by id, live or trashed, or 404. */
export function entryById(tree: Tree, id: string): FileRow {
  const row = UUID.test(id) ? tree.byId(id) : undefined;
  if (!row) throw new NotFoundError(`no file or folder with id ${id}`);
  return row;
}

/** The entry and its stored path; by id it may be trashed (the path is then where it was). */
export function resolveEntry(tree: Tree, ref: EntryRef): { row: FileRow; path: string } {
  const row = 'id' in ref ? entryById(tree, ref.id) : entryByPath(tree, ref.path);
  return { row, path: tree.pathOf(row) };
}

/** Like resolveEntry, but a trashed entry is 409 'in_trash'. */
export function resolveLiveEntry(tree: Tree, ref: EntryRef): { row: FileRow; path: string } {
  const found = resolveEntry(tree, ref);
  if (found.row.trashedAt) throw new ConflictError(`${found.path} is in the trash; restore it first`, { code: 'in_trash' });
  return found;
}

export interface Destination {
  parentId: string | null;
  name: string;
  path: string;
}

/** A destination path: never the root; its folder must exist (404 'parent_not_found') and be a folder. */
export function resolveDestination(tree: Tree, to: string): Destination {
  const segments = parsePath(to);
  if (segments.length === 0) {
    throw new ConflictError('the root folder cannot be a destination: give the full new path, name included', { code: 'root' });
  }
  const parentId = folderOf(segments, tree.walk(segments.slice(0, -1)));
  return { parentId, name: segments.at(-1)!, path: joinPath(segments) };
}

/** A folder to list: the root, or a live folder (409 'not_a_folder' for a file); its path as stored. */
export function folderAt(tree: Tree, path: string): { id: string | null; path: string } {
  const segments = parsePath(path);
  if (segments.length === 0) return { id: null, path: '/' };
  const row = tree.entryAt(segments);
  const typed = joinPath(segments);
  if (!row) throw new NotFoundError(`nothing at ${typed}`);
  if (!row.isDir) throw new ConflictError(`${typed} is a file, not a folder`, { code: 'not_a_folder' });
  return { id: row.id, path: tree.pathOf(row) };
}

export interface UploadTarget {
  parentId: string | null;
  /** As given (NFC), for a new entry. */
  name: string;
  /** As stored where the names exist. */
  path: string;
  existing?: FileRow;
}

/** Where a commit goes: its folder must exist; a folder at the name is 409 'is_folder'. */
export function resolveTarget(tree: Tree, path: string): UploadTarget {
  const segments = parsePath(path);
  if (segments.length === 0) throw new ConflictError('cannot upload onto the root folder; give a file path', { code: 'root' });
  const walked = tree.walk(segments);
  const parentId = folderOf(segments, walked);
  const name = segments.at(-1)!;
  const existing = walked.length === segments.length ? walked.at(-1) : undefined;
  if (existing?.isDir) throw new ConflictError(`${joinPath(segments)} is a folder`, { code: 'is_folder' });
  const stored = joinPath([...walked.slice(0, segments.length - 1).map((r) => r.name), existing?.name ?? name]);
  return { parentId, name, path: stored, ...(existing ? { existing } : {}) };
}
