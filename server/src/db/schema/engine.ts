/**
 * The metadata schema (drizzle, PostgreSQL and PGlite alike). This first part holds what the
 * storage engine needs: namespaces' wrapped data keys, blocks and where their shards live.
 * Users, files, versions, the journal and the rest join it as the server grows (DESIGN.md §4).
 */
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { Layout } from '@coffer/storage-engine';

/** Data keys of a namespace, wrapped by the master key; generation 1 is the first, the highest is current. */
export const namespaceKeys = pgTable(
  'namespace_keys',
  {
    namespaceId: text('namespace_id').notNull(),
    generation: integer('generation').notNull(),
    keyId: text('key_id').notNull(),
    wrapped: text('wrapped').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.namespaceId, t.generation] }), index('namespace_keys_key_id').on(t.namespaceId, t.keyId)],
);

export const blocks = pgTable(
  'blocks',
  {
    /** Stored key: hex HMAC(server secret, namespace ‖ sha256). */
    key: text('key').primaryKey(),
    namespaceId: text('namespace_id').notNull(),
    /** Hex SHA-256 of the plaintext. */
    hash: text('hash').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    frameSize: bigint('frame_size', { mode: 'number' }).notNull(),
    generation: text('generation').notNull(),
    layout: jsonb('layout').$type<Layout>().notNull(),
    tier: text('tier', { enum: ['hot', 'cold'] }).notNull().default('hot'),
    /** Versions referencing the block; GC may take it once zero and past the grace period. */
    refcount: integer('refcount').notNull().default(0),
    /** When the refcount last dropped to zero (a trigger keeps it, migration 0015); GC's grace counts from here. Null while referenced. */
    unreferencedAt: timestamp('unreferenced_at', { withTimezone: true }).defaultNow(),
    lastAccess: timestamp('last_access', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('blocks_namespace_hash').on(t.namespaceId, t.hash), index('blocks_gc').on(t.refcount, t.unreferencedAt).where(sql`refcount = 0`)],
);

export const blockShards = pgTable(
  'block_shards',
  {
    blockKey: text('block_key')
      .notNull()
      .references(() => blocks.key, { onDelete: 'cascade' }),
    index: integer('index').notNull(),
    nodeId: text('node_id').notNull(),
    /** CRC-32 of the shard payload (unsigned 32-bit, so bigint). */
    checksum: bigint('checksum', { mode: 'number' }).notNull(),
    /** Set (all three) when the shard object sits in a pack: the pack's object name and its byte range there (0018). */
    packObject: text('pack_object'),
    packOffset: bigint('pack_offset', { mode: 'number' }),
    packLength: integer('pack_length'),
  },
  (t) => [primaryKey({ columns: [t.blockKey, t.index] }), index('block_shards_node').on(t.nodeId)],
);
