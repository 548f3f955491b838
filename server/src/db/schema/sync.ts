/** Uploads in progress and the change journal devices sync from. */
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export interface UploadedBlock {
  key: string;
  hash: string;
  size: number;
}

export const uploadSessions = pgTable(
  'upload_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    namespaceId: uuid('namespace_id').notNull(),
    /** The pending file entry this upload will commit into. */
    fileId: uuid('file_id').notNull(),
    parentId: uuid('parent_id'),
    name: text('name').notNull(),
    /** Declared total size, when the client gave one. */
    size: bigint('size', { mode: 'number' }),
    /** Bytes durably stored as blocks (what a 308 reports). */
    received: bigint('received', { mode: 'number' }).notNull().default(0),
    /** Blocks stored so far, in order: each ends at a content-defined boundary. */
    blocks: jsonb('blocks').$type<UploadedBlock[]>().notNull().default([]),
    /** Bytes received after the last boundary, stored as a block of their own so they are durable;
     *  the next PUT is chunked from them on (so boundaries match a one-shot upload). */
    tail: jsonb('tail').$type<UploadedBlock | null>(),
    /** Revision the upload replaces (null: must be new, unless overwrite). */
    baseRev: integer('base_rev'),
    overwrite: text('overwrite', { enum: ['no', 'yes'] }).notNull().default('no'),
    deviceId: uuid('device_id'),
    /** Set when the upload committed: a status query after a lost answer still learns the outcome. */
    committedRev: integer('committed_rev'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('upload_sessions_user').on(t.userId)],
);

export const journal = pgTable(
  'journal',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    namespaceId: uuid('namespace_id').notNull(),
    fileId: uuid('file_id'),
    op: text('op', { enum: ['create', 'update', 'delete', 'restore', 'move', 'mkdir', 'pending', 'purge'] }).notNull(),
    rev: integer('rev'),
    deviceId: uuid('device_id'),
    /** Path and details at the time of the change (so a device need not look them up). */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** A copy, in a share recipient's namespace, of the entry with this seq (trigger of 0008_sharing). */
    mirrorOf: bigint('mirror_of', { mode: 'number' }),
  },
  (t) => [index('journal_namespace_seq').on(t.namespaceId, t.seq)],
);
