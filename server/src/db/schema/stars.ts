/** Stars: a user's marks on entries they can read (their own, or inside a share). Migration 0012. */
import { index, pgTable, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { files } from './files.js';

export const stars = pgTable(
  'stars',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** A purged entry takes its stars along; a trashed one keeps them (they show again on restore). */
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    starredAt: timestamp('starred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The primary key answers "is this starred by me" (the listings' flag); the index the starred list's order.
    primaryKey({ columns: [t.userId, t.fileId] }),
    index('stars_user_time').on(t.userId, t.starredAt.desc().nullsFirst(), t.fileId.desc().nullsFirst()),
  ],
);
