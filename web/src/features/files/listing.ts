/** Reading listings whole, page after page (a folder, the trash, and other paged lists). */
import { operations as ops, type FileList, type FileView } from '@coffer/protocol';
import { call } from '../../api/client';

/** Follows `cursor` until the last page. */
export async function allPages(page: (cursor: string | undefined) => Promise<FileList>): Promise<FileView[]> {
  const all: FileView[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    all.push(...p.entries);
    cursor = p.cursor;
  } while (cursor);
  return all;
}

export function listFolder(path: string): Promise<FileView[]> {
  return allPages((cursor) => call(ops.listFolder, { query: { path, limit: 1000, cursor } }));
}

export function listTrash(): Promise<FileView[]> {
  return allPages((cursor) => call(ops.listTrash, { query: { limit: 1000, cursor } }));
}

/** The folder holding a path ('/a/b.txt' → '/a'; '/b' → '/'). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function joinPath(folder: string, name: string): string {
  return `${folder === '/' ? '' : folder}/${name}`;
}
