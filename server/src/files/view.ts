/** A file or folder in every API answer: the protocol's `FileView`, from a row and its path. */
import type { FileView } from '@coffer/protocol';
import type { files } from '../db/schema.js';

export type FileRow = typeof files.$inferSelect;

export type { FileView };

/** A shared root seen through a recipient's mount (sharing/mounts.ts) is shown under the mount's
 *  id, the id the recipient's journal gives it; its rows keep the real id for the work. */
export type ViewedRow = FileRow & { viewId?: string };

export function fileView(row: ViewedRow, path: string): FileView {
  return {
    id: row.viewId ?? row.id,
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
