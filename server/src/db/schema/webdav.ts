/** WebDAV's own state (server/src/webdav/): dead properties and locks, in the database so that
 *  every server instance sees the same locks. */
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { files } from './files.js';

/** A dead property (RFC 4918 §4) of a file or folder: its namespace, local name and value as XML. */
export const webdavProps = pgTable(
  'webdav_props',
  {
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    ns: text('ns').notNull(),
    name: text('name').notNull(),
    /** The property element serialized whole (webdav/xml.ts), namespaces declared on it. */
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.ns, t.name] })],
);

/** A lock on a URL (RFC 4918 §6), by path: a lock may name a path where nothing is yet. */
export const webdavLocks = pgTable(
  'webdav_locks',
  {
    token: text('token').primaryKey(),
    namespaceId: uuid('namespace_id').notNull(),
    /** '/' + name keys joined by '/': the locked path, compared case-insensitively like names. */
    pathKey: text('path_key').notNull(),
    depthInfinity: boolean('depth_infinity').notNull(),
    exclusive: boolean('exclusive').notNull(),
    ownerXml: text('owner_xml').notNull().default(''),
    userId: uuid('user_id').notNull(),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('webdav_locks_path').on(t.namespaceId, t.pathKey)],
);
