/** Public links: a token (stored hashed) that lets anyone view a file or folder, or drop files into a folder. */
import { bigint, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { files } from './files.js';

export const links = pgTable(
  'links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Who made it (and manages it): their inbox hears of drops and limits; the link lives while they may share the file. */
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The linked file or folder; a purged entry takes its links along. */
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['view', 'drop'] }).notNull(),
    /** SHA-256 (hex) of the token: a stolen database yields no usable links. */
    tokenHash: text('token_hash').notNull(),
    /** scrypt, as account passwords (auth/passwords.ts); null: no password. */
    passwordHash: text('password_hash'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    maxDownloads: bigint('max_downloads', { mode: 'number' }),
    downloads: bigint('downloads', { mode: 'number' }).notNull().default(0),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('links_token').on(t.tokenHash), index('links_owner').on(t.ownerId, t.createdAt), index('links_file').on(t.fileId)],
);
