/** Two-factor sign-in (auth/two-factor/): TOTP secrets, passkeys, recovery codes, the short-lived
 *  steps between a password and a session, and the server-wide settings row that can require it. */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';

/** A user's authenticator-app secret: pending until a first code confirms it. */
export const userTotp = pgTable('user_totp', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The secret sealed with a key derived from the server secret (auth/two-factor/secret-box.ts):
   *  a copy of the database alone does not yield codes. */
  secretSealed: text('secret_sealed').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  /** The newest 30-second step a code was accepted for: a code is good once (RFC 6238 §5.2). */
  lastStep: bigint('last_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** WebAuthn credentials (passkeys, security keys). */
export const passkeys = pgTable(
  'passkeys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The credential id, base64url, as the authenticator names it. */
    credentialId: text('credential_id').notNull(),
    /** COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    transports: jsonb('transports').$type<string[]>().notNull().default([]),
    name: text('name').notNull(),
    backedUp: boolean('backed_up').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('passkeys_credential').on(t.credentialId), index('passkeys_user').on(t.userId)],
);

/** Single-use recovery codes, stored as SHA-256 (they carry 50 random bits each; the sign-in
 *  rate limit and the per-step attempt cap stand in front of guessing). */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('recovery_codes_user_hash').on(t.userId, t.codeHash)],
);

/**
 * A step in flight: the second step of a sign-in (after the password), a passwordless passkey
 * sign-in, or a passkey registration. Found by the SHA-256 of its ticket; lives minutes; a few
 * wrong answers end it.
 */
export const twoFactorSteps = pgTable(
  'two_factor_steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketHash: text('ticket_hash').notNull(),
    purpose: text('purpose', { enum: ['login', 'passkey_login', 'passkey_register'] }).notNull(),
    /** Unknown until the passkey answers, for a passwordless sign-in. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** The WebAuthn challenge (base64url) the answer must sign. */
    challenge: text('challenge'),
    /** What the session asked for at sign-in (device, cookie): applied when the step completes. */
    sessionOptions: jsonb('session_options').$type<Record<string, unknown>>().notNull().default({}),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('two_factor_steps_ticket').on(t.ticketHash), index('two_factor_steps_expires').on(t.expiresAt)],
);

/** Server-wide settings an administrator changes at run time: one row (id 1). */
export const serverSettings = pgTable(
  'server_settings',
  {
    id: smallint('id').primaryKey().default(1),
    /** Every account must enrol a second factor; until then it reaches only enrolment (GitHub-like). */
    requireTwoFactor: boolean('require_two_factor').notNull().default(false),
    /** The other run-time settings an admin set (admin/settings.ts): absent keys take the default. */
    values: jsonb('values').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('server_settings_one_row', sql`${t.id} = 1`)],
);
