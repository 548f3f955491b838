/** The file tree, its immutable versions, and the blocks each version is made of. */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';

export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    namespaceId: uuid('namespace_id').notNull(),
    /** Null for entries at the namespace's root. */
    parentId: uuid('parent_id').references((): AnyPgColumn => files.id, { onDelete: 'cascade' }),
    /** NFC, case preserved. */
    name: text('name').notNull(),
    /** Case-insensitive key (names.ts nameKey): unique per folder among live entries. */
    nameKey: text('name_key').notNull(),
    isDir: boolean('is_dir').notNull().default(false),
    /** Current version (null for folders and for files whose first upload is pending). */
    headVersionId: uuid('head_version_id'),
    /** Revision number of the head (1, 2, …); 0 while no version is committed. */
    rev: integer('rev').notNull().default(0),
    size: bigint('size', { mode: 'number' }).notNull().default(0),
    contentHash: text('content_hash'),
    /** An upload in progress, visible to other devices, not yet readable. */
    pending: boolean('pending').notNull().default(false),
    trashedAt: timestamp('trashed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    modifiedAt: timestamp('modified_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set on a mount: a folder at a recipient's root standing for the share's folder (sharing/). */
    mountShareId: uuid('mount_share_id'),
  },
  (t) => [
    uniqueIndex('files_unique_live_name')
      .on(t.namespaceId, sql`coalesce(${t.parentId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.nameKey)
      .where(sql`${t.trashedAt} is null`),
    index('files_parent').on(t.namespaceId, t.parentId),
    index('files_mount_share').on(t.mountShareId).where(sql`${t.mountShareId} is not null`),
    // Recent files (files/recent.ts): a namespace's live files, newest change first, keyset by (modified_at, id).
    index('files_recent')
      .on(t.namespaceId, t.modifiedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.trashedAt} is null and not ${t.isDir}`),
  ],
);

/** Read-only once written: a trigger rejects UPDATE (history is never rewritten). */
export const fileVersions = pgTable(
  'file_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    rev: integer('rev').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    contentHash: text('content_hash').notNull(),
    authorId: uuid('author_id'),
    deviceId: uuid('device_id'),
    /** Set when this version restores an older one. */
    restoredFrom: integer('restored_from'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('file_versions_rev').on(t.fileId, t.rev)],
);

/** Revisions kept forever (issue 23): retention never thins them. A table of its own: versions are read-only (migration 0001). */
export const keptVersions = pgTable('kept_versions', {
  versionId: uuid('version_id')
    .primaryKey()
    .references(() => fileVersions.id, { onDelete: 'cascade' }),
  keptBy: uuid('kept_by'),
  keptAt: timestamp('kept_at', { withTimezone: true }).notNull().defaultNow(),
});

export const versionBlocks = pgTable(
  'version_blocks',
  {
    versionId: uuid('version_id')
      .notNull()
      .references(() => fileVersions.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    blockKey: text('block_key').notNull(),
    offset: bigint('offset', { mode: 'number' }).notNull(),
    length: integer('length').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.ordinal] }), index('version_blocks_block').on(t.blockKey)],
);
