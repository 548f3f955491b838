/** Sharing: groups (admin-managed), shares of a folder or file to a user or a group, and each
 *  recipient's answer (a mount in their tree, or a decline). Migration 0008_sharing. */
import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { files } from './files.js';

export const groups = pgTable(
  'groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('groups_name_ci').on(sql`lower(${t.name})`)],
);

export const groupMembers = pgTable(
  'group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('group_members_user').on(t.userId)],
);

export const SHARE_ROLES = ['viewer', 'editor'] as const;

export const shares = pgTable(
  'shares',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The shared folder or file (its subtree is shared). */
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    /** The owner's namespace (the journal mirror trigger looks shares up by it). */
    namespaceId: uuid('namespace_id').notNull(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Exactly one of the two is set (a CHECK in the migration). */
    granteeUserId: uuid('grantee_user_id').references(() => users.id, { onDelete: 'cascade' }),
    granteeGroupId: uuid('grantee_group_id').references(() => groups.id, { onDelete: 'cascade' }),
    role: text('role', { enum: SHARE_ROLES }).notNull(),
    /** Editors of this share may share it on. */
    allowReshare: boolean('allow_reshare').notNull().default(false),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('shares_file_user').on(t.fileId, t.granteeUserId).where(sql`${t.granteeUserId} is not null`),
    uniqueIndex('shares_file_group').on(t.fileId, t.granteeGroupId).where(sql`${t.granteeGroupId} is not null`),
    index('shares_user').on(t.granteeUserId),
    index('shares_group').on(t.granteeGroupId),
    index('shares_namespace').on(t.namespaceId),
  ],
);

export const shareMounts = pgTable(
  'share_mounts',
  {
    shareId: uuid('share_id')
      .notNull()
      .references(() => shares.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ['accepted', 'declined'] }).notNull(),
    /** The mount's row at the recipient's root (files.mount_share_id = share id). */
    mountFileId: uuid('mount_file_id').references(() => files.id, { onDelete: 'set null' }),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.shareId, t.userId] }), index('share_mounts_user').on(t.userId)],
);
