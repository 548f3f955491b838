/** Accounts: users, their devices and their credentials. */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Login name as typed; unique case-insensitively (see the index). */
    username: text('username').notNull(),
    email: text('email'),
    displayName: text('display_name'),
    /** scrypt hash in PHC-like form: scrypt$N$r$p$salt$hash. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['user', 'admin'] }).notNull().default('user'),
    quotaBytes: bigint('quota_bytes', { mode: 'number' }).notNull().default(10 * 1024 ** 3),
    /** Bytes of committed versions charged to the user (kept in the same transaction as commits). */
    usedBytes: bigint('used_bytes', { mode: 'number' }).notNull().default(0),
    /** Bytes stored for uploads not yet committed: the sum of the user's quota_reservations rows
     *  (changed with them, in one statement). The room left is quota − used − reserved. */
    reservedBytes: bigint('reserved_bytes', { mode: 'number' }).notNull().default(0),
    /** Home namespace: the user's own files. */
    namespaceId: uuid('namespace_id').notNull().defaultRandom(),
    disabled: boolean('disabled').notNull().default(false),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_username_ci').on(sql`lower(${t.username})`), uniqueIndex('users_namespace').on(t.namespaceId)],
);

export const devices = pgTable(
  'devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['browser', 'desktop', 'cli', 'mobile', 'webdav'] }).notNull(),
    pushId: text('push_id'),
    /** Position in the journal this device has seen. */
    cursor: bigint('cursor', { mode: 'number' }).notNull().default(0),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('devices_user').on(t.userId)],
);

export const authTokens = pgTable(
  'auth_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id').references(() => devices.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['session', 'device', 'app_password'] }).notNull(),
    /** SHA-256 of the token; the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    label: text('label'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('auth_tokens_hash').on(t.tokenHash), index('auth_tokens_user').on(t.userId)],
);
