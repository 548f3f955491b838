/**
 * Passkeys (WebAuthn) with `@simplewebauthn/server`: registration and authentication ceremonies,
 * and the stored credentials. The relying party is this server as its users reach it
 * (COFFER_PUBLIC_URL, else the request's own checked Host: public-url.ts), so a passkey made at
 * one address works there only, as WebAuthn intends. Attestation is not asked for ('none'):
 * Coffer trusts the account's owner to pick their authenticator.
 */
import type { AuthenticationResponseJSON, AuthenticatorTransport, RegistrationResponseJSON } from '@simplewebauthn/server';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Passkey, WebAuthnCredential } from '@coffer/protocol';
import type { Config } from '../../config.js';
import type { Db } from '../../db/open.js';
import { isUniqueViolation } from '../../db/errors.js';
import { passkeys } from '../../db/schema.js';
import { HttpError } from '../../http-errors.js';
import { absoluteUrl } from '../../public-url.js';

export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingParty(c: Context, config: Pick<Config, 'publicUrl' | 'host' | 'port'>): RelyingParty {
  const url = new URL(absoluteUrl(c, config, '/'));
  return { id: url.hostname.replace(/^\[|\]$/g, ''), origin: url.origin, name: 'Coffer' };
}

const invalid = (why: string) => new HttpError(400, 'passkey_invalid', `the passkey’s answer did not verify: ${why}`);

type PasskeyRow = typeof passkeys.$inferSelect;

/**
 * The library, loaded at the first ceremony: it and its ASN.1 and X.509 packages are ~250 modules,
 * ~5 MiB of heap a server without passkeys in use would carry for nothing (server/README.md, "Memory").
 */
const webauthn = () => import('@simplewebauthn/server');

function view(r: PasskeyRow): Passkey {
  return { id: r.id, name: r.name, backedUp: r.backedUp, createdAt: r.createdAt.toISOString(), lastUsedAt: r.lastUsedAt?.toISOString() ?? null };
}

export async function listPasskeys(db: Db, userId: string): Promise<Passkey[]> {
  const rows = await db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id));
  return rows.map(view);
}

export async function passkeyCount(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(passkeys).where(eq(passkeys.userId, userId));
  return Number(row?.n ?? 0);
}

async function credentialsOf(db: Db, userId: string) {
  const rows = await db.select({ id: passkeys.credentialId, transports: passkeys.transports }).from(passkeys).where(eq(passkeys.userId, userId));
  return rows.map((r) => ({ id: r.id, transports: r.transports as AuthenticatorTransport[] }));
}

/** Creation options for a new passkey of this user (their others excluded: one authenticator, one passkey). */
export async function registrationOptions(db: Db, rp: RelyingParty, user: { id: string; username: string }) {
  return (await webauthn()).generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    // The WebAuthn user handle: the account id, so a passwordless assertion names its account.
    userID: Buffer.from(user.id.replace(/-/g, ''), 'hex'),
    attestationType: 'none',
    excludeCredentials: await credentialsOf(db, user.id),
    // Discoverable when the authenticator can (passwordless sign-in), else a second factor only.
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

/** Verify a registration against its challenge and store the passkey. */
export async function finishRegistration(db: Db, rp: RelyingParty, userId: string, challenge: string, name: string, credential: WebAuthnCredential): Promise<Passkey> {
  // Loaded outside the try: a library that fails to load is the server's fault (500), not a bad passkey.
  const { verifyRegistrationResponse } = await webauthn();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: credential as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch (err) {
    throw invalid((err as Error).message);
  }
  if (!verified.verified) throw invalid('not verified');
  const info = verified.registrationInfo;
  try {
    const [row] = await db
      .insert(passkeys)
      .values({
        userId,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: info.credential.transports ?? [],
        name,
        backedUp: info.credentialBackedUp,
      })
      .returning();
    return view(row!);
  } catch (err) {
    if (isUniqueViolation(err)) throw new HttpError(409, 'conflict', 'this passkey is registered already');
    throw err;
  }
}

/** Request options: for this user's passkeys (a second factor), or any discoverable one (no user: passwordless). */
export async function authenticationOptions(db: Db, rp: RelyingParty, userId?: string) {
  return (await webauthn()).generateAuthenticationOptions({
    rpID: rp.id,
    ...(userId ? { allowCredentials: await credentialsOf(db, userId) } : {}),
    userVerification: userId ? 'preferred' : 'required',
  });
}

/**
 * Verify an assertion against its challenge; the account it proves (the passkey's owner, which
 * must be `userId` when given) or undefined. The signature counter moves forward; one that goes
 * back betrays a cloned authenticator and fails (simplewebauthn checks it).
 */
export async function finishAuthentication(
  db: Db,
  rp: RelyingParty,
  challenge: string,
  credential: WebAuthnCredential,
  opts: { userId?: string; requireUserVerification: boolean },
): Promise<string | undefined> {
  const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credential.id));
  if (!row || (opts.userId !== undefined && row.userId !== opts.userId)) return undefined;
  const { verifyAuthenticationResponse } = await webauthn(); // outside the try, as in finishRegistration
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: credential as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: row.credentialId, publicKey: Buffer.from(row.publicKey, 'base64url'), counter: row.counter, transports: row.transports as AuthenticatorTransport[] },
      requireUserVerification: opts.requireUserVerification,
    });
  } catch {
    return undefined;
  }
  if (!result.verified) return undefined;
  await db
    .update(passkeys)
    .set({ counter: result.authenticationInfo.newCounter, lastUsedAt: new Date(), backedUp: result.authenticationInfo.credentialBackedUp })
    .where(eq(passkeys.id, row.id));
  return row.userId;
}

export async function deletePasskey(db: Db, userId: string, id: string): Promise<boolean> {
  const gone = await db.delete(passkeys).where(and(eq(passkeys.id, id), eq(passkeys.userId, userId))).returning({ id: passkeys.id });
  return gone.length > 0;
}
