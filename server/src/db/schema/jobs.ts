/** Background jobs (server/src/jobs) and the blocks waiting for repair. */
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { blocks } from './engine.js';

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    state: text('state', { enum: JOB_STATES }).notNull().default('queued'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    /** What the handler reports as it goes; a retried job resumes from it (scrub's lastKey). */
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
    /** Claims so far (a lease that expired counts: the job is then retried). */
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    /** Set by schedules (`gc@<slot>`): each slot is enqueued once, whichever instance gets there first. */
    uniqueKey: text('unique_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('jobs_claim').on(t.state, t.runAfter),
    index('jobs_kind_created').on(t.kind, t.createdAt),
    uniqueIndex('jobs_unique_key').on(t.uniqueKey),
  ],
);

/**
 * Blocks known to lack redundancy (a shard missing, corrupt, unreachable or doubled up), as the
 * engine reported them: persisted so a restart forgets none; the repair job clears each row once
 * the block is whole again. Gone with the block (GC).
 */
export const degradedBlocks = pgTable(
  'degraded_blocks',
  {
    blockKey: text('block_key')
      .primaryKey()
      .references(() => blocks.key, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    /** Repairs tried that left shards still missing (no free node, node still down). */
    repairAttempts: integer('repair_attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('degraded_blocks_seen').on(t.lastSeenAt)],
);

/**
 * Shard objects the orphan sweep (jobs/orphans.ts) found on a node with no metadata row naming
 * them. One is deleted only by a sweep after the safety window since it was first seen, and only
 * if still unnamed then: a block being written (shards stored, metadata to come) is never taken.
 */
export const orphanCandidates = pgTable(
  'orphan_candidates',
  {
    nodeId: text('node_id').notNull(),
    objectKey: text('object_key').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('orphan_candidates_object').on(t.nodeId, t.objectKey)],
);

/**
 * Namespaces whose owner was deleted (a trigger on users, migration 0016): the `departed` job
 * purges their files, versions, blocks and finally their data keys once the grace has passed.
 */
export const departedNamespaces = pgTable('departed_namespaces', {
  namespaceId: uuid('namespace_id').primaryKey(),
  username: text('username'),
  deletedAt: timestamp('deleted_at', { withTimezone: true }).notNull().defaultNow(),
});
