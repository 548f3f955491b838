/** A link row on the wire (the protocol's `Link`). */
import type { Link } from '@coffer/protocol';
import type { links } from '../db/schema.js';

export type LinkRow = typeof links.$inferSelect;

export function linkView(row: LinkRow, entry: { path: string; isDir: boolean }, url?: string): Link {
  return {
    id: row.id,
    fileId: row.fileId,
    path: entry.path,
    isDir: entry.isDir,
    kind: row.kind,
    hasPassword: row.passwordHash !== null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    maxDownloads: row.maxDownloads,
    downloads: row.downloads,
    disabled: row.disabledAt !== null,
    createdAt: row.createdAt.toISOString(),
    ...(url === undefined ? {} : { url }),
  };
}
