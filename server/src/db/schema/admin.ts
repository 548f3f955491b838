/** What the operator's dashboard keeps: the audit log, usage samples and cumulative traffic. */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, jsonb, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Who did what, when, from where. Never a secret: no password, token or hash in `details`. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    /** No foreign key: the record outlives a deleted account. */
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    target: text('target'),
    clientAddress: text('client_address'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_events_at').on(t.at), index('audit_events_kind').on(t.kind, t.id), index('audit_events_actor').on(sql`lower(${t.actorName})`, t.id)],
);

/** One point of the usage series: sizes at each stage, and the traffic counters' totals then. */
export const usageSamples = pgTable(
  'usage_samples',
  {
    at: timestamp('at', { withTimezone: true }).primaryKey(),
    logicalBytes: bigint('logical_bytes', { mode: 'number' }).notNull(),
    dedupBytes: bigint('dedup_bytes', { mode: 'number' }).notNull(),
    compressedBytes: bigint('compressed_bytes', { mode: 'number' }).notNull(),
    storedBytes: bigint('stored_bytes', { mode: 'number' }).notNull(),
    /** Cumulative (traffic_totals at the time): a point's traffic is the difference to the previous one. */
    bytesInTotal: bigint('bytes_in_total', { mode: 'number' }).notNull(),
    bytesOutTotal: bigint('bytes_out_total', { mode: 'number' }).notNull(),
  },
);

/** Request and answer bytes of every instance since the database was made (one row, id 1). */
export const trafficTotals = pgTable('traffic_totals', {
  id: smallint('id').primaryKey().default(1),
  bytesIn: bigint('bytes_in', { mode: 'number' }).notNull().default(0),
  bytesOut: bigint('bytes_out', { mode: 'number' }).notNull().default(0),
});
