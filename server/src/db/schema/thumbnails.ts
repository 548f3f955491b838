/**
 * Thumbnails made of image content (server/src/thumbnails/): each is a block of its own in the
 * owner's namespace (encrypted and spread like any block), found by the source content and the
 * edge length, so the same picture in two files or revisions is made once. Migration 0012.
 */
import { integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { blocks } from './engine.js';

export const thumbnails = pgTable(
  'thumbnails',
  {
    namespaceId: uuid('namespace_id').notNull(),
    /** The source's content hash (files.content_hash of the revision it was made from). */
    contentHash: text('content_hash').notNull(),
    /** The longest edge asked for (a THUMBNAIL_SIZES value). */
    edge: integer('edge').notNull(),
    /** The block holding the WebP; it holds one reference (refcount) for this row, so GC keeps it. */
    blockKey: text('block_key')
      .notNull()
      .references(() => blocks.key, { onDelete: 'cascade' }),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.namespaceId, t.contentHash, t.edge] })],
);
