/**
 * The storage nodes Coffer knows, by the name the operator gave each (shard rows store that
 * name): boot reconciles COFFER_NODES / COFFER_COLD_NODES with this table, and the admin API
 * adds, drains and retires nodes here at run time (server/src/nodes/).
 */
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const NODE_STATES = ['active', 'draining', 'retired'] as const;
export type NodeLifecycle = (typeof NODE_STATES)[number];

export const nodes = pgTable('nodes', {
  name: text('name').primaryKey(),
  tier: text('tier', { enum: ['hot', 'cold'] }).notNull(),
  /** 'local': an embedded directory in the data directory; 's3': an S3/MinIO bucket. */
  kind: text('kind', { enum: ['local', 's3'] }).notNull(),
  /** Where it is, without credentials (`http://host:port/bucket[/prefix]`, or `nodes/node-0` below the
   *  data directory); null for a node known only from shard rows of an older version (until its next boot). */
  endpoint: text('endpoint'),
  /** Only for a node added through the admin API: its full URL (credentials included) sealed under the
   *  master key, so the next boot can open it. Null for configured and embedded nodes. */
  sealedUrl: text('sealed_url'),
  state: text('state', { enum: NODE_STATES }).notNull().default('active'),
  /** Where the node comes from: COFFER_NODES / COFFER_COLD_NODES, the admin API, or the embedded default. */
  origin: text('origin', { enum: ['config', 'api', 'embedded'] }).notNull().default('config'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
});
