/** Reading listings whole, page after page (a folder, the trash, and other paged lists). */
import { operations as ops, type FileList, type FileView } from '@coffer/protocol';
import { call } from '../../api/client';

/** Follows `cursor` until the last page; `progress` sees what has come so far after each page but the last. */
export async function allPages(page: (cursor: string | undefined) => Promise<FileList>, progress?: (soFar: FileView[]) => void): Promise<FileView[]> {
  const all: FileView[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    all.push(...p.entries);
    cursor = p.cursor;
    if (cursor) progress?.([...all]);
  } while (cursor);
  return all;
}

export function listFolder(path: string, progress?: (soFar: FileView[]) => void): Promise<FileView[]> {
  // A small first page shows a big folder sooner; the rest come 1,000 at a time.
  return allPages((cursor) => call(ops.listFolder, { query: { path, limit: cursor ? 1000 : 200, cursor } }), progress);
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
