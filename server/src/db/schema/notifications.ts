/** The notification inbox: what happened to a user's files that they should hear about. */
import { sql } from 'drizzle-orm';
import { integer, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { files } from './files.js';
/** As @coffer/protocol's NOTIFICATION_KINDS (kept here so the schema stands alone for drizzle-kit). */
const NOTIFICATION_KINDS = ['edit', 'delete', 'share', 'conflict', 'share_offered', 'share_accepted', 'share_declined', 'share_revoked', 'activity', 'link_drop', 'link_limit'] as const;

export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Whose inbox. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    /** The file it is about; kept (as null) when the file is purged, so the inbox keeps its history. */
    fileId: uuid('file_id').references(() => files.id, { onDelete: 'set null' }),
    /** What to show without another lookup: path and name then, who did it, revision, … */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
    /** Grouping (sharing/activity.ts): unread entries with the same key are counted in one. */
    groupKey: text('group_key'),
    count: integer('count').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Newest first, keyset-paged by (created_at, id).
    index('notifications_user_created').on(t.userId, t.createdAt, t.id),
    index('notifications_user_unread').on(t.userId).where(sql`${t.readAt} is null`),
    // One unread entry per group (sharing/activity.ts counts into it).
    uniqueIndex('notifications_group').on(t.userId, t.groupKey).where(sql`${t.groupKey} is not null and ${t.readAt} is null`),
  ],
);
