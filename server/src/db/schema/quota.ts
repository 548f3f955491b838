/** Quota reservations: bytes stored for an upload that has not committed yet (quota/reservations.ts). */
import { bigint, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const RESERVATION_KINDS = ['block', 'session', 'upload'] as const;
export type ReservationKind = (typeof RESERVATION_KINDS)[number];

export const quotaReservations = pgTable(
  'quota_reservations',
  {
    /** block: a block PUT for a later commit (ref: its stored key); session: a resumable upload
     *  (ref: the session id); upload: a simple upload while its body streams (ref: a random id). */
    kind: text('kind', { enum: RESERVATION_KINDS }).notNull(),
    ref: text('ref').notNull(),
    /** The namespace whose owner's quota holds the bytes. */
    namespaceId: uuid('namespace_id').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** GC releases what is left past this (a crashed or abandoned upload must not hold quota forever). */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.ref] }), index('quota_reservations_namespace').on(t.namespaceId), index('quota_reservations_expiry').on(t.expiresAt)],
);
