/** The JSON shape of a file or folder in every API answer. */
import type { files } from '../db/schema.js';

export type FileRow = typeof files.$inferSelect;

export interface FileView {
  id: string;
  name: string;
  path: string;
  parentId: string | null;
  isDir: boolean;
  size: number;
  rev: number;
  contentHash: string | null;
  /** An upload to this entry is in progress; a file with rev 0 has no readable content yet. */
  pending: boolean;
  createdAt: string;
  modifiedAt: string;
  trashedAt: string | null;
}

export function fileView(row: FileRow, path: string): FileView {
  return {
    id: row.id,
    name: row.name,
    path,
    parentId: row.parentId,
    isDir: row.isDir,
    size: row.size,
    rev: row.rev,
    contentHash: row.contentHash,
    pending: row.pending,
    createdAt: row.createdAt.toISOString(),
    modifiedAt: row.modifiedAt.toISOString(),
    trashedAt: row.trashedAt?.toISOString() ?? null,
  };
}

/** Strong validator of a file's content at a revision: the content hash names the bytes. */
export function etagOf(contentHash: string): string {
  return `"${contentHash}"`;
}
