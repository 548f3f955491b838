/** The notification inbox: what happened to a user's files that they should hear about. */
import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { files } from './files.js';

export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Whose inbox. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['edit', 'delete', 'share', 'conflict', 'link_drop', 'link_limit'] }).notNull(),
    /** The file it is about; kept (as null) when the file is purged, so the inbox keeps its history. */
    fileId: uuid('file_id').references(() => files.id, { onDelete: 'set null' }),
    /** What to show without another lookup: path and name then, who did it, revision, … */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    // Newest first, keyset-paged by (created_at, id).
    index('notifications_user_created').on(t.userId, t.createdAt, t.id),
    index('notifications_user_unread').on(t.userId).where(sql`${t.readAt} is null`),
  ],
);
