/** Single sign-on (auth/oidc/): identities at an OpenID Connect provider linked to accounts, and
 *  the sign-ins in flight between the redirect to the provider and its redirect back. Migration 0014_sso. */
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';

/** An account's identity at a provider: issuer + subject name one person for good (OIDC Core §5.7). */
export const ssoIdentities = pgTable(
  'sso_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The Coffer groups the last sign-in's claims put the account in: the next sign-in removes
     *  the ones its claims no longer name, and leaves memberships an administrator added alone. */
    syncedGroups: jsonb('synced_groups').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sso_identities_issuer_subject').on(t.issuer, t.subject), index('sso_identities_user').on(t.userId)],
);

/** A sign-in in flight: found by the SHA-256 of its state, taken (deleted) once, ten minutes at most. */
export const ssoLogins = pgTable(
  'sso_logins',
  {
    stateHash: text('state_hash').primaryKey(),
    nonce: text('nonce').notNull(),
    /** PKCE's verifier (RFC 7636): useless without the code, which only the browser gets. */
    codeVerifier: text('code_verifier').notNull(),
    /** The redirect URI sent to the provider: the token request must repeat it exactly. */
    redirectUri: text('redirect_uri').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sso_logins_expires').on(t.expiresAt)],
);
