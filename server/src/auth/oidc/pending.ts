/**
 * Sign-ins in flight between the redirect to the provider and its redirect back. The browser
 * holds the state (in the query and in a cookie of its own); the server keeps, under the state's
 * SHA-256, the nonce and PKCE verifier that go with it. Taking a sign-in deletes it, so a state is
 * good once (a replayed callback finds nothing), and only for ten minutes.
 */
import { and, eq, gt, lt } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { Db } from '../../db/open.js';
import { ssoLogins } from '../../db/schema.js';
import { hashToken } from '../tokens.js';

export const SSO_LOGIN_TTL_MS = 10 * 60_000;

export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

export async function beginSignIn(db: Db, redirectUri: string): Promise<PendingSignIn> {
  const p = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), redirectUri };
  // Expired sign-ins go as new ones come: the table holds minutes of them.
  await db.delete(ssoLogins).where(lt(ssoLogins.expiresAt, new Date()));
  await db.insert(ssoLogins).values({
    stateHash: hashToken(p.state),
    nonce: p.nonce,
    codeVerifier: p.codeVerifier,
    redirectUri,
    expiresAt: new Date(Date.now() + SSO_LOGIN_TTL_MS),
  });
  return p;
}

/** The sign-in this state began, deleted as it is read; undefined when unknown, used or expired. */
export async function takeSignIn(db: Db, state: string): Promise<PendingSignIn | undefined> {
  const [row] = await db
    .delete(ssoLogins)
    .where(and(eq(ssoLogins.stateHash, hashToken(state)), gt(ssoLogins.expiresAt, new Date())))
    .returning();
  return row && { state, nonce: row.nonce, codeVerifier: row.codeVerifier, redirectUri: row.redirectUri };
}
